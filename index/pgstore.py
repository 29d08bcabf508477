"""The archive on PostgreSQL: the same store interface as ``WhooshStore``, for an
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
import os
import re
from collections.abc import Iterator

from .analysis import symbol_term
from .records import is_prepared, prepare
from .store import make_schema

PG_SCHEMA_VERSION = 2
URL_PREFIXES = ("postgresql://", "postgres://")
# The text fields, as the Whoosh schema analyses them; positions where phrases are
# matched. PostgreSQL keeps positions up to 16383 and 256 of them per word.
TEXT_FIELDS = ("title", "title_syl", "title_fold", "body", "body_syl", "body_fold", "signer", "figures")
POSITIONAL = {"title_syl", "title_fold", "body_syl", "body_fold"}
MAX_POSITION, MAX_POSITIONS = 16383, 255
# Phrases in bodies are matched in passages (``vanban.passages``) that hold every
# position: a long legal text passes both limits above. Passages overlap by this
# many syllables, the longest phrase matched whole.
PASSAGE_FIELDS = ("body_syl", "body_fold")
PASSAGE_OVERLAP = 32
# Clearance levels of the confidentiality marks, and the roles that grant them.
CLEARANCE = {"": 0, "mật": 1, "tối mật": 2, "tuyệt mật": 3}
CLEARANCE_ROLES = {1: "vanban_mat", 2: "vanban_toi_mat", 3: "vanban_tuyet_mat"}
READER_ROLE = "vanban_reader"
LEVELS = (0, 1, 2, 3)
DEFAULT_STATEMENT_TIMEOUT = 30.0
CLIENT_CHECK_MS = 1000  # how often a running statement checks that its client is still there


def is_url(target: str) -> bool:
    return target.startswith(URL_PREFIXES)


def _quote_lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _tokens(analyzer, text: str) -> list[str]:
    """The field's tokens in order, one per position (Whoosh's positions count them)."""
    return [t.text for t in analyzer(text, positions=True, mode="index")] if text else []


def tsvector_text(analyzer, text: str, positions: bool) -> str:
    """The field's tokens as a tsvector literal: ``'quy':1,4 'định':2``."""
    return tokens_tsvector(_tokens(analyzer, text), positions)


def tokens_tsvector(tokens: list[str], positions: bool = True) -> str:
    where: dict[str, list[int]] = {}
    for at, token in enumerate(tokens, start=1):
        if token and len(token.encode("utf-8")) < 2046:
            where.setdefault(token, []).append(min(at, MAX_POSITION))
    if not positions:
        return " ".join(_quote_lexeme(word) for word in where)
    return " ".join(f"{_quote_lexeme(word)}:{','.join(map(str, sorted(set(at))[:MAX_POSITIONS]))}"
                    for word, at in where.items())


def passages(tokens: list[str], overlap: int = PASSAGE_OVERLAP) -> list[list[str]]:
    """A long field cut into stretches that a tsvector holds whole: under 16,383
    positions, and no word more than 255 times (PostgreSQL drops positions past
    either). Consecutive stretches share ``overlap`` tokens, so a phrase of up to
    that many syllables lies whole in one of them."""
    cut, start = [], 0
    while start < len(tokens):
        counts: dict[str, int] = {}
        end = start
        while end < len(tokens) and end - start < MAX_POSITION - 1:
            seen = counts.get(tokens[end], 0) + 1
            if seen > MAX_POSITIONS:
                break
            counts[tokens[end]] = seen
            end += 1
        cut.append(tokens[start:end])
        if end >= len(tokens):
            break
        start = max(end - overlap, start + 1)
    return cut


