"""Guards against files built to exhaust memory: zip bombs and XML entity bombs."""
from __future__ import annotations

import re
import zipfile

from ingest.errors import IngestError, UnsafeInput

MAX_UNZIPPED = 300 * 1024 * 1024     # a real DOCX with scanned images stays far below
MAX_RATIO = 200                      # deflate on XML reaches ~20x, bombs reach 1000x
MAX_MEMBERS = 20000
# The XML is parsed into a tree several times its size: a document.xml of 60 MiB
# took a worker to 923 MB, one of 250 MiB (compressed 6x, like any text) to
# 2.4 GB. A thousand-page report's is about 20 MiB.
MAX_XML = 64 * 1024 * 1024


def check_zip(path: str) -> None:
    """Refuse a zip whose members would inflate beyond reason, before anything unzips it."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise IngestError("not a valid DOCX (not a zip archive, or cut short)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsafeInput(f"zip holds {len(members)} members")
        total = sum(m.file_size for m in members)
        if total > MAX_UNZIPPED:
            raise UnsafeInput(f"zip would inflate to {total // 2**20} MiB (zip bomb?)")
        xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
        if xml > MAX_XML:
            raise UnsafeInput(f"its XML parts come to {xml // 2**20} MiB, more than the "
                              f"{MAX_XML // 2**20} MiB this reader accepts")
        for member in members:
            if member.file_size > 10 * 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise UnsafeInput(f"{member.filename} inflates {member.file_size // max(member.compress_size, 1)}x (zip bomb?)")
        names = {m.filename for m in members}
        if "word/document.xml" not in names:
            raise IngestError("not a Word document (no word/document.xml inside the zip)")
        for name in names:
            if (name.endswith(".xml") or name.endswith(".rels")) and _declares_entities(archive, name):
                raise UnsafeInput(f"{name} declares XML entities (entity bomb?)")


def _declares_entities(archive: zipfile.ZipFile, name: str) -> bool:
    """A DOCTYPE in the prolog, however long the comments before the root element."""
    prolog = b""
    with archive.open(name) as part:
        while chunk := part.read(65536):
            prolog += chunk
            root = _ROOT_START.search(prolog)
            if root:
                prolog = prolog[:root.start()]
                break
            prolog = prolog[-256:] if b"<!DOCTYPE" not in prolog else prolog
            if b"<!DOCTYPE" in prolog:
                return True
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


_ROOT_START = re.compile(rb"<[A-Za-z_]")
