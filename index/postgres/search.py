"""A search of the archive on PostgreSQL: a few statements in one transaction,
each reading few rows whatever the archive's size.

1. Candidates (``candidates.py``): the documents the GIN and b-tree indexes find,
   each row visited once for its text hash, identity, date and facet columns (no
   token list read): the count of documents (one per text, as on Whoosh), the
   near-copies' margin, the facets, and the newest TITLE_BOUND of them. In a
   large archive a word in more than FULL_COUNT documents is counted in one
   sample share of the archive (``rows.SAMPLED``) and the count scaled, "about".
2. Confirmed, where the candidates may be more than the matches: the exact
   condition (``sql.Translation``) is read for the newest TITLE_BOUND candidates.
   Where those are all of them the count is exact; else it is scaled by the share
   that held, and said "about" (``Results.exact``). A phrase found by its pairs
   (which nearly always means the phrase) is confirmed so only up to EXACT_CHECKS
   candidates; beyond, as on Whoosh, only the documents ranked are, and the
   count is the candidates', "about".
3. The pool: up to RANK_ALL matches are ranked in full; beyond, the RANK_POOL
   best by their title fields among the newest TITLE_BOUND (``ts_rank`` reads a
   row's whole token list: ranking every match of a common word took seconds).
4. Ranked: the pool's scores, the best file of each text, the window shown;
   the records (the widest column) are read for the window's rows alone.

No planner setting is forced: the token columns keep no statistics
(``ddl._statistics``), so every match goes through its index. Rows are fetched
by id with their partition's year and clearance, so only those partitions are
probed.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from ..duplicates import Copy, merge_near, record_identity, window_for
from ..fields import FACET_FIELDS
from ..query import FEW_MATCHES, Results, make_hit, parse_query, relaxed
from .candidates import Candidates
from .connection import plain_error, settings_sql, shown_url
from .rows import SAMPLE_SHARES
from .sql import MAX_QUERY_MATCHES, MAX_QUERY_TERMS, SearchFailed, Translation, Unsupported, filters_sql

RANK_ALL, RANK_POOL, TITLE_BOUND = 500, 200, 2000
EXACT_CHECKS = 100  # a phrase's candidates all confirmed up to this many (as on Whoosh)
SAMPLE_DOCS, FULL_COUNT = 10_000, 10_000  # a word in more documents than FULL_COUNT: counted in a sample
DATE_ORDER = "date DESC NULLS LAST, id"

# One document per text hash (``duplicates.py``): a row without one is a document of
# its own. Its identity, where symbol, issuer and day are all there, as
# ``duplicates.identity`` spells it.
COPY = "(CASE WHEN text_hash = '' THEN id::text ELSE text_hash END)"
IDENTITY = ("(CASE WHEN symbol_term <> '' AND issuer_key <> '' AND date IS NOT NULL "
            "THEN symbol_term || '|' || issuer_key || '|' || date::text END)")
CANDIDATE_COLUMNS = f"id, year, clearance, date, {COPY} AS copy, {IDENTITY} AS identity, " + ", ".join(
    sorted(set(FACET_FIELDS.values()) - {"year"}))


@dataclass
class Plan:
    """What a search sends: the exact ``condition`` and ``score`` (and ``titles``,
    the score of the title fields alone), the candidates' condition ``find`` and
    whether it is ``exact`` or ``near`` (more only by phrases' pairs), and
    ``sampled``, the candidates of the sample share; their parameters in
    ``t.params``."""
    query: object
    t: Translation
    condition: str
    score: str
    titles: str
    find: str
    sampled: str
    exact: bool
    near: bool

    def with_candidates(self, store, tail: str, also: str = "TRUE") -> str:
        """``tail`` (SQL over ``cand``) after the candidates' common table (those
        that meet ``also`` too)."""
        return (f"WITH cand AS MATERIALIZED (SELECT {CANDIDATE_COLUMNS} FROM {store.documents} "
                f"WHERE {also} AND {self.find}) {tail}")


@dataclass
class Found:
    """What a set of documents holds: files, documents (one per text), identity
    extras, the newest rows (id, year, clearance) and the facets."""
    files: int = 0
    texts: int = 0
    extras: int = 0
    newest: list[tuple[int, int, int]] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def check_terms(query) -> None:
    """Refuse, in one line, a parsed query of too many terms to translate."""
    terms = sum(1 for _ in query.leaves())
    if terms > MAX_QUERY_TERMS:
        raise Unsupported(f"the query asks {terms:,} terms (each word counts once per field searched); "
                          f"at most {MAX_QUERY_TERMS:,} are searched: use fewer words")


def translate(store, text, year=None, date_from=None, date_to=None, doc_type=None, issuer=None) -> Plan:
    """The plan of a search. ``text``: what was typed, or a parsed tree (``query.relaxed``)."""
    query = parse_query(store, text) if isinstance(text, str) else text  # limits: both backends'
    check_terms(query)
    filters = (year, date_from, date_to, doc_type, issuer)
    t = Translation(store.schema, passages=store.passages)
    where, score = t.node(query)
    if t.matches > MAX_QUERY_MATCHES:
        raise Unsupported(f"the query needs {t.matches:,} separate word matches; at most {MAX_QUERY_MATCHES:,} "
                          "are searched: use fewer words, or join them with OR")
    condition = " AND ".join(f"({w})" for w in [where, *filters_sql(t, *filters)])
    titles = Translation(store.schema, titles_only=True, passages=store.passages).node(query)[1]  # same names
    candidates = Candidates(store.schema, t.params)
    find, sampled, exact, near = candidates.condition(query)
    narrow = filters_sql(candidates.sql, *filters)
    find, sampled = (" AND ".join(f"({w})" for w in [part, *narrow]) for part in (find, sampled))
    return Plan(query, t, condition, score, titles, find, sampled, exact, near)


def prepare_transaction(store) -> None:
    """The settings a search's transaction runs under (again: behind a pooler the
    session's may be another client's)."""
    store.conn.execute(settings_sql(local=True, timeout=store.timeout))


def search(store, text: str, year=None, date_from=None, date_to=None, doc_type=None, issuer=None,
           limit: int = 10, sort: str = "relevance", facets: bool = False, start: int = 0) -> Results:
    import psycopg

    filters = (year, date_from, date_to, doc_type, issuer)
    plan = translate(store, text, *filters)
    loose = None
    try:
        with store.conn.transaction():
            prepare_transaction(store)
            rows, found, exact = _run(store, plan, window_for(limit), sort, facets)
            loose = relaxed(plan.query) if found.texts < FEW_MATCHES else None
            if loose is not None:
                plan = translate(store, loose, *filters)
                rows, found, exact = _run(store, plan, window_for(limit), sort, facets)
            ranked = [Copy(doc, record["path"], record_identity(record), also)
                      for doc, _, record, also in _with_copies(store, plan, rows)]
            kept, examined = merge_near(ranked, lambda docs: _texts(store, docs))
            texts = _texts(store, [copy.ref for copy in kept[start:limit]])
    except psycopg.errors.QueryCanceled:
        raise SearchFailed(f"the search was stopped after {store.timeout:g} s (VANBAN_PG_STATEMENT_TIMEOUT): "
                           "narrow it with more words, a field or --year") from None
    except psycopg.Error as exc:
        raise SearchFailed(f"the archive at {shown_url(store.url)} could not answer: {plain_error(exc, store.url)}") from None
    found_rows = {doc: (value, record) for doc, value, record in rows}
    hits = []
    for copy in kept[start:limit]:
        value, record = found_rows[copy.ref]
        hits.append(make_hit(store.schema, record, texts.get(copy.ref), plan.t.terms, float(value or 0.0)))
        hits[-1].also_at = copy.also
    # Copies of one identity under different hashes are compared among the best
    # ranked only (``duplicates.window_for``): beyond, they are counted apart, "about".
    merged = len(ranked) - len(kept)
    return Results(total=max(int(found.texts) - merged, min(len(kept), limit)), hits=hits, facets=found.facets,
                   exact=exact and found.extras == examined, relaxed=loose is not None)


def _run(store, plan: Plan, window: int, sort: str, facets: bool) -> tuple[list[tuple], Found, bool]:
    """(the ``window`` best rows (id, score, record), one per text; what matched;
    whether its count is exact), in the caller's transaction."""
    bound = max(TITLE_BOUND, window)
    found, exact = _matches(store, plan, bound, facets)
    confirm = False
    if plan.exact or not found.files:
        pass
    elif plan.near and found.files > EXACT_CHECKS:
        # As on Whoosh: documents holding all of a phrase's pairs nearly all hold
        # the phrase; those ranked are confirmed, the rest counted, "about".
        exact, confirm = False, True
    else:
        at, params = _at(found.newest)
        confirmed = _summary(store, plan, f"WITH cand AS MATERIALIZED (SELECT {CANDIDATE_COLUMNS} FROM "
                                          f"{store.documents} WHERE {at} AND ({plan.condition})) ", params,
                             bound, facets)
        if found.files <= len(found.newest):  # every candidate read
            found = confirmed
        else:  # the share of the newest that held, of them all
            share = confirmed.files / len(found.newest)
            found = Found(round(found.files * share), round(found.texts * share), found.extras,
                          confirmed.newest, found.facets)
            exact = False
    if not found.files:
        return [], found, exact
    pool = _pool(store, plan, found, window, sort)
    return _ranked(store, plan, pool, window, sort, confirm), found, exact


