"""Citations, figures, period and sections: table-driven forms with negative cases,
the seed report, and the truth's figures."""
from __future__ import annotations

import pytest

from conftest import CORPUS, REAL, need_shared
from ingest.extract.citations import find_citations
from ingest.extract.figures import find_figures
from ingest.extract.periods import find_period
from ingest.extract.sections import find_sections
from ingest.models import Part
from ingest.parse import document_from_layout, parse_file
from ingest.readers.text import layout_from_text

MAIN = [Part("main", 0, 10**6)]


def cites(text, own_symbol=None, own_issuer=None):
    return find_citations(text, MAIN, own_symbol, own_issuer)


CITATIONS = [
    # text, symbol, type, date, issuer
    ("Quyết định số 308/QĐ- UBND ngày 27/01/2022 của UBND phường Nguyễn Nghiêm về việc ban hành Kế hoạch",
     "308/QĐ-UBND", "Quyết định", "2022-01-27", "UBND phường Nguyễn Nghiêm"),
    ("Căn cứ Nghị định 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
     "30/2020/NĐ-CP", "Nghị định", "2020-03-05", "Chính phủ"),
    ("theo Kế hoạch số 16/KH-UBND, ngày 6 tháng 12 năm 2011", "16/KH-UBND", "Kế hoạch", "2011-12-06", None),
    ("Quyết định 12/QD-UBND ngày 27-01-2022", "12/QĐ-UBND", "Quyết định", "2022-01-27", None),
    ("Quyết định số 12/Q\u00d0-UBND ngày 27.01.2022", "12/QĐ-UBND", "Quyết định", "2022-01-27", None),
    ("Quyết định số 142/KH-\nUBND ngày 20/3/2017", "142/KH-UBND", "Quyết định", "2017-03-20", None),
    ("Quyết\nđịnh số 115/2004/QĐ-TTg ngày 25/6/2004", "115/2004/QĐ-TTg", "Quyết định", "2004-06-25", None),
    ("Kết luận số 14-KL/TW ngày 24/7/2021 của Bộ Chính trị", "14-KL/TW", "Kết luận", "2021-07-24", "Bộ Chính trị"),
    ("Nghị quyết 45/1998/NQ-UBTVQH10 của ủy ban Thường vụ Quốc hội ngày 26 tháng 02 năm 1998 về việc",
     "45/1998/NQ-UBTVQH10", "Nghị quyết", "1998-02-26", "ủy ban Thường vụ Quốc hội"),
    ("Văn bản số 6582/VPCP-KSTT, ngày 21/9/2011", "6582/VPCP-KSTT", "Công văn", "2011-09-21", None),
    ("Thông tư số 60 TC/CĐKT ngày 01/09/1997 của Bộ Tài chính", "60TC/CĐKT", "Thông tư", "1997-09-01", "Bộ Tài chính"),
    ("Luật Tổ chức Chính phủ số 63/2025/QH15;", "63/2025/QH15", "Luật", None, None),
]


@pytest.mark.parametrize("text,symbol,kind,date,issuer", CITATIONS)
def test_citation_forms(text, symbol, kind, date, issuer):
    found = cites(text)
    assert len(found) == 1
    c = found[0]
    assert (c.symbol, c.type, c.date, c.issuer) == (symbol, kind, date, issuer)


def test_list_shares_type_and_date():
    found = cites("các Quyết định số 12/QĐ-UBND, 13/QĐ-UBND ngày 05/01/2024 của UBND huyện")
    assert [(c.symbol, c.type, c.date) for c in found] == [
        ("12/QĐ-UBND", "Quyết định", "2024-01-05"), ("13/QĐ-UBND", "Quyết định", "2024-01-05")]


def test_law_by_name_and_date_has_no_symbol():
    (c,) = cites("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")
    assert (c.symbol, c.name, c.type, c.date) == (None, "Luật Tổ chức chính quyền địa phương", "Luật", "2015-06-19")


@pytest.mark.parametrize("text", [
    "Quyết định nêu trên có hiệu lực từ ngày ký.",           # a reference back
    "Kế hoạch này được triển khai đến các thôn.",
    "Quý I/2024 đã nhận 109 hồ sơ nộp trực tuyến mức độ 3,4.",  # periods and levels, not symbols
    "ngày 27/01/2022 và tháng 3/2024",
    "giai đoạn 2021-2030",
])
def test_not_citations(text):
    assert cites(text) == []


def test_own_symbol_is_not_a_citation():
    assert cites("Báo cáo số 32/BC-UBND ngày 04/3/2024", own_symbol="32/BC-UBND") == []


def test_issuer_inferred_from_own_series():
    (c,) = cites("Thực hiện Kế hoạch số 16/KH-UBND ngày 20/02/2024 về tuyên truyền CCHC",
                 own_symbol="32/BC-UBND", own_issuer="UBND phường Nguyễn Nghiêm")
    assert c.issuer is None and c.issuer_inferred == "UBND phường Nguyễn Nghiêm"
    assert c.key == "16/KH-UBND|uy ban nhan dan phuong nguyen nghiem|2024"


