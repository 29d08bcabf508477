"""Search and cites as people type them, on both backends: symbols as words or in
part, look-alike letters, stop-words, long queries, field queries without
diacritics; and the national database's pages found by their heading.
"""
from __future__ import annotations

import pytest

from conftest import CORPUS, new_database, need_shared
from index.backends import open_archive
from index.graph import PartialSymbol, cites
from index.indexing import index_paths
from ingest.vocabulary.typed import normalize_typed, typed_symbols

# --- how a typed query is read ---------------------------------------------------------

TYPED = [
    # (typed, whole symbol read, or (number, year, codes) of a part; None: no symbol)
    ("143/2013/NĐ-CP", "143/2013/NĐ-CP"),
    ("143 2013 nd cp", "143/2013/NĐ-CP"),
    ("143 / 2013 / NĐ - CP", "143/2013/NĐ-CP"),
    ("sua doi nghi dinh so 143 2013 nd cp ngay 24 thang 10 nam 2013", "143/2013/NĐ-CP"),
    ("93-2007-QĐ-TTg", "93/2007/QĐ-TTg"),
    ("qd 93/2007/qd-ttg", "93/2007/QĐ-TTg"),
    ("13/2015/TT-BT\u0421", "13/2015/TT-BTC"),               # Cyrillic С
    ("13/2015/\u03a4\u03a4-BTC", "13/2015/TT-BTC"),           # Greek Τ
    ("\uff11\uff13/\uff12\uff10\uff11\uff15/TT-BTC", "13/2015/TT-BTC"),  # full-width digits
    ("13/2015/TT-\u200bBTC", "13/2015/TT-BTC"),               # a zero-width space
    ("01 2026 tt bnv", "01/2026/TT-BNV"),
    ("66 12 2026 nq cp", "66.12/2026/NQ-CP"),
    ("66.12/2026/NQ-CP", "66.12/2026/NQ-CP"),
    ("63/2025/QH15", "63/2025/QH15"),
    ("308/2025", ("308", "2025", ())),
    ("nghị định 308", ("308", None, ("NĐ",))),
    ("nghi dinh so 308 2025", ("308", "2025", ("NĐ",))),
    ("nd cp 143", ("143", None, ("NĐ", "CP"))),
    ("ngày 24/10/2013", None),                                # a day, not a symbol
    ("tháng 10/2013", None),
    ("cải cách hành chính năm 2024", None),
    ("143 2013 nd cp ngay 24", "143/2013/NĐ-CP"),             # stops before ``ngay``
]


@pytest.mark.parametrize("typed, wanted", TYPED)
def test_a_typed_symbol_is_read(typed, wanted):
    found = typed_symbols(normalize_typed(typed))
    if wanted is None:
        assert found == []
    elif isinstance(wanted, str):
        assert [f.symbol for f in found] == [wanted]
    else:
        assert [(f.number, f.year, f.codes) for f in found] == [wanted]


# --- an archive of a few decrees and the documents citing them ---------------------------

DOCS = {
    "nd_143.txt": "CHÍNH PHỦ\nSố: 143/2013/NĐ-CP\nHà Nội, ngày 24 tháng 10 năm 2013\nNGHỊ ĐỊNH\n"
                  "Quy định về bồi thường nhà nước trong lĩnh vực đất đai\nCăn cứ Luật Tổ chức Chính phủ;\n"
                  "Nghị định này quy định về bồi thường.\n",
    "nd_12.txt": "CHÍNH PHỦ\nSố: 12/2024/NĐ-CP\nHà Nội, ngày 5 tháng 2 năm 2024\nNGHỊ ĐỊNH\n"
                 "Sửa đổi, bổ sung một số điều của Nghị định số 143/2013/NĐ-CP ngày 24 tháng 10 năm 2013\n"
                 "Căn cứ Nghị định số 143/2013/NĐ-CP ngày 24 tháng 10 năm 2013 của Chính phủ;\n"
                 "Điều 1. Sửa đổi khoản 2 Điều 3.\n",
    "tt_13.txt": "BỘ TÀI CHÍNH\nSố: 13/2015/TT-BTC\nHà Nội, ngày 30 tháng 1 năm 2015\nTHÔNG TƯ\n"
                 "Hướng dẫn quản lý kinh phí sự nghiệp kinh tế\nCăn cứ Nghị định số 143/2013/NĐ-CP;\n",
    "qd_93.txt": "THỦ TƯỚNG CHÍNH PHỦ\nSố: 93/2007/QĐ-TTg\nHà Nội, ngày 22 tháng 6 năm 2007\nQUYẾT ĐỊNH\n"
                 "Ban hành Quy chế thực hiện cơ chế một cửa tại cơ quan hành chính nhà nước ở địa phương\n",
    "nd_308.txt": "CHÍNH PHỦ\nSố: 308/2025/NĐ-CP\nHà Nội, ngày 1 tháng 12 năm 2025\nNGHỊ ĐỊNH\n"
                  "Quy định chi tiết về phòng cháy chữa cháy\n",
    "bc_7.txt": "UBND XÃ TỊNH HÀ\nSố: 7/BC-UBND\nTịnh Hà, ngày 10 tháng 12 năm 2025\nBÁO CÁO\n"
                "Kết quả triển khai Nghị định số 308/2025/NĐ-CP tại xã\nThực hiện Nghị định số 308/2025/NĐ-CP;\n",
    "kh_35.txt": "UBND XÃ TỊNH HÀ\nSố: 35/KH-UBND\nTịnh Hà, ngày 3 tháng 3 năm 2025\nKẾ HOẠCH\n"
                 "Triển khai Nghị định số 35/2025/NĐ-CP và Thông tư số 35/2025/TT-BTC\n"
                 "Căn cứ Nghị định số 35/2025/NĐ-CP; Căn cứ Thông tư số 35/2025/TT-BTC;\n",
}


