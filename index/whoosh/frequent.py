"""The postings of each segment's frequent terms, kept beside the index as plain
arrays that a search maps into memory.

Whoosh stores a term's postings in blocks, each one zlib-compressed pickle of
ids, weights and positions together, so a search that needs only ids and weights
still inflates every position. After an ingest, the terms of the searched fields
(``fields.FREQUENT_FIELDS``) found in at least ``MIN_DOCS`` documents of a segment
have their local docnums and weights written once, with the directory of their
Whoosh blocks (where each starts, its last docnum) so positions can still be read
for the documents shown. Rare terms stay with Whoosh.

Segments never change once written (deletions are kept apart), so a segment's
arrays stay right for its life; they are named by the segment's id, written
under temporary names and renamed, the directory last, so a reader sees all of
them or none. Arrays of segments merged away are removed by the next ingest.

Nothing here is a pickle: the index folder is read by every searcher, and a
pickle runs code when loaded. The term directory is two arrays loaded with
``allow_pickle=False``: the sorted keys (``field``, a 0x1f byte, the term, in
UTF-8) and each key's entry, found by binary search. The ``.terms`` pickles of
older versions are never read: their segments count as having no arrays (Whoosh
reads their terms) until the next ingest writes them.

The processes that write them on a large index ignore Ctrl-C; the ingest kills
them when it stops (a segment left without arrays is written by the next one).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

from whoosh.reading import SegmentReader

from ingest.batch import die_with_parent, ignore_stop_signals, stop_signals_held

from ..fields import FREQUENT_FIELDS, PRESENCE_ONLY
from . import internals
from .internals import read_postings

FOLDER = "postings"
MIN_DOCS = 128  # one Whoosh block: below it, Whoosh reads a term in one go
# The directory last: it is written last, so its presence says all are there.
SUFFIXES = (".ids.npy", ".weights.npy", ".blocks.npy", ".keys.npy", ".entries.npy")
OLD_SUFFIX = ".terms"  # the pickled directory of older versions: removed, never read
SEPARATOR = b"\x1f"
# A key longer than this stays with Whoosh: the keys array is as wide as its longest.
MAX_KEY_BYTES = 256


def _key(fieldname: str, text) -> bytes:
    word = text if isinstance(text, bytes) else text.encode("utf-8")
    return fieldname.encode("ascii") + SEPARATOR + word


def load_array(path: str) -> np.ndarray:
    """An array of ours, mapped; never a pickle (an object array is refused)."""
    return np.load(path, mmap_mode="r", allow_pickle=False)


def _paths(folder: str, segment_id: str) -> list[str]:
    return [os.path.join(folder, FOLDER, segment_id + s) for s in SUFFIXES]


class HotPostings:
    """One segment's frequent terms: ``get(field, term)`` -> (ids, weights, block
    starts, block last ids) as ``internals.read_postings`` gives them, or None."""

    def __init__(self, folder: str, segment_id: str) -> None:
        self.ids, self.weights, self.blocks, self.keys, self.entries = (
            load_array(path) for path in _paths(folder, segment_id))
        if self.keys.dtype.kind != "S" or self.entries.shape != (len(self.keys), 5):
            raise ValueError(f"the term directory of segment {segment_id} is not of this version")

    def _entry(self, fieldname: str, text) -> tuple[int, ...] | None:
        key = _key(fieldname, text)
        if len(key) > self.keys.itemsize:
            return None  # longer than every key here; searching would widen the whole array first
        at = int(np.searchsorted(self.keys, key))
        if at == len(self.keys) or self.keys[at] != key:
            return None
        return tuple(int(v) for v in self.entries[at])

    def get(self, fieldname: str, text) -> tuple[np.ndarray, ...] | None:
        entry = self._entry(fieldname, text)
        if entry is None:
            return None
        start, count, weights_at, block_at, block_count = entry
        ids = np.asarray(self.ids[start:start + count], dtype=np.int64)
        blocks = np.asarray(self.blocks[block_at:block_at + block_count], dtype=np.int64)
        starts, last_ids = blocks[:, 0], blocks[:, 1]
        if weights_at < 0:
            return ids, np.ones(count), starts, last_ids
        return ids, np.asarray(self.weights[weights_at:weights_at + count], dtype=np.float64), starts, last_ids

    @classmethod
    def open(cls, folder: str, segment_id: str) -> HotPostings | None:
        """The segment's arrays, or None where they were never written (an index
        mid-ingest, or written by an older vanban): Whoosh reads those terms."""
        try:
            return cls(folder, segment_id)
        except (OSError, EOFError, ValueError):
            return None


def write_segment(folder: str, reader, segment_id: str, min_docs: int = MIN_DOCS) -> None:
    """Write one segment's frequent terms (``reader``: its SegmentReader)."""
    # Local docnums fit 16 bits in all but the largest segments: half the size.
    id_type = np.uint16 if reader.doc_count_all() <= 2**16 else np.uint32
    terms, id_parts, weight_parts, block_parts = {}, [], [], []
    at = weights_at = block_at = 0
    for fieldname in FREQUENT_FIELDS:
        if fieldname not in reader.schema:
            continue
        for text, info in reader.iter_field(fieldname):
            if info.doc_frequency() < min_docs:
                continue
            key = _key(fieldname, text)
            if len(key) > MAX_KEY_BYTES:
                continue
            ids, weights, starts, last_ids = read_postings(reader, fieldname, text)
            id_parts.append(ids.astype(id_type))
            block_parts.append(np.column_stack([starts, last_ids]))
            kept_at = -1 if fieldname in PRESENCE_ONLY else weights_at
            terms[key] = (at, len(ids), kept_at, block_at, len(starts))
            if kept_at >= 0:
                weight_parts.append(weights.astype(np.float32))
                weights_at += len(ids)
            at += len(ids)
            block_at += len(starts)
    os.makedirs(os.path.join(folder, FOLDER), exist_ok=True)
    keys = sorted(terms)
    directory = (np.array(keys, dtype=f"S{max(map(len, keys), default=1)}"),
                 np.array([terms[k] for k in keys], dtype=np.int64).reshape(-1, 5))
    arrays = (np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=id_type),
              np.concatenate(weight_parts) if weight_parts else np.zeros(0, dtype=np.float32),
              np.concatenate(block_parts) if block_parts else np.zeros((0, 2), dtype=np.int64),
              *directory)
    for path, array in zip(_paths(folder, segment_id), arrays):
        with open(path + ".part", "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(path + ".part", path)


def _write_one(folder: str, segment_id: str) -> None:
    ix = internals.open_index(folder)
    segment = next(s for s in internals.segments(ix) if s.segment_id() == segment_id)
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        write_segment(folder, reader, segment_id)
    finally:
        reader.close()


def _bound_write_one(folder: str, segment_id: str) -> None:
    die_with_parent()
    ignore_stop_signals()
    _write_one(folder, segment_id)


def missing_segments(folder: str, segment_ids: list[str]) -> list[str]:
    return [s for s in segment_ids if not os.path.exists(_paths(folder, s)[-1])]


# Below this many documents to read, starting processes costs more than it saves.
# (Tests lower it to reach the processes with a few hundred documents.)
PARALLEL_FROM = int(os.environ.get("VANBAN_PARALLEL_ARRAYS_FROM", "10000"))


def refresh(folder: str, segments: dict[str, int], procs: int = 1) -> int:
    """Write the arrays of segments (id -> document count) that have none, a segment
    per process on a large index, and remove those of segments no longer in the
    index; returns how many were written."""
    todo = missing_segments(folder, list(segments))
    if procs > 1 and len(todo) > 1 and sum(segments[s] for s in todo) >= PARALLEL_FROM:
        _write_in_processes(folder, todo, procs)
    else:
        for segment_id in todo:
            _write_one(folder, segment_id)
    _remove_stale(folder, set(segments))
    return len(todo)


def _write_in_processes(folder: str, todo: list[str], procs: int) -> None:
    """A segment per process; stopped (a Ctrl-C here), the processes are killed
    rather than waited for, and no queued segment is started."""
    pool = ProcessPoolExecutor(max_workers=min(procs, len(todo)), mp_context=get_context("spawn"))
    try:
        with stop_signals_held():  # the processes start as the jobs are handed out
            jobs = [pool.submit(_bound_write_one, folder, segment_id) for segment_id in todo]
        for job in jobs:
            job.result()
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())  # gone after shutdown
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        raise
    pool.shutdown()


def _remove_stale(folder: str, live: set[str]) -> None:
    here = os.path.join(folder, FOLDER)
    for name in os.listdir(here) if os.path.isdir(here) else []:
        segment_id = name.split(".", 1)[0]
        if segment_id not in live or name.endswith(OLD_SUFFIX):
            os.remove(os.path.join(here, name))
