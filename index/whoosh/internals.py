"""Every touch of whoosh3's private attributes, in one place, and the patches vanban
applies to it.

vanban reads Whoosh's segments faster than Whoosh's public API lets it (postings a
block at a time into arrays, field lengths as one array, a document's positions
by going straight to its block), binds Whoosh's multiprocess writer's processes to
its own, and reads a segment's files straight from their memory map. Each of these
leans on names whoosh3 does not promise: they are all here, and
``tests/test_whoosh_internals.py`` fails loudly, naming what moved, if the pinned
whoosh3 changes shape.

``patch_whoosh()`` is called when a Whoosh archive is opened, never on import:
segment files read from their map without copies (``MappedFile``), and tables of
contents written before vanban's modules moved read with their classes' new homes
(``MOVED``).
"""
from __future__ import annotations

import bisect
import io
import pickle
import queue
import types

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb import compound
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.multiproc import MpWriter, _run_subwriter
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length

from ingest.batch import die_with_parent, ignore_stop_signals, stop_signals_held

_EMPTY = np.zeros(0, dtype=np.int64)
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


# --- segments, readers, searchers -------------------------------------------------

def open_index(folder: str):
    """Whoosh's index in ``folder``, patched as vanban reads it."""
    patch_whoosh()
    return FileStorage(folder).open_index()


def create_index(folder: str, schema):
    patch_whoosh()
    return FileStorage(folder).create_index(schema)


def segments(ix) -> list:
    """The index's segments (Whoosh lists them only to itself)."""
    return ix._segments()


def segment_of(reader):
    """The segment a reader reads, or None (a multi-segment reader)."""
    return getattr(reader, "_segment", None)


def index_folder(searcher) -> str | None:
    """The folder of the index a searcher reads, or None (an index in memory)."""
    return getattr(getattr(getattr(searcher, "_ix", None), "storage", None), "folder", None)


# --- postings, lengths, positions --------------------------------------------------

def raw_postings(reader, fieldname: str, text):
    """The segment's own posting reader, deleted documents included: deletions are
    taken off once, from the final matches."""
    matcher = reader.postings(fieldname, text)
    return getattr(matcher, "child", matcher)


def read_postings(reader, fieldname: str, text) -> tuple[np.ndarray, ...]:
    """All of a term's local docnums and weights in one segment, read a block at a
    time, and where each block starts and ends (for reading positions later)."""
    matcher = raw_postings(reader, fieldname, text)
    if not hasattr(matcher, "_read_data"):  # not an on-disk W3 matcher: go one by one
        pairs = []
        while matcher.is_active():
            pairs.append((matcher.id(), matcher.weight()))
            matcher.next()
        arr = np.array(pairs, dtype=np.float64).reshape(-1, 2)
        return arr[:, 0].astype(np.int64), arr[:, 1], _EMPTY, _EMPTY
    id_blocks, weight_blocks, starts, last_ids = [], [], [], []
    start = matcher._baseoffset
    while matcher.is_active():
        matcher._read_data()
        ids, weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        ids = np.asarray(ids, dtype=np.int64)
        id_blocks.append(ids if matcher._byteids else np.cumsum(ids))
        if weights is None:
            weight_blocks.append(np.ones(count))
        elif isinstance(weights, float):
            weight_blocks.append(np.full(count, weights))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float64))
        starts.append(start)
        last_ids.append(matcher._maxid)
        start = matcher._nextoffset
        matcher._next_block()
    if not id_blocks:
        return _EMPTY, np.zeros(0), _EMPTY, _EMPTY
    return (np.concatenate(id_blocks), np.concatenate(weight_blocks),
            np.array(starts, dtype=np.int64), np.array(last_ids, dtype=np.int64))


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in a field, as Whoosh's scorer sees it."""
    perdoc = reader._perdoc
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    count = reader.doc_count_all()
    raw = np.zeros(count, dtype=np.uint8)
    if column is not None:
        stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        raw[:len(stored)] = stored[:count]
    return _LENGTH_OF_BYTE[raw]


