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
  ``whoosh/writing.py``), through the same list-then-rebuild as a format upgrade.
"""
from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import closing, contextmanager

from ingest.batch import DEFAULT_TIMEOUT, STOP_SIGNALS, default_jobs, parse_many, prefetched, stop_signals_held
from ingest.files import find_files
from ingest.ocr.tesseract import OcrSettings, tesseract_version
from ingest.paths import real, stored

from .backends import open_for_writing
from .cache import parse_and_prepare
from .corrections import by_content
from .numbering import conflicts, written_identity
from .run import IngestInterrupted, IngestReport, commit, hashes, stage, write_log
from .trust import check_folder

# A commit makes the work so far durable, and ends each writer process's segment;
# parsed records are cached as they arrive, so a kill loses only index work, which
# a rerun redoes from the cache. Commit every five minutes, or every COMMIT_EVERY
# documents, whichever comes first: on a large ingest that is a segment of 5,000
# documents per writer process, too large for any merge (store.MERGE_CEILING).
COMMIT_EVERY = int(os.environ.get("VANBAN_COMMIT_EVERY", "10000"))
COMMIT_SECONDS = float(os.environ.get("VANBAN_COMMIT_SECONDS", "300"))


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


def ocr_cache_dir(folder: str) -> str:
    """Where an ingest into the archive of this work folder keeps its OCR pages
    (the web interface finds a scan's words there to mark them)."""
    return os.environ.get("VANBAN_OCR_CACHE") or os.path.join(folder, "ocr")


def ocr_settings(folder: str, jobs: int | None) -> OcrSettings:
    """OCR for an ingest: cached in the index folder (or in ``$VANBAN_OCR_CACHE``,
    one cache for several indexes); each parse worker runs as many Tesseract
    processes as leaves one per core in all."""
    workers = jobs or default_jobs()
    cache = ocr_cache_dir(folder)
    check_folder(cache)  # its pages decide what a scan says (its độ mật too): ours alone
    return OcrSettings(cache_dir=cache, jobs=max(1, default_jobs() // workers))


def index_paths(paths: Iterable[str], folder: str, jobs: int | None = None, prune: bool = False,
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
    with _stopped_by_signals(), open_for_writing(folder, wait, report, repair) as store:
        with _counting_on_stop(store):
            archived_before = _index_files(store, paths, report, jobs, timeout, on_progress, ocr, prune,
                                           follow_links)
            stage("arrays")
            report.hot_segments = store.refresh_hot_postings(procs=jobs or default_jobs())
        report.seconds = round(time.monotonic() - started, 2)
        write_log(store.folder, report)
        # Committed and logged: a failure here loses nothing indexed.
        stage("numbers")
        report.numbered_twice = [g.to_dict() for g in conflicts(store, report.written, look_up=archived_before)]
    return report


def _index_files(store, paths, report, jobs, timeout, on_progress, ocr, prune, follow_links) -> bool:
    """Index ``paths`` into the open store: the unchanged skipped, the others parsed
    (or taken from the record cache) on all cores; one commit at the end (and every
    COMMIT_EVERY on the way). Whether the archive held documents before."""
    folder = store.folder
    indexed = store.paths()
    settings = ocr_settings(folder, jobs) if ocr and tesseract_version() else None
    if settings:  # read now what an ingest without Tesseract left waiting
        for path in store.waiting_for_ocr():
            indexed[path] = "waiting for OCR"
    intake = find_files(paths, follow_links)
    report.skipped, report.failed = intake.skipped, list(intake.refused)
    files = list(dict.fromkeys([os.path.abspath(p) for p in intake.files]
                               + [real(p) for p, _ in report.reparse]))
    store.begin(procs=writer_procs(len(files) - len(indexed)))
    archived_before = bool(indexed)
    try:
        todo = _index_cached(files, indexed, report, jobs, timeout)
        task = functools.partial(parse_and_prepare, ocr=settings, cache=folder, make_row=store.row_maker,
                                 corrections=by_content(store.corrections()))
        _parse_and_index(todo, indexed, store, report, jobs, timeout, on_progress, task)
        if prune:  # only under what was named: an archive holds other folders, other machines'
            _prune(store, indexed, paths, report)
        commit(store, reopen=False)
    except BaseException:
        # Never commit after a failure or a stop: the writer may hold a document
        # half-written. What was parsed is in the record cache for the next ingest.
        store.cancel()
        raise
    return archived_before


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


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


# A writer process of its own per core pays off on a large ingest (the single
# writer is its bottleneck); a small one is quicker without starting processes.
# (Tests lower it to reach the writer processes with a few hundred files.)
PARALLEL_WRITE_FROM = int(os.environ.get("VANBAN_PARALLEL_WRITE_FROM", "2000"))


def writer_procs(new_files: int) -> int:
    return default_jobs() if new_files >= PARALLEL_WRITE_FROM and default_jobs() > 1 else 1


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
    for path, record in hashes(known, jobs, timeout):
        if record.get("error"):
            report.failed.append({"path": record["path"], "error": record["error"]})
        elif indexed.get(record["path"]) == record["sha256"]:
            report.unchanged += 1
        else:
            changed.add(path)
    known_paths = set(known)
    return [path for path in files if path in changed or path not in known_paths]


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
    stage("parse")
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
                commit(store)
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
    identity = written_identity(record)
    if identity:
        report.written.append(identity)
    if record.get("needs_ocr"):
        report.waiting_ocr.append(record["path"])