def test_decision_that_issues_a_plan():
    (c,) = cites("Quyết định số 241/QĐ-UBND ngày 30/12/2023 của UBND phường về việc ban hành "
                 "Kế hoạch cải cách hành chính năm 2024;")
    assert c.issues == [{"type": "Kế hoạch", "title": "cải cách hành chính năm 2024"}]
    assert c.subject == "ban hành Kế hoạch cải cách hành chính năm 2024"


FIGURES = [
    ("đã nhận 109 hồ sơ nộp trực tuyến", 109, "hồ sơ", None),
    ("tỷ lệ đúng hạn đạt 98,6%", 98.6, "%", None),
    ("kinh phí 1.250 triệu đồng", 1250, "triệu đồng", 1.25e9),
    ("tổng thu 2,3 tỷ đồng", 2.3, "tỷ đồng", 2.3e9),
    ("hỗ trợ 48.640.000đ cho các hộ", 48640000, "đồng", 48640000),
    ("giá thép tăng ở mức trên 8,5 triệu đ/tấn", 8.5, "triệu đồng", 8.5e6),
    ("có 1.510 cas mắc (tăng 311 cas so với cùng kỳ)", 1510, "cas", None),
    ("Sở Y tế ban hành 1.636 quyết định nâng lương", 1636, "quyết định", None),
    ("điện sản xuất đạt 8,5 tỷ kwh", 8.5, "tỷ kWh", None),
    ("tổ chức 12 cuộc tuyên truyền với 1.234 lượt người", 12, "cuộc", None),
    ("đăng 35 tin bài trên trang", 35, "tin bài", None),
    ("diện tích 12,5 ha", 12.5, "ha", None),
]


@pytest.mark.parametrize("text,value,unit,vnd", FIGURES)
def test_figure_forms(text, value, unit, vnd):
    figures = find_figures(text, [], [])
    assert (figures[0].value, figures[0].unit, figures[0].value_vnd) == (value, unit, vnd)


@pytest.mark.parametrize("text", [
    "dịch vụ công trực tuyến mức độ 3,4 của tỉnh",
    "theo Điều 5, khoản 2 của Luật",
    "Quý I/2024, ngày 27/01/2022, năm 2024",
    "Quyết định số 308/QĐ-UBND",
    "ĐT: 0255 3822 123",
    "1. Công tác chỉ đạo",
])
def test_not_figures(text):
    assert find_figures(text, [], []) == []


# Table rows whose unit is a column before the values (ĐVT | kế hoạch | thực hiện | ... |
# tỷ lệ), as OCR and PDF lines give them; rows from scan_bc_2154_syt.pdf.
UNIT_ROWS = [
    ("Lượt 4.500.000 4.128.270 4.800.000 106,6", [(4500000, "lượt"), (4128270, "lượt"), (4800000, "lượt")]),
    ("Người 4.656 5.000 107", [(4656, "người"), (5000, "người")]),  # 107: the ratio column
    ("Người 180 178 210 116,6", [(180, "người"), (178, "người"), (210, "người")]),
    ("Trẻ 73.119 73.000 99,8", [(73119, "trẻ"), (73000, "trẻ")]),
    ("Người 5.000", []),  # one value: not a row of a table
    ("Người dân 5.000 3.880", []),  # words, not a unit column
]


@pytest.mark.parametrize("text,want", UNIT_ROWS)
def test_unit_column_table_rows(text, want):
    assert [(f.value, f.unit) for f in find_figures(text, [], [])] == want


def test_a_unit_column_is_not_the_unit_of_the_row_above():
    text = "Lượt 4.800.000 4.500.000 93,8\nNgười 123.290 111.300 90,3\n"
    assert [(f.value, f.unit) for f in find_figures(text, [], [])] == [
        (4800000, "lượt"), (4500000, "lượt"), (123290, "người"), (111300, "người")]


PERIODS = [
    ("Công tác tuyên truyền Quý I/2024", ("quarter", 2024, "2024-01-01", "2024-03-31")),
    ("Báo cáo 6 tháng đầu năm 2024", ("half", 2024, "2024-01-01", "2024-06-30")),
    ("công tác y tế tháng 10-2017", ("month", 2017, "2017-10-01", "2017-10-31")),
    ("kết quả năm 2024", ("year", 2024, "2024-01-01", "2024-12-31")),
    ("Kế hoạch giai đoạn 2021-2030", ("range", 2021, "2021-01-01", "2030-12-31")),
    ("ngành y tế 10 tháng, ước thực hiện cả năm 2017", ("year", 2017, "2017-01-01", "2017-12-31")),
    ("tình hình 9 tháng năm 2023", ("months", 2023, "2023-01-01", "2023-09-30")),
]