@pytest.fixture(scope="module")
def archives(tmp_path_factory, pg_server):
    """The documents above on Whoosh and on PostgreSQL."""
    folder = tmp_path_factory.mktemp("forms")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    targets = {"whoosh": str(tmp_path_factory.mktemp("forms-index") / "index"), "postgresql": new_database(pg_server)}
    for target in targets.values():
        report = index_paths([str(folder)], target, jobs=1, ocr=False)
        assert (report.added, report.failed) == (len(DOCS), [])
    stores = {name: open_archive(target) for name, target in targets.items()}
    yield stores
    for store in stores.values():
        store.close()


def names(results) -> list[str]:
    return [h.path.rsplit("/", 1)[-1] for h in results.hits]


FORMS = [
    # (query, the document first, documents that must be found too)
    ("143/2013/NĐ-CP", "nd_143.txt", {"nd_12.txt", "tt_13.txt"}),
    ("143 2013 nd cp", "nd_143.txt", {"nd_12.txt", "tt_13.txt"}),
    ("nd cp 143", "nd_143.txt", {"nd_12.txt"}),
    ("nghi dinh 143 2013", "nd_143.txt", {"nd_12.txt"}),
    ("143/2013/nd-cp", "nd_143.txt", set()),
    ("13/2015/TT-BT\u0421", "tt_13.txt", set()),                       # Cyrillic С
    ("\uff11\uff13/\uff12\uff10\uff11\uff15/TT-BTC", "tt_13.txt", set()),  # full-width
    ("93-2007-QĐ-TTg", "qd_93.txt", set()),
    ("qd 93/2007/qd-ttg", "qd_93.txt", set()),
    ("93/2007", "qd_93.txt", set()),
    ("nghị định 308", "nd_308.txt", {"bc_7.txt"}),
    ("308/2025", "nd_308.txt", {"bc_7.txt"}),
    ('"căn cứ nghị định số 143/2013/NĐ-CP ngày 24"', "nd_12.txt", set()),  # a phrase through a symbol
    ("quy dinh ve viec boi thuong", "nd_143.txt", set()),              # ``việc`` is in no document
    ("sua doi bo sung mot so dieu nghi dinh 143 2013 nd cp thuy loi", "nd_12.txt", set()),  # one word nowhere
    ('title:"boi thuong"', "nd_143.txt", set()),                      # a field query without diacritics
    ('title:"bồi thường"', "nd_143.txt", set()),
]


@pytest.mark.parametrize("backend", ["whoosh", "postgresql"])
@pytest.mark.parametrize("query, first, also", FORMS)
def test_a_query_form_finds_its_document_first(archives, backend, query, first, also):
    found = names(archives[backend].search(query, limit=10))
    assert found[:1] == [first], found
    assert also <= set(found), found


def test_both_backends_rank_the_forms_alike(archives):
    for query, _, _ in FORMS:
        tops = [names(archives[b].search(query, limit=3))[:1] for b in ("whoosh", "postgresql")]
        assert tops[0] == tops[1], query


@pytest.mark.parametrize("backend", ["whoosh", "postgresql"])
def test_a_long_query_with_a_word_in_no_document_says_it_matched_most_words(archives, backend):
    strict = archives[backend].search("nghi dinh", limit=5)  # a handful or more have every word
    loose = archives[backend].search("sua doi bo sung mot so dieu nghi dinh 143 2013 nd cp thuy loi", limit=5)
    assert not strict.relaxed and loose.relaxed and names(loose)[0] == "nd_12.txt"


@pytest.mark.parametrize("backend", ["whoosh", "postgresql"])
@pytest.mark.parametrize("typed", ["308/2025/NĐ-CP", "308/2025/nd-cp", "308 2025 nd cp", "308/2025",
                                   "nghị định 308"])
def test_cites_takes_any_spelling_and_a_part_naming_one_symbol(archives, backend, typed):
    groups = cites(archives[backend], typed)
    assert {c.record["path"].rsplit("/", 1)[-1] for g in groups.values() for c in g} == {"bc_7.txt"}


@pytest.mark.parametrize("backend", ["whoosh", "postgresql"])
def test_cites_of_a_part_naming_several_symbols_lists_them(archives, backend):
    with pytest.raises(PartialSymbol) as refused:
        cites(archives[backend], "35/2025")
    assert [s for s, _ in refused.value.candidates] == ["35/2025/NĐ-CP", "35/2025/TT-BTC"]
    assert "35/2025/NĐ-CP (cited by 1)" in str(refused.value)
    with pytest.raises(PartialSymbol, match="no cited symbol starts as 99/2025"):
        cites(archives[backend], "99/2025")


# --- the national database's pages, by their heading ---------------------------------------

@pytest.fixture(scope="module")
def vbpl(tmp_path_factory, pg_server):
    from vbpl_queries import pages

    chosen = pages(need_shared(CORPUS / "vbpl" / "vbpl.jsonl"))
    folder = tmp_path_factory.mktemp("vbpl-pages")
    for page in chosen:
        (folder / f"{page['id']}.txt").write_text(page["text"], encoding="utf-8")
    targets = {"whoosh": str(tmp_path_factory.mktemp("vbpl-index") / "index"), "postgresql": new_database(pg_server)}
    for target in targets.values():
        assert index_paths([str(folder)], target, jobs=2, ocr=False).added == len(chosen)
    return chosen, folder, targets


@pytest.mark.parametrize("backend", ["whoosh", "postgresql"])
def test_pages_are_found_by_their_heading_as_people_type_it(vbpl, backend):
    from vbpl_queries import FLOORS, score

    chosen, folder, targets = vbpl
    store = open_archive(targets[backend])
    result = score(lambda text, limit: [h.path for h in store.search(text, limit=limit).hits],
                   chosen, lambda page: str((folder / f"{page['id']}.txt").resolve()))
    print("\n" + result.table(f"vbpl on {backend}") + "\nmisses:\n" + "\n".join(result.misses))
    for form, floor in FLOORS.items():
        assert result.share(form) >= floor, form


def test_rows_of_an_older_analysis_are_written_again_by_the_next_ingest(tmp_path, pg_server):
    """A PostgreSQL row made before a symbol's parts were words is rewritten by the
    next ingest of its folder (from the record cache, nothing parsed), and found."""
    import psycopg

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "nd_143.txt").write_text(DOCS["nd_143.txt"], encoding="utf-8")
    url = new_database(pg_server)
    assert index_paths([str(tmp_path / "docs")], url, jobs=1, ocr=False).added == 1
    with psycopg.connect(url, autocommit=True) as conn:  # as an older vanban wrote it
        conn.execute("UPDATE vanban.documents SET record = record - '_analysis', "
                     "title_fold = pg_catalog.to_tsvector('simple', ''), body_fold = pg_catalog.to_tsvector('simple', '')")
    store = open_archive(url)
    assert list(store.paths().values()) == [""]
    assert store.by_path(str(tmp_path / "docs" / "nd_143.txt"))["symbol"] == "143/2013/NĐ-CP"
    report = index_paths([str(tmp_path / "docs")], url, jobs=1, ocr=False)
    assert (report.replaced, report.parsed, report.unchanged) == (1, 0, 0)
    assert names(store.search("143 2013 nd cp", limit=3)) == ["nd_143.txt"]
    assert index_paths([str(tmp_path / "docs")], url, jobs=1, ocr=False).unchanged == 1
