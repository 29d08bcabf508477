"""The second reader: the number a hand wrote into ``Số: ..../BC-SYT`` and the day
into ``ngày ... tháng`` on page 1 of a scan.

Tesseract reads handwriting as smudge (``Số:212Á._ /BC-SYT``, ``ngàyJ©``). Here:
1. the printed anchors (``Số``, the printed ``/``, ``ngày``, ``tháng``) are found
   among Tesseract's word boxes (``locate``);
2. only a band of page 1 around them is rendered, and each span is cut four
   times (two vertical margins, with and without a horizontal stretch);
3. each cut is read by the PP-OCRv4 line recogniser that ``rapidocr-onnxruntime``
   ships (its ONNX weights inside the wheel; run by ``onnxruntime`` on one
   thread, the package itself never imported: it needs OpenCV). The
   recogniser's own reading of the printed ``:`` and ``/`` (``ngay`` and
   ``th``) bounds the handwritten span;
4. the span is decoded to digits (``digits``): candidates from a beam search,
   scored over the four cuts, kept only if plausible (a day 1-31, a number of
   1-5 digits), with a prior from the ink blobs counted in the span. A blank
   span gives nothing: a reading is never invented.

``read_hand`` gives the ``Reading``s (cached beside the page's words);
``with_hand`` writes them into the page's words, unless Tesseract itself read
plausible digits there with high confidence (a typed number on a scan). The
words the hand wrote are marked, so the record flags every value read from them
for review: the reader's scores do not tell a right reading from a wrong one.
Its accuracy on the corpus and its time per page are in the README (``bench/bench_hand.py``).
"""
from __future__ import annotations

import math
import os
from datetime import date
import re
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata

import numpy as np

from ingest.ocr import digits, ink
from ingest.ocr.fixes import DIGITISH
from ingest.ocr.tesseract import OcrPage, OcrSettings, OcrWord, cache_file, load_json, page_image, save_json
from ingest.vocabulary.doctypes import DOTLESS, TYPE_CODES
from ingest.vocabulary.regexes import NUMBER, YEAR as PRINTED_YEAR
from ingest.vocabulary.textnorm import fold

READER_VERSION = 1          # bump when what a reading gives changes: cached readings are then made again
HAND_ZONE = f"-hand{READER_VERSION}"   # the readings' name in the OCR cache, beside the page's words
DISTRIBUTION = "rapidocr-onnxruntime"
MODEL = "ch_PP-OCRv4_rec_infer.onnx"
HEIGHT, MIN_WIDTH, STRIDE = 48, 320, 8   # the recogniser's input height, narrowest input, pixels per step
CUTS = ((4, 1.0), (12, 1.0), (4, 1.3), (12, 1.3))  # (vertical margin in px at 300 dpi, horizontal stretch)
LEFT_MARGIN = 40            # px before the ``Số`` / ``ngày`` word: the recogniser needs the anchor whole
TRUSTED = 85                # Tesseract's own digits at or above this confidence are kept
DPI = 300                   # the page's resolution every distance here is measured at (OcrSettings.dpi)
MAX_SPAN = 900              # px: the widest box cut (``Số`` to past the printed ``/``: about 500)
MIN_HEIGHT, MAX_HEIGHT = 15, 300   # px: a box's height, a line of print and the hand beside it
MAX_WIDTH = 2400            # the recogniser's widest input: its memory and time grow with the width


