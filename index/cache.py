"""The cache of parsed records, and the parse workers' task that fills it.

The cache keeps each parsed record by the file's sha256 in the archive's working
folder, so an unchanged file, or a rebuilt index, is never parsed again. The
worker's task (``parse_and_prepare``) takes a record from the cache or parses the
file, and prepares it for the archive (``rows.prepare``) on all cores.

A cached record decides what the archive says of a file, its clearance (độ mật)
included, so it is taken only when it is surely this file's, parsed by this
version: its own ``sha256`` is the file's, its ``_parser_version`` is
``PARSER_VERSION``, and nobody but the cache's owner can have written it (the
folders are checked by ``trust.check_folder``; each record file, written 0600,
is refused when group- or world-writable). Anything else is parsed again.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from collections.abc import Callable

from ingest.models import PARSER_VERSION
from ingest.ocr.tesseract import OcrSettings
from ingest.parse import Answer, parse_file, sha256_of
from ingest.paths import stored

from .corrections import apply as apply_corrections
from .rows import is_prepared, prepare
from .trust import check_folder, writable_by_others

SHA256 = re.compile(r"[0-9a-f]{64}")  # a cache file's name: never a path of another shape


_CHECKED: set[str] = set()  # cache folders this process found writable by their owner only


class RecordCache:
    """Parsed records by sha256: ``<index>/records/ab/abcdef....json.gz``."""

    def __init__(self, folder: str) -> None:
        self.root = folder
        self.folder = os.path.join(folder, "records")

    def _path(self, sha: str) -> str:
        return os.path.join(self.folder, sha[:2], sha + ".json.gz")

    def get(self, sha: str | None) -> dict | None:
        """This file's record (``sha``: the file's sha256) to index, or None: parse it
        again."""
        record = self.read(sha)
        if record is None or record.pop("_parser_version", None) != PARSER_VERSION:
            return None  # parsed by another version: what it says may differ
        return record

    def text(self, sha: str | None) -> str | None:
        """The text of this file, to show (any parser version reads the same text)."""
        return (self.read(sha) or {}).get("text")

    def read(self, sha: str | None) -> dict | None:
        """The record cached for ``sha``, when it is this file's and its owner's."""
        if not sha or not SHA256.fullmatch(sha):
            return None
        if self.root not in _CHECKED:  # once a process (``export`` reads every record)
            check_folder(self.root)     # raises UnsafeFolder: one line
            _CHECKED.add(self.root)
        try:
            with open(self._path(sha), "rb") as raw:
                if writable_by_others(os.fstat(raw.fileno())):
                    return None  # not written by us (we write 0600): not trusted
                with gzip.open(raw, "rt", encoding="utf-8") as handle:
                    record = json.load(handle)
        except (OSError, ValueError, EOFError):
            return None  # absent or cut short by a kill: parse again
        if not isinstance(record, dict) or record.get("sha256") != sha:
            return None  # another file's record under this name
        return record

    def put(self, record: dict) -> None:
        sha = record.get("sha256")
        if not sha or not SHA256.fullmatch(sha) or record.get("error"):
            return
        target = self._path(sha)
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".part")
        with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8", compresslevel=3) as handle:
            json.dump({**record, "_parser_version": PARSER_VERSION}, handle, ensure_ascii=False)
        os.replace(tmp, target)  # atomic: a reader never sees half a record


def full_record(cache: RecordCache, record: dict) -> dict:
    """An indexed (lean) record completed from the cache: with its text, without the
    index's own working fields. What the index holds wins (its clearance above all):
    the cache adds the text."""
    cached = cache.read(record.get("sha256")) or {}
    return {k: v for k, v in {**cached, **record}.items() if not k.startswith("_")}


def parse_and_prepare(path: str, ocr: OcrSettings | None = None, cache: str | None = None,
                      make_row: Callable[[dict], dict] | None = None,
                      corrections: dict[str, list[dict]] | None = None) -> Answer:
    """The worker's task for an ingest: the file's record from the record cache of
    the folder ``cache`` when it is there (``_from_cache`` set; one still waiting for
    OCR is parsed again when OCR can run now), else parsed (reading scans by OCR),
    segmented for the index and kept in that cache (here, on all cores, not in the
    single writer). ``make_row`` (the archive's ``row_maker``): send the writer
    the record's row for that archive instead, made here (text and tokens
    included: the costly part of writing). ``corrections``: the archive's corrections
    by hand by sha256 (``corrections.by_content``), put on the record written (the
    cache keeps what the parser read)."""
    record = _cached_record(path, cache, can_ocr=ocr is not None) if cache else None
    if record is not None and not is_prepared(record):  # prepared by an older analysis
        record = prepare(record)
        RecordCache(cache).put({k: v for k, v in record.items() if k not in ("path", "_from_cache")})
    if record is None:
        record = prepare(parse_file(path, ocr).to_dict())
        if cache and not record.get("error"):
            RecordCache(cache).put(record)
    if corrections and record.get("sha256") in corrections:
        record = apply_corrections(record, corrections[record["sha256"]])
    if cache and not record.get("error"):
        if make_row is not None:
            record = {"path": record["path"], "sha256": record.get("sha256"), "needs_ocr": record.get("needs_ocr"),
                      "ocr_run": record.get("ocr_run"), "_from_cache": record.get("_from_cache", False),
                      "_row": make_row(record)}
        else:
            record.pop("text", None)  # the writer indexes the syllables; the cache has the text
    return Answer(record)  # parse_many carries it (it calls to_dict)


def _cached_record(path: str, cache: str, can_ocr: bool) -> dict | None:
    """The cached record of the file's content, at this path; the file is hashed here,
    in the worker, under its timeout (``sha256_of`` refuses what is not a regular file)."""
    record = RecordCache(cache).get(sha256_of(path))
    if record is None or (can_ocr and record.get("needs_ocr")):
        return None
    record["path"] = stored(path)
    record["_from_cache"] = True
    return record
