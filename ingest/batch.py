"""Parse many files on all cores, each in a supervised worker process.

A file that takes too long is stopped (its worker is killed and replaced) and
reported; a worker that dies (out of memory on a bomb, a crash inside a C
library) costs only the file it was reading. Results come back in input order.

Workers ignore Ctrl-C, SIGTERM and SIGHUP sent to the whole process group (a
terminal's Ctrl-C, a service manager's stop): the process that started them
stops them, in order, when it is told to stop (``stop``, or closing the
generators), so no worker dies half-way through a write of its own.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Callable, Iterable, Iterator

from ingest.models import Document
from ingest.parse import parse_file
from ingest.paths import stored
from ingest.progress import set_heartbeat

DEFAULT_TIMEOUT = 120.0     # seconds a file may go without progress (an OCR page is progress)
ALIVE = ("alive",)
MEMORY_LIMIT = 4 * 1024**3   # address space per worker: a bomb fails here, not the machine
# Memory a worker may write (heap and private mappings, RLIMIT_DATA): whatever a
# hostile file makes a decoder allocate, the worker stops near 1.5 GB of its own
# (its shared libraries and mapped files do not count) and costs only that file.
# The size checks before decoding (readers.image, readers.pdf, readers.safety) refuse the
# bombs we know with a plain reason; this bounds the ones we do not.
DATA_LIMIT = int(os.environ.get("VANBAN_WORKER_DATA_LIMIT", 1536 * 1024**2))


def _memory_limit(workers: int) -> int:
    """4 GiB per worker, or less where the machine cannot give every worker that much."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return MEMORY_LIMIT
    return max(1024**3, min(MEMORY_LIMIT, total // (workers + 1)))


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the worker still ends when its pipe closes


# What a terminal or a service manager sends a whole process group to stop it.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


# Held while a thread starts a child: a spawned child reads what it is to run from
# a pipe its parent writes just after starting it, and a parent that exits in
# between (a stop handled by the main thread while another thread starts a
# worker) leaves it a traceback on the user's terminal (EOFError).
_STARTING = threading.RLock()


@contextmanager
def stop_signals_held():
    """Hold the stop signals back in this thread while it starts child processes:
    a child inherits the mask through exec, so a Ctrl-C arriving while it starts
    (importing its modules takes seconds) is never delivered to it; this thread
    receives a held signal as soon as the block ends. A stopping process waits
    for the start (``children_started``)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        with _STARTING:
            yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def children_started(timeout: float = 10.0) -> None:
    """Wait until no thread is starting a child (each has been given what it runs),
    before a stopping process exits."""
    if _STARTING.acquire(timeout=timeout):
        _STARTING.release()


def ignore_stop_signals() -> None:
    """For a child process: the main process decides when it stops, not the terminal."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _worker(conn, task: Callable[[str], Document], memory_limit: int) -> None:
    ignore_stop_signals()
    for limit, size in ((resource.RLIMIT_AS, memory_limit), (resource.RLIMIT_DATA, DATA_LIMIT)):
        try:
            resource.setrlimit(limit, (size, size))
        except (ValueError, OSError):
            pass
    sending = threading.Lock()

    def beat() -> None:
        with sending:
            conn.send(ALIVE)

    set_heartbeat(beat)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        index, path = job
        try:
            result = task(path).to_dict()
        except MemoryError:
            result = Document(path=stored(path), error="ran out of memory reading it").to_dict()
        except Exception as exc:  # a reader bug must not stop the batch
            result = Document(path=stored(path), error=f"internal error: {type(exc).__name__}: {exc}").to_dict()
        with sending:
            conn.send((index, result))


class _Slot:
    """One worker and the jobs sent to it: the one it is on, and the next, already
    in its pipe, so it never waits for the supervisor (a thread of the busy index
    writer, which gets the interpreter lock only every few milliseconds)."""

    DEPTH = 2

    def __init__(self, ctx, task, memory_limit) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, task, memory_limit), daemon=True)
        with stop_signals_held():
            self.process.start()
        child.close()
        self.jobs: deque[tuple[int, str]] = deque()
        self.started = 0.0

    @property
    def job(self) -> tuple[int, str] | None:
        """The job the worker is on."""
        return self.jobs[0] if self.jobs else None

    def give(self, index: int, path: str) -> None:
        if not self.jobs:
            self.started = time.monotonic()
        self.jobs.append((index, path))
        self.conn.send((index, path))

    def finished(self) -> None:
        self.jobs.popleft()
        self.started = time.monotonic()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


def _failed(path: str, reason: str) -> dict:
    # No hash here: this is the supervisor, which never reads a file (it may never end).
    return Document(path=stored(path), error=reason).to_dict()


