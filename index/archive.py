"""What every archive backend implements: the one contract the rest of vanban uses.

The way django-haystack's ``backends/__init__.py`` states what a search backend
must do, this module states what an archive must do; ``whoosh/`` (an index in a
folder) and ``postgres/`` (a database many people search) each implement it,
importing the neutral layer (``fields``, ``rows``, ``query``, ``cache``,
``trust``, this module) and never each other. ``backends.open_archive`` picks one
by the target's form. The ingest (``indexing.py``), the citation graph
(``graph.py``), the reports (``report.py``) and the commands know only this.

A record is the dict of ``ingest.models.Document.to_dict()`` as the archive keeps
it: without its full text (``full_record`` adds it) and without the index's
working fields (names starting with ``_``).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

URL_PREFIXES = ("postgresql://", "postgres://")


def is_url(target: str) -> bool:
    """Whether ``target`` names an archive on PostgreSQL (else it is a folder)."""
    return target.startswith(URL_PREFIXES)


# What --repair says of an archive on PostgreSQL (the command and the ingest both refuse it).
NOTHING_TO_REPAIR = ("--repair rebuilds a Whoosh index folder; an archive on PostgreSQL writes each "
                     "document in a transaction of its own and has nothing to repair")


def first_line(exc: BaseException) -> str:
    """An error's message in one line (its first), or its type where it says nothing."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class ArchiveUnavailable(Exception):
    """No archive there, one of another version, or a server that cannot be
    reached: one line that says which and what to do."""


class ArchiveDamaged(Exception):
    """The archive's files cannot be read; the message says how to repair it."""


class Archive(Protocol):
    """An open archive. ``folder``: this machine's working folder (the parsed-record
    and OCR caches, the ingest log); for a Whoosh archive, the index folder itself.
    ``schema``: the field catalogue as Whoosh's schema (``fields.make_schema``),
    whose analyzers and query parser both backends share."""

    folder: str
    shown: str  # how messages name the archive (a URL without its password)
    schema: object
    # A function the parse workers run on each prepared record to make this
    # archive's row (module-level: it is sent to the worker processes), or None:
    # the writer indexes the prepared record itself.
    row_maker: object

    def init(self) -> list[str]:
        """Make the archive, or bring one of an older version up to this one (``vanban
        init``); opened by ``backends.open_archive(create=True, migrate=True)``. Notes
        on what it could not do, and why."""

    # --- writing (an ingest: begin, add/delete ..., commit, or cancel) ----------

    def begin(self, procs: int = 1) -> None:
        """Ready to write; ``procs`` > 1: that many writer processes may help."""

    def add(self, record: dict, new: bool = False) -> bool | None:
        """Add the document, or replace the one at its path (``new``: there is none).
        False where it was there already, unchanged."""

    def delete(self, path: str) -> None:
        """Remove the document at ``path`` (nothing if there is none)."""

    def commit(self, reopen: bool = True) -> None:
        """Make what was written durable, all of it or none of it; ``reopen``: go on
        writing afterwards."""

    def cancel(self) -> None:
        """Drop what was written since the last commit (after a stop or a failure:
        a document may be half-written)."""

    def refresh_hot_postings(self, procs: int = 1) -> int:
        """At the end of an ingest: bring the archive's search structures up to date;
        the number of parts refreshed."""

    def corrections(self) -> list[dict]:
        """Every correction by hand (``corrections.py``), oldest first; an ingest
        applies them to what it writes, so they hold through re-parses and rebuilds."""

    def correct(self, records: list[dict], fix: dict) -> None:
        """Keep the correction ``fix`` and write ``records`` (the document corrected
        and prepared, at each path holding its content) at once; PermissionError for a role that may only read, ``run.IndexBusy``
        while an ingest writes to a Whoosh archive."""

    # --- reading -------------------------------------------------------------

    def count(self) -> int:
        """Documents in the archive (as this reader may see them)."""

    def paths(self) -> dict[str, str]:
        """path -> sha256 of every document."""

    def waiting_for_ocr(self) -> list[str]:
        """Paths of documents indexed without their scanned pages' text."""

    def records(self) -> Iterator[dict]:
        """Every record, streamed."""

    def by_path(self, path: str) -> dict | None:
        """The record at ``path``."""

    def by_symbol(self, symbol: str) -> list[dict]:
        """Every record with this number and symbol, any issuer or year."""

    def citing_keys(self, symbol: str) -> dict[str, list[int]]:
        """Citation key (``rows.key_term``) -> the documents citing under it, oldest
        first, for every key of this symbol; documents as ``heads_at`` takes them."""

    def cited_symbols(self, pattern: str, limit: int = 20) -> list[tuple[str, int]]:
        """(symbol term, documents citing it) of the cited symbols that match a
        pattern of symbol terms (``*``: any characters; ``35/2025/*``), the most
        cited first, at most ``limit``."""

    def heads_of(self, symbol: str) -> list[dict]:
        """The heads (``rows.head``) of every archived document with this
        (normalised) symbol: ``by_symbol`` for a page that shows them, without
        decoding whole records."""

    def heads_at(self, docs: list[int]) -> list[dict | None]:
        """The heads (``rows.head``: heading fields and keyed citations) of the
        documents ``citing_keys`` gave, in that order; None for one removed since
        (an ingest replaced its file)."""

    def full_record(self, record: dict) -> dict:
        """The record with its full text."""

    def search(self, text: str, **options):
        """``query.Results`` of a query in the one query language
        (``query.parse_query``); options: year, date_from, date_to, doc_type,
        issuer, limit, sort ("relevance" or "date"), facets, start: the hits
        made (with their snippets) are the ranked ``start`` to ``limit``: a page
        of results costs the snippets of that page only."""

    def close(self) -> None:
        """Let go of the connection or files."""