@pytest.mark.parametrize("text,expected", PERIODS)
def test_periods(text, expected):
    p = find_period(text)
    assert (p.kind, p.year, p.start, p.end) == expected


@pytest.mark.parametrize("text", ["Về việc tổ chức hội nghị",
                                  "Căn cứ Luật ngày 19 tháng 6 năm 2015;"])  # a date, not a period
def test_no_period(text):
    assert find_period(text) is None


def test_sections_and_levels():
    text = "I. Kết quả\n1. Công tác chỉ đạo\n- nội dung\n1.1. Ban hành văn bản\na) Kế hoạch\n2. Tồn tại\nII. Nhiệm vụ"
    got = [(s.number, s.level) for s in find_sections(text)]
    assert got == [("I", 1), ("1", 2), ("1.1", 3), ("a", 4), ("2", 2), ("II", 1)]


def test_seed_report_body():
    doc = parse_file(str(need_shared(CORPUS / "bc-32-2024-nguyen-nghiem.md")))
    main = [c for c in doc.citations if c.part == "main"]
    assert [(c.symbol, c.date) for c in main] == [
        ("308/QĐ-UBND", "2022-01-27"), ("241/QĐ-UBND", "2023-12-30"),
        ("16/KH-UBND", "2024-02-20"), ("20/KH-UBND", "2024-02-29")]
    assert all(c.issuer == "UBND phường Nguyễn Nghiêm" for c in main)
    assert main[0].issues == [{"type": "Kế hoạch", "title": "cải cách hành chính phường giai đoạn 2021-2030"}]
    assert main[1].issues == [{"type": "Kế hoạch", "title": "cải cách hành chính năm 2024"}]
    assert [c.type for c in main[2:]] == ["Kế hoạch", "Kế hoạch"]  # plans themselves
    assert any(f.value == 109 and f.unit == "hồ sơ" for f in doc.figures)
    assert not any("3,4" in f.text for f in doc.figures)
    assert (doc.period.kind, doc.period.year, doc.period.quarter) == ("quarter", 2024, 1)


def test_attachment_citations_stay_in_their_part():
    doc = document_from_layout("t.txt", layout_from_text(
        "UBND HUYỆN A\nSố: 5/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "A, ngày 02 tháng 01 năm 2024\nQUYẾT ĐỊNH\nVề việc ban hành Quy chế\n"
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ;\nQUYẾT ĐỊNH:\nĐiều 1. Ban hành Quy chế.\n"
        "Nơi nhận:\n- Lưu: VT.\nCHỦ TỊCH\nLê Văn A\n\n" + "\n" * 3 +
        "UBND HUYỆN A\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nQUY CHẾ\n"
        "(Ban hành kèm theo Quyết định số 5/QĐ-UBND ngày 02/01/2024)\n"
        "Điều 1. Thực hiện theo Thông tư số 01/2011/TT-BNV ngày 19/01/2011.\n"))
    by_part = {c.symbol: c.part for c in doc.citations}
    assert by_part == {"30/2020/NĐ-CP": "main", "01/2011/TT-BNV": "Quy chế"}


# The figures of the truth's born-digital reports, and how many extracted figures are
# not real ones. Every figure of bc_bcn_2007 and of the seed was read by eye on
# 2026-11-26: all are real (percentages, tonnes, USD, kWh of the industry report).
NOT_REAL_FIGURES: set[tuple[str, str]] = set()


def test_truth_report_figures_are_found(truth):
    reports = [t for t in truth if t["format"] != "pdf_scan" and t.get("figures")]
    assert reports
    for record in reports:
        doc = parse_file(str(REAL / record["file"]))
        got = {(round(f.value, 3), f.unit.lower()) for f in doc.figures}
        for want in record["figures"]:
            assert (round(want["value"], 3), want["unit"].lower()) in got, (record["file"], want)
        wrong = [f for f in doc.figures if (record["file"], f.text) in NOT_REAL_FIGURES]
        print(f"{record['file']}: {len(doc.figures)} figures, {len(wrong)} not real")
        assert len(wrong) <= len(doc.figures) / 10


def test_table_cell_figures_take_row_label_and_column_header(tmp_path):
    import docx
    d = docx.Document()
    d.add_paragraph("BÁO CÁO")
    d.add_paragraph("Kết quả giải quyết thủ tục hành chính Quý I/2024")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("Lĩnh vực", "Quý I", "Quý II"),
                             ("Hộ tịch", "215 hồ sơ", "230 hồ sơ"),
                             ("Đất đai", "48 hồ sơ", "52 hồ sơ")]):
        for c, value in enumerate(row):
            table.rows[r].cells[c].text = value
    path = tmp_path / "bc.docx"
    d.save(path)
    doc = parse_file(str(path))
    by_text = {f.text: f.context for f in doc.figures}
    assert by_text["215 hồ sơ"] == "Hộ tịch | Quý I"
    assert by_text["52 hồ sơ"] == "Đất đai | Quý II"
