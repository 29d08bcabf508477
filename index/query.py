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

from ingest.vocabulary.doctypes import TYPE_CODES, canonical_code, match_type_name
from ingest.vocabulary.symbols import normalize_symbol
from ingest.vocabulary.textnorm import strip_marks
from ingest.vocabulary.typed import TypedSymbol, normalize_typed, typed_symbols

from .analysis import is_symbol_term, symbol_parts, symbol_term
from .archive import first_line
from .fields import FOLDED_FIELDS, PHRASE_FIELDS, SEARCH_FIELDS, SEARCHABLE, SNIPPET_FIELDS, TEXT_FIELDS


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
    relaxed: bool = False  # few documents had every word: these match most of them (``relaxed``)


SYMBOL_BOOST = 50  # a document's own number outranks every document that cites it
CITED_BOOST = 5    # a partial symbol: the documents citing a symbol it is part of


def _shielded(query: str) -> list[tuple[int, int]]:
    """Spans a rewrite leaves alone: phrases in quotes and a field's own value."""
    return [m.span() for m in re.finditer(r'\b\w+:(?:"[^"]*"?|\S+)|"[^"]*"?', query)]


MAX_SPELLINGS = 16


def spellings(term: str) -> list[str]:
    """The symbol terms a symbol typed without ``đ`` may be: ``7/2026/tt-bgddt`` is
    ``tt-bgdđt`` in the index (a symbol's codes hold no other diacritic). Up to
    MAX_SPELLINGS; past that, as typed."""
    head, _, codes = term.rpartition("/")
    if "đ" in codes or "d" not in codes or 2 ** codes.count("d") > MAX_SPELLINGS:
        return [term]
    spelled = [""]
    for char in codes:
        spelled = [s + c for s in spelled for c in (("d", "đ") if char == "d" else (char,))]
    return [f"{head}/{s}" if head else s for s in spelled]


def symbol_pattern(typed: TypedSymbol) -> str:
    """A partial symbol as a pattern of symbol terms: ``308/2025/*``, ``143/*nđ-cp*``."""
    head = symbol_term(typed.number) + "/" + (f"{typed.year}/" if typed.year else "")
    return head + ("*" + "-".join(typed.codes).lower() + "*" if typed.codes else "*")


def _symbol_clause(query: str, typed: TypedSymbol) -> str:
    """The query text of one symbol the query names (``typed_symbols``)."""
    words = query[typed.start:typed.end]
    if typed.whole:
        own = " OR ".join(f"symbol:{term}^{SYMBOL_BOOST}" for term in spellings(symbol_term(typed.symbol)))
        printed = normalize_symbol(words) == typed.symbol and "/" in words
        also = "" if printed else f" OR ({words})"  # typed as words: they may mean words
        return f"({own} OR {typed.symbol}{also})"
    pattern = symbol_pattern(typed)
    return (f"(({words}) ANDMAYBE (symbol:{pattern}^{SYMBOL_BOOST} OR "
            f"cite_symbols:{pattern}^{CITED_BOOST}))")


def rewrite_symbols(query: str) -> str:
    """Symbols typed in any spelling (``typed.typed_symbols``) become a clause that
    also asks the document's own symbol: ``308/QD- UBND`` ->
    ``(symbol:308/qđ-ubnd^50 OR 308/QĐ-UBND)``; ``143 2013 nd cp`` -> the same,
    OR the words as typed; ``308/2025`` -> the words, ranking first the documents
    whose symbol (then a cited one) starts so."""
    shielded = _shielded(query)
    out, cursor = [], 0
    for typed in typed_symbols(query):
        if any(a <= typed.start < b for a, b in shielded):
            continue
        out.append(query[cursor:typed.start])
        out.append(_symbol_clause(query, typed))
        cursor = typed.end
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


def _symbols_as_words(query):
    """A phrase runs through a symbol's parts (``analysis.symbol_parts``): the index
    holds the whole symbol at its first part's position, so a phrase asks the parts."""
    if isinstance(query, Phrase) and any(is_symbol_term(str(w)) for w in query.words):
        words = [p for w in query.words for p in (symbol_parts(str(w)) if is_symbol_term(str(w)) else [w])]
        return Phrase(query.fieldname, words, slop=query.slop, boost=query.boost)
    return query.apply(_symbols_as_words)


_TEXT_FIELD = re.compile(r"(?<![\w.])(title|body)(?:_syl)?:")


def _fields_as_typed(text: str) -> str:
    """``title:"cai cach"`` asks the folded title, as ``cai cach`` asks the folded
    text; ``title:"cải cách"`` the title's syllables, where phrases are matched."""
    if strip_marks(text) == text:
        return _TEXT_FIELD.sub(lambda m: f"{m.group(1)}_fold:", text)
    return re.sub(r'(?<![\w.])(title|body):(?=")', lambda m: f"{m.group(1)}_syl:", text)


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
    text = _fields_as_typed(normalize_typed(text))
    fields = FOLDED_FIELDS if strip_marks(text) == text else SEARCH_FIELDS
    parser = MultifieldParser(fields, store.schema, group=AndGroup)
    try:
        parsed = parser.parse(rewrite_symbols(text))
    except RecursionError:
        raise QueryRejected("the query is too complex to read") from None
    except Exception as exc:  # Whoosh's parser raises bare Exceptions ("'x' is not a parseable date")
        raise QueryRejected(first_line(exc)) from None
    tree = _checked(_symbols_as_words(_syllable_phrases_only(parsed)), [0]).normalize()
    return _with_optional(tree, _title_phrase(store.schema, text))


