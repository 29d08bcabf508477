"""Searching the archive on PostgreSQL: the query typed is parsed once, by the
same Whoosh ``QueryParser`` as on the embedded index (``query.parse_query``), and
its tree is translated to SQL over the tsvector columns, so users type the same
queries and get the same documents.

- a term on a text field: ``title_syl @@ 'quy'::tsquery``, scored by ``ts_rank``
  times the field's boost (exact-diacritic fields weigh more than folded ones,
  titles more than bodies, as on Whoosh);
- a phrase: ``body_syl @@ 'quy' <-> 'định'`` (the positions written at ingest);
- And / Or / Not / AndNot / AndMaybe / Require: the Boolean SQL, scores summed over
  the parts that hold;
- ``symbol:``, ``doc_type:``, ``issuer_key:`` and the other one-value fields:
  equality; ``cite_symbols:`` and ``cite_keys:``: array containment; date and year
  ranges: comparisons.
Ranking formulas differ (``ts_rank`` is not BM25F), so the order of hits of equal
relevance may differ between the two backends; the documents found do not.
"""
from __future__ import annotations

import datetime as dt
import json
import math

from whoosh import query as wq

from ingest.vocabulary.issuers import issuer_pattern

from ..duplicates import Copy, merge_near, record_identity, window_for
from ..fields import ARRAYS, EQUALITY, FACET_FIELDS, PASSAGE_FIELDS, TEXT_FIELDS
from ..query import FEW_MATCHES, Results, make_hit, parse_query, relaxed, type_filter
from .connection import plain_error, settings_sql, shown_url
from .rows import quote_lexeme
# What one search may ask of the server, beyond the limits of the query reader
# both backends share (query.parse_query: length, depth, words, boosts): more
# terms once parsed (each word typed becomes one term per searched field) are
# refused in one line before any SQL is sent.
MAX_QUERY_TERMS = 2000
# Words ORed on one field are one match (one tsquery); words ANDed are a match
# each, per field: planning 1,800 of them over the partitions took seconds.
MAX_QUERY_MATCHES = 360
# Boosts beyond this are clamped: a score must stay a finite number.
MAX_BOOST = 1000.0
MAX_WORD_BYTES = 2046  # PostgreSQL's longest lexeme, plus one


class Unsupported(ValueError):
    """A query form the PostgreSQL backend cannot express."""


class SearchFailed(ValueError):
    """The server refused or stopped a search (the statement timeout, a lexeme too
    long for a tsquery ...): one line, no password."""