def _matches(store, plan: Plan, bound: int, facets: bool) -> tuple[Found, bool]:
    """What the candidates hold, and whether counted exactly. In a large archive a
    word's matches are first counted in the sample share (``rows.SAMPLED``, one in
    SAMPLE_SHARES documents of every year); past FULL_COUNT, the count is the
    share's scaled, "about" (visiting every row of 95,000 matches took half a
    second), and the newest candidates, which the ranking reads, come from the
    newest partitions that should hold twice as many (at most SAMPLE_DOCS
    documents, by the catalog's row counts)."""
    sizes = [] if facets else _partition_sizes(store)
    whole = sum(n for _, n in sizes)
    if whole <= 2 * SAMPLE_DOCS:
        return _summary(store, plan, plan.with_candidates(store, ""), {}, bound, facets), True
    files, texts = (n * SAMPLE_SHARES for n in store.conn.execute(
        f"SELECT pg_catalog.count(*), pg_catalog.count(DISTINCT {COPY}) FROM {store.documents} "
        f"WHERE {plan.sampled}", plan.t.params).fetchone())
    if files > FULL_COUNT:
        # the newest partitions that should hold twice the bound's matches
        since = _newest_years(sizes, min(SAMPLE_DOCS, math.ceil(2 * bound * whole / files)))
        newest = store.conn.execute(
            f"SELECT id, year, clearance FROM {store.documents} WHERE year >= %(since)s AND ({plan.find}) "
            f"ORDER BY {DATE_ORDER} LIMIT {int(bound)}", {**plan.t.params, "since": since}).fetchall()
        if len(newest) == bound:  # else the newest lie further back: all are read
            return Found(files, texts, 0, [tuple(r) for r in newest]), False
    return _summary(store, plan, plan.with_candidates(store, ""), {}, bound, facets), True


