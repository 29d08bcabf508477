"""Scanned pages read by Tesseract (``vie``), cached, with word confidences.

A page is rendered by PDFium at 300 dpi (or taken from the image file, one frame
of a TIFF at a time), cleaned up as ``OcrSettings.cleanup`` says, and read by one
single-threaded Tesseract process (the pages of a file run side by side instead:
the README and ``bench/bench_ocr.py`` say why). Tesseract's TSV gives
every word with its box and confidence; the words are cached per file sha256,
page and settings, so re-ingests, re-parses and index rebuilds never read the
same page twice. Lines are then built from the words and split into the header's
two columns exactly as the text-PDF reader does, so the parsers see one layout.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.models import Line
from ingest.ocr.cleanup import clean
from ingest.ocr.fixes import is_junk_word, repair
from ingest.readers.pdf import Char, split_char_columns
from ingest.vocabulary.names import is_name_shape, known_position, mend_name
from ingest.vocabulary.regexes import AUTHORITY, NOI_NHAN
from ingest.vocabulary.textnorm import clean_line, fold

OCR_FORMAT = 2            # bump when what is cached (the words) changes shape
LOW_CONFIDENCE = 60       # a word below this is flagged where it carries a header value
TESSERACT_TIMEOUT = 180   # seconds for one page


class OcrUnavailable(Exception):
    """Tesseract or its Vietnamese model is not installed."""


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """The version of a Tesseract that has the ``vie`` model, or None."""
    exe = shutil.which("tesseract")
    if not exe:
        return None
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
        version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if "vie" not in langs.split():
        return None
    return (version.splitlines() or ["tesseract"])[0].strip()


def default_cache_dir() -> str:
    """``$VANBAN_OCR_CACHE``, else the user's cache folder (``~/.cache/vanban/ocr``)."""
    if os.environ.get("VANBAN_OCR_CACHE"):
        return os.environ["VANBAN_OCR_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "vanban", "ocr")


@dataclass(frozen=True)
class OcrSettings:
    """What decides the words a page gives (``key``), and where they are kept."""

    lang: str = "vie"
    dpi: int = 300
    psm: int = 3
    cleanup: tuple[str, ...] = ("gray",)
    cache_dir: str | None = None
    jobs: int = 0  # Tesseract processes for one file's pages; 0 = one per core
    hand: bool = True  # the handwriting reader on page 1 (``handwriting``); its readings are cached apart

    def key(self) -> str:
        spec = json.dumps([OCR_FORMAT, tesseract_version(), self.lang, self.dpi, self.psm, list(self.cleanup)])
        return hashlib.sha256(spec.encode()).hexdigest()[:12]

    def workers(self) -> int:
        if self.jobs:
            return self.jobs
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class OcrWord:
    text: str
    left: int
    top: int
    right: int
    bottom: int
    conf: float
    line_id: tuple[int, int, int]
    hand: bool = False  # written in by the handwriting reader (never cached with the page)


@dataclass
class OcrPage:
    width: int
    height: int
    words: list[OcrWord] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False

    @property
    def confidence(self) -> float | None:
        scored = [w.conf for w in self.words if w.conf >= 0 and w.text.strip()]
        return round(sum(scored) / len(scored), 1) if scored else None

    def to_json(self) -> dict:
        return {"width": self.width, "height": self.height, "seconds": self.seconds,
                "words": [[w.text, w.left, w.top, w.right, w.bottom, w.conf, *w.line_id] for w in self.words]}

    @classmethod
    def from_json(cls, data: dict) -> OcrPage:
        words = [OcrWord(t, l, tp, r, b, c, (bl, pa, li)) for t, l, tp, r, b, c, bl, pa, li in data["words"]]
        return cls(data["width"], data["height"], words, data.get("seconds", 0.0), cached=True)


# -- the cache --------------------------------------------------------------------------

def cache_file(settings: OcrSettings, sha: str, page: int, zone: str = "") -> str | None:
    """Where what was read of a page (or of a ``zone`` of it) is cached."""
    if not settings.cache_dir or not sha:
        return None
    return os.path.join(settings.cache_dir, sha[:2], f"{sha}-p{page}{zone}-{settings.key()}.json.gz")


def load_json(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, EOFError):
        return None
    return data if isinstance(data, dict) else None


def save_json(path: str | None, data: dict) -> None:
    if not path:
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(tmp, path)  # atomic: two ingests never see half a page


def _cached(path: str | None) -> OcrPage | None:
    data = load_json(path)
    try:
        return OcrPage.from_json(data) if data is not None else None
    except (ValueError, KeyError, TypeError):
        return None


def cached_page(sha: str | None, index: int, settings: OcrSettings) -> OcrPage | None:
    """A page's words as an earlier reading left them in the cache (a page shown
    with its words marked); None where none did: nothing is read here."""
    return _cached(cache_file(settings, sha or "", index))


# -- reading a page ---------------------------------------------------------------------

# A page rendered for OCR is held as RGB, then grey: 150 Mpx (an A0 sheet at 300 dpi
# is 140) is 450 MB + 150 MB. A larger page, or one whose images would decode to
# more than that, is refused before anything is rendered or decoded.
MAX_RENDER_PIXELS = 150_000_000


def page_image(path, fmt: str, index: int, dpi: int, rows: tuple[int, int] | None = None):
    """One page as a PIL image: rendered from a PDF, or a frame of an image file
    (``path``: a path, or a file opened to read). ``rows`` (top, bottom, in pixels
    at ``dpi``): only that band of it (only it rendered from a PDF)."""
    if fmt == "pdf":
        import pypdfium2 as pdfium
        from ingest.readers.pdf import check_render_size
        pdf = pdfium.PdfDocument(path)
        try:
            page = pdf[index]
            check_render_size(page, index, dpi, MAX_RENDER_PIXELS)
            crop = (0, 0, 0, 0)
            if rows:
                width, height = page.get_size()
                top, bottom = (min(max(0, r), int(height * dpi / 72)) for r in rows)
                if bottom <= top:
                    page.close()
                    return _empty(round(width * dpi / 72))
                crop = (0, height - bottom * 72 / dpi, 0, top * 72 / dpi)
            image = page.render(scale=dpi / 72, crop=crop).to_pil()
            page.close()
            return image
        finally:
            pdf.close()
    image = _frame_at(path, index, dpi)
    if rows:
        whole, top = image, max(0, rows[0])
        image = whole.crop((0, top, whole.width, max(top, min(rows[1], whole.height))))
        whole.close()
    return image


def _empty(width: int):
    from PIL import Image
    return Image.new("RGB", (width, 0))


def _frame_at(path, index: int, dpi: int):
    """A frame of an image file, brought to ``dpi``."""
    from PIL import Image
    image, stated = _frame_rgb(path, index)
    # A photo or a low-resolution scan is brought to the resolution the page
    # would have at ``dpi`` (taking an A4 width where the file states none), so
    # Tesseract and the layout rules see every page alike; never beyond
    # MAX_RENDER_PIXELS (a tiny stated dpi would make a small image huge).
    actual = float(stated) if stated and stated > 50 else image.width / 8.27
    if abs(actual - dpi) > 0.1 * dpi:
        factor = dpi / actual
        factor = min(factor, (MAX_RENDER_PIXELS / max(image.width * image.height, 1)) ** 0.5)
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
    return image


def _frame_rgb(path: str, index: int):
    """A frame of an image file in RGB, and the dpi it states. An RGB frame is used
    as decoded: converting it would hold a second copy (a 196 Mpx RGB scan took a
    worker to 1.7 GB so); another is converted and its decoded form let go."""
    from PIL import Image
    from ingest.readers.image import check_size
    source = Image.open(path)
    try:
        source.seek(index)
        check_size(*source.size, source.mode, f"page {index + 1}")  # read_image did; the file may have changed
        stated = source.info.get("dpi", (0, 0))[0]
        if source.mode == "RGB":
            source.load()
            return source, stated
        return source.convert("RGB"), stated
    finally:
        if source.mode != "RGB":
            source.close()


def run_tesseract(image, settings: OcrSettings, psm: int | None = None) -> OcrPage:
    if not tesseract_version():
        raise OcrUnavailable("Tesseract with the Vietnamese model (tesseract-ocr-vie) is not installed")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.monotonic()
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", settings.lang, "--psm", str(psm or settings.psm),
                           "--dpi", str(settings.dpi), "tsv"],
                          input=buffer.getvalue(), capture_output=True, env=env, timeout=TESSERACT_TIMEOUT)
    if done.returncode != 0:
        raise OcrUnavailable(f"Tesseract failed: {done.stderr.decode(errors='replace').strip()[:200]}")
    page = OcrPage(image.width, image.height, _words(done.stdout.decode("utf-8", errors="replace")))
    page.seconds = round(time.monotonic() - started, 2)
    return page


