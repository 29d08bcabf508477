"""One body, one name (issue 14, items 5 and 6): issuers read whatever their
spelling as one canonical body (``ingest/vocabulary/issuers.py``), a central body's
code names the issuer a citation leaves out, and the archive's facets, ``stats``,
``--issuer`` and ``cites`` go by the body, on both backends."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, new_database
from ingest.extract.citations import find_citations
from ingest.models import Part
from ingest.vocabulary.issuers import canonical_body, central_body, issuer_key, issuer_matches, issuer_name
from search_cli import cli

# --- spellings of one body ------------------------------------------------------------

# (printed issuer, printed parent, the name shown, the key)
BODIES = [
    ("SỞ Y TẾ", None, "Sở Y tế", "so y te"),
    ("SỞ Y TÉ", None, "Sở Y tế", "so y te"),                      # OCR: the tone lost
    ("Sở  Y  tế", None, "Sở Y tế", "so y te"),
    ("SỞ Y TẾ", "UBND TỈNH KIÊN GIANG", "Sở Y tế tỉnh Kiên Giang", "so y te tinh kien giang"),
    ("SỞ Y TÉ", "UBND TỈNH KIÊN GIANG", "Sở Y tế tỉnh Kiên Giang", "so y te tinh kien giang"),
    ("SỞ Y TẾ TỈNH KIÊN GIANG", None, "Sở Y tế tỉnh Kiên Giang", "so y te tinh kien giang"),
    ("UỶ BAN NHÂN DÂN PHƯỜNG NGUYỄN NGHIÊM", None, "Ủy ban nhân dân phường Nguyễn Nghiêm",
     "uy ban nhan dan phuong nguyen nghiem"),
    ("ỦY BAN NHÂN DÂN PHƯỜNG NGUYỄN NGHIÊM", None, "Ủy ban nhân dân phường Nguyễn Nghiêm",
     "uy ban nhan dan phuong nguyen nghiem"),
    ("UBND phường Nguyễn Nghiêm", None, "Ủy ban nhân dân phường Nguyễn Nghiêm",
     "uy ban nhan dan phuong nguyen nghiem"),
    ("UBND PHƯỜNG PHỔ VINH", "UBND THỊ XÃ ĐỨC PHỔ", "Ủy ban nhân dân phường Phổ Vinh",
     "uy ban nhan dan phuong pho vinh"),                            # names its own place: no parent added
    ("CHÍNH PHỦ —————", None, "Chính phủ", "chinh phu"),           # the rule under the name
    ("Chính phủ", None, "Chính phủ", "chinh phu"),
    ("BỘ  TÀI  CHÍNH", None, "Bộ Tài chính", "bo tai chinh"),
    ("BỘ TÀl CHÍNH", None, "Bộ Tài chính", "bo tai chinh"),        # OCR: l for I
    ("BỘ TƯ PHÁP ———— ————", None, "Bộ Tư pháp", "bo tu phap"),
    ("BỘ giao thông vận tải", None, "Bộ Giao thông vận tải", "bo giao thong van tai"),
    ("BỘ GIÁO DỤC VÀ ĐÀO TÀO", None, "Bộ Giáo dục và Đào tạo", "bo giao duc va dao tao"),
    ("Bộ trưởng Bộ Tài chính", None, "Bộ Tài chính", "bo tai chinh"),  # the office for the body
    ("Thống đốc Ngân hàng Nhà nước", None, "Ngân hàng Nhà nước Việt Nam", "ngan hang nha nuoc viet nam"),
    ("QUỐC HỘI", "ỦY BAN THƯỜNG VỤ", "Ủy ban Thường vụ Quốc hội", "uy ban thuong vu quoc hoi"),
    ("UỶ BAN THƯỜNG VỤ QUỐC HỘI", None, "Ủy ban Thường vụ Quốc hội", "uy ban thuong vu quoc hoi"),
    ("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", None, "Bộ Văn hóa, Thể thao và Du lịch", "bo van hoa the thao va du lich"),
    ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "UBND TỈNH PHÚ THỌ", "Sở Thông tin và Truyền thông tỉnh Phú Thọ",
     "so thong tin va truyen thong tinh phu tho"),
    ("SỞ Y TẺ", "UBND TĨNH KIÊN GIANG", "Sở Y tế tỉnh Kiên Giang", "so y te tinh kien giang"),  # a scan's
    ("SỞ THÔNG TIN VÀ TRUYÊN THÔNG", "UBNDTỈÏNHPHÚTHỌ", "Sở Thông tin và Truyền thông",        # a scan's:
     "so thong tin va truyen thong"),                                                           # no parent read
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "UBND HUYỆN SƠN TỊNH", "Phòng Giáo dục và Đào tạo huyện Sơn Tịnh",
     "phong giao duc va dao tao huyen son tinh"),
    ("HUYỆN ỦY SƠN TỊNH", "ĐẢNG BỘ TỈNH QUẢNG NGÃI", "Huyện ủy Sơn Tịnh", "huyen uy son tinh"),
    ("BQL CÁC KHU CÔNG NGHIỆP BÀ RỊA – VŨNG TÀU", "UBND TỈNH BÀ RỊA – VŨNG TÀU",
     "Ban Quản lý các khu công nghiệp Bà Rịa - Vũng Tàu", "ban quan ly cac khu cong nghiep ba ria vung tau"),
    ("VĂN PHÒNG", "BỘ Y TẾ", "Văn phòng Bộ Y tế", "van phong bo y te"),   # a parent that is no place
    ("UBND TP. HỒ CHÍ MINH", None, "Ủy ban nhân dân thành phố Hồ Chí Minh",
     "uy ban nhan dan thanh pho ho chi minh"),
    ("BỘ TƯ PHÁP - BỘ CÔNG AN", None, "Bộ Tư pháp - Bộ Công an", "bo tu phap bo cong an"),
    ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", None, "Sở Lao động - Thương binh và Xã hội",
     "so lao dong thuong binh va xa hoi"),
]


@pytest.mark.parametrize("printed, parent, name, key", BODIES, ids=[f"{b[0]} / {b[1]}" for b in BODIES])
def test_a_body_printed_any_way_is_one_body(printed, parent, name, key):
    body = canonical_body(printed, parent)
    assert (body.name, body.key) == (name, key)
    assert issuer_name(printed, parent) == name and issuer_key(printed, parent) == key


# Pairs of real, different bodies: close in spelling, never merged.
DISTINCT = [
    ("Bộ Tài chính", "Bộ Tư pháp"), ("Bộ Y tế", "Sở Y tế"), ("Sở Tài chính", "Bộ Tài chính"),
    ("Sở Nội vụ", "Sở Ngoại vụ"), ("Bộ Nội vụ", "Bộ Ngoại giao"), ("Quốc hội", "Ủy ban Thường vụ Quốc hội"),
    ("Chính phủ", "Thủ tướng Chính phủ"), ("Chính phủ", "Văn phòng Chính phủ"),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Nông nghiệp và Môi trường"),
    ("UBND phường Phổ Vinh", "UBND phường Phổ Ninh"), ("SỞ Y TẾ", "SỞ Y TẾ TỈNH AN GIANG"),
]


@pytest.mark.parametrize("a, b", DISTINCT, ids=[f"{a} | {b}" for a, b in DISTINCT])
def test_distinct_bodies_stay_apart(a, b):
    assert issuer_key(a) != issuer_key(b)


def test_sở_y_tế_of_two_provinces_are_two_bodies():
    assert issuer_key("SỞ Y TẾ", "UBND TỈNH KIÊN GIANG") != issuer_key("SỞ Y TẾ", "UBND TỈNH AN GIANG")


def test_a_name_with_no_letters_is_no_body():
    assert canonical_body("—————") is None and issuer_key("-") is None and issuer_key(None) is None


# --- asking for a body: --issuer --------------------------------------------------------

# (what --issuer says, a body's key, found?)
ASKED = [
    ("Sở Y tế tỉnh Kiên Giang", "so y te tinh kien giang", True),
    ("so y te kien giang", "so y te tinh kien giang", True),
    ("Sở Y tế", "so y te tinh kien giang", True),
    ("SỞ Y TÉ", "so y te tinh kien giang", True),
    ("UBND tỉnh Kiên Giang", "uy ban nhan dan tinh kien giang", True),
    ("ubnd kien giang", "uy ban nhan dan tinh kien giang", True),
    ("quốc hội", "quoc hoi", True),
    ("Bộ trưởng Bộ Tài chính", "bo tai chinh", True),
    ("Sở Y tế tỉnh Kiên Giang", "so y te tinh an giang", False),
    ("Sở Y tế", "bo y te", False),
    ("UBND tỉnh Kiên Giang", "so y te tinh kien giang", False),
    ("Bộ Tài chính", "bo tu phap", False),
]


@pytest.mark.parametrize("asked, key, found", ASKED, ids=[f"{a} ? {k}" for a, k, _ in ASKED])
def test_issuer_asked_in_any_spelling(asked, key, found):
    assert issuer_matches(asked, key) is found


# --- a central body's code names the issuer a citation leaves out ------------------------

CODES = [
    ("CP", "Chính phủ"), ("TTg", "Thủ tướng Chính phủ"), ("QH15", "Quốc hội"), ("QH13", "Quốc hội"),
    ("UBTVQH15", "Ủy ban Thường vụ Quốc hội"), ("BTC", "Bộ Tài chính"), ("NHNN", "Ngân hàng Nhà nước Việt Nam"),
    ("BYT", "Bộ Y tế"), ("BGDĐT", "Bộ Giáo dục và Đào tạo"), ("BGDDT", "Bộ Giáo dục và Đào tạo"),
    ("BLĐTBXH", "Bộ Lao động - Thương binh và Xã hội"), ("TTCP", "Thanh tra Chính phủ"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao"), ("TANDTC", "Tòa án nhân dân tối cao"),
    ("UBND", None), ("SYT", None), ("TW", None), ("HU", None),
]


@pytest.mark.parametrize("code, body", CODES, ids=[c for c, _ in CODES])
def test_central_body_of_a_symbol_code(code, body):
    assert central_body(code) == body


def _cites(text: str, own_symbol=None, own_issuer=None):
    return find_citations(text, [Part("main", 0, len(text))], own_symbol, own_issuer)


# (the citing sentence, issuer as printed, inferred, name shown, key)
CITATIONS = [
    ("Căn cứ Nghị định số 214/2025/NĐ-CP ngày 04/8/2025 của Chính phủ;", "Chính phủ", None, "Chính phủ",
     "214/2025/NĐ-CP|chinh phu|2025"),
    ("Căn cứ Nghị định số 214/2025/NĐ-CP ngày 04/8/2025;", None, "Chính phủ", "Chính phủ",
     "214/2025/NĐ-CP|chinh phu|2025"),
    ("Căn cứ Luật số 63/2025/QH15;", None, "Quốc hội", "Quốc hội", "63/2025/QH15|quoc hoi|2025"),
    ("Căn cứ Thông tư số 12/2024/TT-BTC ngày 01/3/2024 của Bộ trưởng Bộ Tài chính;", "Bộ trưởng Bộ Tài chính",
     None, "Bộ Tài chính", "12/2024/TT-BTC|bo tai chinh|2024"),
    ("Căn cứ Thông tư số 12/2024/TT-BTC ngày 01/3/2024;", None, "Bộ Tài chính", "Bộ Tài chính",
     "12/2024/TT-BTC|bo tai chinh|2024"),
    ("Căn cứ Thông tư số 02/2024/TT-BTNMT của Bộ trưởng Bộ Tài nguyên và Môi trường;",
     "Bộ trưởng Bộ Tài nguyên", None, "Bộ Tài nguyên và Môi trường", "02/2024/TT-BTNMT|bo tai nguyen va moi truong|2024"),
    ("Căn cứ Thông tư liên tịch số 120/2014/TTLT-BTC-BNV;", None, None, None, "120/2014/TTLT-BTC-BNV||2014"),
    ("Thực hiện Quyết định số 308/QĐ-UBND ngày 27/01/2022;", None, None, None, "308/QĐ-UBND||2022"),
]


@pytest.mark.parametrize("text, printed, inferred, name, key", CITATIONS, ids=[c[4] for c in CITATIONS])
def test_a_citation_without_its_issuer_takes_the_code_s_body(text, printed, inferred, name, key):
    [cite] = _cites(text)
    assert (cite.issuer, cite.issuer_inferred, cite.issuer_name, cite.key) == (printed, inferred, name, key)


def test_own_series_inference_keeps_the_document_s_parent():
    text = "Thực hiện Kế hoạch số 16/KH-SYT ngày 20/02/2024 về tiêm chủng."
    [cite] = find_citations(text, [Part("main", 0, len(text))], "32/BC-SYT", "SỞ Y TẾ", "UBND TỈNH KIÊN GIANG")
    assert cite.issuer_inferred == "SỞ Y TẾ"
    assert cite.key == "16/KH-SYT|so y te tinh kien giang|2024" and cite.issuer_name == "Sở Y tế tỉnh Kiên Giang"


# --- the archive, on both backends ---------------------------------------------------------

def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# (file, issuer block, symbol, citation) — one body printed several ways
SPELLINGS = [
    ("syt_1.txt", "UBND TỈNH KIÊN GIANG\nSỞ Y TẾ", "1/BC-SYT", "Nghị định số 214/2025/NĐ-CP ngày 04/8/2025 của Chính phủ"),
    ("syt_2.txt", "UBND TỈNH KIÊN GIANG\nSỞ Y TÉ", "2/BC-SYT", "Nghị định số 214/2025/NĐ-CP ngày 04/8/2025"),
    ("syt_3.txt", "UBND TỈNH KIÊN GIANG\nSở  Y  tế", "3/BC-SYT", "Nghị định 214/2025/ND-CP"),
    ("cp_1.txt", "CHÍNH PHỦ —————", "5/2025/NĐ-CP", "Luật số 63/2025/QH15 ngày 16/6/2025 của Quốc hội"),
    ("cp_2.txt", "CHÍNH PHỦ", "6/2025/NĐ-CP", "Luật số 63/2025/QH15"),
    ("ub_1.txt", "UỶ BAN NHÂN DÂN\nPHƯỜNG AN PHÚ", "7/BC-UBND", "Luật số 63/2025/QH15"),
    ("ub_2.txt", "ỦY BAN NHÂN DÂN\nPHƯỜNG AN PHÚ", "8/BC-UBND", "Thông tư số 12/2024/TT-BTC"),
    ("btc_1.txt", "BỘ  TÀI  CHÍNH", "9/2025/TT-BTC", "Thông tư số 12/2024/TT-BTC của Bộ trưởng Bộ Tài chính"),
    ("btc_2.txt", "BỘ TÀI CHÍNH", "10/2025/TT-BTC", "Thông tư số 12/2024/TT-BTC"),
    ("btp_1.txt", "BỘ TƯ PHÁP", "11/2025/TT-BTP", "Thông tư số 12/2024/TT-BTC"),
]
FACETS = {"Sở Y tế tỉnh Kiên Giang": 3, "Chính phủ": 2, "Ủy ban nhân dân phường An Phú": 2,
          "Bộ Tài chính": 2, "Bộ Tư pháp": 1}


@pytest.fixture(scope="module", params=BACKENDS)
def spelled(request, tmp_path_factory):
    """An archive of each backend holding the documents of ``SPELLINGS``."""
    folder = tmp_path_factory.mktemp("docs")
    if request.param == "whoosh":
        index = tmp_path_factory.mktemp("index")
    else:
        index = new_database(request.getfixturevalue("pg_server"))
    for i, (name, block, symbol, cited) in enumerate(SPELLINGS):
        (folder / name).write_text(
            f"{block}\nSố: {symbol}\nHà Nội, ngày {i + 2:02d} tháng 9 năm 2025\nBÁO CÁO\nKết quả công tác y tế\n"
            f"Căn cứ {cited};\nBáo cáo kết quả thực hiện.\n", encoding="utf-8")
    result = run("ingest", str(folder), index=index)
    assert result.exit_code == 0, result.output
    return folder, index


def test_one_body_is_one_facet_and_one_stats_line(spelled):
    folder, index = spelled
    found = lines(run("search", "--json", "--facets", "--limit", "20", "kết quả", index=index))
    assert found.pop()["facets"]["issuer"] == FACETS
    assert len(found) == len(SPELLINGS)
    [stats] = lines(run("stats", "--json", index=index))
    assert stats["by_issuer"] == FACETS
    shown = run("search", "--facets", "kết quả", index=index).stdout
    assert "Sở Y tế tỉnh Kiên Giang: 3" in shown and "so y te" not in shown


@pytest.mark.parametrize("asked", ["Sở Y tế tỉnh Kiên Giang", "so y te kien giang", "Sở Y tế", "SỞ Y TÉ",
                                   "sở y tế tỉnh kiên giang"])
def test_issuer_filter_finds_the_body_in_any_spelling(spelled, asked):
    folder, index = spelled
    found = lines(run("search", "--json", "--issuer", asked, "--limit", "20", "kết quả", index=index))
    assert sorted(h["path"] for h in found) == [str(folder / f"syt_{i}.txt") for i in (1, 2, 3)]


def test_issuer_filter_keeps_other_bodies_out(spelled):
    folder, index = spelled
    found = lines(run("search", "--json", "--issuer", "Bộ Tài chính", "--limit", "20", "kết quả", index=index))
    assert sorted(h["path"] for h in found) == [str(folder / "btc_1.txt"), str(folder / "btc_2.txt")]


def test_a_decree_cited_with_and_without_its_issuer_is_one_group(spelled):
    folder, index = spelled
    text = run("cites", "214/2025/ND-CP", index=index).stdout
    assert text.count("issuer:") == 1 and "issuer: Chính phủ  year: 2025  cited by 3" in text
    assert len(lines(run("cites", "--json", "214/2025/NĐ-CP", "--issuer", "chính phủ", index=index))) == 3
    law = lines(run("cites", "--json", "63/2025/QH15", "--issuer", "quốc hội", index=index))
    assert sorted(f["path"] for f in law) == [str(folder / n) for n in ("cp_1.txt", "cp_2.txt", "ub_1.txt")]
    circular = run("cites", "12/2024/TT-BTC", index=index).stdout
    assert circular.count("issuer:") == 1 and "issuer: Bộ Tài chính  year: 2024  cited by 4" in circular


def test_an_index_made_before_the_issuer_s_name_was_kept_still_searches(tmp_path, monkeypatch):
    """A Whoosh index whose schema has no ``issuer_name`` (made by the version before):
    it takes new documents, and its facets name each body from the records."""
    import index.whoosh.store as whoosh_store
    from index.fields import make_schema

    def older_schema():
        schema = make_schema()
        schema.remove("issuer_name")
        return schema

    folder, index = tmp_path / "docs", tmp_path / "index"
    folder.mkdir()
    for i, (name, block, symbol, cited) in enumerate(SPELLINGS[:5]):
        (folder / name).write_text(f"{block}\nSố: {symbol}\nHà Nội, ngày {i + 2:02d} tháng 9 năm 2025\nBÁO CÁO\n"
                                   f"Kết quả công tác y tế\nCăn cứ {cited};\n", encoding="utf-8")
    monkeypatch.setattr(whoosh_store, "make_schema", older_schema)
    assert run("ingest", str(folder), index=index).exit_code == 0
    monkeypatch.undo()
    assert "issuer_name" not in whoosh_store.WhooshStore(str(index)).schema
    found = lines(run("search", "--json", "--facets", "--issuer", "so y te kien giang", "kết quả", index=index))
    assert found.pop()["facets"]["issuer"] == {"Sở Y tế tỉnh Kiên Giang": 3} and len(found) == 3


def test_an_index_made_before_the_head_column_cites_as_a_new_one(tmp_path, monkeypatch):
    """A Whoosh index without the ``head`` column (made by the version before) lists
    the documents citing a symbol from their stored records, exactly as a new index
    lists them from the column."""
    import index.whoosh.store as whoosh_store
    from index.fields import make_schema

    def older_schema():
        schema = make_schema()
        schema.remove("head")
        return schema

    folder = tmp_path / "docs"
    folder.mkdir()
    for i, (name, block, symbol, cited) in enumerate(SPELLINGS):
        (folder / name).write_text(f"{block}\nSố: {symbol}\nHà Nội, ngày {i + 2:02d} tháng 9 năm 2025\nBÁO CÁO\n"
                                   f"Kết quả công tác y tế\nCăn cứ {cited};\n", encoding="utf-8")
    monkeypatch.setattr(whoosh_store, "make_schema", older_schema)
    assert run("ingest", str(folder), index=tmp_path / "old").exit_code == 0
    monkeypatch.undo()
    assert run("ingest", str(folder), index=tmp_path / "new").exit_code == 0
    assert "head" not in whoosh_store.WhooshStore(str(tmp_path / "old")).schema
    assert "head" in whoosh_store.WhooshStore(str(tmp_path / "new")).schema
    for symbol in ("214/2025/NĐ-CP", "12/2024/TT-BTC"):
        old, new = (lines(run("cites", "--json", symbol, index=tmp_path / name)) for name in ("old", "new"))
        assert old == new and len(new) >= 3, symbol


def test_init_migrates_a_version_2_archive_to_the_issuer_s_name(tmp_path, pg_server):
    """A PostgreSQL archive of schema 2 (no ``issuer_name``, keys as parsed then):
    refused until ``vanban init``, which makes each document's body again."""
    import psycopg

    folder, url = tmp_path / "docs", new_database(pg_server)
    folder.mkdir()
    for i, (name, block, symbol, cited) in enumerate(SPELLINGS[:3]):
        (folder / name).write_text(f"{block}\nSố: {symbol}\nHà Nội, ngày {i + 2:02d} tháng 9 năm 2025\nBÁO CÁO\n"
                                   f"Kết quả công tác y tế\nCăn cứ {cited};\n", encoding="utf-8")
    assert run("ingest", str(folder), index=url).exit_code == 0
    with psycopg.connect(url, autocommit=True) as conn:  # as version 2 left it
        conn.execute("ALTER TABLE vanban.documents DROP COLUMN issuer_name")
        conn.execute("UPDATE vanban.documents SET issuer_key = 'so y te'")
        conn.execute("UPDATE vanban.meta SET value = '2' WHERE key = 'schema_version'")
    stale = run("search", "kết quả", index=url)
    assert stale.exit_code == 1 and "schema version 2" in stale.output and "run 'vanban init'" in stale.output
    assert run("init", index=url).exit_code == 0
    found = lines(run("search", "--json", "--facets", "--issuer", "Sở Y tế Kiên Giang", "kết quả", index=url))
    assert found.pop()["facets"]["issuer"] == {"Sở Y tế tỉnh Kiên Giang": 3} and len(found) == 3