# Words of every administrative text: they rank, they never decide a match alone
# (``ngày 24 tháng 10 năm 2013``: the numbers must be there, ``tháng`` need not).
STOP_WORDS = frozenset("so ngay thang nam cua ve viec va cac nhung theo tai cho trong voi nay la duoc de".split())
# AND first; with fewer matches than this, a ranked OR of most of the words.
FEW_MATCHES = 5
MOST_WORDS = 0.7  # Elasticsearch's minimum_should_match, as a share of the words


def _is_stop(node) -> bool:
    """A query part that only asks stop-words (one typed word over the fields)."""
    leaves = list(node.leaves()) if not node.is_leaf() else [node]
    texts = [str(leaf.text) for leaf in leaves if isinstance(leaf, wq.Term) and leaf.fieldname in TEXT_FIELDS]
    return bool(texts) and len(texts) == len(leaves) and all(
        all(part in STOP_WORDS for part in strip_marks(text).split("_")) for text in texts)


def _split_stops(tree) -> tuple[list, list]:
    parts = tree.subqueries if isinstance(tree, wq.And) else [tree]
    stop = [_is_stop(p) for p in parts]
    return [p for p, s in zip(parts, stop) if not s], [p for p, s in zip(parts, stop) if s]


TITLE_BOOST = 2.0  # the query's words as a run of a title: that document's own heading
_OPERATORS = re.compile(r'["():*?^~\[\]{}]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|REQUIRE)\b')


def _title_phrase(schema, text: str):
    """Words typed plainly (no operator, phrase or field), three or more and not
    only a symbol, as a phrase of the folded title: a document whose heading they are comes before the
    documents that only mention them."""
    if _OPERATORS.search(text):
        return None
    rest = text
    for typed in reversed(typed_symbols(text)):  # a symbol alone asks its document, not titles
        rest = rest[:typed.start] + " " + rest[typed.end:]
    if len(rest.split()) < 2:
        return None
    analyzer = schema["title_fold"].analyzer
    words = [p for t in analyzer(text, mode="query")
             for p in (symbol_parts(t.text) if is_symbol_term(t.text) else [t.text])]
    return Phrase("title_fold", words, boost=TITLE_BOOST) if len(words) >= 3 else None


def _with_optional(tree, title):
    """``A AND số AND B`` -> ``(A AND B) ANDMAYBE (số OR title phrase)``: a stop-word
    ranks but is not required; nor is the query as a title."""
    words, stops = _split_stops(tree) if isinstance(tree, wq.And) else ([tree], [])
    optional = stops + ([title] if title is not None else [])
    if not optional or not words:
        return tree
    required = words[0] if len(words) == 1 else wq.And(words)
    return wq.AndMaybe(required, optional[0] if len(optional) == 1 else wq.Or(optional))


def relaxed(tree):
    """The query matching most of its words (``MOST_WORDS`` of them, stop-words not
    counted), ranked by how many and how well; None where it would ask as much as
    the query (fewer than three words, or anything but words joined by AND)."""
    optional = None
    if isinstance(tree, wq.AndMaybe):
        tree, optional = tree.a, tree.b
    if not isinstance(tree, wq.And) or any(isinstance(p, wq.Not) for p in tree.subqueries):
        return None
    words = tree.subqueries
    need = math.ceil(MOST_WORDS * len(words))
    if len(words) < 3 or need >= len(words):
        return None
    loose = wq.Or(words, minmatch=need)
    return loose if optional is None else wq.AndMaybe(loose, optional)


SNIPPET_WINDOW = 400  # characters around the first match that the highlighter reads (two fragments of 160)


def _window(text: str, terms: list[tuple[str, str]]) -> str:
    """The stretch of a long text around its first matched term: re-analysing a whole
    300-page document for a snippet would cost more than the search itself. The
    text is read (lowered, folded) a stretch at a time, growing, from its start:
    matches are mostly early."""
    if len(text) <= SNIPPET_WINDOW:
        return text
    words = [(name.endswith("_fold"), str(term).replace("_", " ")) for name, term in terms
             if name.startswith(("body", "title"))]
    first, start, size = -1, 0, 8_192
    while words and first < 0 and start < len(text):
        stretch = text[start:start + size + MAX_WORD_CHARS].lower()  # a word across the edge is whole
        folded = strip_marks(stretch) if any(fold for fold, _ in words) else stretch  # same length (NFC)
        found = [at for fold, word in words if (at := _find(folded if fold else stretch, word)) >= 0]
        first = start + min(found) if found else -1
        start, size = start + size, size * 4
    if first < 0:
        return text[:SNIPPET_WINDOW]
    start = max(0, first - SNIPPET_WINDOW // 3)
    return text[start:start + SNIPPET_WINDOW]


def _find(text: str, word: str) -> int:
    """Where a matched term is in the text: a symbol as printed, spaces and all
    (``125/2021/NĐ- CP``), so the snippet is the sentence that cites it."""
    if not is_symbol_term(word):
        return text.find(word)
    printed = re.search(r"\W{1,3}".join(map(re.escape, symbol_parts(word))) + r"(?!\w)", text)
    return printed.start() if printed else -1


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
