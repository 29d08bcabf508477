"""The archive on PostgreSQL (``archive.Archive``, as the Whoosh one), for an
office where many people search at once and several machines ingest.

- The Vietnamese analysis stays ours: the Whoosh schema's analyzers (segmentation,
  tone normalisation, folding) turn each field into tokens here, in Python, and
  PostgreSQL keeps them as ``tsvector`` values written token by token (no text
  search configuration of PostgreSQL re-parses them), with positions where
  phrases are matched (``title_syl``, ``title_fold``, ``body_syl``, ``body_fold``).
- Each document is written in a transaction of its own, under an advisory lock on
  its path: a file whose sha256 is already there is left alone, a changed one
  replaces its row in the same transaction, so concurrent ingests of the same
  folder neither lose nor duplicate a document.
- ``documents`` (and ``passages``) are partitioned by clearance, each clearance
  partition by year (undated documents in one of their own). A reader is granted
  the clearance partitions of its roles (``vanban_reader``: open documents;
  ``vanban_mat``, ``vanban_toi_mat``, ``vanban_tuyet_mat``: up to that level) and
  nothing else, so the database itself decides what it reads, whatever SQL it
  sends, and its searches get the owner's plans (row-level security would keep
  the GIN indexes from a reader: ``@@`` is not leakproof). The parents keep a
  row-level-security policy as a second wall.
- Every connection pins ``search_path`` to ``pg_catalog, pg_temp`` before its
  first statement (and every transaction again), turns JIT off and sets a
  statement timeout (``VANBAN_PG_STATEMENT_TIMEOUT``, 30 s); our functions pin
  theirs: a function planted in ``public`` is never run, by readers or by the
  owner's ingest.
- Year partitions are made ahead (at ``init`` this year and the next; by an
  ingest, each document's year and the next), each created apart and attached,
  which searches do not wait for.

    vanban init --index postgresql://vanban@db/archive
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from ingest.fingerprint import text_hash
from ingest.vocabulary.citekeys import symbol_prefix
from ingest.vocabulary.issuers import canonical_body, issuer_code
from ingest.vocabulary.symbols import parse_symbol

from ..analysis import symbol_term
from ..archive import ArchiveUnavailable, first_line
from ..fields import SEARCH_FIELDS, TEXT_FIELDS
from ..corrections import apply, by_content
from ..rows import ANALYSIS_VERSION, HEAD_FIELDS, head, prepare
from .connection import (
    SchemaMismatch,
    default_work_folder,
    plain_error,
    settings_sql,
    shown_url,
    statement_timeout,
)
from .ddl import (
    CLEARANCE_ROLES,
    LEVELS,
    MATCH_COLUMNS,
    PG_SCHEMA_VERSION,
    READER_ROLE,
    TOKEN_COLUMNS,
    add_match_columns,
    add_text_hash,
    ddl,
    public_schema_sql,
    roles_sql,
    year_partitions,
)
from .rows import SAMPLE_SQL, analysis_schema, pairs_row, table_row
from .search import search
from .sql import like_pattern

CATALOG_TIMEOUT = 5.0  # seconds the catalog reads of opening may take at least


class PgStore:
    """The archive in a PostgreSQL database. ``folder`` is this machine's working
    folder (the parsed-record and OCR caches, the ingest log), not the archive."""

    # The parse workers make each document's row (its tsvectors: the costly part).
    row_maker = staticmethod(table_row)

    def __init__(self, url: str, folder: str | None = None, create: bool = False, migrate: bool = False) -> None:
        self.url, self.shown = url, shown_url(url)
        self.folder = folder or default_work_folder(url)
        self.schema = analysis_schema()
        self.timeout = statement_timeout()
        self.conn = self._connect()
        self._partitions: set[int] = set()
        self._written: dict[str, list[str]] = {}  # sha256 -> paths this ingest wrote
        version = self._version()
        if (version is None and create) or (version is not None and version < PG_SCHEMA_VERSION and migrate):
            self.init()
        elif version is None:
            raise FileNotFoundError(f"no vanban archive in {shown_url(url)} (run 'vanban init --index URL' first)")
        elif version != PG_SCHEMA_VERSION:
            raise SchemaMismatch(f"the archive in {shown_url(url)} has schema version {version}; "
                                 f"this vanban uses {PG_SCHEMA_VERSION}: run 'vanban init' to migrate it")
        self.levels = self._readable_levels()
        whole = self.levels == list(LEVELS) and self._reads_parents()
        self.documents = "vanban.documents AS documents" if whole else _union("documents", self.levels)
        self.passages = "vanban.passages AS passages" if whole else _union("passages", self.levels)

    def _connect(self):
        import psycopg

        # No server-side prepared statements: a pooler in transaction mode (PgBouncer
        # before 1.21) hands each transaction to any server connection.
        conn = psycopg.connect(self.url, autocommit=True, prepare_threshold=None)
        conn.execute(settings_sql(timeout=self.timeout))
        return conn

    def _idle_connection(self):
        """The connection, or a new one where a stop (Ctrl-C) cut a statement short
        at a moment psycopg could not cancel it cleanly: that one still has the
        statement in progress and would refuse every other ("another command is
        already in progress"). The statement's transaction was never committed."""
        from psycopg.pq import TransactionStatus

        if self.conn.closed or self.conn.info.transaction_status != TransactionStatus.IDLE:
            self.conn.close()
            self.conn = self._connect()
        return self.conn

    # --- schema ------------------------------------------------------------------

    def _version(self) -> int | None:
        with self.conn.transaction():
            self.conn.execute(settings_sql(local=True, timeout=self._catalog_timeout()))
            return self._version_here()

    def _catalog_timeout(self) -> float:
        """Opening reads a row or two of the catalog: a timeout meant for searches,
        as short as a millisecond, would stop it on a busy server, and the search
        it was set for would never run (no limit stays no limit)."""
        return max(self.timeout, CATALOG_TIMEOUT) if self.timeout else 0

    def _version_here(self) -> int | None:
        """The schema version, in the caller's transaction and settings."""
        if not self.conn.execute("SELECT pg_catalog.to_regclass('vanban.meta') IS NOT NULL").fetchone()[0]:
            return None
        row = self.conn.execute("SELECT value FROM vanban.meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else None

    def _readable_levels(self) -> list[int]:
        """The clearance partitions this role may read: its clearance, as the server
        will enforce it (the owner reads them all)."""
        rows = self._read(
            f"SELECT level FROM pg_catalog.generate_series(0, {LEVELS[-1]}) AS level WHERE pg_catalog.has_table_privilege("
            "pg_catalog.format('vanban.documents_c%s', level), 'SELECT')", timeout=self._catalog_timeout())
        return [level for (level,) in rows] or [0]  # none: the server refuses, in one line

    def _reads_parents(self) -> bool:
        """Whether this role reads the partitioned tables themselves (the owner does;
        readers are granted partitions only): a query of the parent is pruned to the
        partitions of its clearance and years, where a union of every clearance's
        tables is not (the owner's searches probed four times the partitions)."""
        return bool(self._read("SELECT pg_catalog.has_table_privilege('vanban.documents', 'SELECT') AND "
                               "pg_catalog.has_table_privilege('vanban.passages', 'SELECT')",
                               timeout=self._catalog_timeout())[0][0])

    def init(self) -> list[str]:
        """Create (or bring up to date) the schema, the roles and the privileges, and
        the partitions of this year and the next. Returns notes for the person who
        runs it (what could not be done, and why)."""
        import psycopg

        try:
            with self.conn.transaction():
                self.conn.execute(settings_sql(local=True, timeout=0))
                self.conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('vanban.init'))")
                version = self._version_here()
                if version == 1:
                    self._migrate_from_v1()
                elif version == 2:  # the columns of version 3, in the order ddl() makes them
                    for statement in add_text_hash():
                        self.conn.execute(statement)
                    self.conn.execute("ALTER TABLE vanban.documents ADD COLUMN IF NOT EXISTS issuer_name text "
                                      "NOT NULL DEFAULT ''")
                if version is not None and 1 < version < 5:
                    for statement in add_match_columns():
                        self.conn.execute(statement)
                for statement in ddl() + roles_sql():
                    self.conn.execute(statement)
                if version is not None and version < 3:
                    self._fill_text_hashes()
                    self._migrate_to_v3()
                if version is not None and version < 5:
                    self._fill_match_columns()
                elif version == 5:
                    self.conn.execute("UPDATE vanban.documents SET " + ", ".join(
                        f"{name} = {name} || {SAMPLE_SQL}" for name in MATCH_COLUMNS))
                this_year = dt.date.today().year
                for year in (this_year, this_year + 1):
                    self._make_year(year)
                self.conn.execute("INSERT INTO vanban.meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                                  "DO UPDATE SET value = excluded.value", (str(PG_SCHEMA_VERSION),))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise PermissionError(f"{self.conn.info.user} may not create or change the archive at {shown_url(self.url)} "
                                  f"({first_line(exc)}): run 'vanban init' as the archive's owner") from None
        self._partitions.clear()
        with self.conn.transaction():
            self.conn.execute(settings_sql(local=True, timeout=0))
            return self._close_public()

    def _close_public(self) -> list[str]:
        """Take CREATE on ``public`` from PUBLIC and the vanban roles, or say why not."""
        row = self.conn.execute("SELECT r.rolname FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r "
                                "ON r.oid = n.nspowner WHERE n.nspname = 'public'").fetchone()
        if row is None:
            return []
        owner = row[0]
        for statement in public_schema_sql():  # a non-owner's REVOKE only warns: checked below
            self.conn.execute(statement)
        everyone = [READER_ROLE, *CLEARANCE_ROLES.values()]
        still = [name for name in ["public", *everyone] if self.conn.execute(
            "SELECT pg_catalog.has_schema_privilege(%s, 'public', 'CREATE')", (name,)).fetchone()[0]]
        if not still:
            return []
        still = still[:1] if still[0] == "public" else still  # PUBLIC's is everyone's
        return [f"warning: {', '.join(still)} may still create objects in schema public, which {owner} owns and "
                f"{self.conn.info.user} cannot change: ask {owner} to run 'REVOKE CREATE ON SCHEMA public FROM "
                f"PUBLIC' in this database (vanban pins its own names, but a shared schema is a risk)"]

    def _migrate_from_v1(self) -> None:
        """Version 1 kept every clearance in one table behind row-level security;
        version 2 splits them into partitions granted by role. Rows keep their ids."""
        old_indexes = ["passages_path", "passages_tokens", "documents_path", "documents_id", "documents_symbol",
                       "documents_date", "documents_cite_symbols", *[f"documents_{n}" for n in TEXT_FIELDS]]
        for statement in ["ALTER TABLE vanban.documents RENAME TO documents_v1",
                          "ALTER TABLE vanban.documents_v1 RENAME CONSTRAINT documents_pkey TO documents_v1_pkey",
                          "ALTER TABLE vanban.passages RENAME TO passages_v1",
                          *[f"DROP INDEX IF EXISTS vanban.{name}" for name in old_indexes],
                          *ddl()]:
            self.conn.execute(statement)
        years = self.conn.execute("SELECT DISTINCT year FROM vanban.documents_v1 WHERE year <> 0").fetchall()
        for (year,) in years:
            self._make_year(year)
        for statement in [
                "INSERT INTO vanban.documents OVERRIDING SYSTEM VALUE SELECT * FROM vanban.documents_v1",
                "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('vanban.documents', 'id'), "
                "(SELECT pg_catalog.max(id) FROM vanban.documents_v1))",
                "INSERT INTO vanban.passages SELECT * FROM vanban.passages_v1",
                "DROP TABLE vanban.documents_v1, vanban.passages_v1 CASCADE"]:
            self.conn.execute(statement)

    def _fill_text_hashes(self, batch: int = 500) -> None:
        """The text hash of every row written before version 3, from its text (as the
        parser makes it now); a row with too little text keeps ''."""
        last = 0
        while True:
            rows = self.conn.execute("SELECT id, full_text FROM vanban.documents WHERE id > %s AND text_hash = '' "
                                     "ORDER BY id LIMIT %s", (last, batch)).fetchall()
            if not rows:
                return
            hashes = [(text_hash(text), doc) for doc, text in rows]
            with self.conn.cursor() as cursor:
                cursor.executemany("UPDATE vanban.documents SET text_hash = %s WHERE id = %s",
                                   [(h, doc) for h, doc in hashes if h])
            last = rows[-1][0]

    def _fill_match_columns(self, batch: int = 500) -> None:
        """The match columns of every row, each with the row's sample share: ``terms``
        from the row's own token columns, the pairs from its title and text as the index tokenizes them."""
        from ..analysis import presplit

        last = 0
        while True:
            rows = self.conn.execute("SELECT id, year, clearance, record->>'title', full_text, path FROM vanban.documents "
                                     "WHERE id > %s ORDER BY id LIMIT %s", (last, batch)).fetchall()
            if not rows:
                return
            terms = " || ".join(SEARCH_FIELDS)
            with self.conn.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE vanban.documents SET terms = pg_catalog.strip({terms}) || {SAMPLE_SQL}, "
                    "title_pairs = %(title_pairs)s::pg_catalog.tsvector, body_pairs = %(body_pairs)s::pg_catalog.tsvector "
                    "WHERE id = %(id)s AND year = %(year)s AND clearance = %(clearance)s",
                    [{"id": doc, "year": year, "clearance": level,
                      **pairs_row(presplit(title or ""), presplit(text or ""), path)}
                     for doc, year, level, title, text, path in rows])
            last = rows[-1][0]

    def _migrate_to_v3(self) -> None:
        """Version 3 keeps each body's name (``issuer_name``, what ``--facets`` counts)
        beside its canonical key; both are made again from each record's printed
        issuer, parent and symbol. (The records' citation keys stay as they were
        parsed until their files are ingested again.)"""
        self.conn.execute("ALTER TABLE vanban.documents ADD COLUMN IF NOT EXISTS issuer_name text NOT NULL DEFAULT ''")
        rows = self.conn.execute("SELECT id, record->>'issuer', record->>'parent_issuer', record->>'symbol' "
                                 "FROM vanban.documents").fetchall()
        updates = []
        for doc, issuer, parent, symbol in rows:
            parsed = parse_symbol(symbol) if symbol else None
            body = canonical_body(issuer, parent, issuer_code(parsed.codes, parsed.type_code) if parsed else None)
            if body:
                updates.append((body.name, body.key, doc))
        with self.conn.cursor() as cursor:
            cursor.executemany("UPDATE vanban.documents SET issuer_name = %s, issuer_key = %s WHERE id = %s", updates)

    def _make_year(self, year: int) -> None:
        """The year's partitions, unless there (the caller holds a transaction)."""
        self.conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('vanban.partitions'))")
        exists = self.conn.execute("SELECT pg_catalog.to_regclass(%s) IS NOT NULL",
                                   (f"vanban.documents_c0_y{int(year)}",)).fetchone()[0]
        if not exists:
            for statement in year_partitions(year):
                self.conn.execute(statement)

    def _partitions_for(self, year: int) -> None:
        """A document's year, and the year after, made ready before it is written: the
        first document of next year then finds its partition waiting."""
        for wanted in (year, year + 1) if year else ():
            if wanted not in self._partitions:
                with self.conn.transaction():
                    self.conn.execute(settings_sql(local=True, timeout=0))
                    self._make_year(wanted)
                self._partitions.add(wanted)

    # --- writing ---------------------------------------------------------------

    def begin(self, procs: int = 1) -> None:
        """Nothing to open: each document is its own transaction. What is written is
        noted, for the corrections made meanwhile (``commit``)."""
        self._written = {}

    def add(self, record: dict, new: bool = False) -> bool:
        """Add the document, or replace the one at its path; a document already there
        with the same sha256 is left alone. Returns whether anything was written."""
        import psycopg

        try:
            written = self._write(record.get("_row") or table_row(record))
            if written and record.get("sha256"):
                self._written.setdefault(record["sha256"], []).append(record["path"])
            return written
        except psycopg.errors.InsufficientPrivilege:
            user = self.conn.info.user
            raise PermissionError(f"{user} may not write to the archive at {shown_url(self.url)} "
                                  "(a reader's role; ingest as the archive's owner)") from None
        except psycopg.OperationalError as exc:  # the server went away mid-ingest
            raise ArchiveUnavailable(f"lost the archive at {shown_url(self.url)} while writing {record['path']} "
                                     f"({plain_error(exc, self.url)}); every document written before is kept: "
                                     "run the ingest again when the server is back") from None

    def _write(self, row: dict, rewrite: bool = False) -> bool:
        """Write the row; ``rewrite``: even where the same content is there (a
        correction changes the record, not the file)."""
        self._partitions_for(row["year"])
        row = dict(row)
        passages_of = row.pop("_passages", [])
        columns = list(row)
        values = ", ".join(f"%({c})s::pg_catalog.tsvector" if c in TOKEN_COLUMNS else f"%({c})s" for c in columns)
        with self.conn.transaction():
            self.conn.execute(settings_sql(local=True, timeout=0))
            self._lock_path(row["path"])
            held = self.conn.execute("SELECT sha256, record->>'_analysis' FROM vanban.documents WHERE path = %s",
                                     (row["path"],)).fetchall()
            if not rewrite and held and row["sha256"] and all(
                    sha == row["sha256"] and analysis == str(ANALYSIS_VERSION) for sha, analysis in held):
                return False
            if held:
                self._drop(row["path"])
            doc = self.conn.execute(f"INSERT INTO vanban.documents ({', '.join(columns)}) VALUES ({values}) "
                                    "RETURNING id", row).fetchone()[0]
            with self.conn.cursor() as cursor:
                cursor.executemany("INSERT INTO vanban.passages VALUES (%s, %s, %s, %s, %s::pg_catalog.tsvector)",
                                   [(doc, row["path"], row["clearance"], field, tokens)
                                    for field, tokens in passages_of])
        return True

    @property
    def role(self) -> str:
        """Who reads and writes: the database role (what a correction records)."""
        return self.conn.info.user

    def corrections(self) -> list[dict]:
        """Every correction by hand, oldest first (the owner's to read: a reader has
        none to apply, and a correction may quote a MẬT document)."""
        import psycopg
        try:
            return self._corrections_where("TRUE")
        except psycopg.errors.InsufficientPrivilege:
            self.conn.rollback()
            return []

    def _corrections_where(self, where: str, params=()) -> list[dict]:
        rows = self._read("SELECT sha256, path, field, value, was, by_role, "
                          "pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"') "
                          f"FROM vanban.corrections WHERE {where} ORDER BY at, id", params)
        return [dict(zip(("sha256", "path", "field", "value", "was", "by", "at"), row)) for row in rows]

    def correct(self, records: list[dict], fix: dict) -> None:
        """Keep the correction and rewrite the document, in one transaction."""
        import psycopg
        try:
            with self.conn.transaction():
                self.conn.execute("INSERT INTO vanban.corrections (sha256, path, field, value, was, by_role, at) "
                                  "VALUES (%(sha256)s, %(path)s, %(field)s, %(value)s, %(was)s, %(by)s, %(at)s)",
                                  {**fix, "was": None if fix.get("was") is None else str(fix["was"])})
                for record in records:
                    self._write(table_row(record), rewrite=True)
        except psycopg.errors.InsufficientPrivilege:
            raise PermissionError(f"{self.role} may only read the archive at {shown_url(self.url)}: "
                                  "corrections are made by the archive's owner") from None

    def _lock_path(self, path: str) -> None:
        self.conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(%s, 0))", (path,))

    def delete(self, path: str) -> None:
        with self.conn.transaction():
            self.conn.execute(settings_sql(local=True, timeout=0))
            self._lock_path(path)
            self._drop(path)

    def _drop(self, path: str) -> None:
        self.conn.execute("DELETE FROM vanban.documents WHERE path = %s", (path,))
        self.conn.execute("DELETE FROM vanban.passages WHERE path = %s", (path,))

    def commit(self, reopen: bool = True) -> None:
        """Every document was committed as it was written. A correction made while
        this ingest ran, of content it wrote, may have been written over by a record
        its workers prepared before (with the corrections as they were when it
        began): a document written whose corrections are not all the archive's
        for its content is corrected again, with all of them (no clock compared)."""
        written, self._written = self._written, {}
        if not written:
            return
        for sha, corrections in self._corrections_of(list(written)).items():
            for path in written[sha]:
                self._correct_again(path, sha, corrections)

    def _corrections_of(self, shas: list[str]) -> dict[str, list[dict]]:
        """The corrections of this content by sha256, oldest first."""
        return by_content(self._corrections_where("sha256 = ANY(%s)", (shas,)))

    def _correct_again(self, path: str, sha: str, corrections: list[dict]) -> None:
        """The document at ``path`` with all of its content's corrections, unless it
        has them; again if one more was made meanwhile (at most a few times)."""
        for _ in range(3):
            record = self.by_path(path)
            if record is None or record.get("sha256") != sha or _same(record.get("corrections"), corrections):
                return
            full = self.full_record(record)
            corrected = apply({k: v for k, v in full.items() if k != "corrections"}, corrections)
            self._write(table_row(prepare(dict(corrected))), rewrite=True)
            corrections = self._corrections_of([sha]).get(sha, [])

    def cancel(self) -> None:
        """Nothing is pending: what was written is kept (each document committed as
        written), so it gets its corrections as at a commit, as far as the server
        still answers."""
        import psycopg
        try:
            self.commit()
        except (psycopg.Error, ArchiveUnavailable):
            pass  # the server is gone: the next ingest of these files corrects them

    def refresh_hot_postings(self, procs: int = 1) -> int:
        """At the end of an ingest: move the GIN indexes' pending entries into the
        indexes. Until then every search reads the pending lists whole, and the
        planner, pricing them, reads the partitions instead (autovacuum would do it
        later). Returns 0: there are no hot postings on PostgreSQL."""
        import psycopg

        rows = self._read(
            "SELECT c.oid::pg_catalog.regclass::text FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_am a ON a.oid = c.relam "
            "WHERE n.nspname = 'vanban' AND c.relkind = 'i' AND a.amname = 'gin'")
        for (index,) in rows:
            try:
                self.conn.execute("SELECT pg_catalog.gin_clean_pending_list(%s::pg_catalog.regclass)", (index,))
            except psycopg.Error:  # another role's index, or one dropped meanwhile: autovacuum's
                pass
        return 0

    # --- reading: the clearance partitions this role may read ---------------------

    def _read(self, sql: str, params=(), timeout: float | None = None) -> list[tuple]:
        """Rows of one statement, in a transaction of its own that pins the settings
        again: behind a pooler in transaction mode the session's may be another's."""
        conn = self._idle_connection()
        with conn.transaction():
            conn.execute(settings_sql(local=True, timeout=self.timeout if timeout is None else timeout))
            return conn.execute(sql, params or None).fetchall()

    def _records(self, where: str = "TRUE", params=()) -> list[dict]:
        rows = self._read(f"SELECT record FROM {self.documents} WHERE {where} ORDER BY id", params)
        return [_record_of(r[0]) for r in rows]

    def paths(self) -> dict[str, str]:
        """path -> sha256; ``""`` for a row an older analysis made (``rows.ANALYSIS_VERSION``):
        the next ingest of its folder writes it again (from the record cache, where it is)."""
        return dict(self._read(f"SELECT path, CASE WHEN record->>'_analysis' = %s THEN sha256 ELSE '' END "
                               f"FROM {self.documents}", (str(ANALYSIS_VERSION),)))

    def waiting_for_ocr(self) -> list[str]:
        return [r[0] for r in self._read(f"SELECT path FROM {self.documents} WHERE needs_ocr")]

    def records(self) -> Iterator[dict]:
        """Every record, streamed from a cursor on the server (an archive of years
        does not fit in memory as JSON)."""
        with self.conn.transaction(), self.conn.cursor(name="records") as cursor:
            self.conn.execute(settings_sql(local=True, timeout=self.timeout))
            cursor.itersize = 500
            cursor.execute(f"SELECT record FROM {self.documents} ORDER BY id")
            for (record,) in cursor:
                yield _record_of(record)

    def by_path(self, path: str) -> dict | None:
        found = self._records("path = %s", (path,))
        return found[0] if found else None

    def by_symbol(self, symbol: str) -> list[dict]:
        return self._records("symbol_term = %s", (symbol_term(symbol),))

    def citing_keys(self, symbol: str) -> dict[str, list[int]]:
        """Citation key -> ids of the documents citing under it, oldest first."""
        term = symbol_term(symbol)
        rows = self._read(
            f"SELECT key, id FROM {self.documents}, pg_catalog.unnest(cite_keys) AS key "
            "WHERE cite_symbols @> ARRAY[%s]::text[] AND pg_catalog.starts_with(key, %s) "
            "ORDER BY date NULLS LAST, id", (term, symbol_prefix(term)))
        groups: dict[str, list[int]] = {}
        for key, doc in rows:
            groups.setdefault(key, []).append(doc)
        return groups

    def cited_symbols(self, pattern: str, limit: int = 20) -> list[tuple[str, int]]:
        like = like_pattern(pattern)
        return [(term, count) for term, count in self._read(
            f"SELECT symbol, pg_catalog.count(*) AS citing FROM {self.documents}, "
            "pg_catalog.unnest(cite_symbols) AS symbol WHERE symbol LIKE %s "
            "GROUP BY symbol ORDER BY citing DESC, symbol LIMIT %s", (like, int(limit)))]

    def heads_at(self, docs: list[int]) -> list[dict | None]:
        """Heads by id, built on the server: only their fields cross the wire."""
        rows = dict(self._heads("id = ANY(%s)", (list(docs),)))
        return [head(_record_of(rows[d])) if d in rows else None for d in docs]

    def heads_of(self, symbol: str) -> list[dict]:
        return [head(_record_of(h)) for _, h in self._heads("symbol_term = %s", (symbol_term(symbol),))]

    def _heads(self, where: str, params: tuple) -> list[tuple[int, dict]]:
        pairs = ", ".join("%s::text, record->%s::text" for _ in HEAD_FIELDS)
        names = [value for name in HEAD_FIELDS for value in (name, name)]
        return self._read(f"SELECT id, pg_catalog.jsonb_build_object({pairs}, 'citations', record->'citations') "
                          f"FROM {self.documents} WHERE {where} ORDER BY id", (*names, *params))

    def full_record(self, record: dict) -> dict:
        """The record with its text (kept in the archive: readers have no cache)."""
        rows = self._read(f"SELECT full_text FROM {self.documents} WHERE path = %s", (record["path"],))
        row = rows[0] if rows else None
        full = {**record, "text": row[0] if row else ""}
        return {k: v for k, v in full.items() if not k.startswith("_")}

    def count(self) -> int:
        return self._read(f"SELECT pg_catalog.count(*) FROM {self.documents}")[0][0]

    def search(self, text: str, **options):
        return search(self, text, **options)

    def close(self) -> None:
        self.conn.close()


def _union(table: str, levels: list[int]) -> str:
    """The FROM item of the partitions of ``table`` for these clearance levels:
    a plain UNION ALL, which the planner flattens (each partition's GIN indexes
    serve the query as they serve the owner's)."""
    parts = [f"vanban.{table}_c{level}" for level in levels]
    if len(parts) == 1:
        return f"{parts[0]} AS {table}"
    return "(" + " UNION ALL ".join(f"SELECT * FROM {p}" for p in parts) + f") AS {table}"


def _record_of(value) -> dict:
    record = json.loads(value) if isinstance(value, str) else value
    record.pop("_analysis", None)  # the row's, not the document's
    return record


def _same(held: list[dict] | None, corrections: list[dict]) -> bool:
    """Whether a record carries exactly these corrections (by field, value and when)."""
    def shown(fixes):
        return [(c.get("field"), c.get("value"), c.get("at")) for c in fixes or []]
    return shown(held) == shown(corrections)