def _partition_sizes(store) -> list[tuple[int, float]]:
    """(year, rows) of the yearly partitions this role reads, newest first (undated
    last, as year 0), by the catalog's estimate (-1, never counted: 0)."""
    levels = "|".join(str(int(level)) for level in store.levels)
    rows = store.conn.execute(
        "SELECT COALESCE(pg_catalog.substring(c.relname, '_y([0-9]+)$')::int, 0) AS year, "
        "pg_catalog.sum(GREATEST(c.reltuples, 0)) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = 'vanban' AND c.relkind = 'r' "
        f"AND c.relname ~ '^documents_c({levels})_(y[0-9]+|undated)$' GROUP BY 1 ORDER BY 1 DESC").fetchall()
    return [(year, float(n)) for year, n in rows]


def _newest_years(sizes: list[tuple[int, float]], docs: int) -> int:
    """The first year of the newest partitions that hold ``docs`` rows."""
    counted = 0.0
    for year, rows in sizes:
        counted += rows
        if counted >= docs:
            return year
    return 0


def _summary(store, plan: Plan, head: str, params: dict, bound: int, facets: bool) -> Found:
    """What the documents of ``cand`` (defined by ``head``) hold, in one statement."""
    groups = "".join(
        f", (SELECT pg_catalog.json_object_agg(value, n ORDER BY value) FROM (SELECT {column}::text AS value, "
        f"pg_catalog.count(DISTINCT copy) AS n FROM cand GROUP BY {column}) AS g)"
        for column in FACET_FIELDS.values()) if facets else ""
    row = store.conn.execute(
        f"{head}SELECT s.files, s.texts, s.extras, (SELECT pg_catalog.array_agg(ARRAY[id, year, clearance] "
        f"ORDER BY {DATE_ORDER}) FROM (SELECT id, year, clearance, date FROM cand ORDER BY {DATE_ORDER} "
        f"LIMIT {int(bound)}) AS n){groups} FROM (SELECT pg_catalog.count(*) AS files, "
        "pg_catalog.count(DISTINCT copy) AS texts, pg_catalog.count(DISTINCT copy) FILTER "
        "(WHERE identity IS NOT NULL) - pg_catalog.count(DISTINCT identity) AS extras FROM cand) AS s",
        {**plan.t.params, **params}).fetchone()
    shown = {name: {str(value): count for value, count in (_record(counts) or {}).items()
                    if value not in ("", "0", "None")}
             for name, counts in zip(FACET_FIELDS, row[4:])}
    return Found(row[0], row[1], row[2], [tuple(r) for r in row[3] or []], shown)