def parse_many(paths: Iterable[str], jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT,
               task: Callable[[str], Document] = parse_file,
               memory_limit: int | None = None, stop: threading.Event | None = None) -> Iterator[dict]:
    """Yield one record (``Document.to_dict()``) per path, in input order; return
    early, its workers stopped, once ``stop`` is set."""
    queue = deque(enumerate(paths))
    if not queue:
        return
    total = len(queue)
    # Spawned, not forked: a forked worker would inherit the index's lock files and
    # keep them locked after its parent is killed.
    ctx = mp.get_context("spawn")
    workers = min(jobs or default_jobs(), total)
    memory_limit = memory_limit or _memory_limit(workers)
    slots = [_Slot(ctx, task, memory_limit) for _ in range(workers)]
    done: dict[int, dict] = {}
    next_out = 0
    try:
        while next_out < total and not (stop and stop.is_set()):
            for slot in slots:
                while len(slot.jobs) < slot.DEPTH and queue:
                    slot.give(*queue.popleft())
            busy = [s for s in slots if s.jobs]
            ready = wait([s.conn for s in busy], timeout=0.2) if busy else []
            now = time.monotonic()
            for i, slot in enumerate(slots):
                if slot.job is None:
                    continue
                index, path = slot.job
                if slot.conn in ready:
                    try:
                        message = slot.conn.recv()
                        if message == ALIVE:
                            slot.started = now
                            continue
                        got_index, record = message
                        done[got_index] = record
                        slot.finished()
                        continue
                    except (EOFError, OSError):
                        done[index] = _failed(path, "the reader crashed on this file (out of memory?)")
                elif now - slot.started > timeout:
                    done[index] = _failed(path, f"took longer than {timeout:g}s; stopped")
                else:
                    continue
                slot.kill()
                queue.extendleft(reversed(list(slot.jobs)[1:]))  # its next jobs go to a new worker
                slots[i] = _Slot(ctx, task, memory_limit)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for slot in slots:
            if slot.jobs:  # the batch was abandoned (stopped): its file is not waited for
                slot.kill()
            else:
                slot.stop()


def prefetched(records: Iterator[dict], max_records: int = 5000,
               max_chars: int = 64_000_000, stop: threading.Event | None = None) -> Iterator[dict]:
    """``records`` drawn by a background thread, buffered up to ``max_records`` or
    ``max_chars`` of text ahead, whichever comes first.

    The batch supervisor hands a worker its next file only when asked for the
    next record, so a consumer that stops (the index writer merging segments at a
    commit, a minute at 100,000 documents) would leave every worker idle; with the
    buffer, parsing goes on through the merge. The order is kept.

    Closing this generator (or an exception in its consumer, a Ctrl-C) sets
    ``stop``, which ``parse_many`` is given too, closes ``records`` and waits for
    the thread: the workers are stopped before the caller goes on."""
    buffer = _Buffer(max_records, max_chars, stop or threading.Event())
    done = object()
    thread = threading.Thread(target=_pump, args=(records, buffer, done), name="parse-prefetch", daemon=True)
    thread.start()
    try:
        while (item := buffer.take()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        buffer.release()
        thread.join(timeout=30)


def _text_size(item) -> int:
    """The characters a buffered record holds (its text and its tokens)."""
    if not isinstance(item, dict):
        return 0
    return (len(item.get("text") or "") or len((item.get("_syllables") or {}).get("body") or "")
            or 3 * len((item.get("_row") or {}).get("full_text") or ""))


class _Buffer:
    """The records between the prefetching thread and the consumer, bounded."""

    def __init__(self, max_records: int, max_chars: int, stop: threading.Event) -> None:
        self.items: deque = deque()
        self.chars = 0
        self.max_records, self.max_chars, self.stop = max_records, max_chars, stop
        self.ready = threading.Condition()

    def put(self, item) -> None:
        with self.ready:
            self.ready.wait_for(lambda: self.stop.is_set()
                                or (len(self.items) < self.max_records and self.chars < self.max_chars))
            self.items.append(item)
            self.chars += _text_size(item)
            self.ready.notify_all()

    def take(self):
        with self.ready:
            while not self.ready.wait_for(lambda: bool(self.items), timeout=0.5):
                pass  # wakes the main thread now and then, so a signal is handled at once
            item = self.items.popleft()
            self.chars -= _text_size(item)
            self.ready.notify_all()
        return item

    def release(self) -> None:
        """The consumer is gone: the thread stops waiting for room."""
        self.stop.set()
        with self.ready:
            self.ready.notify_all()


def _pump(records: Iterator[dict], buffer: _Buffer, done) -> None:
    # Signals are the main thread's: held here, the kernel delivers them there.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        for record in records:
            if buffer.stop.is_set():
                break
            buffer.put(record)
    except BaseException as exc:  # handed to the consumer, raised there
        buffer.put(exc)
    finally:
        getattr(records, "close", lambda: None)()  # parse_many stops its workers
    buffer.put(done)
