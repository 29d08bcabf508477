"""What a person should check against the paper: the values the parser was not
sure of, with a picture of where each was read.

The contract: ``uncertain(store)`` lists, for every document, each value OCR read
with low confidence (``provenance``: ``ocr-uncertain N%``) and each field the
header printed but left unread or blank (``number left blank``, ``date not
filled in``: on a scan, most often handwriting), as ``Unsure`` items; a value
corrected by hand since is not listed. ``crop_png`` cuts the part of the page
where the value (or the printed words around a blank) stands, from the OCR
cache's word boxes: nothing is read again. Both serve ``vanban review`` and the
web's review page; corrections go through ``corrections.correct``.
"""
from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Iterator
from typing import BinaryIO
from dataclasses import asdict, dataclass

from ingest.ocr.tesseract import OcrSettings, cached_page, page_image
from ingest.vocabulary.textnorm import fold

from .archive import Archive

UNSURE = re.compile(r"ocr-uncertain (\d+(?:\.\d+)?)%")
# Warnings that name a field to check where nothing sure was read.
BLANKS = {"number left blank": "number", "date not filled in": "date", "date unreadable": "date"}
# Printed words beside a field a hand fills in: where to look when nothing was read.
ANCHORS = {"number": {"so"}, "symbol": {"so"}, "date": {"ngay", "thang"}}
MARGIN = 0.6   # of the words' height, around the crop
CROP_DPI = 300  # the OCR cache's word boxes are at this resolution (OcrSettings.dpi)
FOLDER_FLAGS = getattr(os, "O_PATH", os.O_RDONLY)  # a folder walked through: searched, never read
MAX_CROP_SOURCE = 40_000_000  # pixels of the page at CROP_DPI (A3 is 17.4 M): larger pages get no crop


@dataclass
class Unsure:
    path: str
    field: str
    reading: str | None     # what the parser kept (None: nothing was read)
    confidence: float | None
    why: str                # the warning that flagged it

    def to_dict(self) -> dict:
        return asdict(self)


def unsure_values(record: dict) -> list[Unsure]:
    """The values of one record a person should check."""
    provenance = record.get("provenance") or {}
    found = []
    for field, how in provenance.items():
        match = UNSURE.search(how or "")
        if match and not how.startswith("corrected"):
            why = next((w for w in record.get("warnings") or [] if w.startswith(f"{field} ")), how)
            found.append(Unsure(record["path"], field, record.get(field), float(match.group(1)), why))
    for warning in record.get("warnings") or []:
        for start, field in BLANKS.items():
            corrected = (provenance.get(field) or "").startswith("corrected")
            if warning.startswith(start) and not corrected and not any(u.field == field for u in found):
                found.append(Unsure(record["path"], field, record.get(field), None, warning))
    return found


def uncertain(store: Archive) -> Iterator[Unsure]:
    """Every value of the archive a person should check, file by file (streamed:
    a page takes the first ones)."""
    for record in store.records():
        yield from unsure_values(record)


def opened_regular(path: str) -> BinaryIO:
    """The file at ``path``, opened to read, if it is still a regular file reached
    without a link (what the archive holds may have changed on disk since):
    each folder on the way is opened in turn without following a link, and the
    file itself too, so a name swapped for a link after any earlier look leads
    nowhere else. FileNotFoundError saying what it is now, else."""
    parts = [p for p in os.path.abspath(path).split(os.sep) if p]
    if not parts:
        raise FileNotFoundError("the file is no longer a regular file")
    folder = FOLDER_FLAGS | os.O_DIRECTORY | os.O_CLOEXEC
    at = os.open(os.sep, folder)
    try:
        for part in parts[:-1]:
            inner = os.open(part, folder | os.O_NOFOLLOW, dir_fd=at)
            os.close(at)
            at = inner
        fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=at)
    except FileNotFoundError:
        raise FileNotFoundError("the file is no longer there") from None
    except OSError:  # a link (ELOOP), a folder swapped for a link or a file (ENOTDIR), no permission
        raise FileNotFoundError("the file is no longer a regular file") from None
    finally:
        os.close(at)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileNotFoundError("the file is no longer a regular file")
    return os.fdopen(fd, "rb")


def crop_png(record: dict, field: str, ocr_cache: str | None, max_width: int = 900) -> bytes | None:
    """The part of the first scanned page where ``field`` stands, as PNG; None
    where the OCR cache has no words for it."""
    pages = record.get("ocr_pages") or []
    if not pages or not ocr_cache or record.get("format") not in ("pdf", "image"):
        return None
    page = cached_page(record.get("sha256"), pages[0], OcrSettings(cache_dir=ocr_cache))
    if page is None:
        return None
    box = _where(page, field, record)
    if box is None:
        return None
    if page.width * page.height > MAX_CROP_SOURCE:  # a poster: not rendered whole for a line of it
        return None
    try:
        with opened_regular(record["path"]) as source:
            image = page_image(source, record["format"], pages[0], CROP_DPI)
    except Exception:  # gone, changed, too large since it was archived: no picture
        return None
    scale = image.width / page.width if page.width else 1.0
    crop = image.crop(tuple(round(v * scale) for v in box))
    if crop.width > max_width:
        crop = crop.resize((max_width, round(crop.height * max_width / crop.width)))
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG")
    return buffer.getvalue()


def _pieces(value) -> set[str]:
    return {fold(p) for p in re.findall(r"[^\W_]+", str(value))} if value else set()


def _where(page, field: str, record: dict) -> tuple[int, int, int, int] | None:
    """The box around the line that holds most of the value's pieces and of the
    printed words around it (``Số`` and the symbol's codes, ``ngày`` and
    ``tháng``), with a margin: a value the handwriting reader gave is not among
    Tesseract's words, and a blank field has no value. The whole line's width, so
    the hand's digits beside them show."""
    wanted = _pieces(record.get(field)) | ANCHORS.get(field, set())
    if field in ("number", "symbol"):
        wanted |= _pieces(record.get("symbol"))
    lines: dict[tuple, set[str]] = {}
    for word in page.words:
        found = _pieces(word.text) & wanted
        if word.text.strip() and found:
            lines.setdefault(word.line_id, set()).update(found)
    if not lines:
        return None
    best = max(lines, key=lambda line_id: len(lines[line_id]))
    line = [w for w in page.words if w.line_id == best]
    top, bottom = min(w.top for w in line), max(w.bottom for w in line)
    margin = round((bottom - top) * MARGIN)
    return (max(0, min(w.left for w in line) - margin), max(0, top - margin),
            min(page.width, max(w.right for w in line) + margin), min(page.height, bottom + margin))
