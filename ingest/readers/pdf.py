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
import mmap
import re
import zlib
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from ingest.errors import IngestError, UnsafeInput
from ingest.models import Layout, Line
from ingest.readers import pdf_tables
from ingest.vocabulary import legacy
from ingest.vocabulary.textnorm import clean_line, strip_marks

MIN_TEXT_LETTERS = 40     # fewer letters than this on a page with an image: a scan
MIN_SCAN_LETTERS = 300    # a full-page image with less text than this: a scan with a stamp
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


# PDFium inflates a whole stream in memory, and holds about twice that while it
# parses a content stream: 300 MiB of content took 650 MB, 1 GiB took 2.1 GB.
# A real page's content is a few MiB; a Flate image of an A4 page at 600 dpi, 100 MiB.
MAX_STREAM = 256 * 2**20
DEFLATE_RATIO = 1032        # the most deflate can inflate a byte to
_STREAM = re.compile(rb"stream\r?\n")


def check_streams(path: str) -> None:
    """Refuse a PDF holding a Flate stream that inflates past MAX_STREAM, before
    PDFium inflates it. Only streams long enough to get there are inflated, and
    only up to the limit, a MiB at a time (nothing is kept); a stream that is not
    zlib data (other filters, encrypted) is left to PDFium."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for match in _STREAM.finditer(data):
            start = match.end()
            end = data.find(b"endstream", start)
            end = len(data) if end < 0 else end
            if data[match.start() - 3:match.start()] == b"end" or (end - start) * DEFLATE_RATIO <= MAX_STREAM:
                continue
            if _inflated_size(data, start, end) > MAX_STREAM:
                raise UnsafeInput(f"a compressed stream inflates to more than {MAX_STREAM // 2**20} MiB "
                                  "(decompression bomb?)")


def _inflated_size(data, start: int, end: int) -> int:
    """What the zlib data at ``data[start:end]`` inflates to, counted up to just past MAX_STREAM."""
    inflater, size, pos = zlib.decompressobj(), 0, start
    try:
        while not inflater.eof and size <= MAX_STREAM:
            if inflater.unconsumed_tail:
                chunk = inflater.unconsumed_tail
            elif pos < end:
                chunk, pos = data[pos:min(pos + (1 << 16), end)], min(pos + (1 << 16), end)
            else:
                chunk = b""
            out = inflater.decompress(chunk, 1 << 20)
            if not out and not chunk:
                break
            size += len(out)
    except zlib.error:
        return 0  # not zlib data: another filter, or encrypted
    return size


def _open(path: str) -> pdfium.PdfDocument:
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        kind = "HTML" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "something else"
        raise IngestError(f"not a PDF (the file starts like {kind})")
    check_streams(path)
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD:
            raise IngestError("encrypted PDF (needs a password)") from None
        raise IngestError(f"damaged PDF ({exc})") from None


def _flatten_widgets(pdf: pdfium.PdfDocument, index: int, page):
    """Merge widget appearances (e-signature stamps) into the page content.

    Returns the page to read (reloaded when flattened) and whether it was."""
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


def _content_letters(page) -> int:
    """Letters in the page's own content, before any widget is flattened into it."""
    textpage = page.get_textpage()
    try:
        return sum(ch.isalpha() for ch in textpage.get_text_range())
    finally:
        textpage.close()


def _image_cover(page, width: float, height: float) -> float:
    """Share of the page covered by its largest image (a scan covers nearly all of it)."""
    best = 0.0
    for i in range(raw.FPDFPage_CountObjects(page)):
        obj = raw.FPDFPage_GetObject(page, i)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_IMAGE:
            continue
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        if raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            area = max(0.0, right.value - left.value) * max(0.0, top.value - bottom.value)
            best = max(best, area / max(width * height, 1.0))
    return best


def _needs_ocr(letters: int, cover: float) -> bool:
    """No text layer worth the name: a page image with (almost) no text of its own."""
    return cover > 0 and (letters < MIN_TEXT_LETTERS or (cover > 0.6 and letters < MIN_SCAN_LETTERS))


_MARKED = re.compile("[À-ỹĐđ]")
_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?", re.I)


