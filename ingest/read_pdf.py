"""PDF with a text layer, through pypdfium2 (PDFium), character by character.

Each character comes with its box and font, so that:
- TCVN3/VNI text layers are decoded by the character's font (``VnTimeH`` ->
  upper case), including glyph substitutions such as U+2212 for ``ư``;
- the two header columns that share text lines (``UBND THỊ XÃ ĐỨC PHỔ   CỘNG
  HÒA XÃ HỘI ...``) are split into ``L`` and ``R`` lines;
- signature widgets of e-signed PDFs, whose appearance streams carry the number
  and the day (``Số: 2280 /QĐ-UBND``), are flattened into the page first, so
  their text lands where it is printed;
- running headers and page numbers are dropped, and pages without a text layer
  are listed for OCR.
"""
from __future__ import annotations

import ctypes
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from . import legacy
from .errors import IngestError
from .models import Layout, Line
from .textnorm import clean_line

MIN_TEXT_LETTERS = 40     # fewer letters than this on a page with an image: a scan
MAX_PAGES = 5000


@dataclass(slots=True)
class Char:
    ch: str
    x0: float
    x1: float
    top: float
    bottom: float
    font: str
    space_before: bool = False


def _open(path: str) -> pdfium.PdfDocument:
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        kind = "HTML" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "something else"
        raise IngestError(f"not a PDF (the file starts like {kind})")
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD:
            raise IngestError("encrypted PDF (needs a password)") from None
        raise IngestError(f"damaged PDF ({exc})") from None


def _flatten_widgets(pdf: pdfium.PdfDocument, index: int, page):
    """Merge widget appearances (e-signature stamps) into the page content."""
    count = raw.FPDFPage_GetAnnotCount(page)
    has_widget = False
    for i in range(count):
        annot = raw.FPDFPage_GetAnnot(page, i)
        if annot:
            has_widget |= raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_WIDGET
            raw.FPDFPage_CloseAnnot(annot)
    if not has_widget:
        return page, False
    raw.FPDFPage_Flatten(page, raw.FLAT_NORMALDISPLAY)
    page.close()
    return pdf[index], True  # PDFium wants the page reloaded after flattening


def _has_image(page) -> bool:
    for i in range(raw.FPDFPage_CountObjects(page)):
        if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page, i)) == raw.FPDF_PAGEOBJ_IMAGE:
            return True
    return False


def _chars(textpage, height: float) -> list[Char]:
    n = raw.FPDFText_CountChars(textpage)
    rect = raw.FS_RECTF()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    out: list[Char] = []
    font, last_obj, pending_space = "", None, False
    for i in range(n):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code in (0x20, 0x0D, 0x0A, 0xA0, 0x09) or code == 0xFFFE:
            pending_space = True
            continue
        if code == 0 or raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        obj = raw.FPDFText_GetTextObject(textpage, i)
        if obj != last_obj:  # one font per text object: ask only when it changes
            raw.FPDFText_GetFontInfo(textpage, i, name, 128, flags)
            font, last_obj = name.value.decode("latin-1"), obj
        raw.FPDFText_GetLooseCharBox(textpage, i, rect)
        out.append(Char(chr(code), rect.left, rect.right, height - rect.top, height - rect.bottom,
                        font, pending_space))
        pending_space = False
    return out


def _visual_lines(chars: list[Char]) -> list[list[Char]]:
    """Group characters into lines by vertical overlap, left to right."""
    runs: list[list[Char]] = []
    for c in chars:
        if runs:
            last = runs[-1][-1]
            mid = (c.top + c.bottom) / 2
            if last.top - 1 <= mid <= last.bottom + 1 and c.x0 >= last.x0 - 1:
                runs[-1].append(c)
                continue
        runs.append([c])
    bands: list[tuple[float, float, list[Char]]] = []
    for run in sorted(runs, key=lambda r: (r[0].top + r[0].bottom) / 2):
        mid = sum((c.top + c.bottom) / 2 for c in run) / len(run)
        if bands and bands[-1][0] - 1 <= mid <= bands[-1][1] + 1:
            top, bottom, members = bands[-1]
            bands[-1] = (min(top, run[0].top), max(bottom, run[0].bottom), members + run)
        else:
            bands.append((min(c.top for c in run), max(c.bottom for c in run), list(run)))
    return [sorted(members, key=lambda c: c.x0) for _, _, members in bands]


