"""The archive's schema on PostgreSQL: tables partitioned by clearance and year,
the roles that read them, and the statements that make each year's partitions.

Every statement runs on a connection whose ``search_path`` is pinned
(``connection.settings_sql``); every name of ours is schema-qualified.
"""
from __future__ import annotations

from ..fields import SEARCH_FIELDS, TEXT_FIELDS

PG_SCHEMA_VERSION = 6  # 3: text_hash (duplicates.py), issuer_name (the body's name, counted by --facets);
                       # 4: corrections (index/corrections.py); 5: the match columns below;
                       # 6: a sample share's lexeme in each match column (rows.SAMPLE_SHARES)
# What searches find documents by (``sql.Candidates``), each with a GIN index:
# ``terms``, every token of the six searched text fields in one set (no positions:
# a word typed is one index scan, not six), and the adjacent folded syllables of
# titles and bodies (``analysis.pairs_analyzer``), which find a phrase's documents
# without reading a position. The text fields keep their positions, read only for
# the documents a search ranks or confirms; only ``signer`` and ``figures``, which
# ``terms`` leaves out, keep GIN indexes of their own.
PAIR_COLUMNS = ("title_pairs", "body_pairs")
MATCH_COLUMNS = (*PAIR_COLUMNS, "terms")
TOKEN_COLUMNS = (*TEXT_FIELDS, *MATCH_COLUMNS)
INDEXED_TEXT = tuple(name for name in TEXT_FIELDS if name not in SEARCH_FIELDS)
# Clearance levels of the confidentiality marks, and the roles that grant them.
CLEARANCE = {"": 0, "mật": 1, "tối mật": 2, "tuyệt mật": 3}
CLEARANCE_ROLES = {1: "vanban_mat", 2: "vanban_toi_mat", 3: "vanban_tuyet_mat"}
READER_ROLE = "vanban_reader"
LEVELS = (0, 1, 2, 3)


def ddl() -> list[str]:
    """The schema. Statements run on a connection whose ``search_path`` is pinned
    (``connection.settings_sql``): names, operators and types resolve in ``pg_catalog``."""
    return _tables() + _statistics() + _indexes() + _security()


def _tables() -> list[str]:
    text_columns = ", ".join(f"{name} pg_catalog.tsvector NOT NULL DEFAULT ''" for name in TEXT_FIELDS)
    # last, as version 5 adds them (a version 1 archive's rows copy over by position)
    match_columns = ", ".join(f"{name} pg_catalog.tsvector NOT NULL DEFAULT ''" for name in MATCH_COLUMNS)
    return [
        "CREATE SCHEMA IF NOT EXISTS vanban",
        "CREATE TABLE IF NOT EXISTS vanban.meta (key text PRIMARY KEY, value text NOT NULL)",
        # Corrections by hand, by content: the owner's alone (no grant to readers: a
        # correction may quote a MẬT document); applied whenever a file is written.
        """CREATE TABLE IF NOT EXISTS vanban.corrections (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            sha256 text NOT NULL, path text NOT NULL, field text NOT NULL, value text NOT NULL, was text,
            by_role text NOT NULL, at timestamptz NOT NULL)""",
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
            text_hash text NOT NULL DEFAULT '',
            issuer_name text NOT NULL DEFAULT '',
            {match_columns},
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
    ]


def add_text_hash() -> list[str]:
    """Version 2 to 3: the column of the text hash, last (as version 3 makes it, so
    a version 1 archive's rows still copy over by position); existing rows get ''
    and ``PgStore`` fills them from their text."""
    return ["ALTER TABLE vanban.documents ADD COLUMN IF NOT EXISTS text_hash text NOT NULL DEFAULT ''"]


