"""Header layouts, one small document each, parsed from text and from DOCX tables."""
from __future__ import annotations

import docx
import pytest

from conftest import CORPUS, need_shared
from ingest.parse import document_from_layout, parse_file
from ingest.readers.text import layout_from_text


def parse_text(text: str):
    return document_from_layout("t.txt", layout_from_text(text))


WARD_REPORT = """UBND THỊ XÃ ĐỨC PHỔ
UBND PHƯỜNG PHỔ VINH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
SỐ:09/BC-UBND
Phổ Vinh, ngày 4 tháng 3 năm 2024
BÁO CÁO
Kết quả công tác cải cách hành chính
Quý I/2024
Thực hiện Kế hoạch số 16/KH-UBND ngày 20/02/2024 của UBND phường, UBND phường báo cáo như sau:
1. Kết quả
Nơi nhận:
- UBND thị xã;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
(Đã ký)
Lê Văn Hùng
"""

CONG_VAN = """SỞ Y TẾ
Số: 2014/SYT-NVY
V/v tổ chức bổ sung Vitamin A
đợt 2 năm 2017
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Kiên Giang, ngày 23 tháng 10 năm 2017
Kính gửi: Trung tâm y tế các huyện
Thực hiện Kế hoạch số 1605/KH-SYT ngày 25/10/2016, Sở Y tế đề nghị như sau.
Nơi nhận:
- Như trên;
- Lưu: VT, NVY.
KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC
Nguyễn Văn Hải
"""

PARTY = """ĐẢNG BỘ TỈNH QUẢNG NGÃI
HUYỆN ỦY SƠN TỊNH
*
Số 123-BC/HU
ĐẢNG CỘNG SẢN VIỆT NAM
Sơn Tịnh, ngày 15 tháng 12 năm 2023
BÁO CÁO
Tổng kết công tác xây dựng Đảng năm 2023
Thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị, Ban Thường vụ Huyện ủy báo cáo như sau:
Nơi nhận:
- Ban Thường vụ Tỉnh ủy;
- Lưu Văn phòng Huyện ủy.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Trần Văn Nam
"""

SPLIT_SYMBOL = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: 5969/QĐ-
UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 25-10-2017
QUYẾT ĐỊNH
Về việc phê duyệt Đề án
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
QUYẾT ĐỊNH:
Điều 1. Phê duyệt Đề án.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
CHỦ TỊCH
Đặng Văn Minh
"""

DRAFT = """BỘ GIÁO DỤC VÀ ĐÀO TẠO
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: /2024/TT-BGDĐT
Hà Nội, ngày tháng năm 2024
DỰ THẢO
THÔNG TƯ
Quy định về quản lý dạy thêm
Căn cứ Luật Giáo dục;
"""

LAYOUT_WITH_SPACES = """UBND TỈNH BÀ RỊA – VŨNG TÀU        CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
BQL CÁC KHU CÔNG NGHIỆP           Độc lập – Tự do – Hạnh phúc
        BÀ RỊA – VŨNG TÀU
