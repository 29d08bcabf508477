"""``vanban ingest``: parse new and changed files on all cores, one writer indexes.

- incremental: a file whose sha256 is already indexed at its path is skipped; a
  file whose parsed record is in the cache is indexed without parsing. This
  process never reads a file (a FIFO or a dead share would hang it, holding the
  lock): the files already indexed are hashed first by the supervised workers
  (``_index_cached``), under the parse timeout; the others go straight to the
  parse workers, which look their record up in the cache before parsing;
- the walk (``ingest.files``) reads only regular files, follows no link out of
  the named folders unless ``follow_links``, and names what it skipped;
- paths are kept in their stored form (``ingest.paths``): valid UTF-8, whatever
  the bytes of the name on disk;
- every good file is indexed even when others fail; a file that fails now keeps
  the record it had (nothing already indexed is lost); failures go to
  ``ingest-log.json`` in the index folder;
- one ingest at a time: a lock file says who holds the index; a second ingest
  waits (``wait=True``) or stops with a plain message;
- commits every five minutes (or ``COMMIT_EVERY`` documents); Whoosh commits are atomic,
  so a kill leaves the index as of the last commit, and a rerun finishes the job,
  taking what was parsed since from the record cache.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Self

from ingest.batch import DEFAULT_TIMEOUT, default_jobs, parse_many, prefetched
from ingest.ocr import OcrSettings, tesseract_version
from ingest.files import find_files
from ingest.parse import hash_file, hash_files
from ingest.paths import real, stored

from .backend import open_store
from .pgstore import is_url
from .records import RecordCache, parse_and_prepare
from .store import IndexTooOld, WhooshStore, drop_index_files, stored_documents

# A commit makes the work so far durable, and ends each writer process's segment;
# parsed records are cached as they arrive, so a kill loses only index work, which
# a rerun redoes from the cache. Commit every five minutes, or every COMMIT_EVERY
# documents, whichever comes first: on a large ingest that is a segment of 5,000
# documents per writer process, too large for any merge (store.MERGE_CEILING).
COMMIT_EVERY = int(os.environ.get("VANBAN_COMMIT_EVERY", "10000"))
COMMIT_SECONDS = float(os.environ.get("VANBAN_COMMIT_SECONDS", "300"))
LOG_NAME = "ingest-log.json"
UPGRADE_NAME = "upgrading.json"


class IndexBusy(Exception):
    """Another ingest holds the index."""


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    from_cache: int = 0
    pruned: int = 0
    parsed: int = 0
    failed: list[dict] = field(default_factory=list)
    waiting_ocr: list[str] = field(default_factory=list)
    ocr_pages_read: int = 0
    ocr_pages_cached: int = 0
    ocr_seconds: float = 0.0
    tesseract_runs: int = 0
    skipped: list[dict] = field(default_factory=list)  # {path, reason}: found, not read
    added_paths: list[str] = field(default_factory=list)
    replaced_paths: list[str] = field(default_factory=list)
    pruned_paths: list[str] = field(default_factory=list)
    upgraded: int = 0
    hot_segments: int = 0  # segments whose frequent terms were written as arrays
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class IngestLock:
    """An exclusive lock on ``<index>/ingest.lock``; the kernel drops it if we die."""

    def __init__(self, folder: str, wait: bool) -> None:
        self.path = os.path.join(folder, "ingest.lock")
        self.wait = wait
        self.handle = None

    def __enter__(self) -> Self:
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise IndexBusy(f"another ingest is writing to this index ({holder}); "
                            "wait for it to finish or run again with --wait") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        self.handle.truncate(0)
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def ocr_settings(folder: str, jobs: int | None) -> OcrSettings:
    """OCR for an ingest: cached in the index folder (or in ``$VANBAN_OCR_CACHE``,
    one cache for several indexes); each parse worker runs as many Tesseract
    processes as leaves one per core in all."""
    workers = jobs or default_jobs()
    cache = os.environ.get("VANBAN_OCR_CACHE") or os.path.join(folder, "ocr")
    return OcrSettings(cache_dir=cache, jobs=max(1, default_jobs() // workers))


def ingest(paths: Iterable[str], folder: str, jobs: int | None = None, prune: bool = False,
           wait: bool = False, timeout: float = DEFAULT_TIMEOUT,
           on_progress: Callable[[int, int, dict | None], None] | None = None,
           ocr: bool = True, follow_links: bool = False) -> IngestReport:
    """Index files into ``folder`` (a Whoosh index) or a PostgreSQL archive (its
    URL); with ``ocr`` (and Tesseract installed) scans are read, and files indexed
    earlier as waiting for OCR are picked up again."""
    started = time.monotonic()
    paths = list(paths)
    report = IngestReport()
    target = folder  # a folder, or a PostgreSQL URL
    with _archive(target, wait, report) as store:
        folder = store.folder
        indexed = store.paths()
        settings = ocr_settings(folder, jobs) if ocr and tesseract_version() else None
        if settings:  # read now what an ingest without Tesseract left waiting
            for path in store.waiting_for_ocr():
                indexed[path] = "waiting for OCR"
        intake = find_files(paths, follow_links)
        report.skipped, report.failed = intake.skipped, list(intake.refused)
        files = list(dict.fromkeys(os.path.abspath(p) for p in intake.files))
        store.begin(procs=_writer_procs(len(files) - len(indexed)))
        try:
            todo = _index_cached(files, indexed, report, jobs, timeout)
            task = functools.partial(parse_and_prepare, ocr=settings, cache=folder, archive_rows=is_url(target))
            _parse_and_index(todo, indexed, store, report, jobs, timeout, on_progress, task)
            if prune:  # only under what was named: an archive holds other folders, other machines'
                _prune(store, indexed, paths, report)
            store.commit(reopen=False)
        except BaseException:
            store.commit(reopen=False)  # keep what was indexed before an interruption
            raise
        report.hot_segments = store.refresh_hot_postings(procs=jobs or default_jobs())
        report.seconds = round(time.monotonic() - started, 2)
        _write_log(folder, report)
    return report


@contextmanager
def _archive(target: str, wait: bool, report: IngestReport):
    """The store an ingest writes to. A Whoosh index has one writer at a time (the
    lock); the archive on PostgreSQL takes many at once, each document in a
    transaction of its own, and keeps this machine's caches in a folder of its own."""
    if is_url(target):
        store = open_store(target, create=True)
        os.makedirs(store.folder, exist_ok=True)
        try:
            yield store
        finally:
            store.close()
        return
    os.makedirs(target, exist_ok=True)
    with IngestLock(target, wait):
        yield _open_store(target, RecordCache(target), report)


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


