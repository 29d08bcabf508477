"""The query model both backends share: what users type, read once; the hits they get.

``parse_query`` is the one reader of what users type, for both backends (the
PostgreSQL one translates its tree to SQL), so its limits hold on both: a query
of at most MAX_QUERY_CHARS characters, parentheses nested at most MAX_DEPTH deep,
at most MAX_TERMS terms once its words are spread over the fields searched, no
word over MAX_WORD_CHARS characters, boosts within [0, MAX_BOOST], no word
starting with a wildcard, only the fields in SEARCHABLE; ``date:[2024 to 2025]``
is a range of dates. Anything else it cannot read raises ``QueryRejected``
(a ``ValueError``), one line the CLI shows as it is.

``Hit`` and ``Results`` are the one result type of every backend; ``make_hit``
cuts a hit's snippet, its matched words marked «…», with Whoosh's highlighter.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from whoosh import highlight
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh import query as wq
from whoosh.query import DateRange, NullQuery, Phrase
from whoosh.util.times import long_to_datetime

from ingest.vocabulary import regexes as rx
from ingest.vocabulary.doctypes import TYPE_CODES, canonical_code, match_type_name
from ingest.vocabulary.symbols import normalize_symbol
from ingest.vocabulary.textnorm import strip_marks

from .analysis import symbol_term
from .archive import first_line
from .fields import FOLDED_FIELDS, PHRASE_FIELDS, SEARCH_FIELDS, SEARCHABLE, SNIPPET_FIELDS


class _Marker(highlight.Formatter):
    """Matches as «…», readable in a terminal and in JSON alike."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return "«" + highlight.get_text(text, token, replace) + "»"


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
    also_at: list[str] = field(default_factory=list)  # the other files holding this document (duplicates.py)

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


def _syllable_phrases_only(query):
    if isinstance(query, Phrase) and query.fieldname not in PHRASE_FIELDS:
        return NullQuery
    return query.apply(_syllable_phrases_only)


# What a query may ask, in one place (see the module's docstring). A 300-word
# query ORing words is about 2,400 characters and 1,800 terms over six fields.
MAX_QUERY_CHARS = 4_000
MAX_DEPTH = 20
MAX_TERMS = 3_000
MAX_WORD_CHARS = 256  # no Vietnamese word, symbol or citation key comes near
MAX_BOOST = 1_000.0


class QueryRejected(ValueError):
    """A query vanban will not run, with why in one line."""


