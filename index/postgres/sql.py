"""A query tree as the SQL condition a document must meet and its score: the
query typed is parsed once, by the same Whoosh ``QueryParser`` as on the
embedded index (``query.parse_query``), and its tree is translated to SQL over
the tsvector columns, so users type the same queries and get the same documents.
The condition is read only for documents the indexes found first
(``candidates.py``; the search itself: ``search.py``).

- a term on a text field: ``title_syl @@ 'quy'::tsquery``, scored by ``ts_rank``
  times the field's boost (exact-diacritic fields weigh more than folded ones,
  titles more than bodies, as on Whoosh);
- a phrase: ``body_syl @@ 'quy' <-> 'định'`` (the positions written at ingest;
  a body's in its passages, ``rows.passages``);
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
import math

from whoosh import query as wq

from ingest.vocabulary.issuers import issuer_pattern

from ..fields import ARRAYS, EQUALITY, PASSAGE_FIELDS, TEXT_FIELDS
from ..query import type_filter
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

    def __init__(self, schema, titles_only: bool = False, passages: str = "vanban.passages",
                 prefix: str = "p", params: dict | None = None) -> None:
        self.schema = schema
        self.passages = passages  # the FROM item of the passages the role may read
        self.titles_only = titles_only  # bodies score nothing (and are not read to score)
        self.param_prefix = prefix  # names of its parameters: another translation may share ``params``
        self.params: dict[str, object] = {} if params is None else params
        self._named = 0
        self.terms: list[tuple[str, str]] = []
        self.matches = 0  # tsquery matches in the SQL: what planning and matching cost

    def param(self, value) -> str:
        name = f"{self.param_prefix}{self._named}"
        self._named += 1
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
        for child in or_parts(node):
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
            # A body's positions are whole only in its passages (see rows.passages),
            # read for the documents at hand (those the indexes found); the document's
            # own tsvector still ranks it.
            # (an aggregate, not EXISTS: the planner would hash every passage holding
            # the phrase, again for each yearly partition, to check a few documents)
            where = (f"COALESCE((SELECT pg_catalog.bool_or(passages.tokens @@ {value}::pg_catalog.tsquery) "
                     f"FROM {self.passages} WHERE passages.path = documents.path "
                     f"AND passages.field = '{node.fieldname}'), false)")
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


def or_parts(node: wq.Or):
    """The parts of an Or, those of nested Ors included (an Or of Ors is one Or)."""
    for child in node.subqueries:
        if type(child) is wq.Or:
            yield from or_parts(child)
        else:
            yield child


def _day(value):
    return value.date() if isinstance(value, dt.datetime) else value


def filters_sql(t: Translation, year, date_from, date_to, doc_type, issuer) -> list[str]:
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