# A writer process of its own per core pays off on a large ingest (the single
# writer is its bottleneck); a small one is quicker without starting processes.
PARALLEL_WRITE_FROM = 2000


def _writer_procs(new_files: int) -> int:
    return default_jobs() if new_files >= PARALLEL_WRITE_FROM and default_jobs() > 1 else 1


def _open_store(folder: str, cache: RecordCache, report: IngestReport) -> WhooshStore:
    """The index, rebuilt first where an older vanban wrote it: every document is
    indexed again from its cached record, none is parsed again. The list of what to
    carry over is written before the old index is dropped, so a kill mid-way
    resumes from it."""
    carry = os.path.join(folder, UPGRADE_NAME)
    try:
        store = WhooshStore(folder, create=True)
    except IndexTooOld:
        tmp = carry + ".part"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(stored_documents(folder), handle, ensure_ascii=False)
        os.replace(tmp, carry)
        drop_index_files(folder)
        store = WhooshStore(folder, create=True)
    if os.path.exists(carry):
        with open(carry, encoding="utf-8") as handle:
            documents = json.load(handle)
        done = store.paths()
        store.begin()
        for path, sha in documents:
            record = None if path in done else cache.get(sha)
            if record is not None:  # not cached: the file is parsed again when ingested
                record["path"] = path
                store.add(record, new=True)
                report.upgraded += 1
        store.commit(reopen=False)
        os.remove(carry)
    return store


def _index_cached(files, indexed, report, jobs, timeout) -> list[str]:
    """Skip the unchanged files; return the others, to parse (or to take from the
    record cache: the parse worker looks there first, see ``parse_and_prepare``).

    Only the files already indexed at their path are hashed here, by supervised
    workers, in batches (``hash_files``): on an unchanged re-ingest hashing is the
    only work per file, as it was when this process hashed them itself, now on all
    cores. A file that cannot be hashed (not a regular file any more, too slow) is
    reported and keeps its record."""
    known = [path for path in files if indexed.get(stored(path), "") not in ("", "waiting for OCR")]
    changed = set()
    for path, record in _hashes(known, jobs, timeout):
        if record.get("error"):
            report.failed.append({"path": record["path"], "error": record["error"]})
        elif indexed.get(record["path"]) == record["sha256"]:
            report.unchanged += 1
        else:
            changed.add(path)
    known_paths = set(known)
    return [path for path in files if path in changed or path not in known_paths]


