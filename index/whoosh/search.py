"""Searching a Whoosh archive: the parsed query (``query.parse_query``) evaluated
on arrays (``evaluate.py``), filtered and faceted on per-document values, the
files of one text folded into one document by their hash column and the best
ranked compared for near-identical copies (``duplicates.py``), the documents
shown made into hits with snippets (``query.make_hit``)."""
from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
from whoosh.query import DateRange

from ingest.vocabulary.issuers import issuer_pattern

from ..cache import RecordCache
from ..duplicates import Copy, merge_near, record_identity, window_for
from ..fields import FACET_FIELDS
from ..query import FEW_MATCHES, Hit, Results, make_hit, parse_query, relaxed, type_filter
from ..rows import shown_issuer
from .evaluate import Matches, VectorSearch, best_first, top_documents


def search(store, text: str, year=None, date_from=None, date_to=None, doc_type=None,
           issuer=None, limit: int = 10, sort: str = "relevance", facets: bool = False, start: int = 0) -> Results:
    query = parse_query(store, text)
    cache = RecordCache(store.folder)
    with store.searcher() as searcher:
        vs = VectorSearch(searcher)
        filters = (year, date_from, date_to, doc_type, issuer)
        found = _filtered(vs, vs.evaluate(query).without(vs.deleted()), *filters)
        loose = relaxed(query) if len(found) < FEW_MATCHES else None
        if loose is not None:  # the same parts: evaluated once (``VectorSearch.memo``)
            query, found = loose, _filtered(vs, vs.evaluate(loose).without(vs.deleted()), *filters)
        hashes = vs.codes("text_hash")[found.ids]
        # one file per text: counts, ranks and facets are of documents
        best = _best_copies(found, hashes, vs.shared("text_hash")[found.ids])
        if sort == "date":
            dates = np.nan_to_num(vs.numbers("date", raw=True)[best.ids], nan=-np.inf)
            order = np.lexsort((best.ids, -dates))
        else:
            order = best_first(best.scores, window_for(limit), verify=bool(vs.phrases))
        shown, total, exact = top_documents(vs, query, best, limit, order, vs.codes("identity")[best.ids])
        scores = {int(best.ids[i]): float(best.scores[i]) for i in shown}
        records = {doc: _record(searcher, doc) for doc in scores}
        ranked = [Copy(doc, records[doc]["path"], record_identity(records[doc]),
                       _also(searcher, found, hashes, doc)) for doc in records]
        kept, examined = merge_near(ranked, lambda docs: {d: cache.text(records[d].get("sha256")) for d in docs})
        hits = [_hit(searcher, vs, query, copy, records[copy.ref], scores[copy.ref], cache) for copy in kept[start:limit]]
        groups = _facet_counts(searcher, vs, best) if facets else {}
        # Phrases are checked only for the documents shown: the rest is "about". Copies
        # of one identity (symbol, issuer, date) under different hashes are compared
        # only in the window: beyond it they are counted apart, and the count is "about".
        merged = len(ranked) - len(kept)
        exact = exact and _identity_extras(vs, best) == examined
        return Results(total=max(total - merged, min(len(kept), limit)), hits=hits, facets=groups, exact=exact,
                       relaxed=loose is not None)


def _best_copies(found: Matches, hashes: np.ndarray, shared: np.ndarray) -> Matches:
    """The best-scoring file of each text hash (the first in docnum order among equals)
    and every file whose text no other file has."""
    if not shared.any():
        return found
    copies = np.flatnonzero(shared)
    copies = copies[np.lexsort((found.ids[copies], -found.scores[copies], hashes[copies]))]
    first = np.ones(len(copies), dtype=bool)
    first[1:] = hashes[copies][1:] != hashes[copies][:-1]
    keep = np.sort(np.concatenate([np.flatnonzero(~shared), copies[first]]))
    return Matches(found.ids[keep], found.scores[keep])


def _also(searcher, found: Matches, hashes: np.ndarray, doc: int) -> list[str]:
    """The paths of the other matching files of this document's text."""
    at = int(np.searchsorted(found.ids, doc))
    if not hashes[at]:
        return []  # no hash: no copies
    return sorted(searcher.stored_fields(int(d))["path"] for d in found.ids[hashes == hashes[at]] if d != doc)


def _identity_extras(vs: VectorSearch, best: Matches) -> int:
    """How many documents share their identity with another of ``best`` (the
    comparisons an exact count needs)."""
    codes = vs.codes("identity")[best.ids[vs.shared("identity")[best.ids]]]
    return len(codes) - len(np.unique(codes))


def _facet_counts(searcher, vs: VectorSearch, found: Matches) -> dict[str, dict[str, int]]:
    groups = {}
    years = vs.numbers("year")[found.ids]
    years = years[~np.isnan(years)].astype(np.int64)
    groups["year"] = _counts(years, lambda v: str(v))
    for name in ("type", "issuer"):
        if FACET_FIELDS[name] not in searcher.schema:  # an index made before the issuer's name was kept
            groups[name] = _issuer_names_from_records(searcher, vs, found)
            continue
        codes, names = vs.labels(FACET_FIELDS[name])
        picked = codes[found.ids]
        groups[name] = {label: count for label, count in _counts(picked[picked >= 0], names.__getitem__).items()
                        if label}
    return groups


def _counts(values: np.ndarray, label) -> dict[str, int]:
    """label(value) -> how many times each value occurs (in increasing order of
    value), counted by ``bincount`` over the values' span: linear, where sorting
    half the archive's matches is not."""
    if not len(values):
        return {}
    low = int(values.min())
    counts = np.bincount(values - low)
    return {label(int(v) + low): int(counts[v]) for v in np.flatnonzero(counts)}


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


def _record(searcher, doc: int) -> dict:
    return json.loads(searcher.stored_fields(doc)["record"])


def _hit(searcher, vs: VectorSearch, query, copy: Copy, record: dict, score: float, cache: RecordCache) -> Hit:
    hit = make_hit(searcher.schema, record, cache.text(record.get("sha256")), vs.matched_terms(query, copy.ref), score)
    hit.also_at = copy.also
    return hit