def fixed_column(reader, fieldname: str, width: int) -> np.ndarray:
    """Every document's value of a column of ``width`` bytes, as one unsigned
    integer each (0 where none, or where the segment has no such column): the
    column's bytes read at once, where Whoosh's reader reads a document at a time."""
    count = reader.doc_count_all()
    raw = np.zeros((count, width), dtype=np.uint8)
    if fieldname in reader.schema and reader.has_column(fieldname):
        column = reader.column_reader(fieldname, translate=False)
        stored = np.frombuffer(column._dbfile.get(column._basepos, column._count * width), dtype=np.uint8)
        stored = stored.reshape(-1, width)[:count]
        raw[:len(stored)] = stored
    return raw.view(f">u{width}").reshape(count).astype(np.uint64)


def seek_document(matcher, block_start: int, docnum: int) -> bool:
    """Put an on-disk matcher on ``docnum`` in the block that starts at
    ``block_start`` (read unless it is the block the matcher holds); whether the
    document is there."""
    if getattr(matcher, "vanban_block", None) != block_start:
        matcher._goto(int(block_start))
        matcher._read_ids()
        matcher.vanban_block = block_start
    at = bisect.bisect_left(matcher._ids, docnum)
    if at < len(matcher._ids) and matcher._ids[at] == docnum:
        matcher._i = at
        return True
    return False


# --- the multiprocess writer ---------------------------------------------------------

class SubprocessWriter(MpWriter):
    """Whoosh's multiprocess writer (each sub-writer analyses its share of the
    documents and writes its own segment), its processes bound to ours: they die
    with it, even on SIGKILL, instead of waiting on their queue for ever."""

    def _new_task(self):
        task = self._mpctx.Process(target=_bound_subwriter, args=(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment))
        self.tasks.append(task)
        with stop_signals_held():  # it never sees a Ctrl-C: this process stops it
            task.start()
        return task

    def cancel(self):
        # Stop the sub-writers now, in order, without waiting on their queue: what
        # they wrote belongs to no commit (the next commit deletes it).
        for task in self.tasks:
            task.kill()
        for task in self.tasks:
            task.join(timeout=10)
        for channel in (self.jobqueue, self.resultqueue):
            channel.cancel_join_thread()  # nobody reads them any more: never wait on them
            channel.close()
        self.tasks = []
        super().cancel()

    def _enqueue(self):
        # Whoosh's own, but a sub-writer that died stops the ingest with an error
        # instead of leaving it blocked on a full queue.
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as handle:
            for item in self.docbuffer:
                pickle.dump(item, handle, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        while True:
            self._check_tasks()
            try:
                self.jobqueue.put((filename, len(self.docbuffer)), timeout=1)
                break
            except queue.Full:
                continue
        self.docbuffer = []

    def _commit_toc(self, segments):
        # Whoosh skips a sub-writer whose result never came: its documents would be
        # lost without a word. Refuse the commit instead (the index stays as it was).
        self._check_tasks()
        super()._commit_toc(segments)

    def _check_tasks(self) -> None:
        for task in self.tasks:
            if task.exitcode not in (None, 0):
                raise RuntimeError(f"an index writer process stopped (exit code {task.exitcode}); "
                                   "nothing of this batch was committed, run the ingest again")


def _bound_subwriter(*args) -> None:
    die_with_parent()
    ignore_stop_signals()
    patch_whoosh()  # a spawned process: it reads the table of contents (and the segments) itself
    _run_subwriter(*args)


# --- segment files read from their map ----------------------------------------------
# whoosh3 maps each segment's compound file, then wraps every file it opens in it
# in a ``BytesIO``, which copies the file: the first search of a fresh process on
# a 100,000-document archive copied hundreds of MB of term tables and stored
# fields to read a few pages of them. Reading through the file instead (no map)
# made every term lookup a system call. Here a file opened in a mapped compound
# file is a view of the map: nothing is copied until read, and reads are slices.

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


# --- tables of contents written before a class moved ------------------------------

# (module, name) pickled by an older vanban -> where the class is now.
MOVED = {("index.store", "PAIRS"): ("index.fields", "PAIRS")}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        return super().find_class(*MOVED.get((module, name), (module, name)))


def _loads(data: bytes):
    return _Unpickler(io.BytesIO(data)).load()


def patch_whoosh() -> None:
    """Apply vanban's patches to whoosh3 (once a process; called on opening a
    Whoosh archive)."""
    compound.CompoundStorage.open_file = _open_file
    if not isinstance(whoosh_index.pickle, types.SimpleNamespace):
        whoosh_index.pickle = types.SimpleNamespace(loads=_loads, dumps=pickle.dumps,
                                                    PicklingError=pickle.PicklingError,
                                                    UnpicklingError=pickle.UnpicklingError)
