"""Parsed queries evaluated on whole arrays of Whoosh's own postings.

Whoosh scores a query one matching document at a time in Python; queries of
common syllables match most of an archive. Here each term's postings are read
into NumPy arrays (from the segment's frequent-term arrays, ``frequent.py``, or
from Whoosh's blocks) and the Boolean tree is evaluated on whole arrays: And =
intersection, Or = union, scores summed, BM25F exactly as Whoosh computes it
(field boosts are already in the posting weights).

A phrase is first the And of its words restricted to the documents holding all
its adjacent pairs (the pairs fields), a superset that is nearly always exact;
positions confirm it only for the candidates about to be shown, best first. Past
``EXACT_CHECKS`` candidates the rest are counted from a sample and the total is
an estimate (``Results.exact`` False). Parsing stays Whoosh's
(``query.parse_query``); this module only evaluates the tree it returns.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from math import log
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from ..analysis import phrase_pairs
from ..duplicates import Window, window_for
from ..fields import CODE_BYTES, PAIRS_OF
from .frequent import HotPostings
from .internals import field_lengths, fixed_column, index_folder, raw_postings, read_postings, seek_document, segment_of

_EMPTY = np.zeros(0, dtype=np.int64)
# Phrase candidates checked by position: all of them up to EXACT_CHECKS; beyond,
# those shown (at most VERIFY_BUDGET tried) and a sample that estimates the total.
EXACT_CHECKS = 100
VERIFY_BUDGET = 2000
SAMPLE_CHECKS = 200


@dataclass
class Matches:
    """Matching documents (global docnums, sorted, unique) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Matches:
        return cls(_EMPTY, np.zeros(0))

    def __len__(self) -> int:
        return len(self.ids)

    def restrict(self, allowed: np.ndarray) -> Matches:
        keep = np.isin(self.ids, allowed, assume_unique=True)
        return Matches(self.ids[keep], self.scores[keep])

    def without(self, banned: np.ndarray) -> Matches:
        if not len(banned):
            return self
        keep = ~np.isin(self.ids, banned, assume_unique=True)
        return Matches(self.ids[keep], self.scores[keep])


# Fewer ids than one in SPARSE of the docnums they span: worked on sorted, not on
# dense arrays over every docnum.
SPARSE = 16


def intersect(a: Matches, b: Matches) -> Matches:
    if not len(a) or not len(b):
        return Matches.empty()
    if len(a) > len(b):
        a, b = b, a
    size = int(max(a.ids[-1], b.ids[-1])) + 1
    if len(a) * SPARSE < size:  # few against many: each looked up in the other's sorted ids
        at = np.searchsorted(b.ids, a.ids)
        at[at == len(b.ids)] = 0
        keep = b.ids[at] == a.ids
        return Matches(a.ids[keep], a.scores[keep] + b.scores[at[keep]])
    # Dense arrays over the docnums: linear, where sorting both lists is not.
    b_scores = np.zeros(size)
    b_has = np.zeros(size, dtype=bool)
    b_scores[b.ids], b_has[b.ids] = b.scores, True
    keep = b_has[a.ids]
    ids = a.ids[keep]
    return Matches(ids, a.scores[keep] + b_scores[ids])


def at_least(parts: list[Matches], need: int) -> Matches:
    """The documents in ``need`` of the parts or more, their scores summed (an Or
    with Whoosh's ``minmatch``; ``need`` 1 is the union)."""
    parts = [p for p in parts if len(p)]
    if len(parts) < max(1, need):
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    ids, counts, scores = _counted(parts)
    keep = counts >= need
    return Matches(ids[keep], scores[keep])


def union(parts: list[Matches]) -> Matches:
    return at_least(parts, 1)


