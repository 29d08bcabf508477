"""One file in, one ``Document`` out: read, then parse the header."""
from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

from ingest.errors import IngestError
from ingest.extract.body import extract_body
from ingest.extract.header import parse_header
from ingest.files import kind_of
from ingest.fingerprint import text_hash
from ingest.models import Document, Layout, Line
from ingest.ocr.layout import OcrRun, ocr_layout
from ingest.ocr.tesseract import OcrSettings, OcrUnavailable, flag_uncertain, tesseract_version
from ingest.paths import stored
from ingest.progress import still_working
from ingest.readers.dispatch import read


@contextmanager
def open_regular(path: str) -> Iterator[int]:
    """A descriptor of ``path``, refused unless it is a regular file.

    Opened without blocking (a FIFO with no writer would block ``open`` for ever),
    then the *open* descriptor is checked, so a name swapped for a FIFO or a
    device after any earlier look is still caught."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise IngestError(_cannot_open(path, exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise IngestError("a folder, not a file" if stat.S_ISDIR(mode) else f"not a regular file ({kind_of(mode)})")
        yield fd
    finally:
        os.close(fd)


def _cannot_open(path: str, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "no permission to read the file"
    try:
        mode = os.stat(path).st_mode  # a socket cannot be opened at all (ENXIO)
    except OSError:
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return f"not a regular file ({kind_of(mode)})"
    return f"cannot read the file ({exc.strerror})"


def fd_path(fd: int, path: str) -> str:
    """A name that opens this very descriptor's file again (Linux), else ``path``."""
    own = f"/proc/self/fd/{fd}"
    return own if os.path.exists(own) else path


def sha256_fd(fd: int) -> str:
    digest = hashlib.sha256()
    while block := os.read(fd, 1 << 20):
        digest.update(block)
    os.lseek(fd, 0, os.SEEK_SET)
    return digest.hexdigest()


def sha256_of(path: str) -> str | None:
    """The file's sha256, or None if it is not a regular file that can be read.
    Call it only in a supervised worker: reading may take long (a dead network share)."""
    try:
        with open_regular(path) as fd:
            return sha256_fd(fd)
    except (IngestError, OSError):
        return None


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
    extract_body(doc, spans)
    if ocr_run is not None:
        doc.ocr_confidence = ocr_run.confidence
        doc.ocr_run = {"pages_read": ocr_run.read, "pages_cached": ocr_run.cached, "seconds": ocr_run.seconds,
                       "tesseract_runs": ocr_run.tesseract_runs, "hand_seconds": ocr_run.hand_seconds}
        flag_uncertain(doc, layout.lines)
    elif layout.needs_ocr:
        pages = ", ".join(str(p + 1) for p in layout.ocr_pages[:20])
        doc.warnings.append(f"no text layer on page(s) {pages}: waiting for OCR")
    doc.text_hash = text_hash(doc.text)
    return doc


def parse_file(path: str, ocr: OcrSettings | None = None) -> Document:
    """Parse one file. Bad input gives a record with ``error`` set, never an exception.
    Pages without text are read by OCR when ``ocr`` is given and Tesseract is here;
    otherwise the record says they wait for it. The record's path is the stored
    form of ``path`` (``ingest.paths``)."""
    name, sha = stored(path), None
    try:
        with open_regular(path) as fd:
            sha = sha256_fd(fd)
            source = fd_path(fd, path)  # the readers open what was checked, not the name again
            layout = read(path, source=source)
            run = None
            if layout.needs_ocr and ocr is not None and tesseract_version():
                try:
                    run = ocr_layout(source, layout, sha, ocr, name=path)
                except (OcrUnavailable, OSError, subprocess.SubprocessError) as exc:
                    layout.warnings.append(f"OCR failed: {exc}")
    except IngestError as exc:
        return Document(path=name, sha256=sha, error=str(exc), format=_fmt(path))
    except MemoryError:
        return Document(path=name, sha256=sha, error="ran out of memory reading it", format=_fmt(path))
    return document_from_layout(name, layout, sha, run)


def hash_record(path: str) -> dict:
    """``{path, sha256, error}`` of one file (the stored path; sha256 None on error)."""
    record = {"path": stored(path), "sha256": None, "error": None}
    try:
        with open_regular(path) as fd:
            record["sha256"] = sha256_fd(fd)
    except IngestError as exc:
        record["error"] = str(exc)
    except OSError as exc:
        record["error"] = f"cannot read the file ({exc.strerror})"
    return record


class Answer:
    """A worker task's answer that is not a ``Document`` (``parse_many`` calls ``to_dict``)."""

    def __init__(self, record: dict) -> None:
        self.record = record

    def to_dict(self) -> dict:
        return self.record


BEAT_SECONDS = 0.25  # a sign of life at most this often: each one wakes the supervisor


def hash_files(batch: str) -> Answer:
    """The worker task of an ingest's first pass: hash a batch of files (their paths
    joined by NUL, the one character no path holds). One job per batch spares the
    supervisor a round trip per file; a sign of life between files keeps the
    timeout per file. ``{"path": "", "hashes": [hash_record, ...]}``."""
    hashes, last_beat = [], time.monotonic()
    for path in batch.split("\0"):
        hashes.append(hash_record(path))
        if time.monotonic() - last_beat > BEAT_SECONDS:
            still_working()
            last_beat = time.monotonic()
    return Answer({"path": "", "hashes": hashes, "error": None})


def hash_file(path: str) -> Answer:
    """The worker task that hashes one file (a batch whose worker failed is hashed again so)."""
    return Answer(hash_record(path))


def _fmt(path: str) -> str | None:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return ext or None
