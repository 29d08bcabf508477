"""Writing to a Whoosh archive: one ingest at a time (``IngestLock``), and the
index rebuilt from the parsed records it keeps where an older vanban wrote it or
``--repair`` asks (``open_for_writing``).

A rebuild lists what it carries over (``UPGRADE_NAME``) before the old index
is dropped, so a kill mid-way resumes from the list; documents it finds no usable
record of are left in ``report.reparse`` for the ingest to parse again.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from contextlib import contextmanager

from ingest.batch import DEFAULT_TIMEOUT
from ingest.paths import real

from ..cache import RecordCache
from ..corrections import apply as apply_corrections, by_content
from ..run import IngestInterrupted, IngestReport, commit, hashes, stage
from .lock import IngestLock
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


UPGRADE_NAME = "upgrading.json"  # the documents a rebuild (upgrade or repair) carries over

@contextmanager
def open_for_writing(folder: str, wait: bool, report: IngestReport, repair: bool = False):
    """The Whoosh archive in ``folder`` for an ingest, under its lock, rebuilt first
    where needed (see the module's docstring)."""
    os.makedirs(folder, exist_ok=True)
    with IngestLock(folder, wait):
        yield _open_store(folder, RecordCache(folder), report, repair)
        _rebuild_done(folder)  # reached when the ingest ended well: what it parsed again is committed


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
    on_disk = hashes([real(path) for path in cached], None, DEFAULT_TIMEOUT)  # read by the workers alone
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
    stage("rebuild")
    restored = missing = 0
    try:  # from the stage on: a stop is said to have come while it rebuilt
        done = store.paths()
        fixes = by_content(store.corrections())  # corrections by hand hold through a rebuild
        store.begin()
        for path, sha in plan["documents"]:
            record = None if path in done else cache.get(sha)
            if record is None and path not in done and not _still_there(path):
                record = cache.read(sha)  # parsed by an older vanban, its file gone: kept as it was read
                if record is not None:
                    record.pop("_parser_version", None)
            if record is not None:  # not cached: the file is parsed again when ingested
                record["path"] = path
                store.add(apply_corrections(record, fixes.get(sha)), new=True)
                restored += 1
            elif path not in done and _still_there(path):
                report.reparse.append((path, sha))  # parsed again by this ingest
            elif path not in done:
                missing += 1
        commit(store, reopen=False)
    except BaseException as exc:
        store.cancel()
        if isinstance(exc, IngestInterrupted):
            exc.rebuilding = True
        raise
    if report.reparse:  # kept until they are parsed and committed (``_index_files``)
        write_json(carry, {"reason": plan["reason"], "documents": report.reparse})
    else:
        os.remove(carry)
    if plan["reason"] == "repair":
        report.repaired, report.unrestorable = restored, missing
    else:
        report.upgraded = restored