HASH_BATCH = 64  # files per hashing job


def _hashes(paths: list[str], jobs, timeout) -> Iterator[tuple[str, dict]]:
    """(path, hash_record) of each path, in batches; a batch whose worker was
    stopped (a file took longer than ``timeout``) or died is hashed again one
    file at a time, so the failure names its file and costs only that file."""
    batches = [paths[i:i + HASH_BATCH] for i in range(0, len(paths), HASH_BATCH)]
    again = []
    answers = parse_many(["\0".join(b) for b in batches], jobs=jobs, timeout=timeout, task=hash_files)
    for batch, answer in zip(batches, answers):
        if answer.get("error"):
            again.extend(batch)
        else:
            yield from zip(batch, answer["hashes"])
    if again:
        yield from zip(again, parse_many(again, jobs=jobs, timeout=timeout, task=hash_file))


def _prune(store, indexed, paths, report) -> None:
    """Drop the records, under the folders named, of files gone from the disk, and
    of those the walk skips now (a link out of the named folders indexed by an
    older vanban): an archive holds other folders, other machines'."""
    roots = [os.path.abspath(p) for p in paths]
    skipped = {entry["path"] for entry in report.skipped}
    for path in list(indexed):
        on_disk = real(path)
        if _under(on_disk, roots) and (path in skipped or not os.path.exists(on_disk)):
            store.delete(path)
            report.pruned += 1
            report.pruned_paths.append(path)


@contextmanager
def _writer_tuning():
    """- The supervisor of the parse workers is a thread of this process, the
      writer's; at Python's default 5 ms switch interval it waits that long for the
      interpreter lock before it can hand a worker its next file.
    - Whoosh's posting pool holds millions of small tuples, which every full
      collection of the cyclic garbage collector walks again: collect far less often
      (they hold no cycles; the pool is freed by reference counting)."""
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(0.0005)
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)


def _parse_and_index(todo, indexed, store, report, jobs, timeout, on_progress, task) -> None:
    with _writer_tuning():
        _index_parsed(todo, indexed, store, report, jobs, timeout, on_progress, task)


def _index_parsed(todo, indexed, store, report, jobs, timeout, on_progress, task) -> None:
    done, since_commit, last_commit = 0, 0, time.monotonic()
    for record in prefetched(parse_many(todo, jobs=jobs, timeout=timeout, task=task)):
        done += 1
        if record.pop("_from_cache", False):
            report.from_cache += 1  # its OCR was counted when it was parsed
        else:
            report.parsed += 1
            run = record.get("ocr_run") or {}
            report.ocr_pages_read += run.get("pages_read", 0)
            report.ocr_pages_cached += run.get("pages_cached", 0)
            report.ocr_seconds = round(report.ocr_seconds + run.get("seconds", 0.0), 2)
            report.tesseract_runs += run.get("tesseract_runs", 0)
        if record.get("error"):
            report.failed.append({"path": record["path"], "error": record["error"]})
        else:  # the worker has cached the parsed record
            _add(store, record, indexed, report)
            since_commit += 1
            if since_commit >= COMMIT_EVERY or time.monotonic() - last_commit >= COMMIT_SECONDS:
                store.commit()
                since_commit, last_commit = 0, time.monotonic()
        if on_progress:
            on_progress(done, len(todo), record)


def _add(store, record, indexed, report) -> None:
    if store.add(record, new=record["path"] not in indexed) is False:
        report.unchanged += 1  # another ingest wrote this very file meanwhile
        return
    if record["path"] in indexed:
        report.replaced += 1
        report.replaced_paths.append(record["path"])
    else:
        report.added += 1
        report.added_paths.append(record["path"])
    indexed[record["path"]] = record.get("sha256") or ""
    if record.get("needs_ocr"):
        report.waiting_ocr.append(record["path"])


def _write_log(folder: str, report: IngestReport) -> None:
    log = {"finished": dt.datetime.now().isoformat(timespec="seconds"), **report.to_dict()}
    tmp = os.path.join(folder, LOG_NAME + ".part")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(log, handle, ensure_ascii=False, indent=1)
    os.replace(tmp, os.path.join(folder, LOG_NAME))


def read_log(folder: str) -> dict:
    try:
        with open(os.path.join(folder, LOG_NAME), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}
