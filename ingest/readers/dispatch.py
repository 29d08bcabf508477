"""Pick the reader for a file by its extension, and check the content agrees."""
from __future__ import annotations

import os
import stat

from ingest.errors import IngestError, UnsupportedFormat
from ingest.models import Layout

TEXT_EXT = {".txt": "txt", ".md": "md", ".markdown": "md"}
OFFICE_EXT = {".doc": "doc", ".rtf": "rtf"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = {*TEXT_EXT, *OFFICE_EXT, *IMAGE_EXT, ".docx", ".pdf"}


def format_of(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext in TEXT_EXT:
        return TEXT_EXT[ext]
    if ext in OFFICE_EXT:
        return OFFICE_EXT[ext]
    if ext in IMAGE_EXT:
        return "image"
    if ext in (".docx", ".pdf"):
        return ext[1:]
    raise UnsupportedFormat(f"unsupported file type '{ext or '(no extension)'}'")


def read(path: str, source: str | None = None) -> Layout:
    """Read one file into a ``Layout``; raises ``IngestError`` with a plain reason.
    The type comes from ``path``'s extension; the bytes from ``source`` when given
    (a name of the descriptor the caller checked: ``parse.fd_path``)."""
    fmt = format_of(path)
    source = source or path
    try:
        info = os.stat(source)
    except OSError as exc:
        raise IngestError(f"cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise IngestError("a folder, not a file" if stat.S_ISDIR(info.st_mode) else "not a regular file")
    if info.st_size == 0:
        raise IngestError("empty file")
    if not os.access(source, os.R_OK):
        raise IngestError("no permission to read the file")
    return _reader(fmt, source)


def _reader(fmt: str, source: str) -> Layout:
    if fmt in ("txt", "md"):
        from ingest.readers.text import read_text
        return read_text(source, markdown=fmt == "md")
    if fmt == "docx":
        from ingest.readers.docx import read_docx
        return read_docx(source)
    if fmt in ("doc", "rtf"):
        _check_office_magic(source, fmt)
        from ingest.readers.office import read_office
        return read_office(source, fmt)
    if fmt == "pdf":
        from ingest.readers.pdf import read_pdf
        return read_pdf(source)
    from ingest.readers.image import read_image
    return read_image(source)


def _check_office_magic(path: str, fmt: str) -> None:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if fmt == "doc" and head.startswith(b"PK"):
        return  # a DOCX saved as .doc: LibreOffice reads it
    if fmt == "doc" and not head.startswith(b"\xd0\xcf\x11\xe0") and not head.startswith(b"{\\rtf"):
        raise IngestError("not a Word 97 .doc file (wrong signature)")
    if fmt == "rtf" and not head.startswith(b"{\\rtf"):
        raise IngestError("not an RTF file (it does not start with {\\rtf)")