@dataclass
class Reading:
    field: str                                # "number" or "day"
    candidates: list[tuple[str, float]]       # plausible digits, likeliest first, with their share (0-1)
    box: tuple[int, int, int, int]            # where they were read, in the page's pixels
    chosen: int = 0                           # the candidate kept (``prefer`` may move it)

    @property
    def value(self) -> str:
        return self.candidates[self.chosen][0] if self.candidates else ""

    @property
    def confidence(self) -> float:
        """0-100: the kept candidate's share of the candidates' probability."""
        return round(100 * self.candidates[self.chosen][1], 1) if self.candidates else 0.0

    def to_json(self) -> list:
        return [self.field, [[t, round(p, 4)] for t, p in self.candidates], list(self.box)]

    @classmethod
    def from_json(cls, data: list) -> Reading:
        """A cached reading; ValueError where it is not one this version wrote."""
        field, candidates, box = data
        if field not in ("number", "day") or not isinstance(candidates, list) or len(box) != 4:
            raise ValueError("not a reading")
        read = [(text, float(p)) for text, p in candidates]
        if not all(isinstance(t, str) and re.fullmatch(r"[0-9]{1,5}", t) and 0 <= p <= 1 for t, p in read):
            raise ValueError("not a reading")
        return cls(field, read, tuple(int(v) for v in box))


# -- the printed anchors ----------------------------------------------------------------

@dataclass
class Spot:
    """Where a handwritten field sits: its anchor words on Tesseract's page, and
    the words of its band (the printed line around it)."""

    start: OcrWord                # ``Số`` / ``ngày``
    end: OcrWord | None           # the printed ``/XX-YYY`` / ``tháng`` (may be ``start`` itself)
    band: list[OcrWord]
    year: OcrWord | None = None


def _middle(word: OcrWord) -> float:
    return (word.top + word.bottom) / 2


def _same_band(words: list[OcrWord], anchor: OcrWord, rightwards: bool = True) -> list[OcrWord]:
    return sorted((w for w in words if abs(_middle(w) - _middle(anchor)) < 45
                   and (not rightwards or w.left >= anchor.left)), key=lambda w: w.left)


YEAR = re.compile(rf"{PRINTED_YEAR}\W*")
PRINTED_SLASH = re.compile(r"/(?=\s*(?:[A-ZĐÐ]|(?:19|20)\d\d/))")  # ``/BC``, ``/2026/TT``: not a hand's 1
# A type's code opening a word (``QÐ-``, ``BC``): where Tesseract lost the printed slash.
TYPE_START = re.compile(r"(?:%s)(?:[-_–]|$)" % "|".join(
    sorted({c.upper() for c in TYPE_CODES} | set(DOTLESS), key=len, reverse=True)))
PRINTED_SLASH_CODES = re.compile(r"/\s*((?:[A-ZĐ]{1,8}\d{0,2}-)+[A-ZĐ]{2,8}\d{0,2})\b")   # ``/KH-SYT``


def locate(page: OcrPage) -> dict[str, Spot]:
    """The date line's and the number line's anchors in the top 40% of the page
    (distances in pixels at ``DPI``)."""
    top = [w for w in page.words if w.bottom < page.height * 0.4 and w.text.strip()]
    found = {}
    day = _day_spot(top, page.width, page.height)
    if day:
        found["day"] = day
    number = _number_spot(top, page.width, day)
    if number:
        found["number"] = number
    return found


def _day_spot(top: list[OcrWord], width: int, height: int) -> Spot | None:
    """The topmost ``ngày`` in the right part whose band has a ``tháng`` or a year."""
    right = [w for w in top if w.left > width * 0.35]
    starts = [w for w in right if fold(w.text).startswith(("ngay", "ngav"))]
    candidates = []
    for word in starts:
        band = _same_band(top, word)
        if any("thang" in fold(v.text) for v in band) or any(YEAR.fullmatch(v.text) for v in band):
            candidates.append((word, band))
    if not candidates:  # a lone ``ngày`` high in the header
        candidates = [(w, _same_band(top, w)) for w in starts if w.text[:1] == "n" and w.top < height * 0.25]
    if not candidates:
        return None
    start, band = min(candidates, key=lambda c: c[0].top)
    end = next((v for v in band if "thang" in fold(v.text)), None)
    year = next((v for v in band if YEAR.fullmatch(v.text) and (end is None or v.left > end.left)), None)
    return Spot(start, end, band, year)


