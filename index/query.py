"""Searching the archive: Whoosh query syntax over the Vietnamese fields, filters,
facets, snippets."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from whoosh import highlight, sorting
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.query import And, DateRange, NullQuery, NumericRange, Phrase, Term, Wildcard

from ingest import regexes as rx
from ingest.doctypes import TYPE_CODES, canonical_code, match_type_name
from ingest.issuers import issuer_key
from ingest.symbols import normalize_symbol
from ingest.textnorm import strip_marks

from .analysis import fold_marks, symbol_term
from .records import RecordCache
from .store import WhooshStore

# Searched when a query names no field; ``signer:``, ``figures:`` and the others by
# name (the signer's name is in the body too).
SEARCH_FIELDS = ["title", "title_syl", "title_fold", "body", "body_syl", "body_fold"]
# Phrases are matched on syllables only: the same words segmented differently would
# miss, and asking the word fields too doubles the work for nothing.
PHRASE_FIELDS = {"title_syl", "title_fold", "body_syl", "body_fold"}


class _Marker(highlight.Formatter):
    """Matches as «…», readable in a terminal and in JSON alike."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return "«" + highlight.get_text(text, token, replace) + "»"
SNIPPET_FIELDS = ("body_syl", "body_fold", "title_syl", "title_fold")


@dataclass
class Hit:
    path: str
    symbol: str | None
    doc_type: str | None
    date: str | None
    issuer: str | None
    title: str | None
    score: float
    snippet: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    exact: bool = True


SYMBOL_BOOST = 50  # a document's own number outranks every document that cites it


def rewrite_symbols(query: str) -> str:
    """Typed symbols, in any damaged form, become one term that also asks the
    document's own symbol: ``308/QD- UBND`` -> ``(symbol:308/qđ-ubnd^50 OR 308/QĐ-UBND)``."""
    out, cursor = [], 0
    for m in rx.CITE_SYMBOL.finditer(query):
        symbol = normalize_symbol(m.group())
        if not symbol or query[max(0, m.start() - 1):m.start()] == '"' or ":" in query[max(0, m.start() - 1):m.start()]:
            continue
        out.append(query[cursor:m.start()])
        out.append(f"(symbol:{symbol_term(symbol)}^{SYMBOL_BOOST} OR {symbol})")
        cursor = m.end()
    out.append(query[cursor:])
    return "".join(out)


def type_filter(kind: str) -> str:
    """``BC``, ``bc`` or ``Báo cáo`` -> ``Báo cáo``."""
    code = canonical_code(kind)
    if code in TYPE_CODES:
        return TYPE_CODES[code]
    found = match_type_name(kind)
    return found[0] if found else kind


def _filters(year, date_from, date_to, doc_type, issuer):
    parts = []
    if year:
        parts.append(NumericRange("year", int(year), int(year)))
    if date_from or date_to:
        start = dt.datetime.fromisoformat(date_from) if date_from else None
        end = dt.datetime.fromisoformat(date_to) if date_to else None
        parts.append(DateRange("date", start, end))
    if doc_type:
        parts.append(Term("doc_type", type_filter(doc_type)))
    if issuer:
        parts.append(Wildcard("issuer_key", f"*{issuer_key(issuer)}*"))
    return And(parts) if parts else None


def _syllable_phrases_only(query):
    if isinstance(query, Phrase) and query.fieldname not in PHRASE_FIELDS:
        return NullQuery
    return query.apply(_syllable_phrases_only)


# A query typed without diacritics can only mean the folded text: asking the exact
# fields as well would cost twice the work for the same documents.
FOLDED_FIELDS = ["title_fold", "body_fold"]


def parse_query(store: WhooshStore, text: str):
    fields = FOLDED_FIELDS if fold_marks(text) == text else SEARCH_FIELDS
    parser = MultifieldParser(fields, store.ix.schema, group=AndGroup)
    return _syllable_phrases_only(parser.parse(rewrite_symbols(text))).normalize()


def search(store: WhooshStore, text: str, year=None, date_from=None, date_to=None, doc_type=None,
           issuer=None, limit: int = 10, sort: str = "relevance", facets: bool = False) -> Results:
    query = parse_query(store, text)
    cache = RecordCache(store.folder)
    kwargs = {"limit": limit, "filter": _filters(year, date_from, date_to, doc_type, issuer)}
    if sort == "date":
        kwargs.update(sortedby="date", reverse=True)
    if facets:
        kwargs["groupedby"] = {"year": sorting.FieldFacet("year", maptype=sorting.Count),
                               "type": sorting.FieldFacet("doc_type", maptype=sorting.Count),
                               "issuer": sorting.FieldFacet("issuer_key", maptype=sorting.Count)}
    with store.searcher() as searcher:
        results = searcher.search(query, terms=True, **kwargs)
        results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=50)
        results.formatter = _Marker()
        hits = [_hit(h, cache) for h in results]
        groups = {name: {str(k): v for k, v in results.groups(name).items()} for name in
                  (kwargs.get("groupedby") or {})}
        # Counting every match exactly runs the query a second time: say "about".
        exact = results.has_exact_length()
        total = len(results) if exact else results.estimated_length()
        return Results(total=total, hits=hits, facets=groups, exact=exact)


SNIPPET_WINDOW = 1500  # characters around the first match that the highlighter reads


def _window(text: str, hit) -> str:
    """The stretch of a long text around its first matched term: re-analysing a whole
    300-page document for a snippet would cost more than the search itself."""
    if len(text) <= SNIPPET_WINDOW:
        return text
    lowered = text.lower()
    folded = None
    first = len(text)
    for fieldname, term in hit.matched_terms():
        if not fieldname.startswith(("body", "title")):
            continue
        word = term.decode("utf-8").replace("_", " ") if isinstance(term, bytes) else str(term)
        if fieldname.endswith("_fold"):
            folded = folded if folded is not None else strip_marks(lowered)
            at = folded.find(word)
        else:
            at = lowered.find(word)
        if 0 <= at < first:
            first = at
    if first == len(text):
        return text[:SNIPPET_WINDOW]
    start = max(0, first - SNIPPET_WINDOW // 3)
    return text[start:start + SNIPPET_WINDOW]


def _hit(hit, cache: RecordCache) -> Hit:
    record = json.loads(hit["record"])
    full = cache.get(record.get("sha256"))
    text = _window((full or {}).get("text") or record.get("title") or "", hit)
    snippet = ""
    for name in SNIPPET_FIELDS:
        source = text if name.startswith("body") else record.get("title") or ""
        snippet = hit.highlights(name, text=source, top=2)
        if snippet:
            break
    if not snippet:
        snippet = " ".join(text[:200].split())
    return Hit(path=record["path"], symbol=record.get("symbol"), doc_type=record.get("doc_type"),
               date=record.get("date"), issuer=record.get("issuer"), title=record.get("title"),
               score=round(hit.score, 3), snippet=" ".join(snippet.split()))
