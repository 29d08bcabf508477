"""Tables of text PDFs on pages drawn for the purpose: text placed where a word
processor would put it (PDFium writes the PDF, DejaVu Serif draws the letters),
so each test shows one way a page can fool the table reader: text after a table
without rules, lines above it, a crop box, a fall written ``-3,5``.
"""
from __future__ import annotations

import ctypes
import pathlib

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from ingest.models import Layout, Line
from ingest.parse import document_from_layout, parse_file
from ingest.readers.pdf import read_pdf
from index.i18n import plain_number

FONT = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
A4 = (595, 842)
HEAD = [(70, 60, "UBND PHƯỜNG PHỔ NINH"), (330, 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (70, 76, "Số: 118/BC-UBND"), (330, 76, "Phổ Ninh, ngày 04 tháng 7 năm 2025"),
        (270, 100, "BÁO CÁO"), (150, 116, "Kết quả cải cách hành chính Quý II năm 2025")]
TABLE = [("Chỉ tiêu", "Kế hoạch", "Quý II", "Cùng kỳ"), ("Hồ sơ tiếp nhận (hồ sơ)", "900", "248", "205"),
         ("Hồ sơ đúng hạn (hồ sơ)", "850", "241", "196")]


@pytest.fixture(autouse=True)
def _font():
    if not FONT.exists():
        pytest.skip(f"{FONT} is missing (Debian's fonts-dejavu-core, which LibreOffice brings)")


def draw(path: pathlib.Path, pages: list[list[tuple]], rules: list[tuple] = (), crop=None) -> str:
    """A PDF of ``pages``, each a list of (x, y from the top, text) in 12 pt;
    ``rules``: lines (x0, y0, x1, y1) drawn on the first page; ``crop``: its crop box."""
    pdf = pdfium.PdfDocument.new()
    data = FONT.read_bytes()
    font = raw.FPDFText_LoadFont(pdf.raw, (ctypes.c_uint8 * len(data)).from_buffer_copy(data), len(data),
                                 raw.FPDF_FONT_TRUETYPE, 1)
    for n, items in enumerate(pages):
        page = pdf.new_page(*A4)
        for x, y, text in items:
            obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, 12)
            units = (text + "\0").encode("utf-16-le")
            raw.FPDFText_SetText(obj, (ctypes.c_ushort * (len(units) // 2)).from_buffer_copy(units))
            raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, A4[1] - y)
            raw.FPDFPage_InsertObject(page.raw, obj)
        for x0, y0, x1, y1 in rules if n == 0 else ():
            path_obj = raw.FPDFPageObj_CreateNewPath(x0, A4[1] - y0)
            raw.FPDFPath_LineTo(path_obj, x1, A4[1] - y1)
            raw.FPDFPath_SetDrawMode(path_obj, 0, 1)
            raw.FPDFPage_InsertObject(page.raw, path_obj)
        raw.FPDFPage_GenerateContent(page.raw)
        if crop and n == 0:
            raw.FPDFPage_SetCropBox(page.raw, *crop)
    pdf.save(str(path))
    pdf.close()
    return str(path)


def table_at(y: float, rows=TABLE) -> list[tuple]:
    return [(x, y + 16 * r, text) for r, row in enumerate(rows) for x, text in zip((60, 300, 380, 460), row)]


def blocks(path: str) -> dict[str, str]:
    return {line.text: line.block for line in read_pdf(path).lines}


def test_what_follows_a_table_without_rules_stays_out_of_it(tmp_path):
    y = 226 + 16 * len(TABLE)
    page = HEAD + [(60, 190, "I. KẾT QUẢ THỰC HIỆN"), (60, 206, "Kết quả cụ thể như sau:")] + table_at(226) + [
        (60, y, "II. NHIỆM VỤ TRỌNG TÂM"), (60, y + 16, "Tiếp tục đẩy mạnh tiếp nhận hồ sơ./."),
        (60, y + 40, "Nơi nhận:"), (360, y + 40, "TM. ỦY BAN NHÂN DÂN"), (60, y + 56, "- UBND thị xã;"),
        (390, y + 56, "CHỦ TỊCH"), (60, y + 72, "- Lưu: VT."), (370, y + 110, "Trần Minh Khoa")]
    path = draw(tmp_path / "after.pdf", [page])
    where = blocks(path)
    assert where["Chỉ tiêu"] == "pt0.r0.c0" and where["Cùng kỳ"] == "pt0.r0.c3"  # its header, one row
    assert where["241"] == "pt0.r2.c2" and where["Hồ sơ đúng hạn (hồ sơ)"] == "pt0.r2.c0"
    for outside in ("I. KẾT QUẢ THỰC HIỆN", "Kết quả cụ thể như sau:", "II. NHIỆM VỤ TRỌNG TÂM",
                    "Nơi nhận:", "CHỦ TỊCH", "Trần Minh Khoa"):
        assert where[outside] == "body", outside
    doc = parse_file(path)
    assert (doc.signer_name, doc.signer_title) == ("Trần Minh Khoa", "CHỦ TỊCH")
    got = {(f.row, f.column): f.value for f in doc.figures if f.row}
    assert got == {("Hồ sơ tiếp nhận (hồ sơ)", "Kế hoạch"): 900, ("Hồ sơ tiếp nhận (hồ sơ)", "Quý II"): 248,
                   ("Hồ sơ tiếp nhận (hồ sơ)", "Cùng kỳ"): 205, ("Hồ sơ đúng hạn (hồ sơ)", "Kế hoạch"): 850,
                   ("Hồ sơ đúng hạn (hồ sơ)", "Quý II"): 241, ("Hồ sơ đúng hạn (hồ sơ)", "Cùng kỳ"): 196}


def test_the_document_s_header_is_never_a_table_s(tmp_path):
    path = draw(tmp_path / "top.pdf", [HEAD + table_at(132)])
    lines = read_pdf(path).lines
    header = {line.text: (line.block, line.col) for line in lines}
    assert header["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"] == ("body", "R")
    assert header["Phổ Ninh, ngày 04 tháng 7 năm 2025"] == ("body", "R")
    assert header["Chỉ tiêu"][0] == "pt0.r0.c0"


def test_a_table_over_two_pages_keeps_the_page_numbers_out(tmp_path):
    rows = [("Lĩnh vực", "Tiếp nhận", "Đúng hạn", "Tỷ lệ")] + [
        (f"Lĩnh vực {k}", str(100 + k), str(90 + k), f"{90 + k},5") for k in range(1, 7)]
    first = [(60, 684, "Kết quả theo lĩnh vực như sau:")] + table_at(704, rows) + [(280, 820, "- 1 -")]
    second = [(60, 30, "Báo cáo CCHC Quý II/2025")] + table_at(46, [(f"Lĩnh vực {k}", str(100 + k), str(90 + k),
                                                                       f"{90 + k},5") for k in (7, 8)])
    second += [(60, 110, "Cộng"), (300, 110, "215"), (280, 820, "- 2 -")]
    path = draw(tmp_path / "pages.pdf", [first, second])
    lines = read_pdf(path).lines
    texts = {line.text: line.block for line in lines}
    assert texts["106"] == "pt0.r6.c1" and texts["96,5"] == "pt0.r6.c3"  # the page's last row, alone
    assert texts["Lĩnh vực 7"].startswith("pt") and texts["Báo cáo CCHC Quý II/2025"] == "body"
    assert not any("- 1 -" in line.text or "- 2 -" in line.text for line in lines if line.block != "body")


def test_a_ruled_table_under_a_crop_box_keeps_its_cells(tmp_path):
    xs, ys = (50, 250, 350, 450), (100, 120, 140, 160)
    rules = [(x, ys[0], x, ys[-1]) for x in xs] + [(xs[0], y, xs[-1], y) for y in ys]
    cells = [(xs[c] + 4, ys[r] + 15, text) for r, row in enumerate(
        [("Chỉ tiêu", "Quý I", "Quý II"), ("Hồ sơ", "12", "13"), ("Đúng hạn", "10", "11")]) for c, text in enumerate(row)]
    for crop in (None, (0, 0, 595, 822), (0, 0, 595, 700)):
        path = draw(tmp_path / "crop.pdf", [cells + [(50, 60, "Đoạn văn ở trên bảng.")]], rules, crop)
        where = blocks(path)
        assert (where["Chỉ tiêu"], where["Quý II"], where["12"], where["11"]) == (
            "pt0.r0.c0", "pt0.r0.c2", "pt0.r1.c1", "pt0.r2.c2"), crop
        assert where["Đoạn văn ở trên bảng."] == "body"


def test_a_fall_keeps_its_sign_and_numbers_stay_plain():
    def cell(text, r, c):
        return Line(text=text, page=0, col="F", top=30 + r, x0=0, x1=10, fonts=("f",), block=f"t0.r{r}.c{c}")

    rows = [("STT", "Chỉ tiêu", "ĐVT", "Quý II/2025", "Tăng, giảm (%)"),
            ("1", "Hồ sơ tiếp nhận", "Hồ sơ", "248", "-3,5"), ("2", "Dân số", "người", "1.234.567", "+2,0")]
    lines = [Line(text="BÁO CÁO", page=0, top=10), Line(text="Kết quả Quý II năm 2025", page=0, top=20)]
    lines += [cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row)]
    doc = document_from_layout("x.pdf", Layout(format="pdf", pages=1, lines=lines))
    got = {(f.row, f.column): f.value for f in doc.figures}
    assert got[("Hồ sơ tiếp nhận", "Tăng, giảm (%)")] == -3.5 and got[("Dân số", "Tăng, giảm (%)")] == 2.0
    assert [plain_number(v) for v in (got[("Dân số", "Quý II/2025")], -3.5, 98.6, 900)] == [
        "1234567", "-3.5", "98.6", "900"]
