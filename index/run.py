"""What an ingest run shares with the archives it writes to: its report, its stop,
its log, its stages, and the hashing of files by the supervised workers.

The ingest (``indexing.py``) drives a run; an archive's writing side (for a
Whoosh folder, ``whoosh/writing.py``: the lock and the rebuilds) fills the same
report and stops the same way. Nothing here knows a backend.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.batch import parse_many
from ingest.parse import hash_file, hash_files

LOG_NAME = "ingest-log.json"


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


def stage(name: str) -> None:
    """For tests: with ``$VANBAN_STAGE_LOG`` set, each stage (rebuild, parse,
    commit, committed, arrays, numbers) appends its name there as it starts, so a test can
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
    reparse: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (path, sha256)
    # What identifies each document written (``numbering.FIELDS``), and the numbers
    # they share with another content (``numbering.NumberedTwice.to_dict``).
    written: list[dict] = field(default_factory=list, repr=False)
    numbered_twice: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("reparse", "written")}


def commit(store, reopen: bool = True) -> None:
    stage("commit")
    store.commit(reopen=reopen)
    stage("committed")


HASH_BATCH = 64  # files per hashing job


def hashes(paths: list[str], jobs, timeout) -> Iterator[tuple[str, dict]]:
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


def write_log(folder: str, report: IngestReport) -> None:
    log = {"finished": dt.datetime.now().isoformat(timespec="seconds"), **report.to_dict()}
    # A temporary name of its own: two ingests into one archive on PostgreSQL share
    # this machine's work folder, and end at the same moment.
    # (mkstemp makes it 0600: it names files, as private as the records it sits beside)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=LOG_NAME + ".", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(log, handle, ensure_ascii=False, indent=1)
    os.replace(tmp, os.path.join(folder, LOG_NAME))


def read_log(folder: str) -> dict:
    try:
        with open(os.path.join(folder, LOG_NAME), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}
