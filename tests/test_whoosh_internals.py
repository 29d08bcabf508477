"""The Whoosh backend against the whoosh3 it is pinned to, and against indexes an
older vanban wrote.

``index/whoosh/internals.py`` holds every use of whoosh3's private names. These
tests fail loudly, naming what moved, when the pinned whoosh3 changes shape: each
private read is checked against what Whoosh's public API says of the same index.
"""
from __future__ import annotations

import pathlib
import shutil

import numpy as np
import pytest
from whoosh.filedb import compound
from whoosh.multiproc import MpWriter

from index.backends import open_archive
from index.whoosh import internals
from index.whoosh.store import WhooshStore

OLD_INDEX = pathlib.Path(__file__).parent / "data" / "index-b12a588"  # samples/, by vanban at b12a588


@pytest.fixture
def old_index(tmp_path) -> pathlib.Path:
    """A copy of an index written before the modules moved (its schema pickled
    ``index.store.PAIRS``), in format 2 (before a symbol's parts were words)."""
    folder = tmp_path / "index"
    shutil.copytree(OLD_INDEX, folder)
    return folder


def upgraded(folder: pathlib.Path) -> pathlib.Path:
    """The old index rebuilt from its records by an ingest, as users upgrade it."""
    from index.indexing import index_paths

    report = index_paths([], str(folder), jobs=1, ocr=False)
    # an older parser's records: their files are read again where they are (here,
    # samples/ of the checkout that wrote it), else kept as they were read
    assert report.upgraded + report.parsed == 8 and report.failed == []
    return folder


def test_an_index_written_before_the_move_is_read_and_rebuilt(old_index):
    """Its documents are listed through the old pickled names, then indexed again
    from their records, nothing parsed: searches find what they found, and what
    the new analysis adds (a symbol's parts as words)."""
    assert b"index.store" in (old_index / "_MAIN_1.toc").read_bytes()
    store = open_archive(str(upgraded(old_index)))
    assert b"index.store" not in max(old_index.glob("_MAIN_*.toc")).read_bytes()
    assert store.count() == 8
    symbols = {h.symbol for h in store.search("cải cách hành chính", limit=20).hits}
    assert "45/BC-UBND" in symbols
    assert [r["symbol"] for r in store.by_symbol("215/QĐ-UBND")] == ["215/QĐ-UBND"]
    folded = store.search("cai cach hanh chinh", limit=20)
    assert "45/BC-UBND" in {h.symbol for h in folded.hits}
    assert store.search("215 qd ubnd", limit=1).hits[0].symbol == "215/QĐ-UBND"


def test_an_old_index_written_again_keeps_its_documents(old_index):
    store = WhooshStore(str(upgraded(old_index)))
    store.begin()
    store.delete("/work/main/samples/qd_esigned.pdf")
    store.commit(reopen=False)
    assert WhooshStore(str(old_index)).count() == 7


# --- the private names, each checked against the public API -------------------------

@pytest.fixture
def reader(old_index):
    upgraded(old_index)
    store = WhooshStore(str(old_index))
    with store.searcher() as searcher:
        yield store, searcher, searcher.reader()


def terms(reader, fieldname, count=20):
    return [t for t, _ in zip(reader.lexicon(fieldname), range(count))]


def test_postings_read_a_block_at_a_time_are_whooshs(reader):
    _, _, r = reader
    for fieldname in ("body_syl", "title", "body_pairs"):
        for text in terms(r, fieldname):
            ids, weights, starts, last_ids = internals.read_postings(r, fieldname, text)
            public = list(_public_postings(r, fieldname, text))
            assert ids.tolist() == [d for d, _ in public], (fieldname, text)
            assert np.allclose(weights, [w for _, w in public]), (fieldname, text)
            assert len(starts) == len(last_ids) >= 1 and last_ids[-1] == ids[-1]


def _public_postings(r, fieldname, text):
    matcher = r.postings(fieldname, text)
    while matcher.is_active():
        yield matcher.id(), matcher.weight()
        matcher.next()


def test_field_lengths_are_whooshs(reader):
    _, _, r = reader
    for fieldname in ("body", "title_syl"):
        lengths = internals.field_lengths(r, fieldname)
        assert lengths.tolist() == [r.doc_field_length(d, fieldname) or 0 for d in range(r.doc_count_all())]


def test_code_columns_read_at_once_are_whooshs(tmp_path):
    """The hash and identity columns (fields.CODE_COLUMNS) read as one array, against
    Whoosh's column reader, one document at a time: documents without a value (the
    first, and the last, past the column's written end) are 0."""
    from index.fields import CODE_BYTES, CODE_COLUMNS
    from index.rows import code

    store = WhooshStore(str(tmp_path / "index"), create=True)
    store.begin()
    hashes = [None, "a" * 64, "b" * 64, None, "a" * 64, None]
    for i, text_hash in enumerate(hashes):
        store.add({"path": f"/docs/{i}.txt", "sha256": f"{i:064x}", "title": "Báo cáo", "text": "nội dung",
                   "text_hash": text_hash, "symbol": "32/BC-UBND" if i else None, "issuer_key": "ubnd",
                   "date": "2024-03-04"}, new=True)
    store.commit(reopen=False)
    r = store.ix.reader()
    for fieldname in CODE_COLUMNS:
        public = [int.from_bytes(value, "big") for value in r.column_reader(fieldname, translate=False)]
        assert internals.fixed_column(r, fieldname, CODE_BYTES).tolist() == public
    assert internals.fixed_column(r, "text_hash", CODE_BYTES).tolist() == \
        [int.from_bytes(code(h), "big") if h else 0 for h in hashes]