Số : 256 /2004/QĐ-UB          Vũng Tàu, ngày 14 tháng5 năm 2004
QUYẾT ĐỊNH
V/v : Ban hành Quy chế chi tiêu nội bộ
Căn cứ Nghị định 130/2005/NĐ-CP;
"""

CASES = {
    "ward report": (WARD_REPORT, dict(
        doc_type="Báo cáo", type_code="BC", number="09", symbol="09/BC-UBND",
        issuer="UBND PHƯỜNG PHỔ VINH", parent_issuer="UBND THỊ XÃ ĐỨC PHỔ", place="Phổ Vinh",
        date="2024-03-04", title="Kết quả công tác cải cách hành chính Quý I/2024",
        signer_name="Lê Văn Hùng", signer_title="PHÓ CHỦ TỊCH",
        signer_authority="TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH", recipients=["UBND thị xã", "Lưu: VT."],
        issuer_key="uy ban nhan dan phuong pho vinh")),
    "cong van": (CONG_VAN, dict(
        doc_type="Công văn", type_code=None, symbol="2014/SYT-NVY", issuer="SỞ Y TẾ",
        parent_issuer=None, place="Kiên Giang", date="2017-10-23",
        title="V/v tổ chức bổ sung Vitamin A đợt 2 năm 2017", signer_name="Nguyễn Văn Hải",
        signer_title="PHÓ GIÁM ĐỐC", signer_authority="KT. GIÁM ĐỐC")),
    "party": (PARTY, dict(
        doc_type="Báo cáo", symbol="123-BC/HU", issuer="HUYỆN ỦY SƠN TỊNH",
        parent_issuer="ĐẢNG BỘ TỈNH QUẢNG NGÃI", place="Sơn Tịnh", date="2023-12-15",
        title="Tổng kết công tác xây dựng Đảng năm 2023", signer_name="Trần Văn Nam",
        signer_title="BÍ THƯ")),
    "symbol split over two lines": (SPLIT_SYMBOL, dict(
        doc_type="Quyết định", symbol="5969/QĐ-UBND", issuer="ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        parent_issuer=None, date="2017-10-25", title="Về việc phê duyệt Đề án",
        signer_name="Đặng Văn Minh", signer_title="CHỦ TỊCH", recipients=["Như Điều 3", "Lưu: VT."])),
    "unsigned draft": (DRAFT, dict(
        doc_type="Thông tư", number=None, symbol=None, date="2024", place="Hà Nội",  # the year printed, day and month blank
        issuer="BỘ GIÁO DỤC VÀ ĐÀO TẠO", title="Quy định về quản lý dạy thêm")),
    "columns laid out with spaces": (LAYOUT_WITH_SPACES, dict(
        symbol="256/2004/QĐ-UB", issuer="BQL CÁC KHU CÔNG NGHIỆP BÀ RỊA – VŨNG TÀU",
        parent_issuer="UBND TỈNH BÀ RỊA – VŨNG TÀU", place="Vũng Tàu", date="2004-05-14",
        title="V/v : Ban hành Quy chế chi tiêu nội bộ")),
}


@pytest.mark.parametrize("name", CASES)
def test_header_forms(name):
    text, expected = CASES[name]
    doc = parse_text(text)
    got = {field: getattr(doc, field) for field in expected}
    assert got == expected


def test_ocr_eth_repaired_in_symbol_and_names():
    doc = parse_text(WARD_REPORT.replace("SỐ:09/BC-UBND", "Số: 09/BC-UBND").replace("ĐỨC", "\u00d0ỨC"))
    assert doc.parent_issuer == "UBND THỊ XÃ ĐỨC PHỔ"


def test_seed_report():
    """The seed report names its issuer only in its first sentence and place line."""
    path = need_shared(CORPUS / "bc-32-2024-nguyen-nghiem.md")
    doc = parse_file(str(path))
    assert (doc.doc_type, doc.type_code, doc.symbol, doc.date) == ("Báo cáo", "BC", "32/BC-UBND", "2024-03-04")
    assert doc.issuer == "UBND phường Nguyễn Nghiêm"
    assert doc.provenance["issuer"] == "inferred"
    assert any("issuer taken from the body" in w for w in doc.warnings)
    assert doc.issuer_key == "uy ban nhan dan phuong nguyen nghiem"
    assert doc.title == "Công tác tuyên truyền cải cách hành chính Quý I/2024"
    assert (doc.signer_name, doc.signer_title) == ("Đỗ Ngọc Thìn", "CHỦ TỊCH")
    assert doc.recipients == ["Phòng VH-TT thị xã", "CT, PCT UBND phường", "Các ngành, ban thuộc phường", "Lưu: VT."]
    assert "**" not in doc.text


def _header_table(document, left, right):
    table = document.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right)):
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    return table


def test_docx_nested_header_table_and_side_by_side_signature(tmp_path):
    d = docx.Document()
    outer = d.add_table(rows=1, cols=1)
    inner = outer.rows[0].cells[0].add_table(rows=1, cols=2)  # header nested in a frame table
    for cell, lines in zip(inner.rows[0].cells, (
            ["UBND HUYỆN BÌNH SƠN", "Số: 77/KH-UBND"],
            ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Bình Sơn, ngày 02 tháng 02 năm 2024"])):
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Tuyên truyền cải cách hành chính năm 2024")
    d.add_paragraph("")
    d.add_paragraph("Căn cứ Quyết định số 241/QĐ-UBND ngày 30/12/2023 của UBND huyện;")
    _header_table(d, ["Nơi nhận:", "- Sở Nội vụ;", "- Lưu: VT."],
                  ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "Phạm Minh Tâm"])
    path = tmp_path / "kh.docx"
    d.save(path)
    doc = parse_file(str(path))
    assert (doc.doc_type, doc.symbol, doc.issuer, doc.place, doc.date) == (
        "Kế hoạch", "77/KH-UBND", "UBND HUYỆN BÌNH SƠN", "Bình Sơn", "2024-02-02")
    assert doc.title == "Tuyên truyền cải cách hành chính năm 2024"
    assert (doc.signer_name, doc.signer_title, doc.signer_authority) == ("Phạm Minh Tâm", "CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN")
    assert doc.recipients == ["Sở Nội vụ", "Lưu: VT."]


def test_docx_mixed_encodings_per_run(tmp_path):
    """A VNI document whose signer name is typed in Unicode."""
    d = docx.Document()
    for text, font in (("UBND TÆNH QUAÛNG NGAÕI", "VNI-Times"), ("Soá: 12/QÑ-UBND", "VNI-Times"),
                       ("QUYEÁT ÑÒNH", "VNI-Times"), ("Veà vieäc khen thöôûng", "VNI-Times"),
                       ("Caên cöù Luaät Thi ñua", "VNI-Times"), ("Nôi nhaän:", "VNI-Times"),
                       ("- Löu: VT.", "VNI-Times"), ("CHUÛ TÒCH", "VNI-Times"),
                       ("Trần Thị Mai", "Times New Roman")):
        d.add_paragraph().add_run(text).font.name = font
    path = tmp_path / "vni.docx"
    d.save(path)
    doc = parse_file(str(path))
    assert doc.encoding == "mixed"
    assert (doc.issuer, doc.symbol, doc.title) == ("UBND TỈNH QUẢNG NGÃI", "12/QĐ-UBND", "Về việc khen thưởng")
    assert doc.signer_name == "Trần Thị Mai"


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")])
def test_text_encodings(tmp_path, encoding, bom):
    path = tmp_path / "cv.txt"
    path.write_bytes(bom + CONG_VAN.encode(encoding))
    doc = parse_file(str(path))
    assert (doc.symbol, doc.issuer, doc.date) == ("2014/SYT-NVY", "SỞ Y TẾ", "2017-10-23")


def test_nfd_text_is_composed(tmp_path):
    import unicodedata
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", CONG_VAN), encoding="utf-8")
    doc = parse_file(str(path))
    assert doc.issuer == "SỞ Y TẾ" and unicodedata.is_normalized("NFC", doc.text)


MARKED = """UBND TỈNH QUẢNG NGÃI
SỞ NỘI VỤ
Số: 41/SNV-TCBC
V/v rà soát biên chế năm 2024
{under_number}
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 12 tháng 3 năm 2024
Kính gửi: UBND các huyện, thị xã.
{body}
Nơi nhận:
- Như trên;
- Lưu: VT.
GIÁM ĐỐC
Trần Văn Minh
"""

# (lines under the number, body line) -> (confidentiality, urgency)
MARKS = [
    ("MẬT", "Đề nghị rà soát.", ("Mật", None)),
    ("TỐI MẬT\nHỎA TỐC", "Đề nghị rà soát.", ("Tối mật", "Hỏa tốc")),
    ("TUYỆT MẬT", "Đề nghị rà soát.", ("Tuyệt mật", None)),
    ("KHẨN", "Đề nghị rà soát.", (None, "Khẩn")),
    ("THƯỢNG KHẨN", "Đề nghị rà soát.", (None, "Thượng khẩn")),
    ("HỎA TỐC HẸN GIỜ", "Đề nghị rà soát.", (None, "Hỏa tốc")),
    ("Độ mật: MẬT", "Đề nghị rà soát.", ("Mật", None)),
    # words in the body are not marks
    ("", "Đề nghị các đơn vị khẩn trương rà soát, giữ bí mật nhà nước.", (None, None)),
    ("", "MẬT\nĐề nghị rà soát.", (None, None)),  # a line of its own, but in the body
]


@pytest.mark.parametrize("under_number,body,want", MARKS)
def test_confidentiality_and_urgency_marks(under_number, body, want):
    doc = parse_text(MARKED.format(under_number=under_number, body=body))
    assert (doc.confidentiality, doc.urgency) == want
    unmarked = parse_text(MARKED.format(under_number="", body="Đề nghị rà soát."))
    for name in ("symbol", "issuer", "date", "title", "signer_name", "recipients"):  # the marks take nothing
        assert getattr(doc, name) == getattr(unmarked, name), name
    assert unmarked.title == "V/v rà soát biên chế năm 2024"


@pytest.mark.parametrize("date_line, date, precision, warned", [
    ("Phổ Vinh, ngày 4 tháng 3 năm 2024", "2024-03-04", "day", None),
    ("Phổ Vinh, ngày      tháng 3 năm 2024", "2024-03", "month", "date not filled in"),   # a draft
    ("Phổ Vinh, ngày ... tháng ... năm 2024", "2024", "year", "date not filled in"),
    ("Phổ Vinh, ngày 4x tháng 3 năm 2024", "2024-03", "month", "date unreadable"),
    ("Phổ Vinh, ngày 14 tháng3", None, None, "date not filled in"),   # no year printed: nothing to keep
    ("Phổ Vinh, 31/02/2024", None, None, "date not filled in"),       # no such day
])
def test_a_date_in_part_keeps_its_month_and_year_and_says_why(date_line, date, precision, warned):
    """A typed file's blank day is a draft's ("not filled in"); what was written and
    cannot be read is "unreadable". Either way the month and year printed stay."""
    doc = parse_text(WARD_REPORT.replace("Phổ Vinh, ngày 4 tháng 3 năm 2024", date_line))
    assert (doc.date, doc.date_precision) == (date, precision)
    said = [w for w in doc.warnings if w.startswith("date ")]
    assert [w.split(":")[0] for w in said] == ([warned] if warned else [])
    assert ("unreadable" in doc.provenance.get("date", "")) == (warned == "date unreadable")