def _words(tsv: str) -> list[OcrWord]:
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        words.append(OcrWord(cells[11].strip(), left, top, left + width, top + height, float(cells[10]),
                             (int(cells[2]), int(cells[3]), int(cells[4]))))
    return words


def read_page(path: str, fmt: str, sha: str | None, index: int, settings: OcrSettings) -> OcrPage:
    """A page's words: from the cache, else rendered, cleaned and read."""
    where = cache_file(settings, sha or "", index)
    page = _cached(where)
    if page is not None:
        return page
    image = clean(page_image(path, fmt, index, settings.dpi), settings.cleanup)
    page = run_tesseract(image, settings)
    save_json(where, page.to_json())
    return page


SIGNATURE_PSM = 11  # sparse text: finds the title and name among a seal's ring and a signature


def read_zone(path: str, fmt: str, sha: str | None, index: int, box: tuple[int, int, int, int],
              settings: OcrSettings) -> OcrPage:
    """A part of a page read again as sparse text: the signature block, where the
    page-wide pass takes a seal and a signature for a picture and skips the
    signer's title and name beside them."""
    where = cache_file(settings, sha or "", index, "-sig" + "x".join(map(str, box)))
    page = _cached(where)
    if page is not None:
        return page
    image = clean(rendered_page(path, fmt, sha, index, settings.dpi), settings.cleanup).crop(box)
    page = run_tesseract(image, settings, psm=SIGNATURE_PSM)
    save_json(where, page.to_json())
    return page


