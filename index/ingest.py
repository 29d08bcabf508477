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
  taking what was parsed since from the record cache;
- Ctrl-C, SIGTERM and SIGHUP stop it in order: the parse workers and the writer
  processes ignore them and are stopped by this process, the writer is cancelled
  (never committed: a document may be half-written in it), and ``IngestInterrupted``
  says what the archive keeps;
- ``repair=True`` rebuilds a Whoosh index from the parsed records it keeps (see
  ``_restorable``), through the same list-then-rebuild as a format upgrade.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import gc
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Self

from ingest.batch import (
    DEFAULT_TIMEOUT,
    STOP_SIGNALS,
    default_jobs,
    parse_many,
    prefetched,
    stop_signals_held,
)
from ingest.ocr import OcrSettings, tesseract_version
from ingest.files import find_files
from ingest.parse import hash_file, hash_files
from ingest.paths import real, stored

from .backend import open_store
from .trust import check_folder
from .pgstore import is_url
from .records import RecordCache, parse_and_prepare
from .store import (
    IndexDamaged,
    IndexTooOld,
    WhooshStore,
    drop_index_files,
    has_index,
    read_manifest,
    reading,
    stored_documents,
    write_json,
)

# A commit makes the work so far durable, and ends each writer process's segment;
# parsed records are cached as they arrive, so a kill loses only index work, which
# a rerun redoes from the cache. Commit every five minutes, or every COMMIT_EVERY
# documents, whichever comes first: on a large ingest that is a segment of 5,000
# documents per writer process, too large for any merge (store.MERGE_CEILING).
COMMIT_EVERY = int(os.environ.get("VANBAN_COMMIT_EVERY", "10000"))
COMMIT_SECONDS = float(os.environ.get("VANBAN_COMMIT_SECONDS", "300"))
LOG_NAME = "ingest-log.json"
UPGRADE_NAME = "upgrading.json"  # the documents a rebuild (upgrade or repair) carries over


class IndexBusy(Exception):
    """Another ingest holds the index."""


class IngestInterrupted(KeyboardInterrupt):
    """A signal stopped the ingest (a KeyboardInterrupt, so that psycopg cancels a
    statement under way). ``kept``: the documents in the archive afterwards, all of
    them committed before the stop (None where they could not be counted)."""

    REASONS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum
        self.kept: int | None = None
        self.rebuilding = False  # stopped while the index was rebuilt from the cache

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM

    def __str__(self) -> str:
        why = self.REASONS.get(self.signum, f"signal {self.signum}")
        if self.rebuilding:
            return (f"ingest stopped ({why}) while it rebuilt the index from the parsed records: run the same "
                    "ingest again to finish the rebuild (nothing is parsed again)")
        kept = (f"the archive keeps the {self.kept} document(s) committed before" if self.kept is not None
                else "the archive is as of its last commit")
        return (f"ingest stopped ({why}): {kept}; run the same ingest again to finish "
                "(files already parsed are taken from the record cache)")


