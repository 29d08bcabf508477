"""Whoosh's segment files read straight from their memory map.

whoosh3 maps each segment's compound file, then wraps every file it opens in it
in a ``BytesIO``, which copies the file: the first search of a fresh process on
a 100,000-document archive copied hundreds of MB of term tables and stored
fields (over a second) to read a few pages of them. Reading through the file
instead (no map) made every term lookup and stored record a system call, and
``cites``, which does many of both, 60% slower. Here a file opened in a mapped
compound file is a view of the map: nothing is copied until read, and reads are
slices of memory.
"""
from __future__ import annotations

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _View:
    """A read-only file over a memoryview (what ``BytesIO`` offers, without the copy)."""

    def __init__(self, buf) -> None:
        self.buf, self.pos = buf, 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self.buf) if size is None or size < 0 else min(len(self.buf), self.pos + size)
        data = bytes(self.buf[self.pos:end])
        self.pos = end
        return data

    def readline(self, size: int | None = -1) -> bytes:
        rest = bytes(self.buf[self.pos:])
        line = rest[:rest.find(b"\n") + 1 or len(rest)]
        if size is not None and size >= 0:
            line = line[:size]
        self.pos += len(line)
        return line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self.pos, len(self.buf))[whence]
        self.pos = base + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        pass


class MappedFile(BufferFile):
    """Whoosh's ``BufferFile`` over a slice of the map, not a copy of it."""

    def __init__(self, buf, name: str | None = None, onclose=None) -> None:
        # Not BufferFile.__init__: it copies the buffer into a BytesIO.
        self._buf = buf
        self._name = name
        self.file = _View(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


_whoosh_open_file = compound.CompoundStorage.open_file


def _open_file(self, name, *args, **kwargs):
    if self.is_closed or not self._source:
        return _whoosh_open_file(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return MappedFile(compound.memoryview_(self._source, offset, length), name=name)


def install() -> None:
    compound.CompoundStorage.open_file = _open_file