class Translation:
    """SQL for one parsed query: ``where`` and ``score`` expressions whose values
    are named parameters in ``params``, and the (field, term) pairs that snippets
    mark."""

    def __init__(self, schema, titles_only: bool = False, passages: str = "vanban.passages") -> None:
        self.schema = schema
        self.passages = passages  # the FROM item of the passages the role may read
        self.titles_only = titles_only  # bodies score nothing (and are not read to score)
        self.params: dict[str, object] = {}
        self.terms: list[tuple[str, str]] = []
        self.ctes: list[str] = []
        self.matches = 0  # tsquery matches in the SQL: what planning and matching cost

    def with_clause(self) -> str:
        """The passages a query's body phrases match, each found once (the planner
        would otherwise search them again for every yearly partition)."""
        return "WITH " + ", ".join(self.ctes) + " " if self.ctes else ""

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def node(self, node) -> tuple[str, str]:
        """(where, score) of a query node."""
        if isinstance(node, wq.Term):
            return self.term(node.fieldname, node.text, node.boost)
        if isinstance(node, wq.Phrase):
            return self.phrase(node)
        if isinstance(node, wq.And):
            wheres, scores = [], []
            for child in node.subqueries:
                if isinstance(child, wq.Not):
                    wheres.append(f"NOT ({self.node(child.query)[0]})")
                else:
                    where, score = self.node(child)
                    wheres.append(where)
                    scores.append(score)
            return " AND ".join(f"({w})" for w in wheres), " + ".join(scores) or "0"
        if isinstance(node, wq.Or) and node.minmatch > 1:
            return self.most_of(node)
        if isinstance(node, wq.Or):
            parts = self.disjunction(node)
            return (" OR ".join(f"({w})" for w, _ in parts),
                    " + ".join(f"(CASE WHEN {w} THEN {s} ELSE 0 END)" for w, s in parts if s != "0") or "0")
        if isinstance(node, wq.Not):
            return f"NOT ({self.node(node.query)[0]})", "0"
        if isinstance(node, wq.AndNot):
            (wa, sa), (wb, _) = self.node(node.a), self.node(node.b)
            return f"({wa}) AND NOT ({wb})", sa
        if isinstance(node, wq.AndMaybe):
            (wa, sa), (wb, sb) = self.node(node.a), self.node(node.b)
            return wa, sa if sb == "0" else f"{sa} + (CASE WHEN {wb} THEN {sb} ELSE 0 END)"
        if isinstance(node, wq.Require):
            (wa, sa), (wb, _) = self.node(node.a), self.node(node.b)
            return f"({wa}) AND ({wb})", sa
        if isinstance(node, wq.Every):
            return "TRUE", "0"
        if isinstance(node, type(wq.NullQuery)):
            return "FALSE", "0"
        if isinstance(node, (wq.DateRange, wq.NumericRange)):
            return self.range(node), self.boost(node.boost)
        if isinstance(node, (wq.Prefix, wq.Wildcard)):
            return self.prefix(node), self.boost(node.boost)
        raise Unsupported(f"this query form is not supported on PostgreSQL: {node!r}")

    def disjunction(self, node: wq.Or) -> list[tuple[str, str]]:
        """(where, score) of each part of an Or, nested Ors flattened and the words
        asked of one text field (at one boost) joined into one tsquery: a 300-word
        OR query is then a few matches per row, not 1,800 (whose planning and
        matching took seconds); such a group is ranked by ``ts_rank`` of the joined
        tsquery."""
        groups: dict[tuple[str, float], list[str]] = {}
        parts: list = []
        for child in _or_parts(node):
            if isinstance(child, wq.Term) and child.fieldname in TEXT_FIELDS:
                key = (child.fieldname, float(child.boost))
                if key not in groups:
                    groups[key] = []
                    parts.append(key)
                groups[key].append(child.text.decode("utf-8") if isinstance(child.text, bytes) else str(child.text))
            else:
                parts.append(child)
        return [self.words(part[0], groups[part], part[1]) if isinstance(part, tuple) else self.node(part)
                for part in parts]

    def most_of(self, node: wq.Or) -> tuple[str, str]:
        """(where, score) of an Or that needs ``minmatch`` of its parts: at least one of
        any ``len - minmatch + 1`` of them holds (what the indexes find), then the
        count. The parts of the longest words are those, as the likeliest rare."""
        parts = [self.node(child) for child in node.subqueries]
        need = node.minmatch
        longest = sorted(range(len(parts)), key=lambda i: -max(
            (len(str(leaf.text)) for leaf in node.subqueries[i].leaves() if hasattr(leaf, "text")), default=0))
        any_of = " OR ".join(f"({parts[i][0]})" for i in sorted(longest[:len(parts) - need + 1]))
        count = " + ".join(f"(CASE WHEN {w} THEN 1 ELSE 0 END)" for w, _ in parts)
        score = " + ".join(f"(CASE WHEN {w} THEN {s} ELSE 0 END)" for w, s in parts if s != "0") or "0"
        return f"({any_of}) AND ({count}) >= {int(need)}", score

    def words(self, field: str, texts: list[str], boost: float) -> tuple[str, str]:
        """(where, score) of any of these words in a text field."""
        for text in texts:
            if len(text.encode("utf-8")) >= MAX_WORD_BYTES:
                raise Unsupported(f"a word of {len(text):,} characters is too long to search")
            self.terms.append((field, text))
        return self._text(field, " | ".join(quote_lexeme(text) for text in texts), boost)

    def boost(self, boost, factor: float = 1.0) -> str:
        """A boost as a parameter: finite, within [0, MAX_BOOST]."""
        try:
            value = float(boost) * float(factor)
        except (TypeError, ValueError, OverflowError):
            value = math.nan
        if math.isnan(value):
            raise Unsupported(f"a boost must be a number, not {boost!r}")
        return f"{self.param(min(max(value, 0.0), MAX_BOOST))}::pg_catalog.float8"

    def term(self, field: str, text, boost: float) -> tuple[str, str]:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        if field in TEXT_FIELDS:
            return self.words(field, [str(text)], boost)
        constant = self.boost(boost)
        if field in EQUALITY:
            return f"{EQUALITY[field]} = {self.param(str(text))}", constant
        if field in ARRAYS:
            return f"{field} @> ARRAY[{self.param(str(text))}]::pg_catalog.text[]", constant
        if field == "year":
            return f"year = {self.param(int(self.schema['year'].from_bytes(text) if isinstance(text, bytes) else text))}", constant
        if field == "needs_ocr":
            return f"needs_ocr = {self.param(str(text) == 'yes')}", constant
        raise Unsupported(f"the field {field!r} cannot be searched on PostgreSQL")

    def _text(self, field: str, tsquery: str, boost: float) -> tuple[str, str]:
        return self._ranked(field, self.param(tsquery), boost)

    def _ranked(self, field: str, value: str, boost: float) -> tuple[str, str]:
        """(where, score) of a tsquery parameter on a text field."""
        # the weight is a parameter whether or not it is used: the titles-only
        # translation must number its parameters as the full one does
        weight = self.boost(boost, getattr(self.schema[field].format, "field_boost", 1.0) or 1.0)
        self.matches += 1
        if self.titles_only and field.startswith("body"):
            return f"{field} @@ {value}::pg_catalog.tsquery", "0"
        return (f"{field} @@ {value}::pg_catalog.tsquery",
                f"{weight} * pg_catalog.ts_rank({field}, {value}::pg_catalog.tsquery)")

    def phrase(self, node: wq.Phrase) -> tuple[str, str]:
        if node.fieldname not in TEXT_FIELDS:
            raise Unsupported(f"phrases cannot be searched in the field {node.fieldname!r}")
        words = [w.decode("utf-8") if isinstance(w, bytes) else str(w) for w in node.words]
        self.terms += [(node.fieldname, w) for w in words]
        joint = " <-> " if node.slop <= 1 else " & "
        value = self.param(joint.join(quote_lexeme(w) for w in words))
        where, score = self._ranked(node.fieldname, value, node.boost)
        if node.fieldname in PASSAGE_FIELDS and joint == " <-> ":
            # A body's positions are whole only in its passages (see rows.passages);
            # the document's own tsvector still ranks it.
            name = f"phrase{len(self.ctes)}"
            self.ctes.append(f"{name} AS MATERIALIZED (SELECT DISTINCT doc_id FROM {self.passages} "
                             f"WHERE field = '{node.fieldname}' AND tokens @@ {value}::pg_catalog.tsquery)")
            where = f"id IN (SELECT doc_id FROM {name})"
        return where, score

    def range(self, node) -> str:
        column = {"date": "date", "year": "year"}.get(node.fieldname)
        if column is None:
            raise Unsupported(f"ranges cannot be searched in the field {node.fieldname!r}")
        low, high = (node.startdate, node.enddate) if isinstance(node, wq.DateRange) else (node.start, node.end)
        parts = []
        if low is not None:
            parts.append(f"{column} {'>' if node.startexcl else '>='} {self.param(_day(low))}")
        if high is not None:
            parts.append(f"{column} {'<' if node.endexcl else '<='} {self.param(_day(high))}")
        return " AND ".join(parts) or "TRUE"

    def prefix(self, node) -> str:
        if node.fieldname in TEXT_FIELDS:
            text = node.text.split("*")[0].split("?")[0]  # a wildcard is read up to its first mark
            return f"{node.fieldname} @@ {self.param(quote_lexeme(text) + ':*')}::pg_catalog.tsquery"
        pattern = like_pattern(node.text) + ("%" if isinstance(node, wq.Prefix) else "")
        if node.fieldname in EQUALITY:
            return f"{EQUALITY[node.fieldname]} LIKE {self.param(pattern)}"
        if node.fieldname in ARRAYS:
            return (f"EXISTS (SELECT FROM pg_catalog.unnest({node.fieldname}) AS value "
                    f"WHERE value LIKE {self.param(pattern)})")
        raise Unsupported(f"prefixes cannot be searched in the field {node.fieldname!r}")


