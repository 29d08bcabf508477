"""One file in, one ``Document`` out: read, then parse the header."""
from __future__ import annotations

import hashlib
import os

from .errors import IngestError
from .header import parse_header
from .models import Document, Layout, Line
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


def reading_text(lines: list[Line]) -> str:
    """Text in reading order: in a two-column stretch, the left column, then the right."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].col in ("L", "R", "M"):
            j = i
            while j < len(lines) and (lines[j].col in ("L", "R", "M") or not lines[j].text):
                j += 1
            zone = lines[i:j]
            for col in ("L", "M", "R"):
                out.extend(l.text for l in zone if l.col == col and l.text)
            i = j
        else:
            out.append(lines[i].text)
            i += 1
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def document_from_layout(path: str, layout: Layout, sha256: str | None = None) -> Document:
    doc = Document(path=path, sha256=sha256, format=layout.format, pages=layout.pages,
                   encoding=layout.encoding, needs_ocr=layout.needs_ocr,
                   ocr_pages=list(layout.ocr_pages), warnings=list(layout.warnings))
    header = parse_header(layout.lines)
    for name, value in header.fields.items():
        setattr(doc, name, value)
    doc.provenance = dict(header.provenance)
    doc.warnings.extend(header.warnings)
    doc.text = reading_text(layout.lines)
    if layout.needs_ocr:
        pages = ", ".join(str(p + 1) for p in layout.ocr_pages[:20])
        doc.warnings.append(f"no text layer on page(s) {pages}: waiting for OCR")
    return doc


def parse_file(path: str) -> Document:
    """Parse one file. Bad input gives a record with ``error`` set, never an exception."""
    sha = sha256_of(path)
    try:
        layout = read(path)
    except IngestError as exc:
        return Document(path=path, sha256=sha, error=str(exc), format=_fmt(path))
    except MemoryError:
        return Document(path=path, sha256=sha, error="ran out of memory reading it", format=_fmt(path))
    return document_from_layout(path, layout, sha)


def _fmt(path: str) -> str | None:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return ext or None
