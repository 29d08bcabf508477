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
    ``index.store.PAIRS``)."""
    folder = tmp_path / "index"
    shutil.copytree(OLD_INDEX, folder)
    return folder


def test_an_index_written_before_the_move_opens_and_searches(old_index):
    assert b"index.store" in (old_index / "_MAIN_1.toc").read_bytes()
    store = open_archive(str(old_index))
    assert store.count() == 8
    symbols = {h.symbol for h in store.search("cải cách hành chính", limit=20).hits}
    assert "45/BC-UBND" in symbols
    assert [r["symbol"] for r in store.by_symbol("215/QĐ-UBND")] == ["215/QĐ-UBND"]
    folded = store.search("cai cach hanh chinh", limit=20)
    assert "45/BC-UBND" in {h.symbol for h in folded.hits}


def test_an_old_index_written_again_keeps_its_documents(old_index):
    """A commit rewrites the table of contents with the classes' new homes."""
    store = WhooshStore(str(old_index))
    store.begin()
    store.delete("/work/main/samples/qd_esigned.pdf")
    store.commit(reopen=False)
    assert b"index.store" not in max(old_index.glob("_MAIN_*.toc")).read_bytes()
    assert WhooshStore(str(old_index)).count() == 7


# --- the private names, each checked against the public API -------------------------

@pytest.fixture
def reader(old_index):
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
        seeker.vanban_block = -1
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