def add_match_columns() -> list[str]:
    """Version 4 to 5: the match columns (filled by ``PgStore``), and the GIN indexes
    of the searched text fields dropped (``terms`` replaces them). Each token
    column is made again as itself (ALTER ... TYPE), which drops the statistics
    ANALYZE kept of it (see ``_statistics``)."""
    return [*[f"DROP INDEX IF EXISTS vanban.documents_{name}" for name in SEARCH_FIELDS],
            *[f"ALTER TABLE vanban.documents ADD COLUMN IF NOT EXISTS {name} pg_catalog.tsvector NOT NULL DEFAULT ''"
              for name in MATCH_COLUMNS],
            *[f"ALTER TABLE vanban.documents ALTER COLUMN {name} TYPE pg_catalog.tsvector" for name in TEXT_FIELDS],
            "ALTER TABLE vanban.passages ALTER COLUMN tokens TYPE pg_catalog.tsvector"]


def _statistics() -> list[str]:
    """No statistics of token columns: with them the planner judges a common word's
    bitmap of rows dearer than reading each partition whole, where reading a row
    whole decompresses its out-of-line body tokens, which it does not price (a word
    in half of 20,000 documents: 0.6 s read whole, 18 ms through the index).
    Without them it takes the match as rare (0.5% of rows) and uses the index, as
    for every match, with no planner setting forced. Set on every partition (a
    partition keeps its own: a parent's setting reaches those it has, a year's new
    ones get theirs before they are attached)."""
    return [*[f"ALTER TABLE vanban.documents ALTER COLUMN {name} SET STATISTICS 0" for name in TOKEN_COLUMNS],
            "ALTER TABLE vanban.passages ALTER COLUMN tokens SET STATISTICS 0"]


def _no_statistics_of(table: str) -> list[str]:
    return [f"ALTER TABLE {table} ALTER COLUMN {name} SET STATISTICS 0" for name in TOKEN_COLUMNS]


def _indexes() -> list[str]:
    return [
        "CREATE INDEX IF NOT EXISTS passages_path ON vanban.passages (path)",
        "CREATE INDEX IF NOT EXISTS passages_tokens ON vanban.passages USING gin (tokens)",
        "CREATE INDEX IF NOT EXISTS documents_path ON vanban.documents (path)",
        "CREATE INDEX IF NOT EXISTS documents_id ON vanban.documents (id)",
        "CREATE INDEX IF NOT EXISTS documents_symbol ON vanban.documents (symbol_term)",
        "CREATE INDEX IF NOT EXISTS documents_date ON vanban.documents (date)",
        "CREATE INDEX IF NOT EXISTS documents_text_hash ON vanban.documents (text_hash)",
        "CREATE INDEX IF NOT EXISTS documents_cite_symbols ON vanban.documents USING gin (cite_symbols)",
        *[f"CREATE INDEX IF NOT EXISTS documents_{name} ON vanban.documents USING gin ({name})"
          for name in (*INDEXED_TEXT, *MATCH_COLUMNS)],
    ]


def _security() -> list[str]:
    levels = " ".join(f"WHEN pg_catalog.pg_has_role(current_user, '{role}', 'MEMBER') THEN {level}"
                      for level, role in sorted(CLEARANCE_ROLES.items(), reverse=True))
    return [
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


def roles_sql() -> list[str]:
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


def public_schema_sql() -> list[str]:
    """Nobody but its owner creates objects in ``public`` (PUBLIC could, in every
    database made before PostgreSQL 15): readers get CREATE nowhere."""
    everyone = ", ".join((READER_ROLE, *CLEARANCE_ROLES.values()))
    return [f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {everyone}"]


def year_partitions(year: int) -> list[str]:
    """A year's partition in every clearance (so a partition's existence tells a
    reader nothing), each made apart and then attached: ATTACH takes SHARE UPDATE
    EXCLUSIVE on the parent, which searches' ACCESS SHARE does not wait for, where
    CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE and queue them."""
    statements = []
    for level in LEVELS:
        name = f"vanban.documents_c{level}_y{int(year)}"
        statements += [f"CREATE TABLE {name} (LIKE vanban.documents_c{level} INCLUDING DEFAULTS)",
                       *_no_statistics_of(name),
                       f"ALTER TABLE vanban.documents_c{level} ATTACH PARTITION {name} "
                       f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})"]
    return statements
