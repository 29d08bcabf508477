"""The vectorised query evaluation (index/whoosh/evaluate.py) against Whoosh's own collector,
on a real index of the national database texts in several segments, one with a
deleted document: same documents, same counts, same scores."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CORPUS, need_shared
from whoosh.query import Or, Phrase, Term

from index.indexing import index_paths as ingest
from index.query import parse_query
from index.whoosh.search import search
from index.whoosh.store import WhooshStore
from index.whoosh.evaluate import Matches, VectorSearch, at_least, intersect

VBPL = CORPUS / "vbpl" / "vbpl.jsonl"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    need_shared(VBPL)
    folder = tmp_path_factory.mktemp("vbpl")
    with open(VBPL, encoding="utf-8") as handle:
        pages = [json.loads(line) for line in handle]
    texts = [p["text"] for p in pages if p["page_kind"] == "full_text"][:240]
    index = folder / "index"
    # Three ingests make three segments, as an archive grown over time has.
    for batch in range(3):
        docs = folder / f"docs{batch}"
        docs.mkdir()
        for i, text in enumerate(texts[batch * 80:(batch + 1) * 80]):
            (docs / f"vb_{i:03d}.txt").write_text(text, encoding="utf-8")
        ingest([str(docs)], str(index), jobs=2)
    found = WhooshStore(str(index))
    with found.ix.writer() as writer:  # one deletion, as a replaced file leaves
        writer.delete_by_term("path", str(folder / "docs0" / "vb_000.txt"))
    return WhooshStore(str(index))


# (query, phrases?) — common and rare words, diacritics and none, Boolean forms.
QUERIES = [
    "quy định", "Quy dinh ve quan ly", "hành chính", "cai cach hanh chinh", "thuế OR phí",
    "hồ sơ NOT quyết", "ngân hàng AND NOT tín dụng", "Thông tư", "bảo hiểm xã hội",
    "xu phat vi pham", "title_syl:quy", "chứng khoán", "quản lý nhà nước",
    # the same words boosted: a term's scores are kept once and boosted per query
    "quy^3 định", "title:thuế^2.5 OR phí",
]
PHRASES = ['"quy định về"', '"ủy ban nhân dân"', '"bảo hiểm xã hội"', '"hanh chinh"',
           '"ngân hàng nhà nước" OR thuế']


def _whoosh(store, text, limit=None):
    query = parse_query(store, text)
    with store.searcher() as searcher:
        results = searcher.search(query, limit=limit, optimize=False)
        return {h.docnum: h.score for h in results}


def _vector(store, text):
    query = parse_query(store, text)
    with store.searcher() as searcher:
        vs = VectorSearch(searcher)
        found = vs.evaluate(query).without(vs.deleted())
        return {int(d): float(s) for d, s in zip(found.ids, found.scores)}, vs


@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_and_scores_as_whoosh(store, text):
    theirs = _whoosh(store, text)
    mine, _ = _vector(store, text)
    assert theirs, f"{text!r} should match something in the vbpl texts"
    assert set(mine) == set(theirs)
    # Whoosh scores a Not as 1 where it holds; ranking is the same either way.
    offset = 1.0 if "NOT" in text else 0.0
    for doc, score in theirs.items():
        assert mine[doc] == pytest.approx(score - offset, rel=1e-4), (text, doc)


@pytest.mark.parametrize("text", PHRASES)
def test_phrases_checked_by_position_match_whoosh(store, text):
    theirs = set(_whoosh(store, text))
    results = search(store, text, limit=10)
    with store.searcher() as searcher:
        shown = {searcher.stored_fields(d)["path"] for d in theirs}
    assert [h.path for h in results.hits if h.path not in shown] == []
    assert len(results.hits) == min(10, len(theirs))
    if results.exact:
        assert results.total == len(theirs)
    else:  # estimated from a sample of the candidates
        assert abs(results.total - len(theirs)) <= max(10, 0.25 * len(theirs)), (results.total, len(theirs))


def test_deleted_document_never_returned(store):
    with store.searcher() as searcher:
        deleted = next(d for r, off in searcher.reader().leaf_readers() for d in
                       (np.array(sorted(r.deleted_docs_set)) + off))
        vs = VectorSearch(searcher)
        assert deleted in set(vs.evaluate(parse_query(store, "quy")).ids.tolist())  # in the postings
        assert deleted not in set(vs.evaluate(parse_query(store, "quy")).without(vs.deleted()).ids.tolist())


def test_filters_and_facets_count_what_whoosh_counts(store):
    results = search(store, "quy định", facets=True, limit=5)
    with store.searcher() as searcher:
        whoosh_years = {}
        for doc in _whoosh(store, "quy định"):
            year = searcher.stored_fields(doc).get("year")
            if year:
                whoosh_years[str(year)] = whoosh_years.get(str(year), 0) + 1
    assert results.facets["year"] == whoosh_years
    year, count = max(whoosh_years.items(), key=lambda kv: kv[1])
    filtered = search(store, "quy định", year=year, limit=500)
    assert filtered.total == count and {h.date[:4] for h in filtered.hits} == {year}


def test_sort_by_date_puts_newest_first(store):
    hits = search(store, "quy định", sort="date", limit=20).hits
    dates = [h.date for h in hits if h.date]
    assert dates == sorted(dates, reverse=True) and len(dates) == 20


@pytest.mark.parametrize("text", [p for p in PHRASES if " OR " not in p])
def test_pairs_narrow_phrase_candidates_and_never_drop_a_match(store, text):
    query = parse_query(store, text)
    phrases = [n for n in _leaves(query) if isinstance(n, Phrase)]
    assert phrases
    with store.searcher() as searcher:
        vs = VectorSearch(searcher)
        for node in phrases:
            words_only = vs._all_of([vs.term(node.fieldname, w) for w in node.words])
            candidates = vs.evaluate(node)
            assert set(candidates.ids.tolist()) <= set(words_only.ids.tolist())
            truth = {h.docnum for h in searcher.search(node, limit=None)}
            assert truth <= set(candidates.ids.tolist())  # the pairs keep every real match


def _leaves(node):
    children = list(node.children())
    return [n for c in children for n in _leaves(c)] if children else [node]


@pytest.fixture(scope="module")
def hot_store(store, tmp_path_factory):
    """The same index with every term of two documents or more written as arrays
    (index/whoosh/frequent.py), where an archive writes only its frequent ones."""
    import shutil

    from whoosh.reading import SegmentReader

    from index.whoosh import frequent as hotpostings
    from index.whoosh.store import open_index
    from index.whoosh.internals import segments

    folder = tmp_path_factory.mktemp("hot") / "index"
    shutil.copytree(store.folder, folder)
    ix = open_index(str(folder))
    for segment in segments(ix):
        reader = SegmentReader(ix.storage, ix.schema, segment)
        hotpostings.write_segment(str(folder), reader, segment.segment_id(), min_docs=2)
        reader.close()
    return WhooshStore(str(folder))


def test_hot_arrays_hold_the_terms_they_should(hot_store):
    from index.whoosh.evaluate import hot_postings
    from index.whoosh.internals import read_postings

    with hot_store.searcher() as searcher:
        leaves = [r for r, _ in searcher.reader().leaf_readers()]
        hot = [hot_postings(hot_store.folder, r) for r in leaves]
        assert all(h is not None and len(h.keys) for h in hot)
        for field, word in [("body_syl", "quy"), ("title_fold", "quy"), ("body_pairs", "quy dinh")]:
            from_arrays, from_whoosh = hot[0].get(field, word), read_postings(leaves[0], field, word)
            assert len(from_arrays[0]) >= 2
            for mine, theirs in zip(from_arrays, from_whoosh):
                assert np.array_equal(mine, theirs.astype(np.float32).astype(mine.dtype)), (field, word)
        assert hot[0].get("body_syl", "a-word-in-no-document") is None


@pytest.mark.parametrize("text", QUERIES)
def test_hot_arrays_give_whooshs_documents_and_scores(store, hot_store, text):
    theirs = _whoosh(store, text)
    mine, _ = _vector(hot_store, text)
    assert set(mine) == set(theirs)
    offset = 1.0 if "NOT" in text else 0.0
    for doc, score in theirs.items():
        assert mine[doc] == pytest.approx(score - offset, rel=1e-4), (text, doc)


@pytest.mark.parametrize("text", PHRASES)
def test_hot_arrays_give_the_same_phrase_hits(store, hot_store, text):
    plain, hot = search(store, text, limit=10), search(hot_store, text, limit=10)
    assert [(h.title, h.score) for h in hot.hits] == [(h.title, h.score) for h in plain.hits]
    assert hot.total == plain.total


def _reference(parts, need):
    """Documents in ``need`` of the parts, scores summed: by sets, as a reader checks."""
    counts, scores = {}, {}
    for part in parts:
        for doc, score in zip(part.ids.tolist(), part.scores.tolist()):
            counts[doc] = counts.get(doc, 0) + 1
            scores[doc] = scores.get(doc, 0.0) + score
    return {d: scores[d] for d in sorted(counts) if counts[d] >= need}


def _random_matches(rng, size, count):
    ids = np.sort(rng.choice(size, count, replace=False)).astype(np.int64)
    return Matches(ids, rng.random(count))


# (sizes of the parts, documents in the index): few against many takes the sorted
# lookup, many against many the dense arrays; both give one answer.
SHAPES = [((3, 90_000), 100_000), ((5_000, 6_000), 10_000), ((1, 1), 10), ((40, 50, 60), 200),
          ((2_000, 30, 90_000, 500), 100_000)]


@pytest.mark.parametrize("sizes, documents", SHAPES)
def test_intersections_and_unions_on_arrays_agree_with_sets(sizes, documents):
    rng = np.random.default_rng(len(sizes) * documents)
    parts = [_random_matches(rng, documents, n) for n in sizes]
    both = intersect(parts[0], parts[1])
    assert dict(zip(both.ids.tolist(), both.scores.tolist())) == pytest.approx(_reference(parts[:2], 2))
    for need in range(1, len(parts) + 1):
        found = at_least(parts, need)
        assert list(found.ids) == sorted(found.ids.tolist())
        assert dict(zip(found.ids.tolist(), found.scores.tolist())) == pytest.approx(_reference(parts, need))


def test_a_minmatch_or_is_checked_no_further_than_its_answer(store):
    """``holds`` of an Or needing 2 of 3 words: a document holding the first two is
    settled without asking the third."""
    words = [Term("body_syl", w) for w in ("quy", "định", "khoán")]
    most = Or(words, minmatch=2)
    with store.searcher() as searcher:
        vs = VectorSearch(searcher)
        found = vs.evaluate(most)
        both = next(int(d) for d in found.ids if vs.matched(words[0], int(d)) and vs.matched(words[1], int(d)))
        asked, holds = [], vs.holds
        vs.holds = lambda node, doc: asked.append(node) or holds(node, doc)
        assert vs.holds(most, both) and words[2] not in asked
        # Whoosh's own minmatch is loose (it returns documents holding one word): sets decide
        holding = [set(searcher.docs_for_query(w)) for w in words]
        assert set(found.without(vs.deleted()).ids.tolist()) == {
            d for d in set.union(*holding) if sum(d in h for h in holding) >= 2}