def test_seeking_a_document_reads_whooshs_positions(reader):
    _, _, r = reader
    for text in terms(r, "body_syl", 10):
        _, _, starts, last_ids = internals.read_postings(r, "body_syl", text)
        public = {}
        matcher = r.postings("body_syl", text)
        while matcher.is_active():
            public[matcher.id()] = list(matcher.value_as("positions"))
            matcher.next()
        seeker = internals.raw_postings(r, "body_syl", text)
        for docnum, positions in public.items():
            block = int(np.searchsorted(last_ids, docnum))
            assert internals.seek_document(seeker, int(starts[block]), docnum)
            assert list(seeker.value_as("positions")) == positions


def test_segments_readers_and_searchers(reader):
    store, searcher, r = reader
    ids = [s.segment_id() for s in internals.segments(store.ix)]
    assert ids == store.segment_ids() and len(ids) == 1
    assert internals.segment_of(r).segment_id() == ids[0]
    assert internals.index_folder(searcher) == store.folder


def test_the_writer_and_the_mapped_files_override_what_whoosh_still_has():
    """SubprocessWriter and MappedFile override or read these; a whoosh3 without
    them would silently bypass vanban's versions."""
    for name in ("_new_task", "_enqueue", "_commit_toc", "cancel"):
        assert callable(getattr(MpWriter, name, None)), f"whoosh.multiproc.MpWriter.{name} is gone"
    for name in ("open_file", "range"):
        assert callable(getattr(compound.CompoundStorage, name, None)), f"CompoundStorage.{name} is gone"
    assert callable(getattr(compound, "memoryview_", None)), "whoosh.filedb.compound.memoryview_ is gone"
    internals.patch_whoosh()
    opened = compound.CompoundStorage.open_file
    assert opened.__module__ == internals.__name__, "vanban's mapped files are not in use"


def test_an_old_index_takes_a_large_ingest_through_writer_processes(old_index, tmp_path, monkeypatch):
    """The writer processes (spawned) read the old table of contents themselves:
    they are patched too."""
    from index import indexing

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(12):
        (inbox / f"bc_{i:02d}.txt").write_text(
            f"UBND XÃ TỊNH HÀ\nSố: {i + 1}/BC-UBND\nTịnh Hà, ngày 0{i % 9 + 1} tháng 4 năm 2024\nBÁO CÁO\n"
            f"Kết quả tiếp nhận hồ sơ đợt {i}\n", encoding="utf-8")
    monkeypatch.setattr(indexing, "writer_procs", lambda new_files: 2)
    report = indexing.index_paths([str(inbox)], str(old_index), jobs=2, ocr=False)
    # the old index is rebuilt first: its documents whose files are still there are read again
    assert (report.added, report.failed) == (12 + len(report.reparse), [])
    assert WhooshStore(str(old_index)).count() == 20


# --- postings of many blocks -----------------------------------------------------------

@pytest.fixture(scope="module")
def many_blocks(tmp_path_factory):
    """A segment whose common terms span several of Whoosh's 128-document blocks."""
    from index.rows import prepare

    store = WhooshStore(str(tmp_path_factory.mktemp("blocks") / "index"), create=True)
    store.begin()
    for i in range(400):
        store.add(prepare({"path": f"/archive/bc_{i:03d}.txt", "sha256": f"{i:064x}", "title": "Báo cáo",
                           "text": f"Quy định số {i} về cải cách hành chính " * (1 + i % 3)}), new=True)
    store.commit(reopen=False)
    with store.searcher() as searcher:
        yield searcher.reader()


@pytest.mark.parametrize("fieldname, text", [("body_syl", "quy"), ("body_syl", "chính"), ("body_fold", "cai")])
def test_postings_of_many_blocks_are_whooshs(many_blocks, fieldname, text):
    ids, weights, starts, last_ids = internals.read_postings(many_blocks, fieldname, text)
    public = list(_public_postings(many_blocks, fieldname, text))
    assert len(starts) >= 3, "the term should span several blocks"
    assert ids.tolist() == [d for d, _ in public] and np.allclose(weights, [w for _, w in public])
    seeker = internals.raw_postings(many_blocks, fieldname, text)
    for docnum in (0, 130, 260, 399, 5):  # blocks out of order: each is read again
        block = int(np.searchsorted(last_ids, docnum))
        assert internals.seek_document(seeker, int(starts[block]), docnum)
        matcher = many_blocks.postings(fieldname, text)
        matcher.skip_to(docnum)
        assert list(seeker.value_as("positions")) == list(matcher.value_as("positions"))


# --- the snippet's marks --------------------------------------------------------------

def _tokens(spans):
    from whoosh.analysis import Token

    for text, start, end, matched in spans:
        token = Token(text=text, startchar=start, endchar=end)
        token.matched = matched
        yield token


@pytest.mark.parametrize("spans", [
    [("quy", 0, 3, True), ("định", 4, 8, True), ("về", 9, 11, False)],
    [("a", 0, 3, True), ("b", 4, 7, True), ("c", 7, 8, True)],           # a run touching the one before
    [("ab", 0, 2, True), ("bc", 1, 3, True), ("x", 4, 5, False), ("y", 6, 7, True)],  # overlapping
    [("x", 0, 1, False)], [],
])
def test_matched_tokens_are_joined_as_whoosh_joins_them(spans):
    from whoosh.highlight import Highlighter

    from index.query import _joined_matches

    def shown(tokens):
        return [(t.text, t.startchar, t.endchar, t.matched) for t in tokens]

    assert shown(_joined_matches(_tokens(spans))) == shown(Highlighter._merge_matched_tokens(_tokens(spans)))