def _decode(chars: list[Char]) -> tuple[str, Counter]:
    """Text of a run of characters, each decoded by its own font."""
    out, counts = [], Counter()
    group: list[Char] = []

    def flush() -> None:
        if group:
            text = "".join(c.ch for c in group)
            decoded, encoding = legacy.decode_run(text, group[0].font)
            counts[encoding] += legacy.telltale_letters(decoded, encoding)
            out.append(decoded)
            group.clear()

    for i, c in enumerate(chars):
        if group and c.font != group[0].font:
            flush()
        if i and _gap_is_space(chars[i - 1], c):
            flush()
            out.append(" ")
        group.append(c)
    flush()
    return "".join(out), counts


def _gap_is_space(prev: Char, cur: Char) -> bool:
    height = max(cur.bottom - cur.top, 1.0)
    return cur.space_before or cur.x0 - prev.x1 > 0.18 * height


def _split_columns(line: list[Char], width: float) -> list[tuple[str, list[Char]]]:
    """Split a visual line at the gap between the header columns, if there is one."""
    height = max(c.bottom - c.top for c in line)
    for i in range(1, len(line)):
        left, right = line[i - 1].x1, line[i].x0
        gap = right - left
        if gap >= max(0.9 * height, 8) and left < 0.6 * width and right > 0.35 * width:
            return [("L", line[:i]), ("R", line[i:])]
    x0, x1 = line[0].x0, line[-1].x1
    if x0 > 0.5 * width:
        return [("R", line)]
    if x1 < 0.45 * width and x0 < 0.25 * width:
        return [("L", line)]
    return [("F", line)]


_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:(?:trang|page)\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—\s]*$", re.I)


def _drop_furniture(pages: list[list[Line]], heights: list[float]) -> list[Line]:
    """Remove running headers/footers (repeated in the margins) and page numbers."""
    def margin(line: Line, height: float) -> bool:
        return line.top is not None and (line.top < 0.08 * height or line.top > 0.9 * height)

    seen: Counter = Counter()
    for lines, height in zip(pages, heights):
        seen.update({re.sub(r"\d+", "#", l.text) for l in lines if margin(l, height)})
    repeated = {t for t, n in seen.items() if n >= 2 and n >= 0.5 * len(pages)}
    dropped = []
    for lines, height in zip(pages, heights):
        keep = []
        for line in lines:
            if margin(line, height) and (_PAGE_NUMBER.match(line.text)
                                         or re.sub(r"\d+", "#", line.text) in repeated):
                dropped.append(line)
            else:
                keep.append(line)
        lines[:] = keep
    return dropped


def read_pdf(path: str) -> Layout:
    pdf = _open(path)
    try:
        return _read(pdf)
    finally:
        pdf.close()


def _read(pdf: pdfium.PdfDocument) -> Layout:
    if len(pdf) > MAX_PAGES:
        raise IngestError(f"{len(pdf)} pages: more than the {MAX_PAGES} this reader accepts")
    layout = Layout(format="pdf", pages=len(pdf))
    counts: Counter = Counter()
    pages, heights = [], []
    for index in range(len(pdf)):
        page = pdf[index]
        page, flattened = _flatten_widgets(pdf, index, page)
        width, height = page.get_size()
        textpage = page.get_textpage()
        chars = _chars(textpage, height)
        lines: list[Line] = []
        for visual in _visual_lines(chars):
            for col, part in _split_columns(visual, width):
                text, used = _decode(part)
                counts.update(used)
                lines.append(Line(text=clean_line(text), page=index, col=col, top=part[0].top,
                                  x0=part[0].x0, x1=part[-1].x1, fonts=(part[0].font,)))
        letters = sum(ch.ch.isalpha() for ch in chars)
        if letters < MIN_TEXT_LETTERS and _has_image(page):
            layout.ocr_pages.append(index)
        if flattened:
            layout.warnings.append(f"page {index + 1}: signature widgets read from their appearance")
        textpage.close()
        page.close()
        pages.append(lines)
        heights.append(height)
    layout.furniture = _drop_furniture(pages, heights)
    layout.lines = [line for lines in pages for line in lines]
    layout.encoding = legacy.overall_encoding(counts)
    return layout