def like_pattern(text: str) -> str:
    """A Whoosh wildcard (``308/*nđ*``) as a LIKE pattern, its own ``%`` and ``_`` plain."""
    plain = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return plain.replace("*", "%").replace("?", "_")


def _or_parts(node: wq.Or):
    """The parts of an Or, those of nested Ors included (an Or of Ors is one Or)."""
    for child in node.subqueries:
        if type(child) is wq.Or:
            yield from _or_parts(child)
        else:
            yield child


def _day(value):
    return value.date() if isinstance(value, dt.datetime) else value


def _filters(t: Translation, year, date_from, date_to, doc_type, issuer) -> list[str]:
    where = []
    if year:
        where.append(f"year = {t.param(int(year))}")
    if date_from:
        where.append(f"date >= {t.param(dt.date.fromisoformat(date_from[:10]))}")
    if date_to:
        where.append(f"date <= {t.param(dt.date.fromisoformat(date_to[:10]))}")
    if doc_type:
        where.append(f"doc_type = {t.param(type_filter(doc_type))}")
    if issuer:
        pattern = issuer_pattern(issuer)  # the body in any spelling, with or without its place
        if not pattern:  # punctuation only
            raise Unsupported(f"--issuer {issuer!r} names no issuing body")
        where.append(f"pg_catalog.textregexeq(pg_catalog.concat(' ', issuer_key, ' '), {t.param(pattern)})")
    return where