def _ddl() -> list[str]:
    """The schema. Statements run on a connection whose ``search_path`` is pinned
    (``SESSION_SETTINGS``): names, operators and types resolve in ``pg_catalog``."""
    levels = " ".join(f"WHEN pg_catalog.pg_has_role(current_user, '{role}', 'MEMBER') THEN {level}"
                      for level, role in sorted(CLEARANCE_ROLES.items(), reverse=True))
    text_columns = ", ".join(f"{name} pg_catalog.tsvector NOT NULL DEFAULT ''" for name in TEXT_FIELDS)
    return [
        "CREATE SCHEMA IF NOT EXISTS vanban",
        "CREATE TABLE IF NOT EXISTS vanban.meta (key text PRIMARY KEY, value text NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS vanban.documents (
            id bigint GENERATED ALWAYS AS IDENTITY,
            path text NOT NULL,
            sha256 text NOT NULL,
            year integer NOT NULL DEFAULT 0,
            date date,
            symbol_term text NOT NULL DEFAULT '',
            doc_type text NOT NULL DEFAULT '',
            issuer_key text NOT NULL DEFAULT '',
            period text NOT NULL DEFAULT '',
            clearance smallint NOT NULL DEFAULT 0,
            confidentiality text NOT NULL DEFAULT '',
            urgency text NOT NULL DEFAULT '',
            needs_ocr boolean NOT NULL DEFAULT false,
            cite_symbols text[] NOT NULL DEFAULT '{{}}',
            cite_keys text[] NOT NULL DEFAULT '{{}}',
            {text_columns},
            record jsonb NOT NULL,
            full_text text NOT NULL DEFAULT '',
            ingested timestamptz NOT NULL DEFAULT pg_catalog.now(),
            PRIMARY KEY (path, year, clearance)
        ) PARTITION BY LIST (clearance)""",
        *[f"CREATE TABLE IF NOT EXISTS vanban.documents_c{level} PARTITION OF vanban.documents "
          f"FOR VALUES IN ({level}) PARTITION BY RANGE (year)" for level in LEVELS],
        *[f"CREATE TABLE IF NOT EXISTS vanban.documents_c{level}_undated PARTITION OF vanban.documents_c{level} "
          "FOR VALUES FROM (0) TO (1)" for level in LEVELS],
        """CREATE TABLE IF NOT EXISTS vanban.passages (
            doc_id bigint NOT NULL,
            path text NOT NULL,
            clearance smallint NOT NULL DEFAULT 0,
            field text NOT NULL,
            tokens pg_catalog.tsvector NOT NULL) PARTITION BY LIST (clearance)""",
        *[f"CREATE TABLE IF NOT EXISTS vanban.passages_c{level} PARTITION OF vanban.passages "
          f"FOR VALUES IN ({level})" for level in LEVELS],
        "CREATE INDEX IF NOT EXISTS passages_path ON vanban.passages (path)",
        "CREATE INDEX IF NOT EXISTS passages_tokens ON vanban.passages USING gin (tokens)",
        "CREATE INDEX IF NOT EXISTS documents_path ON vanban.documents (path)",
        "CREATE INDEX IF NOT EXISTS documents_id ON vanban.documents (id)",
        "CREATE INDEX IF NOT EXISTS documents_symbol ON vanban.documents (symbol_term)",
        "CREATE INDEX IF NOT EXISTS documents_date ON vanban.documents (date)",
        "CREATE INDEX IF NOT EXISTS documents_cite_symbols ON vanban.documents USING gin (cite_symbols)",
        *[f"CREATE INDEX IF NOT EXISTS documents_{name} ON vanban.documents USING gin ({name})"
          for name in TEXT_FIELDS],
        # A function of ours never resolves a name through the caller's search_path.
        f"""CREATE OR REPLACE FUNCTION vanban.clearance() RETURNS smallint LANGUAGE sql STABLE
            SET search_path = pg_catalog, pg_temp AS $$ SELECT (CASE {levels} ELSE 0 END)::smallint $$""",
        # Readers read the clearance partitions they are granted, never the parents;
        # the policies stay as a second wall should someone grant a parent.
        "ALTER TABLE vanban.documents ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS by_clearance ON vanban.documents",
        "CREATE POLICY by_clearance ON vanban.documents FOR SELECT USING (clearance <= vanban.clearance())",
        "ALTER TABLE vanban.passages ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS by_clearance ON vanban.passages",
        "CREATE POLICY by_clearance ON vanban.passages FOR SELECT USING (clearance <= vanban.clearance())",
    ]


def _roles_sql() -> list[str]:
    """Group roles (no login): readers, and one per clearance level. Granting them
    to people is the office's: ``GRANT vanban_reader, vanban_mat TO lan;``. Only
    ``vanban_reader`` may enter the schema; each clearance partition is granted to
    the roles cleared for it, so a reader's level is what PostgreSQL's privileges
    say, checked by the server on every statement."""
    statements = []
    for role in (READER_ROLE, *CLEARANCE_ROLES.values()):
        statements.append(f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} NOLOGIN; END IF;
            END $$""")
    everyone = ", ".join((READER_ROLE, *CLEARANCE_ROLES.values()))
    statements += [
        f"REVOKE ALL ON SCHEMA vanban FROM PUBLIC, {everyone}",
        f"GRANT USAGE ON SCHEMA vanban TO {READER_ROLE}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA vanban FROM PUBLIC, {everyone}",
        f"GRANT SELECT ON vanban.meta TO {READER_ROLE}",
        "REVOKE ALL ON FUNCTION vanban.clearance() FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION vanban.clearance() TO {READER_ROLE}",
    ]
    for level in LEVELS:
        cleared = ", ".join([READER_ROLE] if level == 0 else
                            [CLEARANCE_ROLES[k] for k in CLEARANCE_ROLES if k >= level])
        statements.append(f"GRANT SELECT ON vanban.documents_c{level}, vanban.passages_c{level} TO {cleared}")
    return statements