def _check_text(store, text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRejected(f"the query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    unquoted = re.sub(r'"[^"]*"', " ", text)  # phrases are words, whatever they hold
    depth = deepest = 0
    for char in unquoted:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise QueryRejected(f"the query nests parentheses too deep ({deepest} levels; at most {MAX_DEPTH})")
    for name in re.findall(r"(?<![\w.])(\w+):", unquoted):
        if name in store.schema.names() and name not in SEARCHABLE:
            raise QueryRejected(f"no such field: {name} (fields: {', '.join(SEARCHABLE)})")


def _words(node) -> list[str]:
    if isinstance(node, Phrase):
        return [str(w) for w in node.words]
    text = getattr(node, "text", None)
    return [str(text)] if isinstance(text, (str, bytes)) and node.is_leaf() else []


def _checked(node, counted: list[int]):
    """The tree with its boosts within bounds and dates as date ranges; raises
    QueryRejected for a word too long, a leading wildcard or too many terms."""
    if isinstance(node, wq.NumericRange) and node.fieldname == "date" and not isinstance(node, DateRange):
        start, end = (long_to_datetime(v) if v is not None else None for v in (node.start, node.end))
        node = DateRange("date", start, end, node.startexcl, node.endexcl, boost=node.boost)
    boost = getattr(node, "boost", 1.0)
    if not math.isfinite(boost) or not 0.0 <= boost <= MAX_BOOST:
        node = node.with_boost(MAX_BOOST if boost > 0 else 0.0)
    if node.is_leaf():
        counted[0] += 1
        if counted[0] > MAX_TERMS:
            raise QueryRejected(f"the query asks too many terms (each word counts once per field searched; "
                                f"at most {MAX_TERMS})")
        for word in _words(node):
            if len(word) > MAX_WORD_CHARS:
                raise QueryRejected(f"a word of the query is too long ({len(word)} characters; "
                                    f"at most {MAX_WORD_CHARS})")
        if isinstance(node, (wq.Wildcard, wq.Prefix)) and str(node.text)[:1] in ("*", "?", ""):
            raise QueryRejected(f"a word may not start with * or ?: {node.text} (give its first letters: quy*)")
        return node
    return node.apply(lambda child: _checked(child, counted))


def parse_query(store, text: str):
    _check_text(store, text)
    fields = FOLDED_FIELDS if strip_marks(text) == text else SEARCH_FIELDS
    parser = MultifieldParser(fields, store.schema, group=AndGroup)
    try:
        parsed = parser.parse(rewrite_symbols(text))
    except RecursionError:
        raise QueryRejected("the query is too complex to read") from None
    except Exception as exc:  # Whoosh's parser raises bare Exceptions ("'x' is not a parseable date")
        raise QueryRejected(first_line(exc)) from None
    return _checked(_syllable_phrases_only(parsed), [0]).normalize()


SNIPPET_WINDOW = 600  # characters around the first match that the highlighter reads


def _window(text: str, terms: list[tuple[str, str]]) -> str:
    """The stretch of a long text around its first matched term: re-analysing a whole
    300-page document for a snippet would cost more than the search itself."""
    if len(text) <= SNIPPET_WINDOW:
        return text
    lowered = text.lower()
    folded = None
    first = len(text)
    for fieldname, term in terms:
        if not fieldname.startswith(("body", "title")):
            continue
        word = str(term).replace("_", " ")
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


_FRAGMENTER = highlight.ContextFragmenter(maxchars=160, surround=50)
_HIGHLIGHTER = highlight.Highlighter(fragmenter=_FRAGMENTER, formatter=_Marker())


def _joined_matches(tokens):
    """Matched tokens that overlap joined into one, so a match is marked once: what
    Whoosh's Highlighter does in a private method, step for step (a matched token
    that does not overlap the run before it is passed on as it is)."""
    joined = None
    for token in tokens:
        if not token.matched:
            if joined is not None:
                yield joined
                joined = None
            yield token
        elif joined is None:
            joined = token.copy()
        elif token.startchar <= joined.endchar:
            if token.endchar > joined.endchar:
                joined.text += token.text[joined.endchar - token.endchar:]
                joined.endchar = token.endchar
        else:
            yield joined
            joined = None
            yield token
    if joined is not None:
        yield joined


def _marked(text: str, words: set[str], analyzer) -> str:
    """Whoosh's own highlighting, given the words the document matched."""
    tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = _joined_matches(highlight.set_matched_filter(tokens, words))
    fragments = highlight.top_fragments(_FRAGMENTER.fragment_tokens(text, tokens), 2,
                                        highlight.BasicFragmentScorer(), highlight.FIRST)
    return _HIGHLIGHTER.formatter.format(fragments)


def make_hit(schema, record: dict, text: str | None, terms: list[tuple[str, str]], score: float) -> Hit:
    """A hit with the snippet of its first field that holds a matched term."""
    text = _window(text or record.get("title") or "", terms)
    snippet = ""
    for name in SNIPPET_FIELDS:
        words = {str(t) for f, t in terms if f == name}
        source = text if name.startswith("body") else record.get("title") or ""
        snippet = _marked(source, words, schema[name].analyzer) if words and source else ""
        if snippet:
            break
    if not snippet:
        snippet = " ".join(text[:200].split())
    return Hit(path=record["path"], symbol=record.get("symbol"), doc_type=record.get("doc_type"),
               date=record.get("date"), issuer=record.get("issuer"), title=record.get("title"),
               score=round(score, 3), snippet=" ".join(snippet.split()))
