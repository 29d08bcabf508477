"""A file's path in three forms: on disk, stored, shown.

- **real**: the ``str`` Python's ``os`` functions take. A name that is not valid
  UTF-8 holds its odd bytes as lone surrogates (``os.fsdecode``'s
  ``surrogateescape``): ``b'bao_cao_\\xff.txt'`` is ``'bao_cao_\\udcff.txt'``.
  Such a string cannot be written as UTF-8: not to JSON output, not to a Whoosh
  ID field, not to a PostgreSQL ``text`` column.
- **stored** (records, indexes, ``--json``, ``ingest-log.json``): valid UTF-8
  always, and back to the very bytes on disk with :func:`real`. A name that is
  valid UTF-8 and holds no ``\\\\`` and no ``\\xHH`` is stored as it is (every
  ordinary name: indexes written before keep working). Any other name has each
  backslash doubled and each byte that is not UTF-8 written ``\\xHH``:
  ``bao_cao_\\xff.txt``. The rule is applied name by name between the slashes, so
  the stored form of a folder is a prefix of the stored form of what it holds.
- **shown** (``error:`` lines, ``--verbose``): one line always. The stored form,
  with control characters escaped too (``\\n``, ``\\t``, ``\\x1b``) so a name
  cannot forge a line of output; with them, backslashes are doubled as well.
"""
from __future__ import annotations

import os
import re

_ESCAPED = re.compile(r"\\(\\|x[0-9A-Fa-f]{2})")
# Characters that end or bend a line on a terminal, or hide what follows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _odd(part: str) -> bool:
    """A name that is stored escaped: bytes that are not UTF-8, or what an escape looks like."""
    try:
        part.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return _ESCAPED.search(part) is not None


def _escape_part(part: str) -> str:
    out = []
    for ch in part.replace("\\", "\\\\"):
        code = ord(ch)
        out.append(f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else ch)
    text = "".join(out)
    # A lone surrogate that surrogateescape did not make (it never does on POSIX): its UTF-8 bytes.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def stored(path: str | bytes) -> str:
    """The stored form of a path on disk (a ``str`` from ``os`` or ``bytes``)."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    parts = path.split("/")
    if not any(_odd(part) for part in parts):
        return path
    return "/".join(_escape_part(part) if _odd(part) else part for part in parts)


def real(path: str) -> str:
    """The path on disk (as ``os`` takes it) of a stored path."""
    if "\\" not in path:
        return path
    raw = bytearray()
    for piece in _split_escapes(path):
        raw += piece if isinstance(piece, bytes) else piece.encode("utf-8", "surrogateescape")
    return os.fsdecode(bytes(raw))


def _split_escapes(path: str):
    start = 0
    for match in _ESCAPED.finditer(path):
        yield path[start:match.start()]
        code = match.group(1)
        yield b"\\" if code == "\\" else bytes([int(code[1:], 16)])
        start = match.end()
    yield path[start:]


def shown(path: str) -> str:
    """A stored path as one line of output (a real one with odd bytes is stored first)."""
    if _has_surrogates(path):
        path = stored(path)
    if not _CONTROL.search(path):
        return path
    parts = path.split("/")
    # A stored part holding an escape has its backslashes doubled already; double
    # the others' so the escapes added here read one way only.
    return "/".join(one_line(part if _ESCAPED.search(part) else part.replace("\\", "\\\\"))
                    for part in parts)


def one_line(text: str) -> str:
    """``text`` with its control characters escaped (a reason may quote a zip member's name)."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                             else f"\\u{ord(m.group()):04x}"), text)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
