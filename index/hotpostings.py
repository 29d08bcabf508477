"""The postings of each segment's frequent terms, kept beside the index as plain
arrays that a search maps into memory.

Whoosh stores a term's postings in blocks of 128 documents, each block one
zlib-compressed pickle of ids, weights and positions together. A search that
needs only ids and weights (every term, and a phrase until its shown documents
are checked) still inflates and unpickles every position: the postings of a
syllable found in most of a 100,000-document archive (``của``, ``hành``) took
50-100 ms to read, cold, which is what every ``vanban search`` process is. Here,
after an ingest, the terms of the searched fields found in at least
``MIN_DOCS`` documents of a segment have their local docnums (16 bits) and
weights (float32, as Whoosh stores them) written once, with the directory of their Whoosh blocks (where
each starts, its last docnum) so positions can still be read for the documents
shown. Rare terms stay with Whoosh: a block or two, cheap to read.

Segments never change once written (deletions are kept apart), so a segment's
arrays stay right for its life; they are named by the segment's id, written
under temporary names and renamed, the directory last, so a reader sees all of
them or none. Arrays of segments merged away are removed by the next ingest.
The processes that write them on a large index ignore Ctrl-C; the ingest kills
them when it stops (a segment left without arrays is written by the next one).
"""
from __future__ import annotations

import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

FOLDER = "postings"
# The fields a search evaluates on arrays (see vector.py), pairs included.
FIELDS = ("title", "title_syl", "title_fold", "body", "body_syl", "body_fold", "title_pairs", "body_pairs")
PRESENCE_ONLY = ("title_pairs", "body_pairs")  # their weights are all 1: not written
MIN_DOCS = 128  # one Whoosh block: below it, Whoosh reads a term in one go
SUFFIXES = (".ids.npy", ".weights.npy", ".blocks.npy", ".terms")


def _paths(folder: str, segment_id: str) -> list[str]:
    return [os.path.join(folder, FOLDER, segment_id + s) for s in SUFFIXES]


class HotPostings:
    """One segment's frequent terms: ``get(field, term)`` -> (ids, weights, block
    starts, block last ids) as ``vector.read_postings`` gives them, or None."""

    def __init__(self, folder: str, segment_id: str) -> None:
        ids_path, weights_path, blocks_path, terms_path = _paths(folder, segment_id)
        with open(terms_path, "rb") as handle:  # plain ints only: quick to load
            self.terms: dict[tuple[str, str], tuple[int, ...]] = pickle.load(handle)
        self.ids = np.load(ids_path, mmap_mode="r")
        self.weights = np.load(weights_path, mmap_mode="r")
        self.blocks = np.load(blocks_path, mmap_mode="r")

    def get(self, fieldname: str, text) -> tuple[np.ndarray, ...] | None:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        entry = self.terms.get((fieldname, text))
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
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            return None


def write_segment(folder: str, reader, segment_id: str, min_docs: int = MIN_DOCS) -> None:
    """Write one segment's frequent terms (``reader``: its SegmentReader)."""
    from .vector import read_postings

    # Local docnums fit 16 bits in all but the largest segments: half the size.
    id_type = np.uint16 if reader.doc_count_all() <= 2**16 else np.uint32
    terms, id_parts, weight_parts, block_parts = {}, [], [], []
    at = weights_at = block_at = 0
    for fieldname in FIELDS:
        if fieldname not in reader.schema:
            continue
        for text, info in reader.iter_field(fieldname):
            if info.doc_frequency() < min_docs:
                continue
            ids, weights, starts, last_ids = read_postings(reader, fieldname, text)
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            id_parts.append(ids.astype(id_type))
            block_parts.append(np.column_stack([starts, last_ids]))
            kept_at = -1 if fieldname in PRESENCE_ONLY else weights_at
            terms[(fieldname, word)] = (at, len(ids), kept_at, block_at, len(starts))
            if kept_at >= 0:
                weight_parts.append(weights.astype(np.float32))
                weights_at += len(ids)
            at += len(ids)
            block_at += len(starts)
    os.makedirs(os.path.join(folder, FOLDER), exist_ok=True)
    ids_path, weights_path, blocks_path, terms_path = _paths(folder, segment_id)
    for path, parts, empty in ((ids_path, id_parts, np.zeros(0, dtype=id_type)),
                               (weights_path, weight_parts, np.zeros(0, dtype=np.float32)),
                               (blocks_path, block_parts, np.zeros((0, 2), dtype=np.int64))):
        with open(path + ".part", "wb") as handle:
            np.save(handle, np.concatenate(parts) if parts else empty)
        os.replace(path + ".part", path)
    with open(terms_path + ".part", "wb") as handle:
        pickle.dump(terms, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(terms_path + ".part", terms_path)


def _write_one(folder: str, segment_id: str) -> None:
    from whoosh.reading import SegmentReader

    from .store import open_index

    ix = open_index(folder)
    segment = next(s for s in ix._segments() if s.segment_id() == segment_id)
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        write_segment(folder, reader, segment_id)
    finally:
        reader.close()


def _bound_write_one(folder: str, segment_id: str) -> None:
    from ingest.batch import die_with_parent, ignore_stop_signals

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
    from ingest.batch import stop_signals_held

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
        if segment_id not in live:
            os.remove(os.path.join(here, name))
