"""Figures auditors compare: tables of text PDFs read cell by cell (pdfplumber finds
the cells, PDFium gives their text), what each figure measures, of which period and
of which kind, and ``vanban figures`` following one measure over a ward's four
quarterly reports on both backends.

The reports are our samples (``samples/make_samples.py``, LibreOffice): a results
table with merged header cells and a ĐVT column, ruled but in the second quarter's
(drawn without lines, read by its aligned columns); the fourth quarter's adds a
table by field of work that runs over a page break, its header repeated on page 2.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.parse

import docx
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from ingest.extract import tables as table_model
from ingest.models import Document
from ingest.parse import parse_file
from ingest.readers import pdf_tables
from ingest.readers.pdf import read_pdf
from search_cli import cli

from conftest import REAL, SAMPLES, archive_of, need_shared

QUARTERLY = [f"bc_cchc_quy{q}_2025.pdf" for q in (1, 2, 3, 4)]

# The fourth quarter's results table, read by eye off the PDF: (row, column) -> value, unit.
Q4_RESULTS = {
    ("Hồ sơ tiếp nhận", "Kế hoạch năm 2025"): (900, "hồ sơ"),
    ("Hồ sơ tiếp nhận", "Thực hiện Quý IV/2025"): (281, "hồ sơ"),
    ("Hồ sơ tiếp nhận", "Thực hiện Cùng kỳ 2024"): (240, "hồ sơ"),
    ("Hồ sơ tiếp nhận", "So với cùng kỳ (%)"): (117.1, "%"),
    ("Hồ sơ giải quyết đúng hạn", "Thực hiện Quý IV/2025"): (277, "hồ sơ"),
    ("Hồ sơ giải quyết đúng hạn", "Thực hiện Cùng kỳ 2024"): (231, "hồ sơ"),
    ("Hồ sơ giải quyết đúng hạn", "So với cùng kỳ (%)"): (119.9, "%"),
    ("Tỷ lệ giải quyết đúng hạn", "Kế hoạch năm 2025"): (100, "%"),
    ("Tỷ lệ giải quyết đúng hạn", "Thực hiện Quý IV/2025"): (99.6, "%"),
    ("Tỷ lệ giải quyết đúng hạn", "Thực hiện Cùng kỳ 2024"): (98.3, "%"),
    ("Tỷ lệ giải quyết đúng hạn", "So với cùng kỳ (%)"): (101.3, "%"),
    ("Hồ sơ nộp trực tuyến", "Kế hoạch năm 2025"): (600, "hồ sơ"),
    ("Hồ sơ nộp trực tuyến", "Thực hiện Quý IV/2025"): (226, "hồ sơ"),
    ("Hồ sơ nộp trực tuyến", "Thực hiện Cùng kỳ 2024"): (150, "hồ sơ"),
    ("Hồ sơ nộp trực tuyến", "So với cùng kỳ (%)"): (150.7, "%"),
    ("Kinh phí cải cách hành chính", "Kế hoạch năm 2025"): (160, "triệu đồng"),
    ("Kinh phí cải cách hành chính", "Thực hiện Quý IV/2025"): (51, "triệu đồng"),
    ("Kinh phí cải cách hành chính", "Thực hiện Cùng kỳ 2024"): (44, "triệu đồng"),
    ("Kinh phí cải cách hành chính", "So với cùng kỳ (%)"): (115.9, "%"),
}
# Rows of the table by field: the first, the last on page 1, the first and last on page 2.
FIELD_ROWS = {"Hộ tịch": (412, 410, 99.5), "Bảo trợ xã hội": (64, 63, 98.4),
              "Giảm nghèo": (18, 18, 100.0), "Phổ biến, giáo dục pháp luật": (7, 7, 100.0)}
FIELD_COLUMNS = ("Tiếp nhận (hồ sơ)", "Giải quyết đúng hạn (hồ sơ)", "Tỷ lệ đúng hạn (%)")


@pytest.fixture(scope="module")
def q4() -> Document:
    return parse_file(str(SAMPLES / "bc_cchc_quy4_2025.pdf"))


def test_every_cell_of_the_results_table_has_its_row_and_column(q4):
    got = {(f.row, f.column): (f.value, f.unit) for f in q4.figures if f.row}
    for key, want in Q4_RESULTS.items():
        assert got.get(key) == want, key
    assert not any(f.column == "Kế hoạch năm 2025" and f.row == "Hồ sơ giải quyết đúng hạn" for f in q4.figures)  # "-"


def test_a_table_over_a_page_break_keeps_its_columns_and_drops_its_repeated_header(q4):
    by_field = [f for f in q4.figures if f.column in FIELD_COLUMNS]
    assert len(by_field) == 28 * 3  # 28 fields, 3 value columns: nothing lost at the page break
    got = {(f.row, f.column): f.value for f in by_field}
    for row, values in FIELD_ROWS.items():
        assert tuple(got[(row, column)] for column in FIELD_COLUMNS) == values, row
    assert not any(f.row in ("STT", "Lĩnh vực") for f in q4.figures)  # the header repeated on page 2
    assert {f.unit for f in by_field} == {"hồ sơ", "%"}


def test_table_cells_are_lines_of_their_own_in_the_text(q4):
    assert "Hồ sơ tiếp nhận\nHồ sơ\n900\n281\n240\n117,1" in q4.text
    layout = read_pdf(str(SAMPLES / "bc_cchc_quy4_2025.pdf"))
    blocks = {line.block for line in layout.lines if line.block != "body"}
    assert "pt0.r0.c4:6" in blocks  # "Thực hiện", merged over the quarter and the same quarter of 2024
    assert any(b.startswith("pt1.r28.") for b in blocks) and not any(b.startswith("pt2") for b in blocks)


def test_pages_without_rules_never_reach_the_table_finder():
    for name in ("bc_two_column.pdf", "qd_esigned.pdf"):
        pdf = pdfium.PdfDocument(str(SAMPLES / name))
        try:
            assert not any(pdf_tables.is_ruled(pdf[i]) for i in range(len(pdf)))
        finally:
            pdf.close()
        with_pass, without = read_pdf(str(SAMPLES / name)), read_pdf(str(SAMPLES / name), tables=False)
        assert [line.text for line in with_pass.lines] == [line.text for line in without.lines]


def test_a_pdf_table_read_as_lines_without_the_table_pass():
    lines = [line.text for line in read_pdf(str(SAMPLES / "bc_cchc_quy1_2025.pdf"), tables=False).lines]
    assert any("215" in line and "190" in line for line in lines)  # the row as one line, its cells lost


# The second quarter's results table is drawn without a single line: columns aligned
# by their values alone, headers wrapped over four lines.
Q2_RESULTS = {
    ("Hồ sơ tiếp nhận", "Kế hoạch năm 2025"): (900, "hồ sơ"),
    ("Hồ sơ tiếp nhận", "Thực hiện Quý II/2025"): (248, "hồ sơ"),
    ("Hồ sơ tiếp nhận", "Thực hiện Cùng kỳ 2024"): (205, "hồ sơ"),
    ("Hồ sơ tiếp nhận", "So với cùng kỳ (%)"): (121.0, "%"),
    ("Tỷ lệ giải quyết đúng hạn", "Thực hiện Quý II/2025"): (98.8, "%"),
    ("Hồ sơ nộp trực tuyến", "Thực hiện Quý II/2025"): (171, "hồ sơ"),
    ("Hồ sơ nộp trực tuyến", "So với cùng kỳ (%)"): (155.5, "%"),
    ("Kinh phí cải cách hành chính", "Thực hiện Cùng kỳ 2024"): (36, "triệu đồng"),
}


def test_a_table_aligned_without_rules_is_read_cell_by_cell():
    path = str(SAMPLES / "bc_cchc_quy2_2025.pdf")
    pdf = pdfium.PdfDocument(path)
    try:
        assert not any(pdf_tables.is_ruled(pdf[i]) for i in range(len(pdf)))  # no lines: found by alignment
    finally:
        pdf.close()
    doc = parse_file(path)
    table = [f for f in doc.figures if f.row]
    assert len(table) == 5 * 4 - 1  # five rows, four value columns, one "-"
    got = {(f.row, f.column): (f.value, f.unit) for f in table}
    for key, want in Q2_RESULTS.items():
        assert got.get(key) == want, key
    kinds = {f.column: f.kind for f in table}
    assert kinds == {"Kế hoạch năm 2025": "target", "Thực hiện Quý II/2025": "actual",
                     "Thực hiện Cùng kỳ 2024": "actual", "So với cùng kỳ (%)": "comparison"}


def test_running_text_is_never_taken_for_an_aligned_table():
    for name in ("bc_two_column.pdf", "qd_esigned.pdf"):
        layout = read_pdf(str(SAMPLES / name))
        assert not any(line.block.startswith("pt") for line in layout.lines), name


def test_a_real_text_pdf_without_tables_reads_as_before():
    path = str(need_shared(REAL / "bc_bcn_2007_tcvn3.pdf"))  # a ministry's report, TCVN3 fonts, no table
    with_pass, without = read_pdf(path), read_pdf(path, tables=False)
    assert [line.text for line in with_pass.lines] == [line.text for line in without.lines]
    assert not any(line.block.startswith("pt") for line in with_pass.lines)


def test_docx_table_with_merged_header_and_unit_column(tmp_path):
    d = docx.Document()
    d.add_paragraph("BÁO CÁO")
    d.add_paragraph("Kết quả công tác tư pháp 6 tháng đầu năm 2025")
    rows = [("STT", "Nội dung", "ĐVT", "Năm 2025", ""), ("", "", "", "Kế hoạch", "Thực hiện"),
            ("1", "Đăng ký khai sinh", "Trường hợp", "500", "268"), ("2", "Kinh phí", "Triệu đồng", "120", "57,5")]
    table = d.add_table(rows=4, cols=5)
    table.cell(0, 3).merge(table.cell(0, 4))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).paragraphs[0].text = text
    path = tmp_path / "bc.docx"
    d.save(path)
    got = {(f.row, f.column): (f.value, f.unit, f.kind) for f in parse_file(str(path)).figures}
    assert got[("Đăng ký khai sinh", "Năm 2025 Kế hoạch")] == (500, "trường hợp", "target")
    assert got[("Đăng ký khai sinh", "Năm 2025 Thực hiện")] == (268, "trường hợp", "actual")
    assert got[("Kinh phí", "Năm 2025 Thực hiện")] == (57.5, "triệu đồng", "actual")


@pytest.mark.parametrize("block, where", [
    ("t0.r2.c1", ("t0", 2, 1, 2)),
    ("pt3.r0.c4:6", ("pt3", 0, 4, 6)),
    ("t1/t0.r1.c0", ("t1/t0", 1, 0, 1)),
    ("body", None),
    ("t0", None),
])
def test_cell_blocks(block, where):
    assert table_model.cell_of(block) == where


# --- what a figure measures, of which period, of which kind -----------------------

def _described(text: str, doc_type: str = "Báo cáo") -> list[tuple]:
    from ingest.extract.body import extract_body
    doc = Document(path="x.txt", format="txt", text=text, doc_type=doc_type,
                   title="Báo cáo kết quả Quý I năm 2025")
    extract_body(doc, [])
    return [(f.text, f.measure, f.kind, f.period.text if f.period else None) for f in doc.figures]


@pytest.mark.parametrize("sentence, text, measure, kind", [
    ("Bộ phận Một cửa đã tiếp nhận 281 hồ sơ, giải quyết đúng hạn 277 hồ sơ.", "281 hồ sơ",
     "hồ sơ tiếp nhận", "actual"),
    ("Bộ phận Một cửa đã tiếp nhận 281 hồ sơ, giải quyết đúng hạn 277 hồ sơ.", "277 hồ sơ",
     "hồ sơ giải quyết đúng hạn", "actual"),
    ("Tỷ lệ giải quyết đúng hạn đạt 98,6%.", "98,6%", "tỷ lệ giải quyết đúng hạn", "actual"),
    ("Phấn đấu tỷ lệ hồ sơ nộp trực tuyến đạt từ 70% trở lên.", "70%", "tỷ lệ hồ sơ nộp trực tuyến", "target"),
    ("Tổng thu ngân sách nhà nước trên địa bàn ước đạt 11.482 tỷ đồng, tăng 8,7% so với cùng kỳ.",
     "11.482 tỷ đồng", "tổng thu ngân sách nhà nước (đồng)", "actual"),
    ("Tổng thu ngân sách nhà nước trên địa bàn ước đạt 11.482 tỷ đồng, tăng 8,7% so với cùng kỳ.",
     "8,7%", "tổng thu ngân sách nhà nước", "comparison"),
    ("Tổng chi thường xuyên là 1.250 triệu đồng, đạt 24,8% dự toán năm.", "24,8%",
     "tổng chi thường xuyên", "comparison"),
    ("Trong đó 138 hồ sơ nộp trực tuyến.", "138 hồ sơ", "hồ sơ nộp trực tuyến", "actual"),
    ("Kinh phí dành cho công tác cải cách hành chính là 38 triệu đồng.", "38 triệu đồng",
     "kinh phí dành cho công tác cải cách hành chính (đồng)", "actual"),
])
def test_measure_and_kind_of_a_sentence_figure(sentence, text, measure, kind):
    got = {t: (m, k, p) for t, m, k, p in _described(sentence)}
    assert got[text] == (measure, kind, "Quý I năm 2025")


def test_a_plan_sets_targets():
    got = _described("Phấn đấu 100% hồ sơ được giải quyết đúng hạn; tổ chức 02 cuộc kiểm tra.", "Kế hoạch")
    assert {k for _, _, k, _ in got} == {"target"}


def test_column_periods(q4):
    periods = {(f.row, f.column): (f.kind, f.period.start, f.period.end) for f in q4.figures if f.row}
    assert periods[("Hồ sơ tiếp nhận", "Thực hiện Quý IV/2025")] == ("actual", "2025-10-01", "2025-12-31")
    assert periods[("Hồ sơ tiếp nhận", "Thực hiện Cùng kỳ 2024")] == ("actual", "2024-10-01", "2024-12-31")
    assert periods[("Hồ sơ tiếp nhận", "Kế hoạch năm 2025")] == ("target", "2025-01-01", "2025-12-31")
    assert periods[("Hồ sơ tiếp nhận", "So với cùng kỳ (%)")] == ("comparison", "2025-10-01", "2025-12-31")


# --- vanban figures ----------------------------------------------------------------

@pytest.fixture(scope="module", params=["whoosh", "postgresql"])
def ward_archive(request, tmp_path_factory):
    _, index = archive_of(request, tmp_path_factory, {name: None for name in [*QUARTERLY, "bc_ward_report.docx"]})
    return index


def _figures(index, *args) -> list[dict]:
    result = CliRunner().invoke(cli, ["figures", *args, "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def _row(objects, measure, kind) -> dict:
    rows = [o for o in objects if o.get("measure") == measure and o.get("kind") == kind]
    assert len(rows) == 1, (measure, kind, [(o.get("measure"), o.get("kind")) for o in objects])
    return rows[0]


def _values(row) -> dict:
    return {label: values[0]["value"] for label, values in row["cells"].items()}


def test_figures_follow_a_measure_over_four_quarters(ward_archive):
    objects = _figures(ward_archive, "hồ sơ")
    received = _values(_row(objects, "hồ sơ tiếp nhận", "actual"))
    assert {k: v for k, v in received.items() if k.endswith("/2025")} == {
        "Quý I/2025": 215, "Quý II/2025": 248, "Quý III/2025": 236, "Quý IV/2025": 281}
    assert _values(_row(objects, "hồ sơ tiếp nhận", "target")) == {"Năm 2025": 900}  # apart from the actuals
    assert _values(_row(objects, "hồ sơ tiếp nhận", "comparison"))["Quý IV/2025"] == 117.1
    online = _values(_row(objects, "hồ sơ nộp trực tuyến", "actual"))
    assert [online[f"Quý {q}/2025"] for q in ("I", "II", "III", "IV")] == [138, 171, 180, 226]
    # Quý I/2024: its own report said 215 received; the next year's "Cùng kỳ 2024" says 190.
    cell = _row(objects, "hồ sơ tiếp nhận", "actual")["cells"]["Quý I/2024"]
    assert [(v["value"], v["own_report"]) for v in cell] == [(215, True), (190, False)]
    sources = cell[0]["sources"]
    assert sources[0]["path"].endswith("bc_ward_report.docx") and "215 hồ sơ" in sources[0]["context"]
    assert objects[-1]["columns"][0] == "Quý I/2024" and objects[-1]["documents"] == 5


def test_figures_typed_without_diacritics_with_issuer_and_periods(ward_archive):
    folded = _figures(ward_archive, "ho so tiep nhan", "--issuer", "UBND phường Phổ Ninh", "--from", "2025",
                      "--to", "2025-12")
    row = _row(folded, "hồ sơ tiếp nhận", "actual")
    assert list(_values(row)) == ["Quý I/2025", "Quý II/2025", "Quý III/2025", "Quý IV/2025"]
    assert not any(o.get("measure", "").startswith("hồ sơ nộp") for o in folded)
    none = _figures(ward_archive, "ho so tiep nhan", "--issuer", "Sở Tài chính")
    assert none == [{"columns": [], "documents": 0, "more": False}]


def test_figures_as_csv_and_as_a_table(ward_archive):
    result = CliRunner().invoke(cli, ["figures", "kinh phí", "--index", str(ward_archive), "--csv"])
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.output.lstrip("\ufeff"))))
    assert lines[0][:6] == ["Cơ quan ban hành", "Chỉ tiêu", "Loại", "Đơn vị", "Thời gian", "Giá trị"]
    funds = {(line[4], line[5]) for line in lines[1:] if line[1] == "kinh phí cải cách hành chính (đồng)"
             and line[2] == "thực hiện"}
    assert {("Quý I/2025", "38"), ("Quý IV/2025", "51"), ("Quý IV/2024", "44")} <= funds
    shown = CliRunner().invoke(cli, ["figures", "kinh phí", "--index", str(ward_archive)]).output
    assert "Quý I/2025" in shown and "[1]" in shown and "09/BC-UBND" in shown


def test_figures_refuses_a_question_without_words(ward_archive):
    result = CliRunner().invoke(cli, ["figures", "--index", str(ward_archive), "--", "--"])
    assert result.exit_code == 1 and "give the words" in result.output
    result = CliRunner().invoke(cli, ["figures", "hồ sơ", "--from", "quý 1", "--index", str(ward_archive)])
    assert result.exit_code == 2 and "give a year, a month or a day" in result.output


# --- the web's figures page ----------------------------------------------------------

@pytest.fixture(scope="module")
def ward_server(tmp_path_factory):
    from web_client import Server
    docs, index = tmp_path_factory.mktemp("ward-docs"), tmp_path_factory.mktemp("ward-index")
    for name in [*QUARTERLY, "bc_ward_report.docx"]:
        (docs / name).write_bytes((SAMPLES / name).read_bytes())
    result = CliRunner().invoke(cli, ["ingest", "--no-ocr", str(docs), "--index", str(index)])
    assert result.exit_code == 0, result.output
    server = Server(index)
    yield server, index
    server.stop()


def test_the_figures_page_draws_the_quarters_and_answers_as_the_command(ward_server):
    from selenium.webdriver.common.by import By
    from web_client import browser, screenshot
    server, index = ward_server
    driver = browser()
    try:
        driver.get(server.url + "/figures?" + urllib.parse.urlencode({"q": "hồ sơ tiếp nhận", "from": "2025"}))
        assert driver.find_element(By.CSS_SELECTOR, "h1").text == "Số liệu qua các báo cáo và các kỳ"
        headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.figures thead th")]
        assert headers[3:] == ["Quý I/2025", "Quý II/2025", "Quý III/2025", "Quý IV/2025", "Năm 2025"]
        actual = driver.find_element(By.CSS_SELECTOR, "table.figures tbody tr.actual")
        assert [td.text for td in actual.find_elements(By.CSS_SELECTOR, "td")][:8] == [
            "hồ sơ tiếp nhận", "thực hiện", "hồ sơ", "215", "248", "236", "281", "—"]
        target = driver.find_element(By.CSS_SELECTOR, "table.figures tbody tr.target")
        assert target.find_elements(By.CSS_SELECTOR, "td")[-1].text == "900"
        points = driver.find_elements(By.CSS_SELECTOR, "figure.chart circle.series.actual")
        assert len(points) >= 4  # the four quarters on the chart, each a link to its report
        screenshot(driver, "figures")
    finally:
        driver.quit()
    status, body, _ = server.get("/api/figures?" + urllib.parse.urlencode({"q": "hồ sơ tiếp nhận", "from": "2025"}))
    assert status == 200
    assert json.loads(body) == _figures(index, "hồ sơ tiếp nhận", "--from", "2025")
    status, body, headers = server.get("/figures.csv?" + urllib.parse.urlencode({"q": "kinh phí"}))
    assert status == 200 and body.startswith("\ufeff".encode()) and "attachment" in headers["Content-Disposition"]
    status, _, _ = server.get("/figures?q=h%E1%BB%93+s%C6%A1&from=qu%C3%BD")
    assert status == 400