def _number_spot(top: list[OcrWord], width: int, day: Spot | None) -> Spot | None:
    """The ``Số`` word in the left part nearest the date line, and its printed ``/``."""
    near = _middle(day.end or day.start) if day else None
    candidates = []
    for word in top:
        text = word.text.strip()
        if (word.left < width * 0.45 and text[:1] in "Ss$5" and len(text) >= 2
                and not re.fullmatch(r"S[ỞO]\W*", text) and fold(text)[:2] in ("so", "se", "sa", "sc", "s:", "s.")):
            distance = abs(_middle(word) - near) if near is not None else word.top
            if near is None or distance < 160:
                candidates.append((distance, word))
    if not candidates:
        return None
    start = min(candidates, key=lambda c: c[0])[1]
    band = [w for w in _same_band(top, start) if w.left < width * 0.5]
    end = next((w for w in band if "/" in w.text), None)
    return Spot(start, end, band)


def _boxes(spots: dict[str, Spot]) -> dict[str, tuple[int, int, int, int]]:
    """Each field's box to cut, from its anchors (pixels of the page)."""
    boxes = {}
    if "number" in spots:
        s, slash = spots["number"].start, spots["number"].end
        marks = [s] + ([slash] if slash is not None and slash is not s else [])
        right = slash.left + 70 if slash is not None and slash is not s and slash.left > s.left + 100 else s.left + 450
        boxes["number"] = (s.left, min(w.top for w in marks), min(right, s.left + MAX_SPAN), max(w.bottom for w in marks))
    if "day" in spots:
        spot = spots["day"]
        marks = [w for w in (spot.start, spot.end, spot.year) if w is not None]
        if spot.end is not None and spot.end is not spot.start:
            right = spot.end.left + 70
        else:
            right = spot.start.right + 70
        boxes["day"] = (spot.start.left, min(w.top for w in marks), min(right, spot.start.left + MAX_SPAN),
                        max(w.bottom for w in marks))
    # a box too flat to hold a line of writing (a rule, a speck read as a word) is not read
    return {field: box for field, box in boxes.items() if MIN_HEIGHT <= box[3] - box[1] <= MAX_HEIGHT}


# -- the recogniser ---------------------------------------------------------------------