def _counted(parts: list[Matches]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each document of the parts (sorted), in how many, and its scores summed."""
    ids = np.concatenate([p.ids for p in parts])
    weights = np.concatenate([p.scores for p in parts])
    size = int(ids.max()) + 1
    if len(ids) * SPARSE < size:
        unique, where, counts = np.unique(ids, return_inverse=True, return_counts=True)
        return unique, counts, np.bincount(where, weights=weights, minlength=len(unique))
    counts = np.bincount(ids, minlength=size)  # over the docnums: linear, where sorting is not
    present = np.flatnonzero(counts)
    return present, counts[present], np.bincount(ids, weights=weights, minlength=size)[present]


class PostingsCache:
    """Postings as arrays, by segment, field and term: segments never change once
    written, and the common syllables come back in most queries."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.entries: OrderedDict = OrderedDict()
        # The web serves requests on threads, each with a store of its own, all
        # sharing this cache: a lookup and an insert are one step each (the load,
        # the slow part, runs outside the lock; two threads may load one key).
        self._lock = threading.Lock()

    def get(self, key, load):
        with self._lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = load()
        with self._lock:
            if key in self.entries:  # another thread loaded it meanwhile
                return self.entries[key]
            self.entries[key] = value
            self.used += _size(value)
            while self.used > self.max_bytes and len(self.entries) > 1:
                _, old = self.entries.popitem(last=False)
                self.used -= _size(old)
        return value


def _size(value) -> int:
    """An entry's bytes, at least a small floor: entries that hold nothing (a term
    absent from a segment) still count, so their number is bounded too."""
    return max(256, sum(getattr(a, "nbytes", 8 * len(a)) for a in value))


POSTINGS = PostingsCache()
# Whole terms over every segment, scored: apart, so that the common words' large
# arrays do not push the rare terms' small ones out.
TERMS = PostingsCache()


def _segment_key(reader) -> str:
    segment = segment_of(reader)
    return segment.segment_id() if segment is not None else str(id(reader))


_HOT: dict[tuple[str, str], HotPostings | None] = {}


def hot_postings(folder: str | None, reader) -> HotPostings | None:
    """The segment's frequent-term arrays (see ``frequent.py``), opened once a process."""
    segment = segment_of(reader)
    if folder is None or segment is None:
        return None
    key = (folder, segment.segment_id())
    if _HOT.get(key) is None:  # None again: an ingest may have written them since
        _HOT[key] = HotPostings.open(folder, key[1])
    return _HOT[key]


_ABSENT = (_EMPTY, np.zeros(0), _EMPTY, _EMPTY)


def _postings(reader, hot: HotPostings | None, fieldname: str, text) -> tuple[np.ndarray, ...]:
    """A term's postings in one segment: from its arrays where the term is frequent
    there, else read from Whoosh's blocks (and kept a while, its absence too)."""
    found = hot.get(fieldname, text) if hot is not None else None
    if found is not None:
        return found
    return POSTINGS.get((_segment_key(reader), fieldname, text),
                        lambda: read_postings(reader, fieldname, text) if (fieldname, text) in reader else _ABSENT)


def _weighting_key(weighting) -> tuple:
    """What a term's scores depend on besides the segments: the weighting and its
    parameters."""
    params = (weighting.B, weighting.K1, tuple(sorted(weighting._field_B.items()))) if isinstance(weighting, BM25F) else ()
    return (type(weighting).__name__, *params)


def _frozen(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of their own (``_term`` makes them) kept in the cache, shared by every
    search after: read-only."""
    ids.flags.writeable = scores.flags.writeable = False
    return ids, scores


def _any_between(ids: np.ndarray, start: int, end: int) -> bool:
    """Whether sorted ``ids`` hold one in [start, end)."""
    at = int(np.searchsorted(ids, start))
    return at < len(ids) and ids[at] < end


def _field_lengths(reader, fieldname: str) -> np.ndarray:
    return POSTINGS.get((_segment_key(reader), fieldname, None), lambda: (field_lengths(reader, fieldname),))[0]


def _has_phrase(node) -> bool:
    return isinstance(node, wq.Phrase) or any(_has_phrase(c) for c in node.children())


class VectorSearch:
    """Evaluates one query on one searcher; remembers each node's matches so the
    shown documents can be checked exactly and their matched terms listed."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.leaves = list(searcher.reader().leaf_readers())
        self.segments = tuple(_segment_key(reader) for reader, _ in self.leaves)
        self.weighting = _weighting_key(searcher.weighting)  # kept scores are of one weighting
        folder = index_folder(searcher)
        self.hot = [hot_postings(folder, reader) for reader, _ in self.leaves]
        self.memo: dict[int, Matches] = {}
        self.phrases: list[wq.Phrase] = []
        self.positions: dict[tuple, dict[int, list[int]]] = {}
        self.matchers: dict[tuple, object] = {}
        self.unpaired = False  # a phrase of several words that no pairs narrowed
        self._bm25: dict[str, tuple | None] = {}

    # -- evaluating the tree on whole arrays -------------------------------------------

    def evaluate(self, node) -> Matches:
        found = self.memo.get(id(node))  # a part shared with a query evaluated before (``relaxed``)
        if found is None:
            found = self._evaluate(node)
            if isinstance(node, wq.CompoundQuery) and node.boost != 1:  # ``quy^3``: Whoosh wraps And and Or
                found = Matches(found.ids, found.scores * node.boost)
            self.memo[id(node)] = found
        return found

    def _evaluate(self, node) -> Matches:
        if isinstance(node, wq.Term):
            return self.term(node.fieldname, node.text, node.boost)
        if isinstance(node, wq.Phrase):
            self.phrases.append(node)
            found = self._all_of([self.term(node.fieldname, w, node.boost) for w in node.words])
            pairs = self.phrase_candidates(node)
            self.unpaired |= pairs is None and len(node.words) > 1
            return found if pairs is None else found.restrict(pairs)
        if isinstance(node, wq.And):
            positive = [self.evaluate(c) for c in node.subqueries if not isinstance(c, wq.Not)]
            found = self._all_of(positive) if positive else self.everything()
            for negative in (c for c in node.subqueries if isinstance(c, wq.Not)):
                found = self._subtract(found, negative.query)
            return found
        if isinstance(node, wq.Or):
            return at_least([self.evaluate(c) for c in node.subqueries], max(1, node.minmatch))
        if isinstance(node, wq.AndNot):
            return self._subtract(self.evaluate(node.a), node.b)
        if isinstance(node, wq.AndMaybe):
            required, before = self.evaluate(node.a), len(self.phrases)
            optional = self.evaluate(node.b)
            del self.phrases[before:]  # an optional phrase only ranks: never checked by position
            both = intersect(required, optional)
            scores = required.scores.copy()
            scores[np.searchsorted(required.ids, both.ids)] = both.scores
            return Matches(required.ids, scores)
        if isinstance(node, wq.Require):
            required, scoring = self.evaluate(node.a), self.evaluate(node.b)
            return required.restrict(scoring.ids)
        if isinstance(node, wq.Not):
            return self._subtract(self.everything(), node.query)
        if isinstance(node, type(wq.NullQuery)):
            return Matches.empty()
        return self.constant(node)

    def _all_of(self, parts: list[Matches]) -> Matches:
        if not parts:
            return Matches.empty()
        parts = sorted(parts, key=len)
        found = parts[0]
        for part in parts[1:]:
            found = intersect(found, part)
        return found

    def _subtract(self, found: Matches, negative) -> Matches:
        # A negated phrase is checked per document later: its word-And superset
        # would remove documents the phrase itself does not match.
        banned = self.evaluate(negative)
        return found if _has_phrase(negative) else found.without(banned.ids)

    def phrase_candidates(self, node: wq.Phrase) -> np.ndarray | None:
        """Documents holding every adjacent pair of the phrase's words (folded), or
        None where pairs say nothing (one word, a slop, a field without pairs)."""
        field = PAIRS_OF.get(node.fieldname)
        if field is None or len(node.words) < 2 or node.slop > 1 or field not in self.searcher.schema:
            return None
        found = None
        pairs = phrase_pairs(list(node.words))
        if len(pairs) > 2:  # rarest first: the rest are looked up among few documents
            pairs.sort(key=lambda pair: self.searcher.doc_frequency(field, pair))
        for pair in pairs:
            # Once few documents are left, a pair is looked up only in their segments:
            # a title typed whole is some 30 pairs, each rare, in every segment.
            ids = self.present(field, pair, within=found)
            found = ids if found is None else np.intersect1d(found, ids, assume_unique=True)
            if not len(found):
                break
        return found

    def present(self, fieldname: str, text: str, within: np.ndarray | None = None) -> np.ndarray:
        """Global docnums holding a term (deleted ones included, as for ``term``);
        with ``within`` (sorted docnums), read only in the segments holding one of them."""
        parts = []
        for (reader, offset), hot in zip(self.leaves, self.hot):
            if within is not None and not _any_between(within, offset, offset + reader.doc_count_all()):
                continue
            ids = _postings(reader, hot, fieldname, text)[0]
            if len(ids):
                parts.append(ids + offset)
        return np.concatenate(parts) if parts else _EMPTY

    def prefixed(self, fieldname: str, prefix: str) -> dict[str, np.ndarray]:
        """Every term of a field starting with ``prefix`` -> the global docnums holding
        it (deleted included), each segment asked only for the terms it has."""
        parts: dict[str, list[np.ndarray]] = {}
        for (reader, offset), hot in zip(self.leaves, self.hot):
            for term in reader.expand_prefix(fieldname, prefix):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                parts.setdefault(text, []).append(_postings(reader, hot, fieldname, text)[0] + offset)
        return {text: np.concatenate(ids) for text, ids in parts.items()}

    def everything(self) -> Matches:
        ids = np.concatenate([np.arange(r.doc_count_all(), dtype=np.int64) + off for r, off in self.leaves]
                             or [_EMPTY])
        return Matches(ids, np.zeros(len(ids)))

    def constant(self, node) -> Matches:
        """Ranges, wildcards and the rest: the documents Whoosh says match, each
        scoring the node's boost."""
        ids = np.fromiter(sorted(set(self.searcher.docs_for_query(node))), dtype=np.int64)
        return Matches(ids, np.full(len(ids), float(getattr(node, "boost", 1.0))))

    def term(self, fieldname: str, text, boost: float = 1.0) -> Matches:
        """A term's documents and BM25F scores over every segment, kept a while for
        this set of segments: the common words come back in most queries, and
        reading them segment by segment is most of a query's work."""
        ids, scores = TERMS.get((self.segments, self.weighting, fieldname, text),
                                lambda: _frozen(*self._term(fieldname, text)))
        return Matches(ids, scores * boost) if boost != 1 else Matches(ids, scores)

    def _term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """Computed as Whoosh's ``BM25FScorer`` does, from the postings read: the
        document frequency is their count (deleted documents included, as Whoosh
        counts them)."""
        params = self.bm25(fieldname)
        id_parts, weight_parts, length_parts = [], [], []
        for (reader, offset), hot in zip(self.leaves, self.hot):
            ids, weights, _, _ = _postings(reader, hot, fieldname, text)
            if not len(ids):
                continue
            id_parts.append(ids + offset)
            weight_parts.append(weights)
            if params is not None:
                length_parts.append(_field_lengths(reader, fieldname)[ids])
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ids, tf = np.concatenate(id_parts), np.concatenate(weight_parts).astype(np.float64)
        if params is None:
            return ids, tf
        b, k1, avgfl = params
        idf = log(self.searcher.doc_count_all() / (len(ids) + 1)) + 1
        lengths = np.concatenate(length_parts)
        return ids, idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avgfl))

    def bm25(self, fieldname: str) -> tuple[float, float, float] | None:
        """(B, K1, average field length) where the field is scored by BM25F, the
        weighting Whoosh's searcher uses; None where scores are the weights."""
        if fieldname not in self._bm25:
            weighting = self.searcher.weighting
            params = None
            if isinstance(weighting, BM25F) and self.searcher.schema[fieldname].scorable:
                b = weighting._field_B.get(fieldname, weighting.B)
                params = (b, weighting.K1, self.searcher.avg_field_length(fieldname) or 1)
            self._bm25[fieldname] = params
        return self._bm25[fieldname]

    # -- checking shown documents exactly -----------------------------------------------

    def holds(self, node, doc: int) -> bool:
        """Whether ``doc`` matches ``node`` exactly, phrases checked by position."""
        if isinstance(node, wq.Phrase):
            return self.phrase_holds(node, doc)
        if isinstance(node, wq.And):
            return all(self.holds(c, doc) for c in node.subqueries)
        if isinstance(node, wq.Or):
            return self._holds_enough(node.subqueries, max(1, node.minmatch), doc)
        if isinstance(node, wq.Not):
            return not self.holds(node.query, doc)
        if isinstance(node, wq.AndNot):
            return self.holds(node.a, doc) and not self.holds(node.b, doc)
        if isinstance(node, (wq.AndMaybe,)):
            return self.holds(node.a, doc)
        if isinstance(node, wq.Require):
            return self.holds(node.a, doc) and self.holds(node.b, doc)
        return self.matched(node, doc)

    def _holds_enough(self, parts, need: int, doc: int) -> bool:
        """Whether ``need`` of the parts hold, checked in turn and no further than the
        answer: a phrase's field after field stops at the first that holds it."""
        left = len(parts)
        for part in parts:
            left -= 1
            need -= self.holds(part, doc)
            if need <= 0:
                return True
            if need > left:
                return False
        return False

    def matched(self, node, doc: int) -> bool:
        """Whether ``doc`` is among the matches the array pass found for ``node``
        (for a phrase: the documents holding all its words)."""
        found = self.memo.get(id(node))
        if found is None:
            return False
        at = np.searchsorted(found.ids, doc)
        return bool(at < len(found.ids) and found.ids[at] == doc)

    def phrase_holds(self, node: wq.Phrase, doc: int) -> bool:
        if not self.matched(node, doc):
            return False
        runs = []
        for word in node.words:  # a word absent from the field ends the check early
            run = self.word_positions(node.fieldname, word, doc)
            if not run:
                return False
            runs.append(run)
        slop = max(1, node.slop)
        for start in runs[0]:
            at = start
            for later in runs[1:]:
                nxt = next((p for p in later if at < p <= at + slop), None)
                if nxt is None:
                    break
                at = nxt
            else:
                return True
        return False

    def word_positions(self, fieldname: str, word, doc: int) -> list[int]:
        cached = self.positions.setdefault((fieldname, word), {})
        if doc not in cached:
            cached.update(self._read_positions(fieldname, word, [doc]))
        return cached[doc]

    def prefetch(self, docs) -> None:
        """Positions of every phrase word in these documents, in one forward pass
        over each word's postings rather than one search per document."""
        docs = sorted({int(d) for d in docs})
        for node in self.phrases:
            for word in node.words:
                cached = self.positions.setdefault((node.fieldname, word), {})
                todo = [d for d in docs if d not in cached and self.matched(node, d)]
                if todo:
                    cached.update(self._read_positions(node.fieldname, word, todo))

    def _read_positions(self, fieldname: str, word, docs: list[int]) -> dict[int, list[int]]:
        """Positions of a word in these documents (ascending), going straight to each
        document's block: the block directory came with the term's postings."""
        found = {d: [] for d in docs}
        for (reader, offset), hot in zip(self.leaves, self.hot):
            local = [d - offset for d in docs if offset <= d < offset + reader.doc_count_all()]
            if not local:
                continue
            ids, _, starts, last_ids = _postings(reader, hot, fieldname, word)
            if not len(ids):
                continue
            matcher = self._matcher(reader, fieldname, word)
            for docnum, block in zip(local, np.searchsorted(last_ids, local)):
                if block >= len(starts):
                    break
                if seek_document(matcher, int(starts[block]), docnum):
                    found[docnum + offset] = list(matcher.value_as("positions"))
        return found

    def _matcher(self, reader, fieldname: str, word):
        """One posting reader per segment and word for the whole search: documents
        checked one at a time share it, and a block already read is not read again."""
        key = (_segment_key(reader), fieldname, word)
        if key not in self.matchers:
            self.matchers[key] = raw_postings(reader, fieldname, word)
        return self.matchers[key]

    def matched_terms(self, node, doc: int) -> list[tuple[str, str]]:
        """The (field, term) pairs of the query that ``doc`` contains: the snippet
        marks them."""
        if isinstance(node, wq.Term):
            return [(node.fieldname, node.text)] if self.holds(node, doc) else []
        if isinstance(node, wq.Phrase):
            return [(node.fieldname, w) for w in node.words] if self.matched(node, doc) else []
        if isinstance(node, wq.Not):
            return []
        if isinstance(node, wq.AndNot):
            return self.matched_terms(node.a, doc)
        return [t for c in node.children() for t in self.matched_terms(c, doc)]


    # -- per-document values: deletions, facets, dates ------------------------------------

    def deleted(self) -> np.ndarray:
        parts = [np.fromiter(sorted(r.deleted_docs_set), dtype=np.int64) + off for r, off in self.leaves if r.has_deletions()]
        return np.concatenate(parts) if parts else _EMPTY

    def labels(self, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """Each document's value of a one-term field (type, issuer) as a code into a
        list of labels (shared: not to be changed); -1 where it has none. Joined
        once for the index's segments."""
        return POSTINGS.get((self.segments, fieldname, "<all labels>"), lambda: self._labels(fieldname))

    def _labels(self, fieldname: str) -> tuple[np.ndarray, list[str]]:
        names: dict[str, int] = {}
        parts = []
        for reader, _ in self.leaves:
            codes, local = POSTINGS.get((_segment_key(reader), fieldname, "<labels>"),
                                        lambda reader=reader: _segment_labels(reader, fieldname))
            table = np.array([names.setdefault(str(n), len(names)) for n in local] + [-1], dtype=np.int64)
            parts.append(table[codes])
        return (np.concatenate(parts) if parts else _EMPTY), list(names)

    def codes(self, fieldname: str) -> np.ndarray:
        """Each document's code in a column of ``CODE_BYTES`` (``fields.CODE_COLUMNS``),
        as an unsigned integer; 0 where none."""
        parts = [POSTINGS.get((_segment_key(r), fieldname, "<codes>"),
                              lambda r=r: (fixed_column(r, fieldname, CODE_BYTES),))[0] for r, _ in self.leaves]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)

    def shared(self, fieldname: str) -> np.ndarray:
        """Whether each document's code in that column is another document's too
        (never where it has none): the few a search must group, found once for the
        index's segments rather than by sorting every search's matches."""
        key = (self.segments, fieldname, "<shared>")
        return POSTINGS.get(key, lambda: (_shared_codes(self.codes(fieldname)),))[0]

    def numbers(self, fieldname: str, raw: bool = False) -> np.ndarray:
        """Each document's value of a sortable numeric or date field, NaN where none;
        ``raw``: as stored, which sorts as the values do (dates)."""
        parts = [POSTINGS.get((_segment_key(r), fieldname, f"<column {raw}>"),
                              lambda r=r: (_segment_numbers(r, fieldname, raw),))[0] for r, _ in self.leaves]
        return np.concatenate(parts) if parts else np.zeros(0)


