"""One file in, one ``Document`` out: read, then parse the header."""
from __future__ import annotations

import hashlib
import os
import subprocess

from .errors import IngestError
from .body import read_body
from .header import parse_header
from .models import Document, Layout, Line
from .ocr import OcrRun, OcrSettings, OcrUnavailable, flag_uncertain, ocr_layout, tesseract_version
from .readers import read


def sha256_of(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def reading_order(lines: list[Line]) -> list[Line]:
    """Lines in reading order: in a two-column stretch, the left column, then the right."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        if lines[i].col in ("L", "R", "M"):
            j = i
            while j < len(lines) and (lines[j].col in ("L", "R", "M") or not lines[j].text):
                j += 1
            zone = lines[i:j]
            for col in ("L", "M", "R"):
                out.extend(l for l in zone if l.col == col and l.text)
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def text_with_spans(lines: list[Line]) -> tuple[str, list[tuple[int, int, Line]]]:
    """The record's text and where each line sits in it (at most one blank line in a row)."""
    pieces: list[str] = []
    spans: list[tuple[int, int, Line]] = []
    offset, blank = 0, True
    for line in reading_order(lines):
        if not line.text:
            if not blank:
                pieces.append("\n")
                offset += 1
            blank = True
            continue
        if pieces:
            pieces.append("\n")
            offset += 1
        pieces.append(line.text)
        spans.append((offset, offset + len(line.text), line))
        offset += len(line.text)
        blank = False
    text = "".join(pieces)
    return text.rstrip(), spans


def reading_text(lines: list[Line]) -> str:
    return text_with_spans(lines)[0]


def document_from_layout(path: str, layout: Layout, sha256: str | None = None,
                         ocr_run: OcrRun | None = None) -> Document:
    doc = Document(path=path, sha256=sha256, format=layout.format, pages=layout.pages,
                   encoding=layout.encoding, needs_ocr=layout.needs_ocr and ocr_run is None,
                   ocr_pages=list(layout.ocr_pages), warnings=list(layout.warnings))
    header = parse_header(layout.lines)
    for name, value in header.fields.items():
        setattr(doc, name, value)
    doc.provenance = dict(header.provenance)
    doc.warnings.extend(header.warnings)
    doc.text, spans = text_with_spans(layout.lines)
    read_body(doc, spans)
    if ocr_run is not None:
        doc.ocr_confidence = ocr_run.confidence
        doc.ocr_run = {"pages_read": ocr_run.read, "pages_cached": ocr_run.cached, "seconds": ocr_run.seconds,
                       "tesseract_runs": ocr_run.tesseract_runs}
        flag_uncertain(doc, layout.lines)
    elif layout.needs_ocr:
        pages = ", ".join(str(p + 1) for p in layout.ocr_pages[:20])
        doc.warnings.append(f"no text layer on page(s) {pages}: waiting for OCR")
    return doc


def parse_file(path: str, ocr: OcrSettings | None = None) -> Document:
    """Parse one file. Bad input gives a record with ``error`` set, never an exception.
    Pages without text are read by OCR when ``ocr`` is given and Tesseract is here;
    otherwise the record says they wait for it."""
    sha = sha256_of(path)
    try:
        layout = read(path)
        run = None
        if layout.needs_ocr and ocr is not None and tesseract_version():
            try:
                run = ocr_layout(path, layout, sha, ocr)
            except (OcrUnavailable, OSError, subprocess.SubprocessError) as exc:
                layout.warnings.append(f"OCR failed: {exc}")
    except IngestError as exc:
        return Document(path=path, sha256=sha, error=str(exc), format=_fmt(path))
    except MemoryError:
        return Document(path=path, sha256=sha, error="ran out of memory reading it", format=_fmt(path))
    return document_from_layout(path, layout, sha, run)


def _fmt(path: str) -> str | None:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return ext or None