@contextmanager
def _stopped_by_signals():
    """Ctrl-C, SIGTERM and SIGHUP raise IngestInterrupted in the main thread, once:
    later ones are ignored while the first stop is carried out (it is short: child
    processes are killed, not waited for)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: its caller handles them
        return
    seen: list[int] = []

    def stop(signum, frame) -> None:
        if not seen:
            seen.append(signum)
            raise IngestInterrupted(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    # multiprocessing's resource tracker (a process the writer's queues start)
    # ignores SIGINT and SIGTERM but not SIGHUP: one killed by a hang-up fills the
    # stop with tracebacks. Started now with the signals held, it never sees them.
    from multiprocessing import resource_tracker
    with stop_signals_held():
        resource_tracker.ensure_running()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stage(name: str) -> None:
    """For tests: with ``$VANBAN_STAGE_LOG`` set, each stage (rebuild, parse,
    commit, committed, arrays) appends its name there as it starts, so a test can
    send its signal in the middle of the stage it means."""
    log = os.environ.get("VANBAN_STAGE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")


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
    repaired: int = 0  # documents a repair restored from their parsed records
    unrestorable: int = 0  # documents a repair found no parsed record of
    hot_segments: int = 0  # segments whose frequent terms were written as arrays
    # Documents a rebuild found no usable cached record of (none, or one of another
    # parser version): parsed again by this ingest where their file is still there.
    _reparse: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


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
    check_folder(cache)  # its pages decide what a scan says (its độ mật too): ours alone
    return OcrSettings(cache_dir=cache, jobs=max(1, default_jobs() // workers))


def ingest(paths: Iterable[str], folder: str, jobs: int | None = None, prune: bool = False,
           wait: bool = False, timeout: float = DEFAULT_TIMEOUT,
           on_progress: Callable[[int, int, dict | None], None] | None = None,
           ocr: bool = True, repair: bool = False, follow_links: bool = False) -> IngestReport:
    """Index files into ``folder`` (a Whoosh index) or a PostgreSQL archive (its
    URL); with ``ocr`` (and Tesseract installed) scans are read, and files indexed
    earlier as waiting for OCR are picked up again; ``repair`` first rebuilds a
    Whoosh index from its parsed records. Raises IngestInterrupted on Ctrl-C,
    SIGTERM or SIGHUP, the archive as of its last commit."""
    started = time.monotonic()
    paths = list(paths)
    report = IngestReport()
    with _stopped_by_signals(), _archive(folder, wait, report, repair) as store:
        with _counting_on_stop(store):
            _index_files(store, paths, folder, report, jobs, timeout, on_progress, ocr, prune, follow_links)
            _stage("arrays")
            report.hot_segments = store.refresh_hot_postings(procs=jobs or default_jobs())
        report.seconds = round(time.monotonic() - started, 2)
        _write_log(store.folder, report)
    return report


def _index_files(store, paths, target, report, jobs, timeout, on_progress, ocr, prune, follow_links) -> None:
    """Index ``paths`` into the open store: the unchanged skipped, the others parsed
    (or taken from the record cache) on all cores; one commit at the end (and every
    COMMIT_EVERY on the way)."""
    folder = store.folder
    indexed = store.paths()
    settings = ocr_settings(folder, jobs) if ocr and tesseract_version() else None
    if settings:  # read now what an ingest without Tesseract left waiting
        for path in store.waiting_for_ocr():
            indexed[path] = "waiting for OCR"
    intake = find_files(paths, follow_links)
    report.skipped, report.failed = intake.skipped, list(intake.refused)
    files = list(dict.fromkeys([os.path.abspath(p) for p in intake.files]
                               + [real(p) for p, _ in report._reparse]))
    store.begin(procs=_writer_procs(len(files) - len(indexed)))
    try:
        todo = _index_cached(files, indexed, report, jobs, timeout)
        task = functools.partial(parse_and_prepare, ocr=settings, cache=folder, archive_rows=is_url(target))
        _parse_and_index(todo, indexed, store, report, jobs, timeout, on_progress, task)
        if prune:  # only under what was named: an archive holds other folders, other machines'
            _prune(store, indexed, paths, report)
        _commit(store, reopen=False)
        _rebuild_done(folder)
    except BaseException:
        # Never commit after a failure or a stop: the writer may hold a document
        # half-written. What was parsed is in the record cache for the next ingest.
        store.cancel()
        raise


def _commit(store, reopen: bool = True) -> None:
    _stage("commit")
    store.commit(reopen=reopen)
    _stage("committed")


@contextmanager
def _counting_on_stop(store):
    """An IngestInterrupted leaving here says how many documents the archive keeps."""
    try:
        yield
    except IngestInterrupted as stop:
        try:
            stop.kept = store.count()
        except Exception:  # noqa: BLE001 - the count is a courtesy; the stop must get out
            stop.kept = None
        raise


@contextmanager
def _archive(target: str, wait: bool, report: IngestReport, repair: bool = False):
    """The store an ingest writes to. A Whoosh index has one writer at a time (the
    lock); the archive on PostgreSQL takes many at once, each document in a
    transaction of its own, and keeps this machine's caches in a folder of its own."""
    if is_url(target):
        if repair:
            raise ValueError("--repair rebuilds a Whoosh index folder; an archive on PostgreSQL writes each "
                             "document in a transaction of its own and has nothing to repair")
        store = open_store(target, create=True)
        os.makedirs(store.folder, exist_ok=True)
        try:
            yield store
        finally:
            store.close()
        return
    os.makedirs(target, exist_ok=True)
    with IngestLock(target, wait):
        yield _open_store(target, RecordCache(target), report, repair)


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


# A writer process of its own per core pays off on a large ingest (the single
# writer is its bottleneck); a small one is quicker without starting processes.
# (Tests lower it to reach the writer processes with a few hundred files.)
PARALLEL_WRITE_FROM = int(os.environ.get("VANBAN_PARALLEL_WRITE_FROM", "2000"))


def _writer_procs(new_files: int) -> int:
    return default_jobs() if new_files >= PARALLEL_WRITE_FROM and default_jobs() > 1 else 1


def _open_store(folder: str, cache: RecordCache, report: IngestReport, repair: bool = False) -> WhooshStore:
    """The index, rebuilt first where an older vanban wrote it, or where ``repair``
    asks: every document is indexed again from its cached record, none is parsed
    again. The list of what to carry over is written before the old index is
    dropped, so a kill mid-way resumes from it (a rebuild under way is finished
    even when the index it had begun is found damaged)."""
    carry = os.path.join(folder, UPGRADE_NAME)
    if repair and not os.path.exists(carry):
        _plan_rebuild(folder, "repair", _restorable(folder, cache))
    try:
        store = WhooshStore(folder, create=True)
    except IndexTooOld:
        with reading(folder, opening=True):
            documents = stored_documents(folder)
        _plan_rebuild(folder, "upgrade", documents)
        store = WhooshStore(folder, create=True)
    except IndexDamaged:
        if not os.path.exists(carry):
            raise
        drop_index_files(folder)
        store = WhooshStore(folder, create=True)
    if os.path.exists(carry):
        _rebuild(store, carry, cache, report)
    return store


