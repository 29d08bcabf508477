"""The archive as a Whoosh index in a folder (``archive.Archive``): one writer at a
time, the parsed records cached beside the index.

A commit is atomic (Whoosh writes its table of contents under a temporary name
and renames it), so an ingest stopped anywhere leaves the index as of its last
commit, provided the writer it was using is cancelled, never committed. Files
found cut short, emptied or garbled anyway are reported as ``IndexDamaged``, at
opening and at any read, with how to repair: ``vanban ingest --repair``
rebuilds the index from the parsed records beside it. Before each commit the
path and sha256 of every document are written to ``documents.json``: what a
repair restores when Whoosh's own files can no longer say."""
from __future__ import annotations

import bisect
import json
import math
import os
import pickle
import re
import shlex
import shutil
import struct
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from whoosh.query import Term
from whoosh.query.qcore import QueryError

from ingest.vocabulary.citekeys import symbol_prefix

from ..analysis import symbol_term
from ..archive import ArchiveDamaged, first_line
from ..cache import RecordCache, full_record
from ..fields import make_schema
from ..query import QueryRejected
from ..rows import head, index_fields
from ..trust import check_folder, make_private_folder, private_umask
from . import frequent, internals
from .evaluate import VectorSearch
from .lock import IngestLock
from .internals import SubprocessWriter
from .search import search

# 2: pairs fields, syllables tokenized by the parse workers, citation keys spelled
# with the index's symbol term, confidentiality and urgency marks. 3: a symbol's
# parts indexed as words after it (``rows.ANALYSIS_VERSION`` 2).
SCHEMA_VERSION = 3
VERSION_FILE = "vanban-schema.json"


MANIFEST = "documents.json"
CORRECTIONS = "corrections.jsonl"  # corrections by hand (index/corrections.py), one JSON a line


class IndexTooOld(Exception):
    """The index was written by an older vanban; ``vanban ingest`` rebuilds it."""


class IndexDamaged(ArchiveDamaged):
    """Whoosh's files in the folder cannot be read; ``vanban ingest --repair``
    rebuilds them from the parsed records kept beside them."""

    def __init__(self, folder: str, what: str) -> None:
        super().__init__(f"the index in {folder} is damaged ({what}); rebuild it with 'vanban ingest --repair "
                         f"--index {shlex.quote(folder)}' (from the parsed records it keeps)")
        self.folder = folder


# What Whoosh raises reading a file cut short, emptied or garbled: it keeps no
# checksums, so damage shows as a bad zlib block, a short struct, a broken pickle.
READ_DAMAGE = (zlib.error, EOFError, struct.error, pickle.UnpicklingError)