# ``ts_rank`` reads a document's whole body tsvector (out of line, compressed):
# ranking every match of a word found in most of a 100,000-document archive took
# seconds. Up to RANK_ALL matches are ranked in full; beyond, the RANK_POOL best
# by their title fields are, and the best of those shown. Matching and counting
# go through the GIN indexes (a bitmap of rows, no body read), which the planner
# would skip for a common word in favour of reading every row: it does not price
# decompressing each row's out-of-line tsvector, and a seq scan for a word in
# half the archive took 0.6 s where the bitmap took 18 ms (20,000 documents).
# So the planner is told not to read partitions whole, with JIT off (the costs
# that setting adds once priced plans past the JIT threshold, whose compiling
# took seconds). A phrase in bodies must read positions anyway
# (``vanban.passages``): there the planner chooses.
RANK_ALL, RANK_POOL = 500, 200


def prepare_transaction(store, t: Translation) -> None:
    """The settings a search's transaction runs under (see above)."""
    store.conn.execute(settings_sql(local=True, timeout=store.timeout))
    if not t.ctes:
        store.conn.execute("SET LOCAL enable_seqscan = off")


def check_terms(query) -> None:
    """Refuse, in one line, a parsed query of too many terms to translate."""
    terms = sum(1 for _ in query.leaves())
    if terms > MAX_QUERY_TERMS:
        raise Unsupported(f"the query asks {terms:,} terms (each word counts once per field searched); "
                          f"at most {MAX_QUERY_TERMS:,} are searched: use fewer words")