def _plan_rebuild(folder: str, reason: str, documents: list[tuple[str, str]]) -> None:
    write_json(os.path.join(folder, UPGRADE_NAME), {"reason": reason, "documents": documents})
    drop_index_files(folder)


def _restorable(folder: str, cache: RecordCache) -> list[tuple[str, str]]:
    """(path, sha256) of the documents a repair puts back, from the best source
    left: the index's own stored fields, where they still read; else the manifest
    written before its last commit (``documents.json``); else the record cache,
    for the files still on disk as they were parsed (a document whose file is
    gone or changed is then left to the next ingest of its folder)."""
    if has_index(folder):
        try:
            with reading(folder, opening=True):
                return stored_documents(folder)
        except IndexDamaged:
            pass
    manifest = read_manifest(folder)
    if manifest is not None:
        return manifest
    cached: dict[str, set[str]] = {}  # a path parsed at several versions has several records
    for sha, path in _cached_paths(cache):
        cached.setdefault(path, set()).add(sha)
    on_disk = _hashes([real(path) for path in cached], None, DEFAULT_TIMEOUT)  # read by the workers alone
    return [(answer["path"], answer["sha256"]) for _, answer in on_disk
            if not answer.get("error") and answer["sha256"] in cached.get(answer["path"], ())]


def _still_there(path: str) -> bool:
    """Whether a document a rebuild could not restore can be parsed again: its file is
    on disk as a regular file, not a link (the walk that once let a link in is not
    asked again here)."""
    on_disk = real(path)
    return os.path.isfile(on_disk) and not os.path.islink(on_disk)


def _rebuild_done(folder: str) -> None:
    """The documents a rebuild left to parse are parsed and committed: the plan goes.
    (On a stop before, it stays, and the next ingest parses them again.)"""
    try:
        os.remove(os.path.join(folder, UPGRADE_NAME))
    except FileNotFoundError:
        pass


def _cached_paths(cache: RecordCache) -> Iterable[tuple[str, str]]:
    """(sha256, path) of every record in the cache (``records/ab/<sha>.json.gz``)."""
    for shard in sorted(os.listdir(cache.folder)) if os.path.isdir(cache.folder) else []:
        here = os.path.join(cache.folder, shard)
        for name in sorted(os.listdir(here)) if os.path.isdir(here) else []:
            if name.endswith(".json.gz"):
                record = cache.read(name[:-len(".json.gz")])  # any version: only its path is used
                if record and record.get("path"):
                    yield name[:-len(".json.gz")], record["path"]


def _rebuild(store: WhooshStore, carry: str, cache: RecordCache, report: IngestReport) -> None:
    with open(carry, encoding="utf-8") as handle:
        plan = json.load(handle)
    if isinstance(plan, list):  # as vanban wrote it before repairs
        plan = {"reason": "upgrade", "documents": plan}
    _stage("rebuild")
    done = store.paths()
    restored = missing = 0
    store.begin()
    try:
        for path, sha in plan["documents"]:
            record = None if path in done else cache.get(sha)
            if record is not None:  # not cached: the file is parsed again when ingested
                record["path"] = path
                store.add(record, new=True)
                restored += 1
            elif path not in done and _still_there(path):
                report._reparse.append((path, sha))  # parsed again by this ingest
            elif path not in done:
                missing += 1
        _commit(store, reopen=False)
    except BaseException as exc:
        store.cancel()
        if isinstance(exc, IngestInterrupted):
            exc.rebuilding = True
        raise
    if report._reparse:  # kept until they are parsed and committed (``_index_files``)
        write_json(carry, {"reason": plan["reason"], "documents": report._reparse})
    else:
        os.remove(carry)
    if plan["reason"] == "repair":
        report.repaired, report.unrestorable = restored, missing
    else:
        report.upgraded = restored


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
    _stage("parse")
    stop = threading.Event()  # set when the loop ends, however: the workers are stopped
    parsed = prefetched(parse_many(todo, jobs=jobs, timeout=timeout, task=task, stop=stop), stop=stop)
    with _writer_tuning(), closing(parsed):
        _index_parsed(parsed, len(todo), indexed, store, report, on_progress)


def _index_parsed(parsed, total, indexed, store, report, on_progress) -> None:
    done, since_commit, last_commit = 0, 0, time.monotonic()
    for record in parsed:
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
                _commit(store)
                since_commit, last_commit = 0, time.monotonic()
        if on_progress:
            on_progress(done, total, record)


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