def _at(rows: list[tuple[int, int, int]], name: str = "at") -> tuple[str, dict]:
    """The condition of these rows (id, year, clearance): by id, in their partitions only."""
    params = {f"{name}_ids": [r[0] for r in rows], f"{name}_years": sorted({r[1] for r in rows}),
              f"{name}_levels": sorted({r[2] for r in rows})}
    return (f"id = ANY(%({name}_ids)s) AND year = ANY(%({name}_years)s) "
            f"AND clearance = ANY(%({name}_levels)s)"), params


def _pool(store, plan: Plan, found: Found, window: int, sort: str) -> list[tuple[int, int, int]]:
    """The rows to rank: all of them, up to RANK_ALL; by date, the newest; else the
    RANK_POOL best by their titles among the newest TITLE_BOUND."""
    if sort == "date":
        return found.newest[:3 * window + 20]  # room for copies of one text
    if found.files <= RANK_ALL:
        return found.newest
    at, params = _at(found.newest)
    return store.conn.execute(
        f"SELECT id, year, clearance FROM {store.documents} WHERE {at} "
        f"ORDER BY ({plan.titles}) DESC, {DATE_ORDER} LIMIT {int(RANK_POOL)}", {**plan.t.params, **params}).fetchall()


def _ranked(store, plan: Plan, pool: list[tuple], window: int, sort: str, confirm: bool) -> list[tuple]:
    """The ``window`` best of the pool, one file per text (its best-scoring; by date,
    its newest), as (id, score, record); ``confirm``: those that match only."""
    at, params = _at(pool)
    holds = plan.condition if confirm else "TRUE"
    rows = store.conn.execute(
        f"SELECT id, ({plan.score})::pg_catalog.float8, {COPY}, date, year, clearance FROM {store.documents} "
        f"WHERE {at} AND ({holds})", {**plan.t.params, **params}).fetchall()
    if sort == "date":
        rows.sort(key=lambda r: (r[3] is None, -(r[3].toordinal() if r[3] else 0), r[0]))
    else:
        rows.sort(key=lambda r: (-(r[1] or 0.0), r[0]))
    best, seen = [], set()
    for row in rows:
        if row[2] not in seen and len(best) < window:
            seen.add(row[2])
            best.append(row)
    return _with_records(store, best)


def _with_records(store, rows: list[tuple]) -> list[tuple]:
    """(id, score, record) of the rows kept: the records (whole JSON, the largest
    column read) fetched for them alone (a pool's 200 took 50 ms to send)."""
    if not rows:
        return []
    at, params = _at([(r[0], r[4], r[5]) for r in rows])
    records = dict(store.conn.execute(f"SELECT id, record::text FROM {store.documents} WHERE {at}",
                                      params).fetchall())
    return [(r[0], r[1], _record(records[r[0]])) for r in rows]


def _texts(store, docs: list[int]) -> dict[int, str]:
    if not docs:
        return {}
    return dict(store.conn.execute(f"SELECT id, full_text FROM {store.documents} WHERE id = ANY(%s)",
                                   (docs,)).fetchall())


def _with_copies(store, plan: Plan, rows: list[tuple]) -> list[tuple]:
    """Each ranked row with the paths of the other matching files of its text."""
    hashes = [record.get("text_hash") for _, _, record in rows if record.get("text_hash")]
    also: dict[str, list[str]] = {}
    if hashes:
        params = {**plan.t.params, "copies_of": hashes, "shown": [doc for doc, _, _ in rows]}
        for text_hash, path in store.conn.execute(
                f"SELECT text_hash, path FROM {store.documents} WHERE text_hash = ANY(%(copies_of)s) "
                f"AND NOT id = ANY(%(shown)s) AND ({plan.condition}) ORDER BY path", params).fetchall():
            also.setdefault(text_hash, []).append(path)
    return [(doc, value, record, also.get(record.get("text_hash") or "", [])) for doc, value, record in rows]


def _record(value):
    return json.loads(value) if isinstance(value, str) else value