def read_band(path: str, fmt: str, sha: str | None, index: int, box: tuple[int, int, int, int],
              settings: OcrSettings, cleanup: tuple[str, ...], psm: int) -> OcrPage:
    """One line of a page (``box`` in pixels) read alone, cleaned as ``cleanup``
    says, as one line (psm 7) or one block (psm 6); cached apart from the zone."""
    tag = "-band" + "x".join(map(str, box)) + f"-{'+'.join(cleanup)}-{psm}"
    where = cache_file(settings, sha or "", index, tag)
    page = _cached(where)
    if page is not None:
        return page
    image = clean(rendered_page(path, fmt, sha, index, settings.dpi).crop(box), cleanup)
    page = run_tesseract(image, settings, psm=psm)
    save_json(where, page.to_json())
    return page


def rendered_page(path: str, fmt: str, sha: str | None, index: int, dpi: int):
    """The page the signature zone and its lines read again are cut from, rendered
    once for them all; ``forget_rendered`` lets it go when the file is done."""
    if not sha:  # known by the file's sha256: ``path`` may be a descriptor's, reused by the next file
        return page_image(path, fmt, index, dpi)
    return _rendered(path, fmt, sha, index, dpi)


@lru_cache(maxsize=1)
def _rendered(path: str, fmt: str, sha: str, index: int, dpi: int):
    return page_image(path, fmt, index, dpi)


def forget_rendered() -> None:
    _rendered.cache_clear()


# How the signer's name line is read again where the zone's reading is no name
# (``n Văn Thắng``: a seal's ring over the family name; ``hị Thu Hương``: a red
# seal over it): alone, seal ink whitened but dark print kept, first as one line.
NAME_REREADS = ((("sealink", "gray"), 7), (("sealink", "gray"), 6))
_NAME_TAIL = re.compile(r"(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+\s+){1,4}[A-ZĐÀ-Ỹ][a-zđà-ỹ]+\.?$")


def mend_signer(path: str, fmt: str, sha: str | None, index: int, box: tuple[int, int, int, int],
                zone: list[Line], settings: OcrSettings) -> list[OcrPage]:
    """Where no line of the signature zone reads as a name (``is_name_shape``), the
    lowest that ends in capitalised syllables (the name, half read) is read again
    alone (``NAME_REREADS``) and replaced by the first reading that is a name; else
    by its own reading with the family name mended (``guyền Trúc Giang``). A mended
    family name keeps a low confidence, so the value is flagged. The pages read
    now are returned (for the run's time and count)."""
    scale = settings.dpi / 72
    ours = _signature_column(zone, box, settings.dpi)
    if any(is_name_shape(line.text) for line in ours):
        return []
    tried = [line for line in ours if _NAME_TAIL.search(line.text)]
    if not tried:
        return []
    line = tried[-1]
    band = (box[0], max(0, int((line.top - 8) * scale)), box[2], int((line.top + 22) * scale))
    pages, exact, mended = [], None, None
    for cleanup, psm in NAME_REREADS:
        page = read_band(path, fmt, sha, index, band, settings, cleanup, psm)
        pages.append(page)
        for again in page_lines(page, index, settings.dpi, offset=band[:2]):
            if is_name_shape(again.text):
                exact = (again.text, again.word_confs)
                break
            if mended is None and mend_name(again.text):
                mended = _mended(mend_name(again.text), again.word_confs)
        if exact:
            break
    own = mend_name(line.text)
    found = exact or (_mended(own, line.word_confs) if own else mended)
    if found:
        line.text, line.word_confs = found
    return [p for p in pages if not p.cached]