def _public_schema_sql() -> list[str]:
    """Nobody but its owner creates objects in ``public`` (PUBLIC could, in every
    database made before PostgreSQL 15): readers get CREATE nowhere."""
    everyone = ", ".join((READER_ROLE, *CLEARANCE_ROLES.values()))
    return [f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {everyone}"]


def _year_partitions(year: int) -> list[str]:
    """A year's partition in every clearance (so a partition's existence tells a
    reader nothing), each made apart and then attached: ATTACH takes SHARE UPDATE
    EXCLUSIVE on the parent, which searches' ACCESS SHARE does not wait for, where
    CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE and queue them."""
    statements = []
    for level in LEVELS:
        name = f"vanban.documents_c{level}_y{int(year)}"
        statements += [f"CREATE TABLE {name} (LIKE vanban.documents_c{level} INCLUDING DEFAULTS)",
                       f"ALTER TABLE vanban.documents_c{level} ATTACH PARTITION {name} "
                       f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})"]
    return statements


_SCHEMA = []


def _schema():
    """The Whoosh schema whose analyzers make the tokens, built once a process."""
    if not _SCHEMA:
        _SCHEMA.append(make_schema())
    return _SCHEMA[0]


def table_row(record: dict) -> dict:
    """A prepared record as the row of ``vanban.documents``, its text fields as
    tsvector literals: the costly part of writing, done in the parse workers (on
    all cores) where ``ingest`` runs them."""
    from .store import index_fields

    schema = _schema()
    if not is_prepared(record):
        record = prepare(dict(record))
    fields = index_fields(record)
    date = (record.get("date") or "")[:10]
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    confidentiality = (record.get("confidentiality") or "").lower()
    row = {
        "path": record["path"], "sha256": record.get("sha256") or "",
        "year": day.year if day else 0, "date": day,
        "symbol_term": fields["symbol"], "doc_type": fields["doc_type"], "issuer_key": fields["issuer_key"],
        "period": fields["period"], "clearance": CLEARANCE.get(confidentiality, 3 if confidentiality else 0),
        "confidentiality": confidentiality, "urgency": fields["urgency"],
        "needs_ocr": bool(record.get("needs_ocr")),
        "cite_symbols": [s for s in fields["cite_symbols"].split(",") if s],
        "cite_keys": [k for k in fields["cite_keys"].split(",") if k],
        "record": fields["record"], "full_text": (record.get("text") or "").replace("\x00", ""),
    }
    for name in TEXT_FIELDS:
        tokens = _tokens(schema[name].analyzer, fields[name])
        row[name] = tokens_tsvector(tokens, name in POSITIONAL)
        if name in PASSAGE_FIELDS:
            row.setdefault("_passages", []).extend((name, tokens_tsvector(p)) for p in passages(tokens))
    return row


class ArchiveUnavailable(Exception):
    """No archive there, one of another version, or a server that cannot be reached."""


class SchemaMismatch(Exception):
    """The database holds an archive of another vanban version, or none."""


def statement_timeout() -> float:
    """Seconds a statement may run: ``$VANBAN_PG_STATEMENT_TIMEOUT``, else 30 (0: no limit)."""
    text = os.environ.get("VANBAN_PG_STATEMENT_TIMEOUT", "").strip()
    try:
        seconds = float(text) if text else DEFAULT_STATEMENT_TIMEOUT
    except ValueError:
        seconds = -1.0
    if not (0 <= seconds < 10**7):
        raise ArchiveUnavailable(f"VANBAN_PG_STATEMENT_TIMEOUT must be a number of seconds (0: no limit), not {text!r}")
    return seconds


