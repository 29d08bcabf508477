"""The Whoosh store's tiered merging (index/store.py)."""
from __future__ import annotations

from index import store as store_module
from index.store import WhooshStore


def _record(i: int) -> dict:
    return {"path": f"/docs/{i}.txt", "sha256": f"{i:064x}", "title": f"Báo cáo số {i}", "text": "nội dung"}


def test_small_segments_merge_in_tiers_and_big_ones_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "MERGE_CEILING", 10)
    store = WhooshStore(str(tmp_path), create=True)
    counts = []
    for i in range(9):
        store.begin()
        store.add(_record(i), new=True)
        store.commit(reopen=False)
        counts.append(len(store.ix.reader().leaf_readers()) if i else 1)
    # one document a commit: four one-document segments merge into the fifth commit's
    assert counts[:5] == [1, 2, 3, 4, 1]
    assert store.count() == 9
    store.begin()
    for i in range(9, 21):  # 12 documents: the four small segments merge into this commit's
        store.add(_record(i), new=True)
    store.commit(reopen=False)
    big = sorted(r.doc_count_all() for r, _ in store.ix.reader().leaf_readers())[-1]
    assert big > store_module.MERGE_CEILING
    for i in range(21, 31):  # more small commits: tiers merge, the big segment stays as it is
        store.begin()
        store.add(_record(i), new=True)
        store.commit(reopen=False)
    sizes = sorted(r.doc_count_all() for r, _ in store.ix.reader().leaf_readers())
    assert sizes[-1] == big and len(sizes) <= 5 and store.count() == 31