def _segment_labels(reader, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
    codes = np.full(reader.doc_count_all(), -1, dtype=np.int64)
    names = []
    if fieldname in reader.schema:
        for code, text in enumerate(reader.lexicon(fieldname)):
            codes[read_postings(reader, fieldname, text)[0]] = code
            names.append(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    return codes, np.array(names, dtype=object)


def _shared_codes(codes: np.ndarray) -> np.ndarray:
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    same = (ranked[1:] == ranked[:-1]) & (ranked[1:] != 0)
    shared = np.zeros(len(codes), dtype=bool)
    shared[order[1:][same]] = shared[order[:-1][same]] = True
    return shared


def _segment_numbers(reader, fieldname: str, raw: bool) -> np.ndarray:
    values = np.full(reader.doc_count_all(), np.nan)
    if reader.has_column(fieldname):
        missing = reader.schema[fieldname].column_type.default_value()
        stored = reader.column_reader(fieldname, translate=False)
        shown = stored if raw else reader.column_reader(fieldname, translate=True)
        for docnum, (value, kept) in enumerate(zip(stored, shown)):
            if value != missing:
                values[docnum] = float(kept)
    return values


def top_documents(vs: VectorSearch, query, found: Matches, limit: int, order: np.ndarray,
                  identities: np.ndarray | None = None):
    """The first positions of ``order`` (indices into ``found``) whose documents
    match exactly, as many as fill ``limit`` hits once near-identical copies fold
    (``duplicates.Window``, on each candidate's identity code), the total and
    whether it is exact.

    Without phrases every candidate matches. With phrases, candidates are
    checked by position: all of them when they are few (the total is exact),
    else in order until the window is full; the rest are counted as holding where
    pairs narrowed every phrase, else a fixed random sample of them says what
    share would (the total is an estimate either way)."""
    codes = identities if identities is not None else np.zeros(len(found), dtype=np.uint64)
    # Copies of one identity among the best-ranked: all of them up to window_for(limit)
    # are compared, so the count stays exact where it was; else stop as soon as settled.
    window = Window(limit, early=not _repeats(codes[order[:window_for(limit)]]))

    def fill(candidates) -> list[int]:
        shown = []
        for i in candidates:
            if window.full:
                break
            window.take(int(codes[i]))
            shown.append(int(i))
        return shown

    if not vs.phrases:
        return fill(order[:window.most]), len(found), True
    # Checked one document at a time, title fields first (cheap, and where the best
    # ranked hold their phrase): a document's body positions are read only when its
    # title does not settle it.
    if len(order) <= EXACT_CHECKS:
        held = [int(i) for i in order if vs.holds(query, int(found.ids[i]))]
        return fill(held), len(held), True
    shown, tried = [], 0
    while not window.full and tried < min(len(order), VERIFY_BUDGET):
        i = order[tried]
        tried += 1
        if vs.holds(query, int(found.ids[i])):
            shown += fill([i])
    rest = order[tried:]
    if not vs.unpaired:
        # Every phrase was narrowed to the documents holding all its adjacent word
        # pairs: of those, nearly all hold the phrase itself (tests/test_vector.py).
        return shown, len(shown) + len(rest), False
    sample = _contiguous_sample(found, rest)
    vs.prefetch(found.ids[sample])
    rate = float(np.mean([vs.holds(query, int(found.ids[i])) for i in sample])) if len(sample) else 0.0
    return shown, len(shown) + round(rate * len(rest)), False


def _repeats(codes: np.ndarray) -> bool:
    """Whether a code other than 0 (none) comes twice."""
    named = codes[codes != 0]
    return len(np.unique(named)) < len(named)


def _contiguous_sample(found: Matches, rest: np.ndarray) -> np.ndarray:
    """SAMPLE_CHECKS candidates adjacent in docnum order, from a fixed random start:
    neighbours share posting blocks, so the sample costs a few block reads per word
    where scattered documents cost one each. Docnums follow the ingest order, which
    says nothing of whether the words form the phrase."""
    if len(rest) <= SAMPLE_CHECKS:
        return rest
    by_doc = rest[np.argsort(found.ids[rest])]
    start = int(np.random.default_rng(len(rest)).integers(0, len(rest) - SAMPLE_CHECKS))
    return by_doc[start:start + SAMPLE_CHECKS]


def best_first(scores: np.ndarray, limit: int, verify: bool) -> np.ndarray:
    """Indices by descending score; only the head is sorted where nothing needs
    checking."""
    if not verify and len(scores) > limit * 4:
        head = np.argpartition(-scores, limit)[:limit]
        return head[np.lexsort((head, -scores[head]))]
    return np.lexsort((np.arange(len(scores)), -scores))