def _what(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    name = type(exc).__name__
    if name == "error":  # zlib.error, struct.error: say whose
        name = f"{type(exc).__module__}.error"
    return f"{name}: {text}" if text else name


@contextmanager
def reading(folder: str, opening: bool = False):
    """Turn damage met while reading the index into one ``IndexDamaged``. Opening,
    anything but a refused permission is damage (the files were there to open);
    afterwards only READ_DAMAGE is, so a query's own errors pass through."""
    try:
        yield
    except PermissionError:
        raise
    except READ_DAMAGE as exc:
        raise IndexDamaged(folder, _what(exc)) from None
    except Exception as exc:
        if not opening:
            raise
        raise IndexDamaged(folder, _what(exc)) from None


# Segment merging during ingest, tiered: segments of about the same size (within a
# factor of 4) are merged once four of them exist, and never into one of more than
# MERGE_CEILING documents. Whoosh merges in one process, while the parse workers
# and the sub-writers wait: at 100,000 documents, merging 2,500-document segments
# into 10,000-document ones took a third of the ingest. A large ingest now commits
# a segment per writer process of 5,000 documents (see indexing.COMMIT_EVERY), which
# no merge touches; the small segments of small, frequent ingests still merge into
# ones of a few thousand. A search reads its terms segment by segment from arrays
# (frequent.py), so twenty segments cost it little more than ten.
MERGE_CEILING = 6_000
TIER_FACTOR, TIER_WIDTH = 4, 4


def merge_tiers(writer, segments):
    """A Whoosh ``mergetype``: merge the first tier that has TIER_WIDTH segments."""
    from whoosh.reading import SegmentReader

    tiers: dict[int, list] = {}
    for segment in segments:
        count = segment.doc_count_all()
        if count < MERGE_CEILING:
            tiers.setdefault(int(math.log(max(count, 1), TIER_FACTOR)), []).append(segment)
    for _, members in sorted(tiers.items()):
        if len(members) >= TIER_WIDTH and sum(m.doc_count_all() for m in members) <= MERGE_CEILING:
            for segment in members:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            return [s for s in segments if s not in members]
    return segments


def schema_version(folder: str) -> int:
    """The format version of the index in ``folder``: 1 where the file is missing
    (vanban wrote none before format 2); a file there that does not say is damage."""
    path = os.path.join(folder, VERSION_FILE)
    if not os.path.exists(path):
        return 1
    try:
        with open(path, encoding="utf-8") as handle:
            return int(json.load(handle)["schema_version"])
    except PermissionError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexDamaged(folder, f"{VERSION_FILE} is unreadable: {_what(exc)}") from None


def write_json(path: str, value) -> None:
    """Write whole or not at all (a temporary file renamed); ASCII, so a file name
    that is not UTF-8 (kept as surrogates) survives."""
    with open(path + ".part", "w", encoding="utf-8") as handle:
        json.dump(value, handle)
    os.replace(path + ".part", path)


def has_index(folder: str) -> bool:
    """Whether Whoosh's table of contents is there (read or not)."""
    toc = re.compile(r"^_MAIN_[0-9]+\.toc$")
    return os.path.isdir(folder) and any(toc.match(name) for name in os.listdir(folder))


def read_manifest(folder: str) -> list[tuple[str, str]] | None:
    """(path, sha256) of every document as of the last commit, or None."""
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as handle:
            return [(path, sha) for path, sha in json.load(handle)["documents"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def open_index(folder: str):
    return internals.open_index(folder)  # segments mapped, and read without copies


def stored_documents(folder: str) -> list[tuple[str, str]]:
    """(path, sha256) of every document of an index of any format version."""
    ix = open_index(folder)
    with ix.searcher() as s:
        return [(f["path"], f.get("sha256", "")) for f in s.all_stored_fields()]


def drop_index_files(folder: str) -> None:
    """Whoosh's own files (its table of contents and segments) and the arrays made
    from them; the parsed records, the OCR cache and the logs beside them stay."""
    for name in os.listdir(folder):
        if name.startswith(("_MAIN_", "MAIN_")) or name == VERSION_FILE:
            os.remove(os.path.join(folder, name))
    shutil.rmtree(os.path.join(folder, frequent.FOLDER), ignore_errors=True)


class WhooshStore:
    """A Whoosh index in a folder (``archive.Archive``); one writer, opened by
    ``begin``, for an ingest."""

    row_maker = None  # the writer indexes the prepared records themselves

    def __init__(self, folder: str, create: bool = False) -> None:
        self.folder = self.shown = folder
        self._writer = None
        self._searcher = None
        self._held: dict[str, str] | None = None  # path -> sha256 of the writer's documents
        self._paths_at: tuple[int, dict[str, str]] | None = None
        self._schema_at: tuple[int, object] | None = None
        self._check_trusted(folder, create)
        if has_index(folder):
            version = schema_version(folder)
            if version != SCHEMA_VERSION:
                raise IndexTooOld(f"the index in {folder} was written by an older vanban (format {version}, "
                                  f"this one uses {SCHEMA_VERSION}); run 'vanban ingest' on it once to "
                                  "rebuild it from the parsed records it keeps (files an older parser read "
                                  "are read again where they still are)")
            with reading(folder, opening=True):
                self.ix = open_index(folder)
                self._searcher = self.ix.searcher()  # opens every segment: a cut or missing file shows here
        elif create:
            make_private_folder(folder)
            # The version first: a table of contents never stands without it.
            write_json(os.path.join(folder, VERSION_FILE), {"schema_version": SCHEMA_VERSION})
            self.ix = internals.create_index(folder, make_schema())
        else:
            raise FileNotFoundError(f"no index in {folder} (run 'vanban ingest' first)")

    @staticmethod
    def _check_trusted(folder: str, create: bool) -> None:
        """Open only a folder nobody but its owner can change (trust.py): Whoosh's
        table of contents is a pickle. A writer creates everything owner-writable."""
        if create:
            private_umask()
            if os.path.isdir(folder) and set(os.listdir(folder)) <= {"ingest.lock"}:
                make_private_folder(folder)  # just made by the ingest, under any umask
        check_folder(folder)

    # --- writing ---------------------------------------------------------------

    # Whoosh's posting pool counts a posting at a fraction of what the Python objects
    # holding it take: 64 "MB" of pool keeps the writer near 300 MB in all, and
    # spilling runs to disk sooner costs little.
    POOL_MB = 64

    def begin(self, procs: int = 1) -> None:
        """Open the writer; ``procs`` > 1 analyses and writes documents in that many
        processes (a large ingest: one writer process is its bottleneck)."""
        self._procs = procs
        self._held = self.paths()
        self._writer = self._new_writer()
        self._fields = set(self._writer.schema.names())

    def _new_writer(self):
        if getattr(self, "_procs", 1) > 1:
            return SubprocessWriter(self.ix, procs=self._procs, multisegment=True, start_method="spawn",
                                    limitmb=self.POOL_MB // 2)
        return self.ix.writer(limitmb=self.POOL_MB)

    def add(self, record: dict, new: bool = False) -> None:
        """Add a document, or replace the one at the same path; ``new`` says there is
        none (replacing looks the path up in every segment, one search per file)."""
        fields = index_fields(record)
        if not self._fields.issuperset(fields):  # an index made before a field was added
            fields = {name: value for name, value in fields.items() if name in self._fields}
        if new:
            self._writer.add_document(**fields)
        else:
            self._writer.update_document(**fields)
        self._held[fields["path"]] = fields["sha256"]

    def delete(self, path: str) -> None:
        self._writer.delete_by_term("path", path)
        self._held.pop(path, None)

    def commit(self, reopen: bool = True) -> None:
        """Commit what was added: all of it, or (stopped mid-way) none of it. The
        manifest goes first: should the commit not happen, it names documents
        whose records are cached anyway, which a repair would index."""
        if self._writer is not None:
            write_json(os.path.join(self.folder, MANIFEST), {"documents": sorted(self._held.items())})
            with reading(self.folder):
                self._writer.commit(mergetype=merge_tiers)
            self._writer = self._new_writer() if reopen else None

    @property
    def schema(self):
        """The index's schema, read again only when a commit made a new generation
        (reading the table of contents each time cost a millisecond a search)."""
        generation = self.ix.latest_generation()
        if self._schema_at is None or self._schema_at[0] != generation:
            self._schema_at = (generation, self.ix.schema)
        return self._schema_at[1]

    def corrections(self) -> list[dict]:
        """Every correction by hand, oldest first (``corrections.jsonl`` beside the
        index: a rebuild keeps them)."""
        found = []
        try:
            with open(os.path.join(self.folder, CORRECTIONS), encoding="utf-8") as handle:
                for line in handle:
                    try:
                        fix = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a kill: the correction was not made
                    if isinstance(fix, dict):
                        found.append(fix)
        except FileNotFoundError:
            pass
        return found

    def correct(self, records: list[dict], fix: dict) -> None:
        """Keep the correction, then rewrite the document, as an ingest would (under
        its lock: one writer at a time)."""
        with IngestLock(self.folder, wait=False):  # an ingest running: IndexBusy, one line
            fd = os.open(os.path.join(self.folder, CORRECTIONS), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(fix, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self.begin()
            try:
                for record in records:
                    self.add({k: v for k, v in record.items() if k != "text"})
                self.commit(reopen=False)
            except BaseException:
                self.cancel()
                raise

    def init(self) -> list[str]:
        """Made when opened with ``create``: nothing left to do, nothing to say."""
        return []

    def search(self, text: str, **options):
        """``search.search`` on this index: Whoosh query syntax, filters, facets."""
        try:
            return search(self, text, **options)
        except QueryError as exc:  # Whoosh refuses a query it parsed (too many terms to expand ...)
            raise QueryRejected(first_line(exc)) from None

    def full_record(self, record: dict) -> dict:
        """An indexed (lean) record with its text, from the parsed-record cache."""
        return full_record(RecordCache(self.folder), record)

    def segment_ids(self) -> list[str]:
        return [segment.segment_id() for segment in internals.segments(self.ix)]

    def refresh_hot_postings(self, procs: int = 1) -> int:
        """Write the frequent-term arrays of new segments (see frequent.py)."""
        segments = {s.segment_id(): s.doc_count_all() for s in internals.segments(self.ix)}
        return frequent.refresh(self.folder, segments, procs=procs)

    def cancel(self) -> None:
        """Drop what was added since the last commit (after an interruption the
        writer may hold a document half-written: it is never committed)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.cancel()
        except Exception:  # stopped half-way through a commit: only its lock is left to let go
            lock = getattr(writer, "writelock", None)
            if lock is not None:
                lock.release()

    # --- reading ---------------------------------------------------------------

    @contextmanager
    def searcher(self):
        """One searcher kept open across queries (opening the segments costs more
        than most searches); refreshed when the index has changed."""
        with reading(self.folder):
            if self._searcher is None:
                self._searcher = self.ix.searcher()
            elif not self._searcher.up_to_date():
                # Opened anew, not refresh()ed: a refreshed searcher keeps the readers
                # of segments it had, with their deletions as they were, so a document
                # replaced since (an ingest, a correction) showed in its old form too.
                old, self._searcher = self._searcher, self.ix.searcher()
                old.close()
            yield self._searcher

    def paths(self) -> dict[str, str]:
        """path -> sha256 of every indexed document (read once per commit: every
        stored record is read)."""
        generation = self.ix.latest_generation()
        if self._paths_at is None or self._paths_at[0] != generation:
            with self.searcher() as s:
                self._paths_at = (generation, {f["path"]: f.get("sha256", "") for f in s.all_stored_fields()})
        return dict(self._paths_at[1])

    def waiting_for_ocr(self) -> list[str]:
        """Paths of documents indexed without their scanned pages' text."""
        with self.searcher() as s:
            return [s.stored_fields(d)["path"] for d in s.document_numbers(needs_ocr="yes")]

    def records(self) -> Iterator[dict]:
        with self.searcher() as s:
            for fields in s.all_stored_fields():
                yield json.loads(fields["record"])

    def by_path(self, path: str) -> dict | None:
        with self.searcher() as s:
            hit = s.document(path=path)
            return json.loads(hit["record"]) if hit else None

    def by_symbol(self, symbol: str) -> list[dict]:
        """Every archived document with this (normalised) symbol, any issuer or year."""
        with self.searcher() as s:
            hits = s.search(Term("symbol", symbol_term(symbol)), limit=None)
            return [json.loads(h["record"]) for h in hits]

    def citing_keys(self, symbol: str) -> dict[str, list[int]]:
        """Citation key (as indexed: ``308/qđ-ubnd|<issuer key>|2022``) -> the
        documents citing under it, oldest first, for every key of this symbol.
        Read from the postings of the keys alone: a decree cited by thousands of
        documents costs no stored record until one is shown."""
        prefix = symbol_prefix(symbol_term(symbol))
        with self.searcher() as s:
            vs = VectorSearch(s)
            citing = vs.prefixed("cite_keys", prefix)
            if not citing:
                return {}
            dates, deleted = vs.numbers("date", raw=True), vs.deleted()
            groups = {}
            for key, ids in sorted(citing.items()):
                ids = np.setdiff1d(ids, deleted, assume_unique=True)
                when = np.nan_to_num(dates[ids], nan=np.inf)  # undated last
                groups[key] = [int(i) for i in ids[np.lexsort((ids, when))]]
            return groups

    def cited_symbols(self, pattern: str, limit: int = 20) -> list[tuple[str, int]]:
        wanted = re.compile("[^*]*".join(re.escape(part) for part in pattern.split("*")))
        with self.searcher() as s:
            vs = VectorSearch(s)
            deleted = vs.deleted()
            found = []
            for term, ids in vs.prefixed("cite_symbols", pattern.split("*")[0]).items():
                if wanted.fullmatch(term):
                    citing = np.setdiff1d(ids, deleted, assume_unique=True)
                    if len(citing):
                        found.append((term, len(citing)))
        return sorted(found, key=lambda f: (-f[1], f[0]))[:limit]

    def heads_at(self, docnums: list[int]) -> list[dict | None]:
        """Heads by document number, in that order, from the ``head`` column (an
        index made before it: from the stored records), all under one searcher
        (checking it is current lists the index folder)."""
        with self.searcher() as s:
            return _heads(s, docnums)

    def heads_of(self, symbol: str) -> list[dict]:
        """The heads of every archived document with this symbol, from the postings
        of its term and the ``head`` column (no stored record is decoded)."""
        with self.searcher() as s:
            return _heads(s, sorted(s.docs_for_query(Term("symbol", symbol_term(symbol)))))

    def close(self) -> None:
        """Nothing to close: Whoosh's files are closed with the searcher."""

    def count(self) -> int:
        with reading(self.folder, opening=True):
            return self.ix.doc_count()


_HEADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _heads(searcher, docnums: list[int]) -> list[dict]:
    leaves = list(searcher.reader().leaf_readers())
    starts = [offset for _, offset in leaves]
    heads = []
    for docnum in docnums:
        reader, offset = leaves[bisect.bisect_right(starts, docnum) - 1]
        column = _head_column(reader)
        value = column[docnum - offset] if column is not None else b""
        heads.append(json.loads(value) if value else head(json.loads(searcher.stored_fields(docnum)["record"])))
    return heads


def _head_column(reader):
    """A segment's ``head`` column, opened once per segment reader (opening one reads
    the offsets of all its documents), or None in a segment written before it."""
    if reader not in _HEADS:
        has = "head" in reader.schema and reader.has_column("head")
        _HEADS[reader] = reader.column_reader("head", translate=False) if has else None
    return _HEADS[reader]