def settings_sql(local: bool = False, timeout: float | None = None) -> str:
    """What every connection of ours runs first (and every transaction again, for
    a pooler that hands transactions to any server connection): names resolve in
    ``pg_catalog`` only, whatever the URL's ``options`` or the role's settings say;
    no JIT (compiling a long query's plan took longer than running it); a
    statement stops after ``timeout`` seconds, and as soon as its client is gone."""
    scope = "SET LOCAL" if local else "SET"
    seconds = statement_timeout() if timeout is None else timeout
    return "; ".join([f"{scope} search_path = pg_catalog, pg_temp", f"{scope} jit = off",
                      f"{scope} statement_timeout = {max(1, round(seconds * 1000)) if seconds else 0}",
                      f"{scope} client_connection_check_interval = {CLIENT_CHECK_MS}"])


class PgStore:
    """The archive in a PostgreSQL database. ``folder`` is this machine's working
    folder (the parsed-record and OCR caches, the ingest log), not the archive."""

    def __init__(self, url: str, folder: str | None = None, create: bool = False, migrate: bool = False) -> None:
        self.url, self.shown = url, _shown(url)
        self.folder = folder or default_work_folder(url)
        self.schema = _schema()
        self.timeout = statement_timeout()
        self.conn = self._connect()
        self._partitions: set[int] = set()
        version = self._version()
        if (version is None and create) or (version is not None and version < PG_SCHEMA_VERSION and migrate):
            self.init()
        elif version is None:
            raise FileNotFoundError(f"no vanban archive in {_shown(url)} (run 'vanban init --index URL' first)")
        elif version != PG_SCHEMA_VERSION:
            raise SchemaMismatch(f"the archive in {_shown(url)} has schema version {version}; "
                                 f"this vanban uses {PG_SCHEMA_VERSION}: run 'vanban init' to migrate it")
        self.levels = self._readable_levels()
        self.documents = _union("documents", self.levels)
        self.passages = _union("passages", self.levels)

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
            self.conn.execute(settings_sql(local=True, timeout=self.timeout))
            return self._version_here()

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
            "SELECT level FROM pg_catalog.generate_series(0, 3) AS level WHERE pg_catalog.has_table_privilege("
            "pg_catalog.format('vanban.documents_c%s', level), 'SELECT')")
        return [level for (level,) in rows] or [0]  # none: the server refuses, in one line

    def init(self) -> list[str]:
        """Create (or bring up to date) the schema, the roles and the privileges, and
        the partitions of this year and the next. Returns notes for the person who
        runs it (what could not be done, and why)."""
        import psycopg

        try:
            with self.conn.transaction():
                self.conn.execute(settings_sql(local=True, timeout=0))
                self.conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('vanban.init'))")
                if self._version_here() == 1:
                    self._migrate_from_v1()
                for statement in _ddl() + _roles_sql():
                    self.conn.execute(statement)
                this_year = dt.date.today().year
                for year in (this_year, this_year + 1):
                    self._make_year(year)
                self.conn.execute("INSERT INTO vanban.meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                                  "DO UPDATE SET value = excluded.value", (str(PG_SCHEMA_VERSION),))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise PermissionError(f"{self.conn.info.user} may not create or change the archive at {_shown(self.url)} "
                                  f"({_first_line(exc)}): run 'vanban init' as the archive's owner") from None
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
        for statement in _public_schema_sql():  # a non-owner's REVOKE only warns: checked below
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
                          *_ddl()]:
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

    def _make_year(self, year: int) -> None:
        """The year's partitions, unless there (the caller holds a transaction)."""
        self.conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('vanban.partitions'))")
        exists = self.conn.execute("SELECT pg_catalog.to_regclass(%s) IS NOT NULL",
                                   (f"vanban.documents_c0_y{int(year)}",)).fetchone()[0]
        if not exists:
            for statement in _year_partitions(year):
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
        """Nothing to open: each document is its own transaction."""

    def add(self, record: dict, new: bool = False) -> bool:
        """Add the document, or replace the one at its path; a document already there
        with the same sha256 is left alone. Returns whether anything was written."""
        import psycopg

        try:
            return self._write(record.get("_row") or table_row(record))
        except psycopg.errors.InsufficientPrivilege:
            user = self.conn.info.user
            raise PermissionError(f"{user} may not write to the archive at {_shown(self.url)} "
                                  "(a reader's role; ingest as the archive's owner)") from None
        except psycopg.OperationalError as exc:  # the server went away mid-ingest
            raise ArchiveUnavailable(f"lost the archive at {_shown(self.url)} while writing {record['path']} "
                                     f"({plain_error(exc, self.url)}); every document written before is kept: "
                                     "run the ingest again when the server is back") from None

    def _write(self, row: dict) -> bool:
        self._partitions_for(row["year"])
        row = dict(row)
        passages_of = row.pop("_passages", [])
        columns = list(row)
        values = ", ".join(f"%({c})s::pg_catalog.tsvector" if c in TEXT_FIELDS else f"%({c})s" for c in columns)
        with self.conn.transaction():
            self.conn.execute(settings_sql(local=True, timeout=0))
            self._lock_path(row["path"])
            held = self.conn.execute("SELECT sha256 FROM vanban.documents WHERE path = %s",
                                     (row["path"],)).fetchall()
            if held and all(sha == row["sha256"] for (sha,) in held) and row["sha256"]:
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
        """Every document was committed as it was written."""

    def cancel(self) -> None:
        """Nothing is pending."""

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

    def _read(self, sql: str, params=()) -> list[tuple]:
        """Rows of one statement, in a transaction of its own that pins the settings
        again: behind a pooler in transaction mode the session's may be another's."""
        conn = self._idle_connection()
        with conn.transaction():
            conn.execute(settings_sql(local=True, timeout=self.timeout))
            return conn.execute(sql, params or None).fetchall()

    def _records(self, where: str = "TRUE", params=()) -> list[dict]:
        rows = self._read(f"SELECT record FROM {self.documents} WHERE {where} ORDER BY id", params)
        return [_record_of(r[0]) for r in rows]

    def paths(self) -> dict[str, str]:
        return dict(self._read(f"SELECT path, sha256 FROM {self.documents}"))

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
            "ORDER BY date NULLS LAST, id", (term, term + "|"))
        groups: dict[str, list[int]] = {}
        for key, doc in rows:
            groups.setdefault(key, []).append(doc)
        return groups

    def records_at(self, docs: list[int]) -> list[dict]:
        rows = dict(self._read(f"SELECT id, record FROM {self.documents} WHERE id = ANY(%s)", (list(docs),)))
        return [_record_of(rows[d]) for d in docs if d in rows]

    def full_record(self, record: dict) -> dict:
        """The record with its text (kept in the archive: readers have no cache)."""
        rows = self._read(f"SELECT full_text FROM {self.documents} WHERE path = %s", (record["path"],))
        row = rows[0] if rows else None
        full = {**record, "text": row[0] if row else ""}
        return {k: v for k, v in full.items() if not k.startswith("_")}

    def count(self) -> int:
        return self._read(f"SELECT pg_catalog.count(*) FROM {self.documents}")[0][0]

    def search(self, text: str, **options):
        from .pgquery import search

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


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def plain_error(exc: Exception, url: str) -> str:
    """The first line of a psycopg error, any password of ``url`` masked (libpq's
    messages may quote the connection string)."""
    text = _first_line(exc)
    for secret in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text if len(text) <= 300 else text[:300] + "…"  # a message may quote the whole query


def _passwords(url: str) -> set[str]:
    from urllib.parse import unquote

    found = set()
    _, _, rest = url.partition("://")
    credentials = rest.split("/", 1)[0].rpartition("@")[0]
    if ":" in credentials:
        found.add(credentials.split(":", 1)[1])
    found.update(m.group(1) for m in re.finditer(r"[?&]password=([^&]*)", url))
    found |= {unquote(secret) for secret in found}
    return {secret for secret in found if secret}


def _record_of(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _shown(url: str) -> str:
    """The URL without its password (in its user part or as a parameter), for messages."""
    head, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        rest = credentials.split(":")[0] + "@" + host
    rest = re.sub(r"([?&]password=)[^&]*", r"\1***", rest)
    return head + sep + rest


def default_work_folder(url: str) -> str:
    """This machine's caches for an archive on a server: ``$VANBAN_CACHE`` or
    ``~/.cache/vanban/``, one folder per server and database."""
    import hashlib

    base = os.environ.get("VANBAN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "vanban")
    folder = os.path.join(base, "pg-" + hashlib.sha256(_shown(url).encode()).hexdigest()[:12])
    # Its record cache decides what an ingest indexes (clearance included): ours alone.
    os.makedirs(base, mode=0o700, exist_ok=True)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder

