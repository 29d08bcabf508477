"""The Whoosh store's tiered merging (index/whoosh/store.py)."""
from __future__ import annotations

import os

from index.whoosh import store as store_module
from index.whoosh.store import WhooshStore


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


def test_an_index_of_an_older_format_is_rebuilt_from_its_records(tmp_path):
    """Search on an index written by an older vanban says what to do; the next
    ingest rebuilds it from the parsed records it keeps, parsing nothing."""
    from click.testing import CliRunner

    from index.indexing import index_paths as ingest
    from search_cli import cli

    folder, index = tmp_path / "docs", tmp_path / "index"
    folder.mkdir()
    for i in range(3):
        (folder / f"tb_{i}.txt").write_text(
            f"UBND PHƯỜNG PHỔ NINH\nSố: {i + 1}/TB-UBND\nPhổ Ninh, ngày 0{i + 1} tháng 3 năm 2024\nTHÔNG BÁO\n"
            "Lịch tiếp công dân của Chủ tịch UBND phường\n", encoding="utf-8")
    assert ingest([str(folder)], str(index), jobs=1).added == 3
    (index / store_module.VERSION_FILE).write_text('{"schema_version": 1}')
    result = CliRunner().invoke(cli, ["search", "tiep cong dan", "--index", str(index)])
    assert result.exit_code == 1 and "older vanban" in result.output and "vanban ingest" in result.output
    report = ingest([str(folder)], str(index), jobs=1)
    assert (report.upgraded, report.parsed, report.unchanged) == (3, 0, 3)
    assert store_module.schema_version(str(index)) == store_module.SCHEMA_VERSION
    result = CliRunner().invoke(cli, ["search", "--json", '"tiep cong dan"', "--index", str(index)])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3


def test_parallel_writers_index_what_one_writer_does(tmp_path, monkeypatch):
    """A large ingest writes through one Whoosh sub-writer per core: same documents,
    same search results as the single writer, and no writer process left behind."""
    import multiprocessing

    from index import indexing as ingest_module
    from index.whoosh.search import search

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(60):
        (folder / f"bc_{i:02d}.txt").write_text(
            f"UBND XÃ TỊNH HÀ\nSố: {i + 1}/BC-UBND\nTịnh Hà, ngày 0{i % 9 + 1} tháng 4 năm 2024\nBÁO CÁO\n"
            f"Kết quả tiếp nhận hồ sơ đợt {i}\nThực hiện Kế hoạch số 16/KH-UBND ngày 20/02/2024 của UBND xã, "
            f"xã đã tiếp nhận {100 + i} hồ sơ {'đúng hạn' if i % 2 else 'trực tuyến'}.\n", encoding="utf-8")
    results = {}
    for procs in (1, 2):
        monkeypatch.setattr(ingest_module, "writer_procs", lambda new_files, procs=procs: procs)
        index = tmp_path / f"index{procs}"
        report = ingest_module.index_paths([str(folder)], str(index), jobs=2)
        store = WhooshStore(str(index))
        found = search(store, '"tiếp nhận hồ sơ"', limit=100)
        results[procs] = (report.added, store.count(), sorted(h.path for h in found.hits),
                          sorted(h.path for h in search(store, "truc tuyen", limit=100).hits))
    assert results[2] == results[1] and results[1][:2] == (60, 60) and len(results[1][3]) == 30
    assert multiprocessing.active_children() == []


def test_ingest_writes_the_frequent_terms_of_each_segment_and_drops_merged_ones(tmp_path, monkeypatch):
    """Every live segment gets its arrays (index/whoosh/frequent.py) at the end of an ingest;
    a segment merged away loses them; searches read the same either way."""
    from index.whoosh import frequent as hotpostings
    from index.indexing import index_paths as ingest
    from index.whoosh.search import search

    monkeypatch.setattr(hotpostings, "MIN_DOCS", 2)
    monkeypatch.setattr(store_module, "MERGE_CEILING", 1000)
    index = tmp_path / "index"

    def live_and_written():
        store = WhooshStore(str(index))
        written = {n.split(".")[0] for n in os.listdir(index / hotpostings.FOLDER) if n.endswith(hotpostings.SUFFIXES[-1])}
        return set(store.segment_ids()), written

    seen = set()
    for batch in range(5):  # five ingests: the fifth merges the four small segments
        folder = tmp_path / f"docs{batch}"
        folder.mkdir()
        for i in range(3):
            (folder / f"tb_{i}.txt").write_text(
                f"UBND XÃ TỊNH HÀ\nSố: {batch * 3 + i + 1}/TB-UBND\nTịnh Hà, ngày 0{i + 1} tháng 5 năm 2024\n"
                "THÔNG BÁO\nLịch tiếp công dân định kỳ của Chủ tịch UBND xã\n", encoding="utf-8")
        report = ingest([str(folder)], str(index), jobs=1)
        live, written = live_and_written()
        assert live == written and report.hot_segments >= 1
        seen |= live
    assert seen - live, "the merge should have replaced some segments"
    store = WhooshStore(str(index))
    assert search(store, '"tiep cong dan"', limit=100).total == 15