def junk_text_layer(text: str) -> bool:
    """An OCR layer under a scan that is not worth reading: Vietnamese written
    without its marks (``CONG HOA XA HOI CHU NGHIA``: a good layer marks about half
    its syllables, a stripped one almost none), or mostly not syllables at all."""
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text)]
    if len(words) < 30:
        return False
    marked = sum(bool(_MARKED.search(w)) for w in words) / len(words)
    syllables = sum(bool(_SYLLABLE.fullmatch(strip_marks(w))) for w in words) / len(words)
    return marked < 0.1 or syllables < 0.5


def _chars(textpage, height: float) -> list[Char]:
    """The page's text as word tokens with boxes and fonts.

    Asking PDFium for every character's box and font costs two calls a character;
    a word drawn by one text object on one line needs only its two ends. Words
    whose ends disagree (a font change inside, a word running over a line break)
    fall back to one token per character."""
    handle = textpage.raw  # the bare handle: pypdfium2's wrapper costs a lookup per call
    count = raw.FPDFText_CountChars(handle)
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    raw.FPDFText_GetText(handle, 0, count, buffer)  # all code points in one call (UTF-16)
    units = buffer[:count]
    reader = _BoxReader(handle, height)
    out: list[Char] = []
    pending_space = False
    i = 0
    while i < count:
        code = units[i]
        if code in _SPACE_CODES or 0xD800 <= code <= 0xDFFF:
            pending_space = pending_space or code in _SPACE_CODES
            i += 1
            continue
        j = i + 1
        while j < count and units[j] not in _SPACE_CODES and not 0xD800 <= units[j] <= 0xDFFF:
            j += 1
        out.extend(reader.word(units, i, j, pending_space))
        pending_space = False
        i = j
    return out


class _BoxReader:
    """Boxes and fonts from PDFium, asked for as rarely as the layout allows."""

    def __init__(self, handle, height: float) -> None:
        self.handle, self.height = handle, height
        self.rect = raw.FS_RECTF()
        self.rect_ref = ctypes.byref(self.rect)
        self.name = ctypes.create_string_buffer(128)
        self.flags = ctypes.c_int()
        self.last_obj, self.font = None, ""

    def box(self, i: int) -> tuple[float, float, float, float]:
        raw.FPDFText_GetLooseCharBox(self.handle, i, self.rect_ref)
        r = self.rect
        return r.left, r.right, self.height - r.top, self.height - r.bottom

    def font_of(self, obj, i: int) -> str:
        if obj != self.last_obj:  # one font per text object: ask only when it changes
            raw.FPDFText_GetFontInfo(self.handle, i, self.name, 128, self.flags)
            self.last_obj, self.font = obj, self.name.value.decode("latin-1")
        return self.font

    def word(self, units, i: int, j: int, space_before: bool) -> list[Char]:
        first_obj = raw.FPDFText_GetTextObject(self.handle, i)
        last_obj = raw.FPDFText_GetTextObject(self.handle, j - 1) if j - 1 > i else first_obj
        if not first_obj or not last_obj:
            return self._per_char(units, i, j, space_before)
        font = self.font_of(first_obj, i)
        # TCVN3 PDFs draw ``ư`` from another subset of the same font (``FBHPEL+VnTime``
        # beside ``FBHPEM+VnTime``): one decoding table, so still one word.
        if last_obj != first_obj and legacy.font_encoding(self.font_of(last_obj, j - 1)) != legacy.font_encoding(font):
            return self._per_char(units, i, j, space_before)
        x0, x1, top, bottom = self.box(i)
        if j - 1 > i:
            _, x1, top2, bottom2 = self.box(j - 1)
            if abs((top + bottom) - (top2 + bottom2)) / 2 >= 0.5 * max(bottom - top, 1.0):
                return self._per_char(units, i, j, space_before)  # runs over a line break
            top, bottom = min(top, top2), max(bottom, bottom2)
        return [Char("".join(map(chr, units[i:j])), x0, x1, top, bottom, font, space_before)]

    def _per_char(self, units, i: int, j: int, space_before: bool) -> list[Char]:
        out = []
        for k in range(i, j):
            obj = raw.FPDFText_GetTextObject(self.handle, k)
            if not obj:  # generated by PDFium, not drawn
                continue
            x0, x1, top, bottom = self.box(k)
            out.append(Char(chr(units[k]), x0, x1, top, bottom, self.font_of(obj, k), space_before))
            space_before = False
        return out