def translate(store, text, year=None, date_from=None, date_to=None, doc_type=None, issuer=None):
    """(query tree, translation, condition, score) of a search: what ``search`` sends.
    ``text``: what was typed, or a parsed tree (``query.relaxed``)."""
    query = parse_query(store, text) if isinstance(text, str) else text  # limits: both backends'
    check_terms(query)
    t = Translation(store.schema, passages=store.passages)
    where, score = t.node(query)
    if t.matches > MAX_QUERY_MATCHES:
        raise Unsupported(f"the query needs {t.matches:,} separate word matches; at most {MAX_QUERY_MATCHES:,} "
                          "are searched: use fewer words, or join them with OR")
    condition = " AND ".join(f"({w})" for w in [where, *_filters(t, year, date_from, date_to, doc_type, issuer)])
    return query, t, condition, score


# One document per text hash (``duplicates.py``): a row without one is a document of
# its own. Its identity, where symbol, issuer and day are all there, as
# ``duplicates.identity`` spells it.
COPY = "(CASE WHEN text_hash = '' THEN id::text ELSE text_hash END)"
IDENTITY = ("(CASE WHEN symbol_term <> '' AND issuer_key <> '' AND date IS NOT NULL "
            "THEN symbol_term || '|' || issuer_key || '|' || date::text END)")


def count_sql(store, t: Translation, condition: str) -> str:
    """Documents (not files) matching, and how many of them share an identity with
    another (what the near-identical check must have seen for the count to be exact;
    the identity of a text's files is any of theirs: where they disagree the count
    says "about")."""
    return (f"{t.with_clause()}SELECT pg_catalog.count(DISTINCT {COPY}), "
            f"pg_catalog.count(DISTINCT {COPY}) FILTER (WHERE {IDENTITY} IS NOT NULL) "
            f"- pg_catalog.count(DISTINCT {IDENTITY}) FROM {store.documents} WHERE {condition}")


def search(store, text: str, year=None, date_from=None, date_to=None, doc_type=None, issuer=None,
           limit: int = 10, sort: str = "relevance", facets: bool = False, start: int = 0) -> Results:
    import psycopg

    filters = (year, date_from, date_to, doc_type, issuer)
    query, t, condition, score = translate(store, text, *filters)
    loose = None
    try:
        with store.conn.transaction():
            prepare_transaction(store, t)
            rows, (total, extras), groups = _run(store, query, t, (condition, score), window_for(limit), sort, facets)
            loose = relaxed(query) if total < FEW_MATCHES else None
            if loose is not None:
                query, t, condition, score = translate(store, loose, *filters)
                rows, (total, extras), groups = _run(store, query, t, (condition, score), window_for(limit), sort,
                                                     facets)
            ranked = [Copy(doc, record["path"], record_identity(record), also)
                      for doc, _, record, also in _with_copies(store, t, condition, rows)]
            kept, examined = merge_near(ranked, lambda docs: _texts(store, docs))
            texts = _texts(store, [copy.ref for copy in kept[start:limit]])
    except psycopg.errors.QueryCanceled:
        raise SearchFailed(f"the search was stopped after {store.timeout:g} s (VANBAN_PG_STATEMENT_TIMEOUT): "
                           "narrow it with more words, a field or --year") from None
    except psycopg.Error as exc:
        raise SearchFailed(f"the archive at {shown_url(store.url)} could not answer: {plain_error(exc, store.url)}") from None
    found = {doc: (value, record) for doc, value, record in rows}
    hits = []
    for copy in kept[start:limit]:
        value, record = found[copy.ref]
        hits.append(make_hit(store.schema, record, texts.get(copy.ref), t.terms, float(value or 0.0)))
        hits[-1].also_at = copy.also
    # Copies of one identity under different hashes are compared among the best
    # ranked only (``duplicates.window_for``): beyond, they are counted apart, "about".
    merged = len(ranked) - len(kept)
    return Results(total=max(int(total) - merged, min(len(kept), limit)), hits=hits, facets=groups, exact=extras == examined,
                   relaxed=loose is not None)