def model_file() -> str | None:
    """The recogniser's weights inside the installed wheel, found without importing it."""
    try:
        files = metadata.distribution(DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    found = next((f for f in files if f.name == MODEL), None)
    return str(found.locate()) if found is not None else None


@lru_cache(maxsize=1)
def recogniser() -> Recogniser | None:
    """This process's recogniser, or None where the wheel or onnxruntime is missing."""
    path = model_file()
    if path is None:
        return None
    try:
        import onnxruntime
    except ImportError:
        return None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1   # the ingest runs one worker per core already
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    chars = ["<blank>"] + session.get_modelmeta().custom_metadata_map["character"].splitlines() + [" "]
    return Recogniser(session, chars)


class Recogniser:
    def __init__(self, session, chars: list[str]) -> None:
        self.session, self.chars = session, chars
        self.input = session.get_inputs()[0].name
        self.folder = digits.DigitFolder(chars)

    def probs(self, crop: np.ndarray) -> np.ndarray:
        """Per time step, the probability of each character (a BGR crop)."""
        crop = crop[:, : int(MAX_WIDTH * crop.shape[0] / HEIGHT)]
        ratio = crop.shape[1] / crop.shape[0]
        width = int(max(HEIGHT * ratio, MIN_WIDTH))
        resized = min(width, int(math.ceil(HEIGHT * ratio)))
        batch = np.zeros((1, 3, HEIGHT, width), np.float32)
        pixels = ink.resize(crop, resized, HEIGHT).astype(np.float32)
        batch[0, :, :, :resized] = pixels.transpose(2, 0, 1) / 127.5 - 1
        out = self.session.run(None, {self.input: batch})[0][0]
        return out[: int(math.ceil(resized / STRIDE)) + 1]

    def reading(self, probs: np.ndarray) -> list[tuple[int, str]]:
        """The recogniser's own (greedy) reading: (step, character) pairs."""
        best, seen, prev = probs.argmax(1), [], 0
        for step, index in enumerate(best):
            if index != prev and index != 0:
                seen.append((step, self.chars[index]))
            prev = index
        return seen


def number_span(seen: list[tuple[int, str]], steps: int) -> tuple[int, int]:
    """The steps of the hand's number in a ``Số: ____ /XX-YYY`` reading: after the
    colon (or after ``Số``), before the printed slash, i.e. one followed by the
    type's capitals or by a year and a slash (a hand's 1 is often read as ``/``)."""
    lo = next((t + 1 for t, c in seen[:4] if c in ":;"), None)
    if lo is None:
        s = next((i for i, (_, c) in enumerate(seen[:3]) if c in "S$5s"), None)
        if s is not None and s + 1 < len(seen):
            lo = seen[s + 1][0] + 1
        else:
            lo = seen[1][0] + 1 if len(seen) > 1 else 0
    text = [c for _, c in seen]

    def printed(i: int) -> bool:
        rest = "".join(text[i + 1:i + 7]).lstrip()
        return bool(re.match(r"[A-Z]|(19|20)\d\d/", rest))

    slashes = [(i, t) for i, (t, c) in enumerate(seen) if c == "/" and t > lo]
    hi = next((t for i, t in slashes if printed(i)), slashes[0][1] if slashes else None)
    if hi is None:  # the slash is lost: stop at the type's first two capitals
        hi = next((t1 for (t1, c1), (t2, c2) in zip(seen, seen[1:])
                   if t1 > lo and c1.isupper() and c2.isupper() and t2 - t1 <= 4), None)
    return lo, hi if hi is not None else steps


def day_span(seen: list[tuple[int, str]], steps: int) -> tuple[int, int]:
    """The steps of the hand's day in a ``ngày __ tháng`` reading."""
    text = "".join(c for _, c in seen)
    ngay = re.search(r"n?g[a-z]{0,2}y", text)
    lo = seen[ngay.end() - 1][0] + 1 if ngay else 0
    after = ngay.end() if ngay else 0
    thang = re.search(r"th[a-z]{0,2}n?g?", text[after:])
    hi = seen[after + thang.start()][0] if thang else None
    return lo, hi if hi is not None else steps


# -- reading a page ---------------------------------------------------------------------

@dataclass
class Cut:
    probs: np.ndarray
    lo: int
    hi: int
    image: np.ndarray
    margin: int
    stretch: float


def _band(path: str, fmt: str, index: int, dpi: int, top: int, bottom: int) -> np.ndarray:
    """Rows ``top:bottom`` of the page at ``dpi``, as a BGR array."""
    rgb = np.asarray(page_image(path, fmt, index, dpi, rows=(top, bottom)).convert("RGB"))
    return np.ascontiguousarray(rgb[..., ::-1])


def _cuts(model: Recogniser, band: np.ndarray, band_top: int, field: str,
          box: tuple[int, int, int, int], spot: Spot) -> list[Cut]:
    left, top, right, bottom = box
    cuts = []
    for margin, stretch in CUTS:
        x0 = max(0, left - LEFT_MARGIN)
        image = band[max(0, top - margin - band_top): bottom + margin - band_top, x0:right]
        if image.size == 0:
            continue
        if stretch != 1.0:
            image = ink.widen(image, int(image.shape[1] * stretch))
        probs = model.probs(image)
        lo, hi = (number_span if field == "number" else day_span)(model.reading(probs), len(probs))
        if field == "day" and hi == len(probs) and (spot.end is None or spot.end is spot.start):
            # no ``tháng`` apart: the day ends with the ``ngày`` word's box
            px_per_step = image.shape[0] / HEIGHT * STRIDE
            hi = min(hi, int((spot.start.right + 10 - x0) * stretch / px_per_step))
        cuts.append(Cut(probs, lo, hi, image, margin, stretch))
    return cuts


def _glyphs(cuts: list[Cut], box: tuple[int, int, int, int]) -> int:
    """Ink blobs in the span of the unstretched cut with the wider margin."""
    cut = next((c for c in cuts if c.stretch == 1.0 and c.margin >= 12), cuts[0])
    px = cut.image.shape[0] / HEIGHT * STRIDE  # image pixels per step (the cut is unstretched)
    span = cut.image[:, int(cut.lo * px): int(cut.hi * px)]
    return ink.glyph_count(span, 0.3 * min(box[3] - box[1], 50))


def _decide(model: Recogniser, field: str, cuts: list[Cut], box: tuple[int, int, int, int]) -> Reading | None:
    if not cuts:
        return None
    glyphs = _glyphs(cuts, box)
    if glyphs == 0:  # nothing written there (a blank form): nothing is read
        return Reading(field, [], box)
    folded = [model.folder.fold(c.probs, c.lo, c.hi) for c in cuts]
    plausible = digits.plausible_number if field == "number" else digits.plausible_day
    return Reading(field, digits.ranked(folded, plausible, digits.length_prior(glyphs)), box)


def own_numbers(name: str | None, pages: list[OcrPage]) -> set[str]:
    """Numbers this document gives itself elsewhere: digit groups of its file's
    name (``2119_KH_SYT.pdf``), and numbers printed before its own ``/KH-SYT`` on
    any scanned page (an attachment's ``Kèm theo Kế hoạch số 2119/KH-SYT``)."""
    found = set(re.findall(r"(?<!\d)\d{1,5}(?!\d)", os.path.splitext(os.path.basename(name or ""))[0]))
    spot = locate(pages[0]).get("number") if pages else None
    suffix = next((m.group(1) for w in (spot.band if spot else []) for m in [PRINTED_SLASH_CODES.search(w.text)] if m), None)
    if suffix:
        printed = re.compile(r"(?<![\d/])(\d{1,5})\s*/\s*" + re.escape(suffix) + r"(?![\w])")
        own_line = {id(w) for w in spot.band}  # Tesseract's reading of the hand itself is no witness
        for page in pages:
            found.update(printed.findall(" ".join(w.text for w in page.words if id(w) not in own_line)))
    return found


def printed_month(page: OcrPage) -> tuple[int, int] | None:
    """(year, month) as printed on the date line (``tháng 11 năm 2017``), if
    Tesseract read both."""
    spot = locate(page).get("day")
    if spot is None or spot.end is None or spot.year is None:
        return None
    glued = re.search(r"th\S{1,3}ng(\S+)", spot.end.text, re.IGNORECASE)
    after = [w.text for w in spot.band if w.left > spot.end.left and w is not spot.year and w.text.strip(".,:;")]
    token = glued.group(1) if glued else (after[0] if after else "")
    token = token.translate(DIGITISH).strip(".,")  # ``tháng I1``
    if not re.fullmatch(r"\d{1,2}", token) or not 1 <= int(token) <= 12:
        return None
    return int(spot.year.text[:4]), int(token)


def _a_day_of(month: tuple[int, int] | None, today: date):
    """Whether a day reading makes a date that exists and is not yet to come."""
    def fits(text: str) -> bool:
        if month is None:
            return True
        try:
            return date(month[0], month[1], int(text)) <= today
        except ValueError:  # 31 in November
            return False
    return fits


def prefer(readings: list[Reading], numbers: set[str], month: tuple[int, int] | None = None,
           today: date | None = None) -> list[Reading]:
    """The candidate each field's evidence points to: a number the document
    repeats elsewhere (``own_numbers``); a day that makes, with the printed month
    and year, a date that exists and is not in the future. Else the likeliest."""
    fits = _a_day_of(month, today or date.today())
    for reading in readings:
        if reading.field == "number":
            reading.chosen = next((i for i, (text, _) in enumerate(reading.candidates) if text in numbers), 0)
        else:
            good = [i for i, (text, _) in enumerate(reading.candidates) if fits(text)]
            if not good:  # no reading makes a date: none is kept
                reading.candidates = []
            reading.chosen = good[0] if good else 0
    return readings


def _cached_readings(where: str | None) -> list[Reading] | None:
    data = load_json(where)
    try:
        return [Reading.from_json(r) for r in data["readings"]] if data is not None else None
    except (KeyError, IndexError, TypeError, ValueError):  # another shape: read again
        return None


def read_hand(path: str, fmt: str, sha: str | None, index: int, page: OcrPage,
              settings: OcrSettings) -> tuple[list[Reading], float]:
    """The hand's number and day on ``page`` (Tesseract's words of page ``index``),
    and the seconds spent reading them now (0 when they came from the cache).
    Nothing where the anchors are not found, the page was read at another
    resolution than ``DPI``, or the reader is not installed."""
    where = cache_file(settings, sha or "", index, HAND_ZONE)
    cached = _cached_readings(where)
    if cached is not None:
        return cached, 0.0
    model = recogniser()
    # Tesseract's boxes must be where the band is cut: the same resolution, no rotation
    spots = locate(page) if settings.dpi == DPI and "deskew" not in settings.cleanup else {}
    if model is None or not spots:
        return [], 0.0
    started = time.monotonic()
    boxes = _boxes(spots)
    band_top = max(0, min(b[1] for b in boxes.values()) - 40)
    band_bottom = max(b[3] for b in boxes.values()) + 40
    band = _band(path, fmt, index, DPI, band_top, band_bottom)
    readings = []
    for field, box in boxes.items():
        reading = _decide(model, field, _cuts(model, band, band_top, field, box, spots[field]), box)
        if reading is not None:
            readings.append(reading)
    save_json(where, {"readings": [r.to_json() for r in readings]})
    return readings, round(time.monotonic() - started, 2)


# -- writing the hand's digits into the page ---------------------------------------------

def _at(word: OcrWord, index: int) -> int:
    """The x of character ``index`` of a word, spacing its characters evenly."""
    return word.left + round((word.right - word.left) * index / max(len(word.text), 1))


def _piece(word: OcrWord, text: str, start: int, end: int, line_id) -> OcrWord:
    """Characters ``start:end`` of a printed word, as a word of their own (``text``)."""
    return OcrWord(text, _at(word, start), word.top, max(_at(word, start) + 1, _at(word, end)), word.bottom,
                   word.conf, line_id)


def _trusted(text: str, confs: list[float], plausible, typed_forms: bool = False) -> bool:
    """Tesseract's own reading of a span, every word of it sure: plausible digits,
    or (``typed_forms``) a number of a form the reader cannot give (``3176b``,
    ``66.15``: typed)."""
    squeezed = re.sub(r"\s+", "", text).strip(".,:;_-'`")
    if min(confs, default=0) < TRUSTED:
        return False
    if re.fullmatch(r"\d{1,5}", squeezed):
        return plausible(squeezed)
    return typed_forms and bool(re.fullmatch(NUMBER, squeezed))


def _between(spot: Spot, end: OcrWord | None) -> list[OcrWord]:
    """The band's words strictly between ``spot.start`` and ``end`` (none without an end)."""
    if end is None:
        return []
    return [w for w in spot.band if w is not spot.start and w is not end and spot.start.left < w.left < end.left]


# What a field's digits take the place of on the page: the words that go, those that come.
Rewrite = tuple[list[OcrWord], list[OcrWord]]


def _number_words(spot: Spot, reading: Reading) -> Rewrite | None:
    """The span's words, and ``Số:``, the hand's number, the printed ``/XX-YYY``
    in their place; None where Tesseract's own digits are kept or no printed end
    is found."""
    start = spot.start
    ends = [w for w in spot.band if w.left >= start.left]
    end, cut = None, 0
    for word in ends:
        from_ = 2 if word is start else 0
        slash = PRINTED_SLASH.search(word.text, from_)
        if slash:
            end, cut = word, slash.start()
            break
        if word is not start and TYPE_START.match(word.text.replace("Ð", "Đ")):
            end, cut = word, -1
            break
    if end is None:
        return None
    middle = _between(spot, end)
    tesseract = ((start.text[2:] if end is not start else start.text[2:max(cut, 2)]) + " "
                 + " ".join(w.text for w in middle) + " " + (end.text[:max(cut, 0)] if end is not start else ""))
    confs = [w.conf for w in [start, *middle, end] if re.search(r"\d", w.text)]
    if _trusted(tesseract, confs, digits.plausible_number, typed_forms=True):
        return None
    line = start.line_id
    suffix = end.text[cut:] if cut >= 0 else "/" + end.text
    so_end = min(len(start.text), 3)
    hand_left, hand_right = _at(start, so_end), _at(end, max(cut, 0)) if end is not start else _at(start, max(cut, so_end))
    number = OcrWord(reading.value, hand_left + 1, start.top, max(hand_left + 2, hand_right - 1), start.bottom,
                     reading.confidence, line, True)
    gone = [start, *middle] + ([end] if end is not start else [])
    return gone, [_piece(start, "Số:", 0, so_end, line), number, _piece(end, suffix, max(cut, 0), len(end.text), line)]


NGAY = re.compile(r"ng\S{1,2}?[yv]", re.IGNORECASE)
THANG = re.compile(r"th", re.IGNORECASE)


def _day_words(spot: Spot, reading: Reading) -> Rewrite | None:
    """The span's words, and ``ngày``, the hand's day, and the ``tháng`` word from
    ``th`` on in their place; None where Tesseract's own day is kept."""
    start, end = spot.start, spot.end
    ngay = NGAY.match(start.text)
    cut = ngay.end() if ngay else min(4, len(start.text))
    tail = 0  # where ``tháng`` begins in ``end``
    if end is start:  # one word: ``ngày82tháng``
        thang = THANG.search(start.text, cut)
        end, tail = (start, thang.start()) if thang else (None, 0)
    elif end is not None:
        thang = THANG.search(end.text)
        tail = thang.start() if thang else 0
    middle = _between(spot, end)
    if end is start:
        tesseract = start.text[cut:tail]
    else:
        tesseract = " ".join([start.text[cut:], *(w.text for w in middle), end.text[:tail] if end else ""])
    confs = [w.conf for w in [start, *middle] if re.search(r"\d", w.text)]
    if _trusted(tesseract, confs, digits.plausible_day):
        return None
    line = start.line_id
    left = _at(start, cut) + 1
    right = _at(end, tail) if end is not None else max(start.right, left + 40)
    words = [_piece(start, "ngày", 0, cut, line),
             OcrWord(reading.value, left, start.top, max(left + 1, right - 1), start.bottom,
                     reading.confidence, line, True)]
    if end is not None:
        words.append(_piece(end, end.text[tail:], tail, len(end.text), line))
    gone = [start, *middle] + ([end] if end is not None and end is not start else [])
    return gone, words


def with_hand(page: OcrPage, readings: list[Reading]) -> OcrPage:
    """``page`` with the hand's digits written in place of what Tesseract read
    between the anchors; the words they make are marked ``hand``."""
    spots = locate(page)
    words = list(page.words)
    for reading in readings:
        spot = spots.get(reading.field)
        if spot is None or not reading.value:
            continue
        rewrite = (_number_words if reading.field == "number" else _day_words)(spot, reading)
        if rewrite is None:
            continue
        gone, new = {id(w) for w in rewrite[0]}, rewrite[1]
        here = {id(w) for w in words}
        if not gone <= here:  # the other field's span took some of these words: leave this one
            continue
        at = next(i for i, w in enumerate(words) if id(w) in gone)
        words = [w for w in words if id(w) not in gone]
        words[at:at] = new
    return replace(page, words=words)