_SPACE_CODES = frozenset((0x20, 0x0D, 0x0A, 0xA0, 0x09, 0xFFFE, 0x00, 0x02))


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
    """Text of a line of characters, each run of one font decoded by that font."""
    out, counts = [], Counter()
    piece: list[str] = []
    font = chars[0].font if chars else ""
    prev = None
    for c in chars:
        if c.font != font:
            _flush(piece, font, out, counts)
            font = c.font
        if prev is not None and _gap_is_space(prev, c):
            piece.append(" ")
        piece.append(c.ch)
        prev = c
    _flush(piece, font, out, counts)
    return "".join(out), counts


def _flush(piece: list[str], font: str, out: list[str], counts: Counter) -> None:
    if piece:
        decoded, encoding = legacy.decode_run("".join(piece), font)
        if not legacy.enough_letters(counts, encoding):
            counts[encoding] += legacy.telltale_letters(decoded, encoding)
        out.append(decoded)
        piece.clear()


def _gap_is_space(prev: Char, cur: Char) -> bool:
    height = max(cur.bottom - cur.top, 1.0)
    return cur.space_before or cur.x0 - prev.x1 > 0.18 * height


def split_char_columns(line: list[Char], width: float) -> list[tuple[str, list[Char]]]:
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


def _drop_furniture(pages: list[list[Line]], heights: list[float]) -> None:
    """Remove running headers/footers (repeated in the margins) and page numbers."""
    def margin(line: Line, height: float) -> bool:  # a table's cell is never furniture, however low it runs
        return line.block == "body" and line.top is not None and (line.top < 0.08 * height or line.top > 0.9 * height)

    seen: Counter = Counter()
    for lines, height in zip(pages, heights):
        seen.update({re.sub(r"\d+", "#", l.text) for l in lines if margin(l, height)})
    repeated = {t for t, n in seen.items() if n >= 2 and n >= 0.5 * len(pages)}
    for lines, height in zip(pages, heights):
        keep = []
        for line in lines:
            if margin(line, height) and (_PAGE_NUMBER.match(line.text)
                                         or re.sub(r"\d+", "#", line.text) in repeated):
                continue
            keep.append(line)
        lines[:] = keep


