"""Plain text and Markdown: UTF-8 (with or without BOM), UTF-16, legacy bytes."""
from __future__ import annotations

import codecs
import re

from ingest.errors import IngestError, UnsafeInput
from ingest.models import Layout
from ingest.readers.columns import split_columns
from ingest.vocabulary import legacy
from ingest.vocabulary.textnorm import clean_line, nfc

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def decode_bytes(data: bytes) -> str:
    """UTF-8 / UTF-16 by BOM, else UTF-8, else Windows-1258, else Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if len(data) > 3 and data[1::2].count(0) > len(data) // 4:  # UTF-16 without BOM
        return data.decode("utf-16-le" if data[1] == 0 else "utf-16-be", errors="replace")
    for encoding in ("utf-8", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def strip_markdown(line: str) -> str:
    """``**BÁO CÁO**`` -> ``BÁO CÁO``; ``### 3. Thuận lợi`` -> ``3. Thuận lợi``."""
    line = _MD_HEADING.sub("", line)
    for _ in range(3):  # nested emphasis: ***x***, **_x_**
        line = _MD_EMPHASIS.sub(r"\2", line)
    return _MD_ESCAPE.sub(r"\1", line)


# A text file is held as bytes, as str, as lines and as tokens: 39 MiB of text had
# taken 540 MB when it was stopped after two minutes. A report or a law is well
# under 5 MiB.
MAX_TEXT_BYTES = 16 * 2**20


def read_text(path: str, markdown: bool = False) -> Layout:
    with open(path, "rb") as handle:
        data = handle.read(MAX_TEXT_BYTES + 1)  # bounded: the size stat gave may be stale
    if len(data) > MAX_TEXT_BYTES:
        raise UnsafeInput(f"a text file of more than {MAX_TEXT_BYTES // 2**20} MiB (this reader's limit)")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            and data[1::2].count(0) < len(data) // 4:
        raise IngestError("binary data, not text")
    return layout_from_text(decode_bytes(data), markdown=markdown)


def layout_from_text(text: str, markdown: bool = False) -> Layout:
    """Lines of already-decoded text, legacy bytes guessed, columns split at wide gaps."""
    text, encoding = legacy.decode_detected(text)
    layout = Layout(format="md" if markdown else "txt", encoding=encoding)
    for raw in nfc(text).splitlines():
        if markdown:
            raw = strip_markdown(raw)
        for line in split_columns(raw.rstrip()):
            line.text = clean_line(line.text)
            layout.lines.append(line)
    return layout
