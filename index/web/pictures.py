"""A document's pages as pictures, and where its words are on them.

The contract: ``page_png`` renders page ``number`` (from 1) of an archived PDF or
image file as PNG bytes, at most MAX_SIDE pixels on its longer side;
``word_boxes`` gives the words of that page with their boxes as fractions of the
page (0..1, so a page shown at any size can mark them): from the PDF's text
layer, or for a page read by OCR from the OCR cache (nothing is read again
here). ``marked`` picks the boxes of the words a query names, with or without
diacritics. Only a regular file at the record's own path is opened
(``opened_regular``, no link anywhere on its way): a page can never show a file
the archive does not hold.
"""
from __future__ import annotations

import io
from typing import BinaryIO

from ingest.ocr.tesseract import OcrSettings, cached_page, page_image
from ingest.vocabulary.textnorm import fold

from .. import review

PICTURED = ("pdf", "image")  # the formats whose pages are pictures
DPI = 110                    # enough to read a printed page on a screen
MAX_SIDE = 2400              # pixels; a poster-sized page is shown smaller


class NoPicture(Exception):
    """This page has no picture to show (a format without pages, a page out of
    range, a file gone or changed into something else)."""


def opened_regular(path: str) -> BinaryIO:
    """The file at ``path`` opened to read if it is a regular file reached without
    a link (``review.opened_regular``); NoPicture else."""
    try:
        return review.opened_regular(path)
    except FileNotFoundError as exc:
        raise NoPicture(str(exc)) from None


def has_pictures(record: dict) -> bool:
    return record.get("format") in PICTURED and bool(record.get("pages"))


def page_png(record: dict, number: int) -> bytes:
    if not has_pictures(record) or not 1 <= number <= (record.get("pages") or 0):
        raise NoPicture(f"no page {number}")
    try:
        with opened_regular(record["path"]) as source:
            image = _rendered(source, record["format"], number - 1)
    except NoPicture:
        raise
    except Exception as exc:  # a file changed since it was archived: damaged, too large
        raise NoPicture(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _rendered(source: BinaryIO, fmt: str, index: int):
    """The page at most MAX_SIDE pixels on its longer side, never made larger first:
    a PDF rendered at the resolution that fits, an image reduced while decoding."""
    if fmt == "pdf":
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(source)
        try:
            width, height = pdf[index].get_size()  # points
        finally:
            pdf.close()
        source.seek(0)
        return page_image(source, fmt, index, max(10.0, min(DPI, MAX_SIDE * 72 / max(width, height, 1.0))))
    from PIL import Image

    from ingest.readers.image import check_size
    with Image.open(source) as picture:
        picture.seek(index)
        check_size(*picture.size, picture.mode, f"page {index + 1}")
        picture.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decoded at a fraction of its size
        image = picture.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), reducing_gap=2.0)
    return image


def word_boxes(record: dict, number: int, ocr_cache: str | None) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) on page ``number``, as fractions of the page."""
    if not has_pictures(record) or not 1 <= number <= (record.get("pages") or 0):
        return []
    if number - 1 in (record.get("ocr_pages") or []):
        page = cached_page(record.get("sha256"), number - 1, OcrSettings(cache_dir=ocr_cache)) if ocr_cache else None
        if page is None or not page.width or not page.height:
            return []
        return [(w.text, w.left / page.width, w.top / page.height, w.right / page.width, w.bottom / page.height)
                for w in page.words if w.text.strip()]
    if record["format"] != "pdf":
        return []
    return _text_layer_boxes(record["path"], number)


def _text_layer_boxes(path: str, number: int):
    import pdfplumber
    try:
        with opened_regular(path) as source, pdfplumber.open(source, pages=[number]) as pdf:
            page = pdf.pages[0]
            width, height = float(page.width), float(page.height)
            return [(w["text"], w["x0"] / width, w["top"] / height, w["x1"] / width, w["bottom"] / height)
                    for w in page.extract_words()]
    except Exception:  # a page that cannot be read here is shown unmarked
        return []


def query_words(query: str) -> set[str]:
    """The words of a query as the page marks them: folded, without operators,
    field names or punctuation."""
    words = set()
    for token in query.replace('"', " ").split():
        token = token.split(":", 1)[-1]
        if token in ("AND", "OR", "NOT"):
            continue
        folded = fold(token).lower().strip(".,;:()[]*?!")
        if len(folded) > 1:
            words.add(folded)
    return words


def marked(boxes, words: set[str]):
    """The boxes of the words a query names (compared without diacritics)."""
    return [box for box in boxes if fold(box[0]).lower().strip(".,;:()[]\"'“”") in words]