_HEAD_WORD = re.compile(r"truong|tuong|giam|doc|chu tich|bi thu|chanh")
TITLE_REREADS = ((("sealink", "gray"), 7), (("sealink", "gray"), 6))


def mend_title(path: str, fmt: str, sha: str | None, index: int, box: tuple[int, int, int, int],
               zone: list[Line], settings: OcrSettings) -> list[OcrPage]:
    """The line under the signature block's first line (``KT. GIÁM ĐỐC``, or what
    is left of it: ``GIÁM``, ``THU TƯỜNG``), where a seal over it kept the zone's
    reading from giving a position, read again alone; a reading close to a common
    position (``known_position``) is added to the zone's lines in its place."""
    scale = settings.dpi / 72
    ours = _signature_column(zone, box, settings.dpi)
    head = next((line for line in ours if AUTHORITY.match(line.text) or _HEAD_WORD.search(fold(line.text))), None)
    if head is None or (known_position(head.text) and not AUTHORITY.match(head.text)):
        return []  # none, or a title standing alone (``GIÁM ĐỐC``: no KT., nothing under it)
    if any(known_position(line.text) for line in ours if 0 < line.top - head.top <= 25):
        return []
    band = (box[0], int((head.top + 8) * scale), box[2], int((head.top + 30) * scale))
    pages = []
    for cleanup, psm in TITLE_REREADS:
        page = read_band(path, fmt, sha, index, band, settings, cleanup, psm)
        pages.append(page)
        for again in page_lines(page, index, settings.dpi, offset=band[:2]):
            known = known_position(again.text.strip(" -—_.,"))
            if known:
                again.text = known
                zone.append(again)
                zone.sort(key=_reading_key)
                return [p for p in pages if not p.cached]
    return [p for p in pages if not p.cached]


def _signature_column(zone: list[Line], box: tuple[int, int, int, int], dpi: int) -> list[Line]:
    """The zone's lines in the signature column, not the tails of the Nơi nhận lines."""
    inner = box[0] * 72 / dpi + 30
    return [line for line in zone if line.x0 is not None and line.x0 > inner]


def _mended(name: str, confs) -> tuple[str, tuple]:
    """A mended name and its words' confidences: a word OCR did not print as it
    stands now (the mended family name) gets ``LOW_CONFIDENCE - 10``, so the name
    is flagged for review."""
    read = dict(confs or ())
    return name, tuple((w, read.get(w, LOW_CONFIDENCE - 10)) for w in name.split())


def signature_box(lines: list[Line], page: OcrPage, dpi: int) -> tuple[int, int, int, int] | None:
    """The right half of the page beside and below ``Nơi nhận`` (in pixels)."""
    head = next((line for line in lines if NOI_NHAN.match(line.text)), None)
    if head is None or head.top is None:
        return None
    top = head.top * dpi / 72
    return (int(0.42 * page.width), int(max(0, top - 0.1 * page.height)),
            page.width, int(min(page.height, top + 0.3 * page.height)))


# -- from words to lines ----------------------------------------------------------------