def _image_objects(container, count_fn, get_fn, depth: int = 0):
    """The page's image objects, those inside form XObjects too (nested at most 8 deep)."""
    for i in range(count_fn(container)):
        obj = get_fn(container, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            yield obj
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 8:
            yield from _image_objects(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, depth + 1)


def check_render_size(page, index: int, dpi: int, max_pixels: int) -> None:
    """Refuse to render a page for OCR whose bitmap, or whose images decoded (their
    declared sizes: nothing is decoded here), would pass ``max_pixels``: a page with
    a huge MediaBox, or a small page drawing a 50000x50000 image."""
    width, height = page.get_size()
    pixels = (width * dpi / 72) * (height * dpi / 72)
    if pixels > max_pixels:
        raise UnsafeInput(f"page {index + 1} is {width / 72:.0f}x{height / 72:.0f} inches: "
                          f"{pixels / 1e6:.0f} Mpx to render at {dpi} dpi, more than {max_pixels // 10**6} Mpx")
    declared, w, h = 0, ctypes.c_uint(), ctypes.c_uint()
    for obj in _image_objects(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject):
        if raw.FPDFImageObj_GetImagePixelSize(obj, ctypes.byref(w), ctypes.byref(h)):
            declared += w.value * h.value
    if declared > max_pixels:
        raise UnsafeInput(f"page {index + 1} holds images of {declared / 1e6:.0f} Mpx in all "
                          "(decompression bomb?)")


def read_pdf(path: str, tables: bool = True) -> Layout:
    """The PDF's lines; ``tables``: ruled tables read cell by cell (``pdf_tables``)."""
    pdf = _open(path)
    try:
        return _read(pdf, path if tables else None)
    finally:
        pdf.close()


def _line_of(part: list[Char], index: int, col: str, counts: Counter, block: str = "body") -> Line:
    text, used = _decode(part)
    counts.update(used)
    return Line(text=clean_line(text), page=index, col=col, top=part[0].top, x0=part[0].x0,
                x1=part[-1].x1, fonts=(part[0].font,), block=block)


def _page_lines(chars: list[Char], index: int, width: float, counts: Counter, visual=None) -> list[Line]:
    return [_line_of(part, index, col, counts)
            for line in (visual if visual is not None else _visual_lines(chars))
            for col, part in split_char_columns(line, width)]


def _read(pdf: pdfium.PdfDocument, path: str | None) -> Layout:
    if len(pdf) > MAX_PAGES:
        raise IngestError(f"{len(pdf)} pages: more than the {MAX_PAGES} this reader accepts")
    layout = Layout(format="pdf", pages=len(pdf))
    counts: Counter = Counter()
    pages, heights = [], []
    ruled: dict[int, tuple[list[Char], float]] = {}  # page -> its characters and width, for the table finder
    aligned: dict[int, tuple] = {}  # page -> its characters, width and tables aligned without rules
    for index in range(len(pdf)):
        page = pdf[index]
        width, height = page.get_size()
        cover = _image_cover(page, width, height)
        own_letters = _content_letters(page) if cover else 0
        page, flattened = _flatten_widgets(pdf, index, page)
        textpage = page.get_textpage()
        chars = _chars(textpage, height)
        visual = _visual_lines(chars)
        lines = _page_lines(chars, index, width, counts, visual)
        if _needs_ocr(own_letters, cover):
            layout.ocr_pages.append(index)
        elif cover > 0.6 and junk_text_layer(" ".join(line.text for line in lines)):
            layout.ocr_pages.append(index)  # its lines stay until OCR replaces them
            layout.warnings.append(f"page {index + 1}: the text layer under the scan is unusable (no diacritics or not words); the page goes to OCR")
        elif path and chars and len(ruled) + len(aligned) < pdf_tables.MAX_TABLE_PAGES:
            if pdf_tables.is_ruled(page):
                ruled[index] = (chars, width)
            elif grids := pdf_tables.aligned_grids(visual, width, height):
                aligned[index] = (chars, width, grids)
        if flattened:
            layout.warnings.append(f"page {index + 1}: signature widgets read from their appearance")
        textpage.close()
        page.close()
        pages.append(lines)
        heights.append(height)
    if ruled or aligned:
        _read_tables(path, ruled, aligned, pages, heights, layout)
    _drop_furniture(pages, heights)
    layout.lines = [line for lines in pages for line in lines]
    layout.encoding = legacy.overall_encoding(counts)
    return layout


def _read_tables(path: str, ruled: dict, aligned: dict, pages: list[list[Line]], heights: list[float],
                 layout: Layout) -> None:
    """Pages with tables read again: their tables cell by cell, the rest as lines."""
    found = {index: grids for index, (_, _, grids) in aligned.items()}
    try:
        found.update(pdf_tables.find_grids(path, {i: heights[i] for i in ruled}) if ruled else {})
    except Exception as exc:  # pdfplumber failing on a page PDFium read: the page keeps its lines
        layout.warnings.append(f"ruled tables not read cell by cell ({type(exc).__name__}: {exc}); read as lines")
    book = pdf_tables.TableBook()
    counts: Counter = Counter()  # the encoding was counted on the first reading
    for index in sorted(found):
        chars, width = (ruled.get(index) or aligned[index])[:2]
        grids = found[index]
        outside, inside = pdf_tables.deal(chars, grids)
        rest = _page_lines(outside, index, width, counts)
        cells = [{cell: _cell_lines(part, index, counts) for cell, part in inside[k].items()}
                 for k in range(len(grids))]
        book.place(index, heights[index], grids, cells, rest)
        pages[index] = _with_tables(rest, grids, cells)


def _cell_lines(chars: list[Char], index: int, counts: Counter) -> list[Line]:
    """A cell's text as one line: the cell's width wraps it, not its writer."""
    lines = [_line_of(visual, index, "F", counts) for visual in _visual_lines(chars)]
    if len(lines) > 1:
        lines[0].text = " ".join(line.text for line in lines if line.text)
        lines[0].x1 = max(line.x1 for line in lines)
    return lines[:1]


def _with_tables(rest: list[Line], grids: list, cells: list[dict]) -> list[Line]:
    """The page's lines in reading order: each table's cells, row by row, where the
    table stands among the other lines."""
    out, i = [], 0
    for grid, table in zip(grids, cells):
        while i < len(rest) and rest[i].top is not None and rest[i].top < grid.box[1]:
            out.append(rest[i])
            i += 1
        for cell in sorted(table, key=lambda c: (c.row, c.col)):
            if cell.row < grid.skip_rows:
                continue
            for line in table[cell]:
                line.block = grid.block(cell)
                out.append(line)
    return out + rest[i:]