def _texts(store, docs: list[int]) -> dict[int, str]:
    if not docs:
        return {}
    return dict(store.conn.execute(f"SELECT id, full_text FROM {store.documents} WHERE id = ANY(%s)",
                                   (docs,)).fetchall())


def _with_copies(store, t: Translation, condition: str, rows: list[tuple]) -> list[tuple]:
    """Each ranked row with the paths of the other matching files of its text."""
    hashes = [record.get("text_hash") for _, _, record in rows if record.get("text_hash")]
    also: dict[str, list[str]] = {}
    if hashes:
        params = {**t.params, "copies_of": hashes, "shown": [doc for doc, _, _ in rows]}
        for text_hash, path in store.conn.execute(
                f"{t.with_clause()}SELECT text_hash, path FROM {store.documents} WHERE text_hash = ANY(%(copies_of)s) "
                f"AND NOT id = ANY(%(shown)s) AND ({condition}) ORDER BY path", params).fetchall():
            also.setdefault(text_hash, []).append(path)
    return [(doc, value, record, also.get(record.get("text_hash") or "", [])) for doc, value, record in rows]


def _run(store, query, t: Translation, sql: tuple[str, str], limit: int, sort: str, facets: bool):
    """(rows, (documents, identity extras), facets) of a translated search, in the
    caller's transaction: the ``limit`` best-ranked files, one per text hash (the
    best-scoring copy; by date, the first by id)."""
    condition, score = sql
    head = t.with_clause()
    total, extras = store.conn.execute(count_sql(store, t, condition), t.params).fetchone()
    if not total:
        rows = []
    elif sort == "date":
        order = "date DESC NULLS LAST, id"
        firsts = (f"SELECT id FROM (SELECT id, date, pg_catalog.row_number() OVER (PARTITION BY {COPY} "
                  f"ORDER BY {order}) AS nth FROM {store.documents} WHERE {condition}) AS c "
                  f"WHERE nth = 1 ORDER BY {order} LIMIT {int(limit)}")
        rows = store.conn.execute(
            f"{head}SELECT id, ({score})::pg_catalog.float8 AS score, record FROM {store.documents} "
            f"WHERE id IN ({firsts}) ORDER BY {order}", t.params).fetchall()
    else:
        if total <= RANK_ALL:
            chosen = condition
        else:
            titles = Translation(store.schema, titles_only=True, passages=store.passages).node(query)[1]  # same parameters
            chosen = (f"id IN (SELECT id FROM {store.documents} WHERE {condition} "
                      f"ORDER BY ({titles}) DESC, id LIMIT {RANK_POOL})")
        scored = (f"SELECT id, ({score})::pg_catalog.float8 AS score, record, {COPY} AS copy "
                  f"FROM {store.documents} WHERE {chosen}")
        rows = store.conn.execute(
            f"{head}SELECT id, score, record FROM (SELECT id, score, record, pg_catalog.row_number() OVER "
            f"(PARTITION BY copy ORDER BY score DESC, id) AS nth FROM ({scored}) AS s) AS c "
            f"WHERE nth = 1 ORDER BY score DESC, id LIMIT {int(limit)}", t.params).fetchall()
    rows = [(doc, value, _record(record)) for doc, value, record in rows]
    groups = _facet_counts(store, t, condition) if facets else {}
    return rows, (total, extras), groups


def _record(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _facet_counts(store, t: Translation, condition: str) -> dict[str, dict[str, int]]:
    groups = {}
    for name, column in FACET_FIELDS.items():  # the column of each field is named as the field
        rows = store.conn.execute(f"{t.with_clause()}SELECT {column}, pg_catalog.count(DISTINCT {COPY}) "
                                  f"FROM {store.documents} "
                                  f"WHERE {condition} GROUP BY {column} ORDER BY {column}", t.params).fetchall()
        groups[name] = {str(value): count for value, count in rows if value not in ("", 0, None)}
    return groups
