"""Guards against files built to exhaust memory: zip bombs and XML entity bombs."""
from __future__ import annotations

import zipfile

from .errors import IngestError, UnsafeInput

MAX_UNZIPPED = 300 * 1024 * 1024     # a real DOCX with scanned images stays far below
MAX_RATIO = 200                      # deflate on XML reaches ~20x, bombs reach 1000x
MAX_MEMBERS = 20000


def check_zip(path: str) -> None:
    """Refuse a zip whose members would inflate beyond reason, before anything unzips it."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise IngestError("not a valid DOCX (the file is not a zip archive)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsafeInput(f"zip holds {len(members)} members")
        total = sum(m.file_size for m in members)
        if total > MAX_UNZIPPED:
            raise UnsafeInput(f"zip would inflate to {total // 2**20} MiB (zip bomb?)")
        for member in members:
            if member.file_size > 10 * 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise UnsafeInput(f"{member.filename} inflates {member.file_size // max(member.compress_size, 1)}x (zip bomb?)")
        names = {m.filename for m in members}
        if "word/document.xml" not in names:
            raise IngestError("not a Word document (no word/document.xml inside the zip)")
        for name in names:
            if name.endswith(".xml") or name.endswith(".rels"):
                with archive.open(name) as part:
                    head = part.read(4096)
                if b"<!ENTITY" in head or b"<!DOCTYPE" in head:
                    raise UnsafeInput(f"{name} declares XML entities (entity bomb?)")
