"""Searching a Whoosh archive: the parsed query (``query.parse_query``) evaluated
on arrays (``evaluate.py``), filtered and faceted on per-document values, the
documents shown made into hits with snippets (``query.make_hit``)."""
from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
from whoosh.query import DateRange

from ingest.vocabulary.issuers import issuer_pattern

from ..cache import RecordCache
from ..fields import FACET_FIELDS
from ..query import Hit, Results, make_hit, parse_query, type_filter
from ..rows import shown_issuer
from .evaluate import Matches, VectorSearch, best_first, top_documents


def search(store, text: str, year=None, date_from=None, date_to=None, doc_type=None,
           issuer=None, limit: int = 10, sort: str = "relevance", facets: bool = False) -> Results:
    query = parse_query(store, text)
    cache = RecordCache(store.folder)
    with store.searcher() as searcher:
        vs = VectorSearch(searcher)
        found = vs.evaluate(query).without(vs.deleted())
        found = _filtered(vs, found, year, date_from, date_to, doc_type, issuer)
        if sort == "date":
            dates = np.nan_to_num(vs.numbers("date", raw=True)[found.ids], nan=-np.inf)
            order = np.lexsort((found.ids, -dates))
        else:
            order = best_first(found.scores, limit, verify=bool(vs.phrases))
        shown, total, exact = top_documents(vs, query, found, limit, order)
        hits = [_hit(searcher, vs, query, int(found.ids[i]), float(found.scores[i]), cache) for i in shown]
        groups = _facet_counts(searcher, vs, found) if facets else {}
        # Phrases are checked only for the documents shown: the rest is "about".
        return Results(total=total, hits=hits, facets=groups, exact=exact)


def _facet_counts(searcher, vs: VectorSearch, found: Matches) -> dict[str, dict[str, int]]:
    groups = {}
    years = vs.numbers("year")[found.ids]
    years = years[~np.isnan(years)].astype(int)
    values, counts = np.unique(years, return_counts=True)
    groups["year"] = {str(v): int(c) for v, c in zip(values, counts)}
    for name in ("type", "issuer"):
        if FACET_FIELDS[name] not in searcher.schema:  # an index made before the issuer's name was kept
            groups[name] = _issuer_names_from_records(searcher, vs, found)
            continue
        codes, names = vs.labels(FACET_FIELDS[name])
        picked = codes[found.ids]
        values, counts = np.unique(picked[picked >= 0], return_counts=True)
        groups[name] = {names[v]: int(c) for v, c in zip(values, counts) if names[v]}
    return groups


def _issuer_names_from_records(searcher, vs: VectorSearch, found: Matches) -> dict[str, int]:
    """Counts by issuer in an index without the ``issuer_name`` field: by key, each
    named from the record of its first document."""
    codes, _ = vs.labels("issuer_key")
    picked = codes[found.ids]
    values, first, counts = np.unique(picked, return_index=True, return_counts=True)
    named: dict[str, int] = {}
    for value, at, count in zip(values, first, counts):
        if value < 0:
            continue
        record = json.loads(searcher.stored_fields(int(found.ids[at]))["record"])
        name = shown_issuer(record)
        if name:
            named[name] = named.get(name, 0) + int(count)
    return named


def _filtered(vs: VectorSearch, found: Matches, year, date_from, date_to, doc_type, issuer) -> Matches:
    """Filters on per-document values, on whole arrays."""
    keep = np.ones(len(found), dtype=bool)
    if year:
        keep &= vs.numbers("year")[found.ids] == int(year)
    if doc_type:
        codes, names = vs.labels("doc_type")
        wanted = type_filter(doc_type)
        keep &= codes[found.ids] == (names.index(wanted) if wanted in names else -2)
    if issuer:
        codes, names = vs.labels("issuer_key")
        wanted = re.compile(issuer_pattern(issuer) or "(?!)")  # the body in any spelling, with or without its place
        keep &= np.isin(codes[found.ids], [i for i, name in enumerate(names) if wanted.search(f" {name} ")])
    if date_from or date_to:
        start = dt.datetime.fromisoformat(date_from) if date_from else None
        end = dt.datetime.fromisoformat(date_to) if date_to else None
        keep &= np.isin(found.ids, vs.constant(DateRange("date", start, end)).ids)
    return Matches(found.ids[keep], found.scores[keep])


def _hit(searcher, vs: VectorSearch, query, doc: int, score: float, cache: RecordCache) -> Hit:
    record = json.loads(searcher.stored_fields(doc)["record"])
    return make_hit(searcher.schema, record, cache.text(record.get("sha256")), vs.matched_terms(query, doc), score)