def page_lines(page: OcrPage, number: int, dpi: int, offset: tuple[int, int] = (0, 0)) -> list[Line]:
    """Tesseract's lines, split at the header's column gap, top to bottom, in PDF
    points (as the text-PDF reader gives them). Each line keeps its words'
    confidences; specks, rules and the incoming-mail stamp are dropped."""
    groups: dict[tuple, list[OcrWord]] = {}
    for word in page.words:
        if not is_junk_word(word.text):
            groups.setdefault(word.line_id, []).append(word)
    scale = 72 / dpi
    dx, dy = offset
    lines = []
    for words in groups.values():
        words.sort(key=lambda w: w.left)
        chars = [Char(w.text, w.left, w.right, w.top, w.bottom, "", True) for w in words]
        word_of = {id(c): w for c, w in zip(chars, words)}
        for col, part in split_char_columns(chars, page.width):
            if abs((part[0].x0 + part[-1].x1) / 2 - page.width / 2) < 0.06 * page.width:
                col = "F"  # centred: a title line (``QUYẾT ĐỊNH``), whatever specks sit beside it
            mine = [word_of[id(c)] for c in part]
            text = clean_line(" ".join(c.ch for c in part))
            if text:
                lines.append(Line(text=text, page=number, col=col, top=(min(c.top for c in part) + dy) * scale,
                                  x0=(part[0].x0 + dx) * scale, x1=(part[-1].x1 + dx) * scale, fonts=("ocr",),
                                  conf=min((w.conf for w in mine), default=None),
                                  word_confs=tuple((w.text, w.conf) for w in mine),
                                  handwritten=tuple(w.text for w in mine if w.hand)))
    lines.sort(key=_reading_key)
    return repair(lines, (page.height + dy) * scale)


def _reading_key(line: Line) -> tuple[int, float]:
    """Top to bottom in bands of 7 points (one text line), then left to right."""
    return round(line.top / 7), line.x0


def with_signature(lines: list[Line], zone: list[Line], box: tuple[int, int, int, int], dpi: int) -> list[Line]:
    """The page's lines with those of the signature zone read again in place."""
    left, top, _, bottom = (v * 72 / dpi for v in box)
    kept = [line for line in lines if not (line.x0 is not None and line.x0 >= left - 2 and top <= line.top <= bottom)]
    # A body line running into the zone was read whole by the page-wide pass.
    across = [line.top for line in kept if line.x1 is not None and line.x1 > left + 20]
    zone = [line for line in zone if not any(abs(line.top - t) < 5 for t in across)]
    for line in zone:
        line.col = "R"
    return sorted(kept + zone, key=_reading_key)


# -- values read with little confidence -------------------------------------------------

FLAGGED = ("number", "symbol", "date", "issuer", "place", "signer_name")
_PIECE = re.compile(r"[^\W_]+")


def _pieces(name: str, value: str) -> set[str]:
    if name == "date":  # 2024-03-05 is printed "ngày 05 tháng 3 năm 2024"; 2024-03 "tháng 3 năm 2024"
        parts = value.split("-")
        return {*parts, *(p.lstrip("0") for p in parts[1:])}
    return {fold(p) for p in _PIECE.findall(value)}


def value_confidence(name: str, value: str, lines: list[Line]) -> tuple[float | None, bool]:
    """The lowest confidence of the words that printed ``value``, on the OCR line
    that holds most of them, and whether the handwriting reader wrote any of them."""
    wanted = _pieces(name, str(value))
    best: list[tuple[str, float]] = []
    hand: tuple[str, ...] = ()
    for line in lines:
        if not line.word_confs:
            continue
        hits = [(word, conf) for word, conf in line.word_confs
                if any(fold(p) in wanted for p in _PIECE.findall(word))]
        if len(hits) > len(best):
            best, hand = hits, line.handwritten
    if not best:
        return None, False
    return min(conf for _, conf in best), any(word in hand for word, _ in best)


def flag_uncertain(doc, lines: list[Line]) -> None:
    """Keep the best reading of a header value that OCR was unsure of (a smudged or
    handwritten number, a stamped-over date), and say so in ``warnings`` and
    ``provenance`` instead of dropping or inventing it. A value the handwriting
    reader gave is always flagged: its confidence does not tell right from wrong."""
    for name in FLAGGED:
        value = getattr(doc, name, None)
        if not value:
            continue
        conf, hand = value_confidence(name, value, lines)
        if hand:
            doc.warnings.append(f"{name} {value!r} was read from handwriting ({conf:.0f}%): check it")
            doc.provenance[name] = f"{doc.provenance.get(name, 'header')}; handwritten, ocr-uncertain {conf:.0f}%"
        elif conf is not None and conf < LOW_CONFIDENCE:
            doc.warnings.append(f"{name} {value!r} was read by OCR with low confidence ({conf:.0f}%): check it")
            doc.provenance[name] = f"{doc.provenance.get(name, 'header')}; ocr-uncertain {conf:.0f}%"
