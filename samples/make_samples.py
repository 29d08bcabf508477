"""(Re)create our own sample documents in ``samples/`` and their ``expected.jsonl``.

Run from the repository root:

    /work/venv/bin/python samples/make_samples.py

Every document here is invented (fictional people, numbers and decisions) but
laid out as Decree 30/2020/NĐ-CP prescribes, and each one exercises a case the
parser must handle:

- ``bc_ward_report.docx``     Báo cáo with the header and signature as two-column tables
- ``qd_with_attachment.docx`` Quyết định followed by the Quy chế it issues (own header and signer)
- ``qd_sua_doi.docx``         Quyết định amending that Quy chế (the archive holds both ends of a relation)
- ``kh_cchc_2024.docx``       the plan a decision the ward report follows issues (no number of its own)
- ``kh_tuyen_truyen.docx``    another plan of that ward, a like title, citing the same decision
- ``cv_cong_van.docx``        Công văn: symbol without a type code, ``V/v`` summary under the number
- ``qd_tcvn3_legacy.docx``    Quyết định stored as TCVN3 bytes in ``.VnTime`` / ``.VnTimeH`` runs
- ``bc_two_column.pdf``       Báo cáo PDF whose two header columns share text lines
- ``qd_esigned.pdf``          e-signed Quyết định: number and day exist only in signature widgets
- ``bc_cchc_quy1_2025.pdf`` .. ``quy4``  a ward's four quarterly reports, results in a table (Q2's without rules)
  with merged header cells (the fourth adds a table by field that runs over a page)
- ``bc_scan.png``              the two-column report scanned back: 200 dpi, askew, specks, a red seal
- ``bc_ward_report.md``       Markdown copy of the ward report

``expected.jsonl`` holds the header fields each document was written to carry
(the ground truth), built from the same values that went into the text.

Output is deterministic for a given LibreOffice and font set: DOCX core
properties and ZIP timestamps are fixed, and the values LibreOffice varies per
run in a PDF (creation time, /ID, /DocChecksum) are overwritten. The PDFs are
set in DejaVu Serif Condensed (installed with LibreOffice on Debian/Ubuntu),
so no font substitution decides their layout.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
sys.path.insert(0, str(REPO))
from ingest.vocabulary.legacy import TCVN3_TABLE, decode_tcvn3  # noqa: E402  (needs REPO on the path)

EXPECTED_FIELDS = ("doc_type", "number", "symbol", "issuer", "parent_issuer", "place", "date",
                   "title", "signer_name", "signer_title", "signer_authority")

UNICODE_FONT = "Times New Roman"          # what real DOCX files use
PDF_FONT = "DejaVu Serif Condensed"       # installed with LibreOffice; Times-like widths
TCVN3_FONT, TCVN3_HEADING_FONT = ".VnTime", ".VnTimeH"

HEADER_PT, BODY_PT, RECIPIENT_PT = 12, 13, 11
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
SHORT_RULE, LONG_RULE = "_" * 12, "_" * 24  # the line drawn under issuer and motto
SIGNATURE_SPACE = 3                          # empty lines left for the hand signature


# --- the content model ----------------------------------------------------------

@dataclass(frozen=True)
class Para:
    """One printed line or paragraph and how it is set."""

    text: str
    bold: bool = False
    italic: bool = False
    align: str = "center"          # center | left | justify
    size: float = BODY_PT
    first_indent: bool = False     # body paragraphs start 1 cm in
    left_cm: float = 0.0


def centred(text: str, bold: bool = False, italic: bool = False, size: float = BODY_PT) -> Para:
    return Para(text, bold=bold, italic=italic, size=size)


def paragraph(text: str, bold: bool = False, italic: bool = False) -> Para:
    return Para(text, bold=bold, italic=italic, align="justify", first_indent=True)


def heading(text: str) -> Para:
    """A numbered section heading of the body (``I. KẾT QUẢ``, ``1. Công tác ...``)."""
    return paragraph(text, bold=True)


@dataclass(frozen=True)
class Table:
    """A ruled table of the body: its header rows repeat on every page it runs over."""

    rows: tuple[tuple[str, ...], ...]
    widths_cm: tuple[float, ...]
    header_rows: int = 1
    merges: tuple[tuple[int, int, int, int], ...] = ()  # (row, column, last row, last column)
    size: float = HEADER_PT
    ruled: bool = True             # False: columns aligned by the cells alone, no lines drawn


@dataclass(frozen=True)
class Signature:
    """The closing table: Nơi nhận on the left, the signer on the right."""

    authority: tuple[str, ...]     # ``TM. ỦY BAN NHÂN DÂN``, ``KT. CHỦ TỊCH``
    title: str                     # the signer's own position
    name: str
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """A document, or an attachment that starts on a new page with its own header."""

    header_left: tuple[Para, ...]
    header_right: tuple[Para, ...]
    heading: tuple[Para, ...]      # type line, trích yếu, the deciding authority
    body: tuple[Para | Table, ...]
    signature: Signature


@dataclass(frozen=True)
class Sample:
    name: str                      # file name inside samples/
    parts: tuple[Part, ...]
    expected: dict
    day: dt.date                   # its date; 08:00 that day is the file's creation time
    author: str = "Văn thư"
    tcvn3: bool = False            # store the text as TCVN3 bytes in .VnTime fonts

    @property
    def issued(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(8, 0))

    @property
    def font(self) -> str:
        if self.tcvn3:
            return TCVN3_FONT
        return PDF_FONT if self.name.endswith(".pdf") else UNICODE_FONT


def header_left(parent: str | None, issuer: tuple[str, ...], number_line: str,
                summary: tuple[str, ...] = ()) -> tuple[Para, ...]:
    lines = [centred(parent, size=HEADER_PT)] if parent else []
    lines += [centred(line, bold=True, size=HEADER_PT) for line in issuer]
    lines.append(centred(SHORT_RULE, size=HEADER_PT))
    if number_line:
        lines.append(centred(number_line))
    lines += [centred(line, size=HEADER_PT) for line in summary]  # Công văn: ``V/v ...``
    return tuple(lines)


def header_right(place_date: str | None, motto: str = MOTTO) -> tuple[Para, ...]:
    lines = [centred(motto, bold=True, size=HEADER_PT), centred(MOTTO_2, bold=True),
             centred(LONG_RULE, size=HEADER_PT)]
    if place_date:
        lines.append(centred(place_date, italic=True))
    return tuple(lines)


def expected(name: str, day: dt.date, title: tuple[str, ...], signer: Signature, **header) -> dict:
    """The truth record: the values written into the document, in the parser's field form."""
    values = {**header, "date": day.isoformat(), "title": " ".join(title), "signer_name": signer.name,
              "signer_title": signer.title, "signer_authority": " / ".join(signer.authority) or None}
    unknown = set(values) - set(EXPECTED_FIELDS)
    assert not unknown, f"{name}: not an expected field: {unknown}"
    return {"path": f"samples/{name}", **{f: values.get(f) for f in EXPECTED_FIELDS}}


def vn_date(day: dt.date) -> str:
    """``ngày 05 tháng 4 năm 2024``: day < 10 and month < 3 take a leading zero (Decree 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


# --- the documents --------------------------------------------------------------

def ward_report(name: str = "bc_ward_report.docx") -> Sample:
    """Quarterly CCHC report of a ward: the header and signature are tables."""
    number, symbol = "45", "45/BC-UBND"
    parent, issuer = "UBND THỊ XÃ ĐỨC PHỔ", "UBND PHƯỜNG PHỔ NINH"
    place, day = "Phổ Ninh", dt.date(2024, 4, 5)
    title = ("Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024",
             "và nhiệm vụ trọng tâm Quý II năm 2024")
    signer = Signature(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name="Trần Minh Khoa",
                       recipients=("- UBND thị xã Đức Phổ;", "- Phòng Nội vụ thị xã;",
                                   "- TT Đảng ủy, TT HĐND phường;", "- CT, các PCT UBND phường;",
                                   "- Lưu: VT."))
    body = (
        paragraph("Thực hiện Quyết định số 120/QĐ-UBND ngày 15/01/2024 của UBND phường Phổ Ninh "
                  "về việc ban hành Kế hoạch cải cách hành chính năm 2024 và Kế hoạch số 16/KH-UBND "
                  "ngày 20/02/2024 của UBND phường Phổ Ninh về tuyên truyền cải cách hành chính năm "
                  "2024, UBND phường Phổ Ninh báo cáo kết quả thực hiện công tác cải cách hành chính "
                  "Quý I năm 2024 như sau:"),
        heading("I. KẾT QUẢ THỰC HIỆN"),
        heading("1. Công tác chỉ đạo, điều hành"),
        paragraph("Ngay từ đầu năm, UBND phường đã triển khai Công văn số 35/UBND-NV ngày 08/01/2024 "
                  "của UBND thị xã Đức Phổ về việc triển khai nhiệm vụ cải cách hành chính năm 2024; "
                  "phân công cụ thể nhiệm vụ cho từng công chức chuyên môn, gắn trách nhiệm người đứng "
                  "đầu với kết quả thực hiện."),
        paragraph("Trong Quý I, UBND phường tổ chức 02 cuộc kiểm tra công tác cải cách hành chính tại "
                  "Bộ phận Tiếp nhận và Trả kết quả và 07 tổ dân phố; qua kiểm tra, không phát hiện "
                  "trường hợp nhũng nhiễu, gây phiền hà cho người dân."),
        heading("2. Cải cách thủ tục hành chính"),
        paragraph("- Bộ phận Tiếp nhận và Trả kết quả phường đã tiếp nhận 215 hồ sơ, trong đó 138 hồ "
                  "sơ nộp trực tuyến (chiếm 64,2%); đã giải quyết 209 hồ sơ, trong đó 206 hồ sơ đúng "
                  "hạn, tỷ lệ đúng hạn đạt 98,6%; 03 hồ sơ trễ hạn do phải xác minh thực địa; đang "
                  "giải quyết 06 hồ sơ."),
        paragraph("- Thanh toán trực tuyến 96 hồ sơ với tổng số tiền phí, lệ phí 14,5 triệu đồng."),
        paragraph("- Niêm yết công khai đầy đủ 142 thủ tục hành chính thuộc thẩm quyền giải quyết của "
                  "UBND phường tại Bộ phận Tiếp nhận và Trả kết quả và trên Trang thông tin điện tử "
                  "phường."),
        heading("3. Cải cách tài chính công và hiện đại hóa nền hành chính"),
        paragraph("- Tổng chi thường xuyên Quý I năm 2024 là 1.250 triệu đồng, đạt 24,8% dự toán năm; "
                  "kinh phí dành cho công tác cải cách hành chính là 38 triệu đồng."),
        paragraph("- 100% văn bản đi, đến được xử lý trên Hệ thống quản lý văn bản và điều hành; 100% "
                  "cán bộ, công chức sử dụng chữ ký số trong xử lý công việc."),
        heading("II. TỒN TẠI, HẠN CHẾ"),
        paragraph("- Tỷ lệ hồ sơ nộp trực tuyến tăng nhưng chưa đồng đều giữa các lĩnh vực; lĩnh vực "
                  "hộ tịch vẫn chủ yếu nộp trực tiếp."),
        paragraph("- Một số công chức kiêm nhiệm nhiều việc nên thời gian giải quyết hồ sơ có lúc còn "
                  "chậm."),
        heading("III. NHIỆM VỤ TRỌNG TÂM QUÝ II NĂM 2024"),
        paragraph("1. Tiếp tục thực hiện Kế hoạch số 16/KH-UBND ngày 20/02/2024 của UBND phường; đẩy "
                  "mạnh tuyên truyền dịch vụ công trực tuyến đến từng tổ dân phố."),
        paragraph("2. Phấn đấu tỷ lệ hồ sơ nộp trực tuyến đạt từ 70% trở lên, tỷ lệ giải quyết đúng "
                  "hạn đạt 100%."),
        paragraph("3. Rà soát, cập nhật danh mục thủ tục hành chính theo Quyết định số 412/QĐ-UBND "
                  "ngày 18/3/2024 của UBND thị xã Đức Phổ."),
        paragraph("Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính Quý I năm 2024 "
                  "của UBND phường Phổ Ninh./."),
    )
    report = Part(
        header_left=header_left(parent, (issuer,), f"Số: {symbol}"),
        header_right=header_right(f"{place}, {vn_date(day)}"),
        heading=(centred("BÁO CÁO", bold=True), *(centred(t, bold=True) for t in title)),
        body=body, signature=signer)
    return Sample(name, (report,), day=day, expected=expected(
        name, day, title, signer, doc_type="Báo cáo", number=number, symbol=symbol, issuer=issuer,
        parent_issuer=parent, place=place))


def decision_with_regulation() -> Sample:
    """A Quyết định that issues a Quy chế; the Quy chế follows with its own header and signer."""
    name = "qd_with_attachment.docx"
    number, symbol = "215", "215/QĐ-UBND"
    parent, issuer = "UBND TỈNH QUẢNG NGÃI", "UBND HUYỆN SƠN TỊNH"
    place, day = "Sơn Tịnh", dt.date(2024, 3, 12)
    date_words = vn_date(day)
    title = ("Về việc ban hành Quy chế làm việc của Bộ phận Tiếp nhận",
             "và Trả kết quả huyện Sơn Tịnh")
    signer = Signature(authority=("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), title="PHÓ CHỦ TỊCH",
                       name="Lê Thị Hồng Nhung",
                       recipients=("- Như Điều 3;", "- UBND tỉnh (b/c);", "- TT Huyện ủy, TT HĐND huyện;",
                                   "- CT, các PCT UBND huyện;", "- Lưu: VT, VP."))
    decision = Part(
        header_left=header_left(parent, (issuer,), f"Số: {symbol}"),
        header_right=header_right(f"{place}, {date_words}"),
        heading=(centred("QUYẾT ĐỊNH", bold=True), *(centred(t, bold=True) for t in title),
                 centred("ỦY BAN NHÂN DÂN HUYỆN SƠN TỊNH", bold=True)),
        body=(
            paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa "
                      "đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền "
                      "địa phương ngày 22 tháng 11 năm 2019;", italic=True),
            paragraph("Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực "
                      "hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính;",
                      italic=True),
            paragraph("Theo đề nghị của Chánh Văn phòng HĐND và UBND huyện.", italic=True),
            centred("QUYẾT ĐỊNH:", bold=True),
            paragraph("Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Bộ phận Tiếp nhận "
                      "và Trả kết quả huyện Sơn Tịnh."),
            paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số "
                      "1046/QĐ-UBND ngày 20/6/2019 của UBND huyện Sơn Tịnh."),
            paragraph("Điều 3. Chánh Văn phòng HĐND và UBND huyện, Trưởng các phòng, ban, đơn vị thuộc "
                      "UBND huyện, Chủ tịch UBND các xã, thị trấn và các tổ chức, cá nhân có liên quan "
                      "chịu trách nhiệm thi hành Quyết định này./."),
        ),
        signature=signer)
    regulation = Part(
        header_left=header_left(parent, (issuer,), ""),
        header_right=header_right(None),
        heading=(centred("QUY CHẾ", bold=True),
                 centred("Làm việc của Bộ phận Tiếp nhận và Trả kết quả huyện Sơn Tịnh", bold=True),
                 centred(f"(Ban hành kèm theo Quyết định số {symbol} {date_words}", italic=True),
                 centred("của UBND huyện Sơn Tịnh)", italic=True)),
        body=(
            centred("Chương I", bold=True), centred("QUY ĐỊNH CHUNG", bold=True),
            paragraph("Điều 1. Phạm vi điều chỉnh", bold=True),
            paragraph("Quy chế này quy định nguyên tắc, thời gian làm việc và trách nhiệm của công chức "
                      "làm việc tại Bộ phận Tiếp nhận và Trả kết quả huyện Sơn Tịnh."),
            paragraph("Điều 2. Đối tượng áp dụng", bold=True),
            paragraph("Quy chế này áp dụng đối với công chức được cử đến làm việc tại Bộ phận Tiếp nhận "
                      "và Trả kết quả và các tổ chức, cá nhân có thủ tục hành chính giải quyết tại đây."),
            centred("Chương II", bold=True), centred("TỔ CHỨC VÀ HOẠT ĐỘNG", bold=True),
            paragraph("Điều 3. Thời gian tiếp nhận hồ sơ", bold=True),
            paragraph("Bộ phận Tiếp nhận và Trả kết quả làm việc từ thứ Hai đến sáng thứ Bảy hằng tuần; "
                      "buổi sáng từ 7 giờ 00 đến 11 giờ 30, buổi chiều từ 13 giờ 30 đến 17 giờ 00, trừ "
                      "ngày nghỉ lễ, tết theo quy định."),
            paragraph("Điều 4. Trách nhiệm của công chức tiếp nhận hồ sơ", bold=True),
            paragraph("Hướng dẫn tận tình, đầy đủ thành phần hồ sơ một lần; không yêu cầu tổ chức, cá "
                      "nhân nộp thêm giấy tờ ngoài quy định; cập nhật kết quả giải quyết lên Hệ thống "
                      "thông tin giải quyết thủ tục hành chính trong ngày."),
            centred("Chương III", bold=True), centred("TỔ CHỨC THỰC HIỆN", bold=True),
            paragraph("Điều 5. Trách nhiệm thi hành", bold=True),
            paragraph("Chánh Văn phòng HĐND và UBND huyện hướng dẫn, kiểm tra việc thực hiện Quy chế "
                      "này. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị "
                      "phản ánh về Văn phòng HĐND và UBND huyện để tổng hợp, trình UBND huyện xem xét, "
                      "sửa đổi, bổ sung cho phù hợp./."),
        ),
        signature=Signature(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name="Phạm Quốc Hưng"))
    return Sample(name, (decision, regulation), day=day, expected=expected(
        name, day, title, signer, doc_type="Quyết định", number=number, symbol=symbol, issuer=issuer,
        parent_issuer=parent, place=place))


WARD_PARENT, WARD = "UBND THỊ XÃ ĐỨC PHỔ", "UBND PHƯỜNG PHỔ NINH"
WARD_CHAIR = Signature(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name="Trần Minh Khoa",
                       recipients=("- UBND thị xã Đức Phổ;", "- Các ban, ngành, đoàn thể phường;",
                                   "- Các tổ dân phố;", "- Lưu: VT."))


def ward_plan() -> Sample:
    """The plan Quyết định 120/QĐ-UBND issues, which the ward report carries out:
    no number or date line of its own, only ``Ban hành kèm theo Quyết định số ...``."""
    name = "kh_cchc_2024.docx"
    day = dt.date(2024, 1, 15)
    title = ("Cải cách hành chính năm 2024",)
    plan = Part(
        header_left=header_left(WARD_PARENT, (WARD,), ""),
        header_right=header_right(None),
        heading=(centred("KẾ HOẠCH", bold=True), centred(title[0], bold=True),
                 centred("(Ban hành kèm theo Quyết định số 120/QĐ-UBND ngày 15/01/2024", italic=True),
                 centred("của UBND phường Phổ Ninh)", italic=True)),
        body=(
            heading("I. MỤC ĐÍCH, YÊU CẦU"),
            paragraph("Đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng phục vụ người dân; phấn "
                      "đấu tỷ lệ hồ sơ nộp trực tuyến đạt từ 60% trở lên và tỷ lệ giải quyết đúng hạn đạt "
                      "100%."),
            heading("II. NHIỆM VỤ"),
            paragraph("1. Rà soát, công khai đầy đủ thủ tục hành chính tại Bộ phận Tiếp nhận và Trả kết "
                      "quả; kiểm tra công tác cải cách hành chính ít nhất 02 cuộc mỗi quý."),
            paragraph("2. Ứng dụng công nghệ thông tin: 100% văn bản đi, đến được xử lý trên Hệ thống quản "
                      "lý văn bản và điều hành."),
            heading("III. TỔ CHỨC THỰC HIỆN"),
            paragraph("Công chức Văn phòng - Thống kê theo dõi, tổng hợp, báo cáo kết quả thực hiện hằng "
                      "quý về UBND phường./."),
        ),
        signature=WARD_CHAIR)
    return Sample(name, (plan,), day=day, expected=expected(
        name, day, title, WARD_CHAIR, doc_type="Kế hoạch", number=None, symbol=None, issuer=WARD,
        parent_issuer=WARD_PARENT, place=None) | {"date": None})


def ward_campaign_plan() -> Sample:
    """Another plan of the same ward, with a like title, that cites the same decision:
    the trace of the report must not take it for the plan the decision issues."""
    name = "kh_tuyen_truyen.docx"
    number, symbol = "16", "16/KH-UBND"
    place, day = "Phổ Ninh", dt.date(2024, 2, 20)
    title = ("Tuyên truyền cải cách hành chính năm 2024",)
    plan = Part(
        header_left=header_left(WARD_PARENT, (WARD,), f"Số: {symbol}"),
        header_right=header_right(f"{place}, {vn_date(day)}"),
        heading=(centred("KẾ HOẠCH", bold=True), centred(title[0], bold=True)),
        body=(
            paragraph("Căn cứ Quyết định số 120/QĐ-UBND ngày 15/01/2024 của UBND phường Phổ Ninh về việc "
                      "ban hành Kế hoạch cải cách hành chính năm 2024; UBND phường xây dựng Kế hoạch tuyên "
                      "truyền cải cách hành chính năm 2024 như sau:"),
            heading("I. NỘI DUNG TUYÊN TRUYỀN"),
            paragraph("Tuyên truyền dịch vụ công trực tuyến đến từng tổ dân phố; tổ chức 04 buổi đối thoại "
                      "với người dân về thủ tục hành chính."),
            heading("II. TỔ CHỨC THỰC HIỆN"),
            paragraph("Các tổ dân phố phối hợp với công chức Văn phòng - Thống kê triển khai thực hiện./."),
        ),
        signature=WARD_CHAIR)
    return Sample(name, (plan,), day=day, expected=expected(
        name, day, title, WARD_CHAIR, doc_type="Kế hoạch", number=number, symbol=symbol, issuer=WARD,
        parent_issuer=WARD_PARENT, place=place))


def amending_decision() -> Sample:
    """A Quyết định amending (and in part repealing) the Quy chế that
    ``qd_with_attachment.docx`` issues: the archive holds both ends of the relation."""
    name = "qd_sua_doi.docx"
    number, symbol = "305", "305/QĐ-UBND"
    parent, issuer = "UBND TỈNH QUẢNG NGÃI", "UBND HUYỆN SƠN TỊNH"
    place, day = "Sơn Tịnh", dt.date(2024, 9, 20)
    title = ("Về việc sửa đổi, bổ sung một số điều của Quy chế làm việc của Bộ phận",
             "Tiếp nhận và Trả kết quả huyện Sơn Tịnh ban hành kèm theo",
             "Quyết định số 215/QĐ-UBND ngày 12/3/2024 của UBND huyện Sơn Tịnh")
    signer = Signature(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name="Phạm Quốc Hưng",
                       recipients=("- Như Điều 3;", "- UBND tỉnh (b/c);", "- CT, các PCT UBND huyện;",
                                   "- Lưu: VT, VP."))
    decision = Part(
        header_left=header_left(parent, (issuer,), f"Số: {symbol}"),
        header_right=header_right(f"{place}, {vn_date(day)}"),
        heading=(centred("QUYẾT ĐỊNH", bold=True), *(centred(t, bold=True) for t in title),
                 centred("ỦY BAN NHÂN DÂN HUYỆN SƠN TỊNH", bold=True)),
        body=(
            paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", italic=True),
            paragraph("Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực "
                      "hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính được sửa "
                      "đổi, bổ sung bởi Nghị định số 107/2021/NĐ-CP ngày 06 tháng 12 năm 2021 của Chính phủ;",
                      italic=True),
            paragraph("Xét đề nghị của Chánh Văn phòng HĐND và UBND huyện tại Tờ trình số 88/TTr-VP ngày "
                      "10/9/2024.", italic=True),
            centred("QUYẾT ĐỊNH:", bold=True),
            paragraph("Điều 1. Sửa đổi, bổ sung Điều 3 của Quy chế làm việc của Bộ phận Tiếp nhận và Trả "
                      "kết quả huyện Sơn Tịnh ban hành kèm theo Quyết định số 215/QĐ-UBND ngày 12/3/2024 "
                      "của UBND huyện Sơn Tịnh như sau: “Bộ phận Tiếp nhận và Trả kết quả làm việc từ thứ "
                      "Hai đến thứ Sáu hằng tuần, buổi sáng từ 7 giờ 00 đến 11 giờ 30, buổi chiều từ 13 giờ "
                      "30 đến 17 giờ 00.”"),
            paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày 01 tháng 10 năm 2024."),
            paragraph("Điều 3. Chánh Văn phòng HĐND và UBND huyện, Trưởng các phòng, ban, đơn vị thuộc "
                      "UBND huyện và Chủ tịch UBND các xã, thị trấn chịu trách nhiệm thi hành Quyết định "
                      "này./."),
        ),
        signature=signer)
    return Sample(name, (decision,), day=day, expected=expected(
        name, day, title, signer, doc_type="Quyết định", number=number, symbol=symbol, issuer=issuer,
        parent_issuer=parent, place=place))


def cong_van() -> Sample:
    """A Công văn: no type line, the ``V/v`` summary sits under the number; Kính gửi opens it."""
    name = "cv_cong_van.docx"
    number, symbol = "123", "123/UBND-VP"
    issuer_lines = ("ỦY BAN NHÂN DÂN", "HUYỆN NGHĨA HÀNH")
    place, day = "Nghĩa Hành", dt.date(2024, 6, 18)
    summary = ("V/v triển khai dịch vụ công trực tuyến", "toàn trình năm 2024")
    signer = Signature(authority=("KT. CHỦ TỊCH",), title="PHÓ CHỦ TỊCH", name="Nguyễn Thanh Bình",
                       recipients=("- Như trên;", "- CT, các PCT UBND huyện;", "- CVP, PCVP;",
                                   "- Lưu: VT, VP."))
    letter = Part(
        header_left=header_left(None, issuer_lines, f"Số: {symbol}", summary),
        header_right=header_right(f"{place}, {vn_date(day)}"),
        heading=(),
        body=(
            Para("Kính gửi:", left_cm=3.0),
            Para("- Các cơ quan, đơn vị thuộc UBND huyện;", align="left", left_cm=5.0),
            Para("- UBND các xã, thị trấn.", align="left", left_cm=5.0),
            paragraph("Thực hiện Công văn số 1875/UBND-KSTTHC ngày 05/6/2024 của UBND tỉnh Quảng Ngãi về "
                      "việc đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình, Chủ tịch UBND huyện yêu "
                      "cầu Thủ trưởng các cơ quan, đơn vị và Chủ tịch UBND các xã, thị trấn thực hiện các "
                      "nội dung sau:"),
            paragraph("1. Rà soát toàn bộ thủ tục hành chính thuộc thẩm quyền giải quyết, lập danh sách "
                      "thủ tục đủ điều kiện cung cấp trực tuyến toàn trình, gửi về Văn phòng HĐND và UBND "
                      "huyện trước ngày 28/6/2024."),
            paragraph("2. Bố trí công chức hướng dẫn người dân nộp hồ sơ trực tuyến tại Bộ phận Tiếp nhận "
                      "và Trả kết quả; phấn đấu tỷ lệ hồ sơ nộp trực tuyến toàn trình đạt từ 50% trở lên "
                      "trong 6 tháng cuối năm 2024."),
            paragraph("3. Định kỳ trước ngày 20 hằng tháng, báo cáo kết quả thực hiện về UBND huyện (qua "
                      "Văn phòng HĐND và UBND huyện) để tổng hợp, báo cáo UBND tỉnh theo Kế hoạch số "
                      "88/KH-UBND ngày 02/02/2024 của UBND tỉnh Quảng Ngãi."),
            paragraph("Yêu cầu Thủ trưởng các cơ quan, đơn vị, Chủ tịch UBND các xã, thị trấn triển khai "
                      "thực hiện nghiêm túc nội dung Công văn này./."),
        ),
        signature=signer)
    return Sample(name, (letter,), day=day, expected=expected(
        name, day, summary, signer, doc_type="Công văn", number=number, symbol=symbol,
        issuer=" ".join(issuer_lines), parent_issuer=None, place=place))


def tcvn3_decision() -> Sample:
    """A 2003 Quyết định as an old Word file would hold it (encoded when written, see tcvn3_encode)."""
    name = "qd_tcvn3_legacy.docx"
    number, symbol = "87", "87/QĐ-SGDĐT"
    parent, issuer = "UBND TỈNH QUẢNG NGÃI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    place, day = "Quảng Ngãi", dt.date(2003, 8, 14)
    title = ("Về việc thành lập Hội đồng tuyển sinh vào lớp 10", "năm học 2003 - 2004")
    signer = Signature(authority=("KT. GIÁM ĐỐC",), title="PHÓ GIÁM ĐỐC", name="Huỳnh Văn Lợi",
                       recipients=("- Như Điều 3;", "- UBND tỉnh (b/c);", "- Lưu: VT, GDTrH."))
    decision = Part(
        header_left=header_left(parent, (issuer,), f"Số: {symbol}"),
        # Old tone placement (``HOÀ``), as files of that time print it.
        header_right=header_right(f"{place}, {vn_date(day)}",
                                  motto="CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        heading=(centred("QUYẾT ĐỊNH", bold=True), *(centred(t, bold=True) for t in title),
                 centred("GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO", bold=True)),
        body=(
            paragraph("Căn cứ Quyết định số 2317/QĐ-UB ngày 22/7/1997 của UBND tỉnh Quảng Ngãi về việc "
                      "quy định chức năng, nhiệm vụ, quyền hạn và tổ chức bộ máy của Sở Giáo dục và Đào "
                      "tạo;"),
            paragraph("Căn cứ Kế hoạch số 35/KH-SGDĐT ngày 10/5/2003 của Sở Giáo dục và Đào tạo về tuyển "
                      "sinh vào lớp 10 năm học 2003 - 2004;"),
            paragraph("Xét đề nghị của Trưởng phòng Giáo dục Trung học,"),
            centred("QUYẾT ĐỊNH:", bold=True),
            paragraph("Điều 1. Thành lập Hội đồng tuyển sinh vào lớp 10 năm học 2003 - 2004 gồm 09 thành "
                      "viên (có danh sách kèm theo)."),
            paragraph("Điều 2. Hội đồng tuyển sinh có nhiệm vụ tổ chức xét tuyển, duyệt danh sách học sinh "
                      "trúng tuyển theo đúng quy chế; Hội đồng tự giải thể sau khi hoàn thành nhiệm vụ."),
            paragraph("Điều 3. Chánh Văn phòng, Trưởng phòng Giáo dục Trung học, Hiệu trưởng các trường "
                      "trung học phổ thông và các thành viên có tên tại Điều 1 chịu trách nhiệm thi hành "
                      "Quyết định này./."),
        ),
        signature=signer)
    return Sample(name, (decision,), day=day, tcvn3=True, expected=expected(
        name, day, title, signer, doc_type="Quyết định", number=number, symbol=symbol, issuer=issuer,
        parent_issuer=parent, place=place))


def two_column_report() -> Sample:
    """A department's Báo cáo, turned into a PDF whose header columns share text lines."""
    name = "bc_two_column.pdf"
    number, symbol = "78", "78/BC-STC"
    parent, issuer = "UBND TỈNH QUẢNG NGÃI", "SỞ TÀI CHÍNH"
    place, day = "Quảng Ngãi", dt.date(2024, 7, 10)
    title = ("Tình hình thực hiện dự toán thu, chi ngân sách nhà nước",
             "6 tháng đầu năm 2024")
    signer = Signature(authority=(), title="GIÁM ĐỐC", name="Đoàn Ngọc Sơn",
                       recipients=("- UBND tỉnh (b/c);", "- Sở Kế hoạch và Đầu tư;", "- Kho bạc Nhà nước tỉnh;",
                                   "- Lưu: VT, NS."))
    report = Part(
        header_left=header_left(parent, (issuer,), f"Số: {symbol}"),
        header_right=header_right(f"{place}, {vn_date(day)}"),
        heading=(centred("BÁO CÁO", bold=True), *(centred(t, bold=True) for t in title)),
        body=(
            paragraph("Thực hiện Quyết định số 1520/QĐ-UBND ngày 15/12/2023 của UBND tỉnh Quảng Ngãi về "
                      "việc giao dự toán thu, chi ngân sách nhà nước năm 2024, Sở Tài chính báo cáo tình "
                      "hình thực hiện 6 tháng đầu năm 2024 như sau:"),
            heading("1. Thu ngân sách nhà nước"),
            paragraph("Tổng thu ngân sách nhà nước trên địa bàn ước đạt 11.482 tỷ đồng, bằng 54,3% dự "
                      "toán năm và tăng 8,7% so với cùng kỳ năm 2023; trong đó thu nội địa 9.615 tỷ đồng, "
                      "thu từ hoạt động xuất nhập khẩu 1.867 tỷ đồng."),
            heading("2. Chi ngân sách địa phương"),
            paragraph("Tổng chi ngân sách địa phương ước thực hiện 7.936 tỷ đồng, bằng 45,1% dự toán; "
                      "trong đó chi đầu tư phát triển 2.418 tỷ đồng, chi thường xuyên 5.392 tỷ đồng."),
            heading("3. Nhiệm vụ 6 tháng cuối năm"),
            paragraph("Tăng cường quản lý thu, chống thất thu; đẩy nhanh giải ngân vốn đầu tư công theo "
                      "Chỉ thị số 08/CT-UBND ngày 22/4/2024 của Chủ tịch UBND tỉnh; điều hành chi ngân "
                      "sách chặt chẽ, tiết kiệm, đúng dự toán được giao./."),
        ),
        signature=signer)
    return Sample(name, (report,), day=day, expected=expected(
        name, day, title, signer, doc_type="Báo cáo", number=number, symbol=symbol, issuer=issuer,
        parent_issuer=parent, place=place))


# The e-signed decision: the page prints blanks; the stamps fill them in.
ESIGNED_NAME = "qd_esigned.pdf"
ESIGNED_NUMBER, ESIGNED_DAY = "2280", "29"
ESIGNED_NUMBER_BLANK = " " * 11  # wide enough for four digits with air on both sides
ESIGNED_DAY_BLANK = " " * 6


def esigned_decision() -> Sample:
    """A Quyết định printed with blanks for the number and the day, which the stamps fill in."""
    name = ESIGNED_NAME
    symbol_tail = "/QĐ-UBND"
    issuer_lines = ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI")
    place, day = "Quảng Ngãi", dt.date(2026, 4, int(ESIGNED_DAY))
    title = ("Về việc công bố Danh mục thủ tục hành chính được tiếp nhận",
             "và giải quyết trực tuyến toàn trình trên địa bàn",
             "tỉnh Quảng Ngãi năm 2026")
    signer = Signature(authority=("KT. CHỦ TỊCH",), title="PHÓ CHỦ TỊCH", name="Hồ Quốc Trung",
                       recipients=("- Như Điều 3;", "- Văn phòng Chính phủ (Cục KSTTHC);",
                                   "- CT, các PCT UBND tỉnh;", "- Lưu: VT, KSTTHC."))
    decision = Part(
        header_left=header_left(None, issuer_lines, f"Số:{ESIGNED_NUMBER_BLANK}{symbol_tail}"),
        header_right=header_right(f"{place}, ngày{ESIGNED_DAY_BLANK}tháng {day.month} năm {day.year}"),
        heading=(centred("QUYẾT ĐỊNH", bold=True), *(centred(t, bold=True) for t in title),
                 centred("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", bold=True)),
        body=(
            paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;", italic=True),
            paragraph("Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ về thực "
                      "hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa "
                      "và Cổng Dịch vụ công quốc gia;", italic=True),
            paragraph("Theo đề nghị của Chánh Văn phòng UBND tỉnh tại Tờ trình số 85/TTr-VP ngày 24 tháng "
                      "4 năm 2026.", italic=True),
            centred("QUYẾT ĐỊNH:", bold=True),
            paragraph("Điều 1. Công bố kèm theo Quyết định này Danh mục 312 thủ tục hành chính được tiếp "
                      "nhận và giải quyết trực tuyến toàn trình trên địa bàn tỉnh Quảng Ngãi năm 2026."),
            paragraph("Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký."),
            paragraph("Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các sở, Thủ trưởng các ban, ngành thuộc "
                      "tỉnh, Chủ tịch UBND các xã, phường, đặc khu và các tổ chức, cá nhân có liên quan "
                      "chịu trách nhiệm thi hành Quyết định này./."),
        ),
        signature=signer)
    return Sample(name, (decision,), day=day, expected=expected(
        name, day, title, signer, doc_type="Quyết định", number=ESIGNED_NUMBER,
        symbol=ESIGNED_NUMBER + symbol_tail, issuer=" ".join(issuer_lines), parent_issuer=None, place=place))


# Four quarterly reports of one ward, as text PDFs whose results are a table (ruled,
# but for the second quarter's, drawn without lines and aligned by its columns):
# the figures an auditor follows over the year (``vanban figures``). Per quarter:
# received, decided on time, the on-time rate, filed online, and the funds spent.
QUARTERS = {
    # quarter: (number, day, received, on time, on-time rate, online, funds)
    1: ("52", dt.date(2025, 4, 3), 215, 206, "98,6", 138, 38),
    2: ("118", dt.date(2025, 7, 4), 248, 241, "98,8", 171, 42),
    3: ("176", dt.date(2025, 10, 3), 236, 233, "99,2", 180, 35),
    4: ("09", dt.date(2026, 1, 6), 281, 277, "99,6", 226, 51),
}
SAME_QUARTER_2024 = {1: (190, 181, "97,4", 96, 30), 2: (205, 196, "97,1", 110, 36),
                     3: (214, 207, "98,0", 124, 33), 4: (240, 231, "98,3", 150, 44)}
PLAN_2025 = ("900", "-", "100", "600", "160")  # Kế hoạch năm 2025; no target for cases on time
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# The fourth quarter's report breaks the year down by field of work: a table long
# enough to run over a page, its header repeated on the next.
FIELDS_2025 = (
    ("Hộ tịch", 412, 410), ("Chứng thực", 236, 236), ("Đất đai", 98, 92), ("Xây dựng", 41, 40),
    ("Lao động, tiền lương", 12, 12), ("Người có công", 27, 27), ("Bảo trợ xã hội", 64, 63),
    ("Giảm nghèo", 18, 18), ("Trẻ em", 9, 9), ("Phòng, chống tệ nạn xã hội", 3, 3),
    ("Văn hóa cơ sở", 15, 15), ("Thể dục, thể thao", 4, 4), ("Giáo dục và Đào tạo", 22, 22),
    ("Y tế", 11, 11), ("Nông nghiệp", 16, 16), ("Tài nguyên nước", 5, 5), ("Môi trường", 8, 8),
    ("Hộ kinh doanh", 57, 56), ("Thi đua, khen thưởng", 14, 14), ("Tôn giáo", 3, 3),
    ("Tiếp công dân", 21, 21), ("Giải quyết khiếu nại", 6, 5), ("Giải quyết tố cáo", 2, 2),
    ("Nuôi con nuôi", 1, 1), ("Quốc tịch", 2, 2), ("Bồi thường nhà nước", 1, 1),
    ("Kinh tế hợp tác", 3, 3), ("Phổ biến, giáo dục pháp luật", 7, 7),
)


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",")


def quarter_table(q: int) -> Table:
    _, _, received, on_time, rate, online, funds = QUARTERS[q]
    before = SAME_QUARTER_2024[q]
    now = (received, on_time, rate, online, funds)
    names = (("Hồ sơ tiếp nhận", "Hồ sơ"), ("Hồ sơ giải quyết đúng hạn", "Hồ sơ"),
             ("Tỷ lệ giải quyết đúng hạn", "%"), ("Hồ sơ nộp trực tuyến", "Hồ sơ"),
             ("Kinh phí cải cách hành chính", "Triệu đồng"))
    rows = [("STT", "Chỉ tiêu", "ĐVT", "Kế hoạch năm 2025", "Thực hiện", "", "So với cùng kỳ (%)"),
            ("", "", "", "", f"Quý {ROMAN[q]}/2025", "Cùng kỳ 2024", "")]
    for i, ((name, unit), plan, value, last) in enumerate(zip(names, PLAN_2025, now, before), 1):
        ratio = percent(float(str(value).replace(",", ".")), float(str(last).replace(",", ".")))
        rows.append((str(i), name, unit, plan, str(value), str(last), ratio))
    merges = ((0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 1, 3), (0, 4, 0, 5), (0, 6, 1, 6))
    return Table(tuple(rows), (1.4, 4.6, 1.8, 2.2, 2.1, 2.1, 2.3), header_rows=2, merges=merges, ruled=q != 2)  # Q2: aligned, no lines


def fields_table() -> Table:
    rows = [("STT", "Lĩnh vực", "Tiếp nhận (hồ sơ)", "Giải quyết đúng hạn (hồ sơ)", "Tỷ lệ đúng hạn (%)")]
    for i, (name, received, on_time) in enumerate(FIELDS_2025, 1):
        rows.append((str(i), name, str(received), str(on_time), percent(on_time, received)))
    return Table(tuple(rows), (1.4, 6.1, 2.8, 3.2, 3.0))


def quarter_report(q: int) -> Sample:
    """The ward's report on administrative reform for quarter ``q`` of 2025."""
    number, day, received, on_time, rate, online, funds = QUARTERS[q]
    name = f"bc_cchc_quy{q}_2025.pdf"
    symbol = f"{number}/BC-UBND"
    parent, issuer, place = "UBND THỊ XÃ ĐỨC PHỔ", "UBND PHƯỜNG PHỔ NINH", "Phổ Ninh"
    title = (f"Kết quả thực hiện công tác cải cách hành chính Quý {ROMAN[q]} năm 2025",)
    signer = Signature(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name="Trần Minh Khoa",
                       recipients=("- UBND thị xã Đức Phổ;", "- Phòng Nội vụ thị xã;", "- Lưu: VT."))
    body: list[Para | Table] = [
        paragraph("Thực hiện Kế hoạch số 14/KH-UBND ngày 10/01/2025 của UBND phường Phổ Ninh về cải "
                  f"cách hành chính năm 2025, UBND phường Phổ Ninh báo cáo kết quả Quý {ROMAN[q]} năm "
                  "2025 như sau:"),
        heading("I. KẾT QUẢ THỰC HIỆN"),
        paragraph(f"Trong Quý {ROMAN[q]}, Bộ phận Tiếp nhận và Trả kết quả phường đã tiếp nhận {received} "
                  f"hồ sơ, giải quyết đúng hạn {on_time} hồ sơ; kết quả cụ thể như sau:"),
        quarter_table(q),
    ]
    if q == 4:
        body += [paragraph("Kết quả giải quyết hồ sơ cả năm 2025 theo từng lĩnh vực như sau:"), fields_table()]
    body += [
        heading("II. NHIỆM VỤ TRỌNG TÂM"),
        paragraph("Tiếp tục đẩy mạnh tiếp nhận hồ sơ trực tuyến; rà soát, niêm yết đầy đủ thủ tục hành "
                  "chính tại Bộ phận Tiếp nhận và Trả kết quả phường./."),
    ]
    report = Part(
        header_left=header_left(parent, (issuer,), f"Số: {symbol}"),
        header_right=header_right(f"{place}, {vn_date(day)}"),
        heading=(centred("BÁO CÁO", bold=True), *(centred(t, bold=True) for t in title)),
        body=tuple(body), signature=signer)
    return Sample(name, (report,), day=day, expected=expected(
        name, day, title, signer, doc_type="Báo cáo", number=number, symbol=symbol, issuer=issuer,
        parent_issuer=parent, place=place))


def all_text(sample: Sample) -> list[str]:
    texts = []
    for part in sample.parts:
        for para in (*part.header_left, *part.header_right, *part.heading, *part.body):
            texts += [c for row in para.rows for c in row] if isinstance(para, Table) else [para.text]
        sig = part.signature
        texts += [*sig.authority, sig.title, sig.name, *sig.recipients]
    return texts


def check_nfc(sample: Sample) -> None:
    for text in all_text(sample):
        assert unicodedata.is_normalized("NFC", text), f"{sample.name}: not NFC: {text!r}"


# --- TCVN3 ----------------------------------------------------------------------

def tcvn3_encoding_table() -> dict[str, str]:
    """Unicode letter -> TCVN3 character, the inverse of ``ingest.vocabulary.legacy.TCVN3_TABLE``.

    That table also maps code points above U+00FF (U+2212, U+2219) which PDF text
    layers substitute for TCVN3 glyphs; TCVN3 is one byte per letter, so only the
    Latin-1 codes are real. U+00B7 is the genuine code of ``ã`` and is kept.
    """
    table: dict[str, str] = {}
    for code, letter in TCVN3_TABLE.items():
        if ord(code) <= 0xFF:
            assert letter not in table, f"two TCVN3 codes for {letter!r}"
            table[letter] = code
    return table


TCVN3_ENCODE = tcvn3_encoding_table()


def is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(c.islower() for c in letters)


def tcvn3_encode(text: str) -> tuple[str, str]:
    """(stored characters, font) for one line as a TCVN3-era Word file holds it.

    An all-capitals line goes in ``.VnTimeH``, which draws lower-case codes as
    capitals; TCVN3 has no codes for accented capitals other than Ă Â Ê Ô Ơ Ư Đ,
    so those are the only capitals a ``.VnTime`` line may carry.
    """
    heading_font = is_upper_line(text)
    source = text.lower() if heading_font else text
    out = []
    for char in source:
        if char.isascii():
            out.append(char)
        elif char in TCVN3_ENCODE:
            out.append(TCVN3_ENCODE[char])
        else:
            raise ValueError(f"no TCVN3 code for {char!r} in {text!r}: use capitals for the whole line")
    encoded = "".join(out)
    assert decode_tcvn3(encoded, heading_font) == (text.upper() if heading_font else text)
    return encoded, TCVN3_HEADING_FONT if heading_font else TCVN3_FONT


# --- DOCX -----------------------------------------------------------------------

ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
# A4 with 3 cm left and 1.5 cm right margins (Decree 30, Appendix I) leaves 16.5 cm,
# which the header and the signature tables split between their two columns.
HEADER_COLUMNS_CM = (6.5, 10.0)
SIGNATURE_COLUMNS_CM = (8.0, 8.5)


class DocxWriter:
    """Renders a ``Sample`` into a python-docx document, in Unicode or in TCVN3."""

    def __init__(self, sample: Sample) -> None:
        self.sample = sample

    def render(self) -> docx.document.Document:
        doc = docx.Document()
        self._page_setup(doc)
        self._normal_style(doc)
        for i, part in enumerate(self.sample.parts):
            if i:
                doc.add_page_break()
            self._part(doc, part)
        self._core_properties(doc)
        return doc

    def _page_setup(self, doc) -> None:
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)

    def _normal_style(self, doc) -> None:
        normal = doc.styles["Normal"]
        normal.font.name = self.sample.font
        normal.font.size = Pt(BODY_PT)
        normal.paragraph_format.space_after = Pt(0)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "vi-VN")
        normal.element.get_or_add_rPr().append(lang)

    def _core_properties(self, doc) -> None:
        props = doc.core_properties
        props.author = props.last_modified_by = self.sample.author
        props.created = props.modified = self.sample.issued
        props.revision = 1
        props.comments = ""  # the template says "generated by python-docx"

    def _part(self, doc, part: Part) -> None:
        self._two_columns(doc, part.header_left, part.header_right, HEADER_COLUMNS_CM)
        doc.add_paragraph()
        for para in part.heading:
            self._paragraph(doc.add_paragraph(), para)
        if part.heading:
            doc.add_paragraph()
        for para in part.body:
            if isinstance(para, Table):
                self._table(doc, para)
                continue
            p = doc.add_paragraph()
            self._paragraph(p, para)
            p.paragraph_format.space_after = Pt(6)
        doc.add_paragraph()
        self._signature(doc, part.signature)

    def _table(self, doc, spec: Table) -> None:
        """A ruled table; merged cells as Word merges them, header rows marked to repeat."""
        table = doc.add_table(rows=len(spec.rows), cols=len(spec.widths_cm))
        if spec.ruled:
            table.style = "Table Grid"
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for column, width in zip(table.columns, spec.widths_cm):
            column.width = Cm(width)
        for r, c, r2, c2 in spec.merges:
            table.cell(r, c).merge(table.cell(r2, c2))
        for r, row in enumerate(spec.rows):
            if r < spec.header_rows:
                flag = OxmlElement("w:tblHeader")
                flag.set(qn("w:val"), "true")
                table.rows[r]._tr.get_or_add_trPr().append(flag)
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.width = Cm(spec.widths_cm[c])
                if text:
                    left = r >= spec.header_rows and c == 1
                    self._paragraph(cell.paragraphs[0], Para(text, bold=r < spec.header_rows,
                                                             align="left" if left else "center", size=spec.size))
        doc.add_paragraph()

    def _signature(self, doc, sig: Signature) -> None:
        left = ()
        if sig.recipients:
            left = (Para("Nơi nhận:", bold=True, italic=True, align="left", size=HEADER_PT),
                    *(Para(item, align="left", size=RECIPIENT_PT) for item in sig.recipients))
        right = (*(centred(line, bold=True) for line in sig.authority), centred(sig.title, bold=True),
                 *(centred("") for _ in range(SIGNATURE_SPACE)), centred(sig.name, bold=True))
        self._two_columns(doc, left, right, SIGNATURE_COLUMNS_CM)

    def _two_columns(self, doc, left: tuple[Para, ...], right: tuple[Para, ...],
                     widths_cm: tuple[float, float]) -> None:
        """A borderless 1x2 table, the way Word users lay out the header and the signature."""
        table = doc.add_table(rows=1, cols=2)
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for column, width, lines in zip(table.columns, widths_cm, (left, right)):
            column.width = Cm(width)
            cell = column.cells[0]
            cell.width = Cm(width)
            for i, para in enumerate(lines):
                self._paragraph(cell.paragraphs[0] if i == 0 else cell.add_paragraph(), para)

    def _paragraph(self, p, para: Para) -> None:
        fmt = p.paragraph_format
        fmt.alignment = ALIGN[para.align]
        if para.first_indent:
            fmt.first_line_indent = Cm(1.0)
        if para.left_cm:
            fmt.left_indent = Cm(para.left_cm)
        if not para.text:
            return
        text, font = tcvn3_encode(para.text) if self.sample.tcvn3 else (para.text, None)
        run = p.add_run(text)
        run.bold, run.italic = para.bold or None, para.italic or None
        run.font.size = Pt(para.size)
        if font:
            run.font.name = font


FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def docx_bytes(doc, pages: int | None = None) -> bytes:
    """The saved package with fixed ZIP timestamps, and Word's page count if known."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/app.xml" and pages is not None:
                # The template claims 1 page; readers report this figure as the page count.
                data = re.sub(rb"<Pages>\d+</Pages>", b"<Pages>%d</Pages>" % pages, data)
            target.writestr(zipfile.ZipInfo(item.filename, FIXED_ZIP_TIME), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- Markdown -------------------------------------------------------------------

def md_line(para: Para) -> str:
    if not para.text or set(para.text) == {"_"}:
        return ""
    mark = "*" * (2 * para.bold + para.italic)
    return f"{mark}{para.text}{mark}"


def md_block(paras) -> list[str]:
    """Lines of one block joined by hard breaks (two trailing spaces), then a blank line."""
    lines = [line for line in map(md_line, paras) if line]
    return [line + "  " for line in lines[:-1]] + lines[-1:] + [""] if lines else []


def render_markdown(sample: Sample) -> str:
    out: list[str] = []
    for part in sample.parts:
        left = list(part.header_left)
        number_at = next((i for i, p in enumerate(left) if p.text.startswith("Số")), len(left))
        out += md_block(left[:number_at]) + md_block(left[number_at:])
        out += md_block(part.header_right[:-1]) + md_block(part.header_right[-1:])
        out += md_block(part.heading)
        for para in part.body:
            out += md_block([para])
        sig = part.signature
        if sig.recipients:
            out += ["***Nơi nhận:***", ""] + list(sig.recipients) + [""]
        out += md_block([centred(line, bold=True) for line in (*sig.authority, sig.title)])
        out += md_block([centred(sig.name, bold=True)])
    return "\n".join(out).rstrip() + "\n"


# --- LibreOffice and PDF --------------------------------------------------------

def soffice_to_pdf(sources: list[Path], outdir: Path) -> None:
    """Convert DOCX files to PDF in one LibreOffice run, with a throw-away profile.

    TZ=UTC keeps the time zone LibreOffice writes into /CreationDate the same everywhere.
    """
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        sys.exit("make_samples: LibreOffice (soffice) is needed for the PDF samples")
    profile = outdir / "lo-profile"
    cmd = [binary, "--headless", "--norestore", "--nologo", "--nolockcheck",
           f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
           "--outdir", str(outdir), *map(str, sources)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "TZ": "UTC"})
    missing = [s.name for s in sources if not (outdir / (s.stem + ".pdf")).exists()]
    if done.returncode != 0 or missing:
        sys.exit(f"make_samples: soffice failed on {missing or sources}: {done.stderr.strip()}")


def pdf_page_count(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def fixed_hex(seed: str) -> bytes:
    return hashlib.md5(seed.encode()).hexdigest().upper().encode()


def normalise_pdf(data: bytes, seed: str, issued: dt.datetime) -> bytes:
    """Overwrite what LibreOffice changes on every run with fixed values of the same length.

    Same length, so every offset in the xref table stays right.
    """
    stamp = issued.strftime("%Y%m%d%H%M%S").encode()

    def same_length(pattern: bytes, value: bytes, data: bytes) -> bytes:
        def swap(m: re.Match) -> bytes:  # replace group 1 only, keep the rest of the match
            assert len(m.group(1)) == len(value)
            start, end = m.start(1) - m.start(0), m.end(1) - m.start(0)
            return m.group(0)[:start] + value + m.group(0)[end:]
        data, n = re.subn(pattern, swap, data)
        assert n, f"PDF lacks {pattern!r}"
        return data

    data = same_length(rb"/CreationDate\(D:(\d{14})", stamp, data)
    data = same_length(rb"/ID\s*\[\s*<([0-9A-F]{32})>", fixed_hex(seed), data)
    data = same_length(rb"/ID\s*\[\s*<[0-9A-F]{32}>\s*<([0-9A-F]{32})>", fixed_hex(seed), data)
    return same_length(rb"/DocChecksum\s*/([0-9A-F]{32})", fixed_hex(seed + "/checksum"), data)


# --- signature widgets: an incremental update written by hand ----------------------

@dataclass
class Stamp:
    """Text a signing tool stamps into a blank, as a signature widget's appearance."""

    field_name: str
    text: str
    left: float               # the blank, in PDF user space
    right: float
    baseline: float
    font_size: float


class ClassicPdf:
    """Just enough of a PDF with a classic xref table to append an incremental update."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        if not data[self.startxref:].startswith(b"xref"):
            raise ValueError("the PDF uses an xref stream; this script writes classic tables only")
        self.offsets = self._xref_offsets()
        trailer_at = data.index(b"trailer", self.startxref)
        self.trailer = data[trailer_at:data.index(b"startxref", trailer_at)]
        self.size = int(self._ref_in(self.trailer, rb"/Size\s+(\d+)"))

    def _xref_offsets(self) -> dict[int, int]:
        offsets: dict[int, int] = {}
        lines = self.data[self.startxref:self.data.index(b"trailer", self.startxref)].split(b"\n")[1:]
        first = 0
        for line in lines:
            parts = line.split()
            if len(parts) == 2:
                first = int(parts[0])
            elif len(parts) == 3:
                if parts[2] == b"n":
                    offsets[first] = int(parts[0])
                first += 1
        return offsets

    @staticmethod
    def _ref_in(text: bytes, pattern: bytes) -> bytes:
        m = re.search(pattern, text)
        if not m:
            raise ValueError(f"PDF object lacks {pattern!r}")
        return m.group(1)

    def dictionary(self, num: int) -> bytes:
        """The ``<<...>>`` of an object without a stream."""
        start = self.offsets[num]
        body = self.data[start:self.data.index(b"endobj", start)]
        body = body[body.index(b"obj") + 3:].strip()
        assert body.startswith(b"<<") and body.endswith(b">>") and b"stream" not in body, num
        return body

    def root(self) -> int:
        return int(self._ref_in(self.trailer, rb"/Root\s+(\d+)\s+0\s+R"))

    def first_page(self) -> int:
        pages = int(self._ref_in(self.dictionary(self.root()), rb"/Pages\s+(\d+)\s+0\s+R"))
        return int(self._ref_in(self.dictionary(pages), rb"/Kids\s*\[\s*(\d+)\s+0\s+R"))

    def trailer_entry(self, key: bytes) -> bytes:
        m = re.search(rb"/" + key + rb"\s*(\[[^\]]*\]|\d+\s+0\s+R)", self.trailer)
        return b"/" + key + b" " + m.group(1) if m else b""


def pdf_string(text: str) -> bytes:
    return b"(" + text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_number(value: float) -> bytes:
    return f"{value:.2f}".rstrip("0").rstrip(".").encode()


HELVETICA_DIGIT_WIDTH = 0.556  # em; the standard-14 Helvetica metrics


def stamp_objects(stamp: Stamp, widget: int, appearance: int, font: int, page: int) -> dict[int, bytes]:
    """The widget annotation (also the /Sig field) and its /AP /N form drawing the text."""
    text_width = HELVETICA_DIGIT_WIDTH * stamp.font_size * len(stamp.text)
    if text_width > stamp.right - stamp.left:
        raise ValueError(f"{stamp.text!r} is wider than its blank: widen the blank in the document")
    descent, ascent = 0.25 * stamp.font_size, 0.95 * stamp.font_size
    rect = (stamp.left, stamp.baseline - descent, stamp.right, stamp.baseline + ascent)
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    x = (width - text_width) / 2  # centred in the blank, as signing tools place it
    content = b"BT /Helv %s Tf 0 0 0 rg %s %s Td %s Tj ET" % (
        pdf_number(stamp.font_size), pdf_number(x), pdf_number(descent), pdf_string(stamp.text))
    form = (b"<</Type/XObject/Subtype/Form/BBox[0 0 %s %s]/Resources<</Font<</Helv %d 0 R>>>>/Length %d>>\n"
            b"stream\n%s\nendstream" % (pdf_number(width), pdf_number(height), font, len(content), content))
    annot = (b"<</Type/Annot/Subtype/Widget/FT/Sig/T%s/F 4/P %d 0 R/Rect[%s]/AP<</N %d 0 R>>>>"
             % (pdf_string(stamp.field_name), page, b" ".join(map(pdf_number, rect)), appearance))
    return {widget: annot, appearance: form}


def add_signature_stamps(data: bytes, stamps: list[Stamp]) -> bytes:
    """Append an incremental update: a font, one widget + appearance per stamp, the first
    page with /Annots, and the catalog with an /AcroForm listing the fields.

    The fields carry no /V: a real signature needs a certificate, and the parser
    only reads the appearance, which is what a viewer prints.
    """
    pdf = ClassicPdf(data)
    page, root = pdf.first_page(), pdf.root()
    if b"/Annots" in pdf.dictionary(page) or b"/AcroForm" in pdf.dictionary(root):
        raise ValueError("the base PDF already has annotations or a form")
    next_num = pdf.size
    font = next_num
    objects = {font: b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"}
    widgets = []
    for i, stamp in enumerate(stamps):
        widget, appearance = next_num + 1 + 2 * i, next_num + 2 + 2 * i
        objects.update(stamp_objects(stamp, widget, appearance, font, page))
        widgets.append(widget)
    refs = b" ".join(b"%d 0 R" % w for w in widgets)
    objects[page] = pdf.dictionary(page)[:-2] + b"/Annots[" + refs + b"]>>"
    objects[root] = pdf.dictionary(root)[:-2] + b"/AcroForm<</Fields[" + refs + b"]>>>>"
    return append_update(pdf, objects, size=next_num + 1 + 2 * len(stamps))


def append_update(pdf: ClassicPdf, objects: dict[int, bytes], size: int) -> bytes:
    out = bytearray(pdf.data if pdf.data.endswith(b"\n") else pdf.data + b"\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    xref_at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
    out += (b"trailer\n<</Size %d/Root %d 0 R%s%s/Prev %d>>\nstartxref\n%d\n%%%%EOF\n"
            % (size, pdf.root(), pdf.trailer_entry(b"Info"), pdf.trailer_entry(b"ID"),
               pdf.startxref, xref_at))
    return bytes(out)


def page_chars(page) -> tuple[str, object]:
    """Page text with one character per PDFium char index, and the text page."""
    textpage = page.get_textpage()
    count = pdfium_raw.FPDFText_CountChars(textpage)
    text = "".join(chr(pdfium_raw.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    return text, textpage


def find_blank(pdf_data: bytes, pattern: str, field_name: str, value: str) -> Stamp:
    """The gap between the two characters around group 1 of ``pattern`` on page 1."""
    pdf = pdfium.PdfDocument(pdf_data)
    try:
        text, textpage = page_chars(pdf[0])
        m = re.search(pattern, text)
        if not m:
            raise ValueError(f"no {pattern!r} on page 1 of the base PDF")
        before, after = m.start(1) - 1, m.end(1)
        left = textpage.get_charbox(before)[2]
        right = textpage.get_charbox(after)[0]
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_raw.FPDFText_GetCharOrigin(textpage, before, ctypes.byref(x), ctypes.byref(y))
        size = pdfium_raw.FPDFText_GetFontSize(textpage, before)
        textpage.close()
        return Stamp(field_name, value, left, right, y.value, size)
    finally:
        pdf.close()


def verify_esigned(path: Path, number: str) -> None:
    """The number must be absent from the page text and present once widgets are flattened."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[0]
        assert number not in page.get_textpage().get_text_range(), "number leaked into the page text"
        assert pdfium_raw.FPDFPage_Flatten(page, pdfium_raw.FLAT_NORMALDISPLAY) == pdfium_raw.FLATTEN_SUCCESS
        page.close()
        assert number in pdf[0].get_textpage().get_text_range(), "flattened page lacks the number"
    finally:
        pdf.close()


def esigned_pdf(base: bytes) -> bytes:
    stamps = [
        find_blank(base, r"Số:(\s+)/QĐ", "SoVanBan", ESIGNED_NUMBER),
        find_blank(base, r"ngày(\s+)tháng", "NgayBanHanh", ESIGNED_DAY),
    ]
    return add_signature_stamps(base, stamps)


# --- main -----------------------------------------------------------------------

SCAN_NAME = "bc_scan.png"


def scanned_copy(pdf_path: Path) -> bytes:
    """The two-column report as an office scanner gives it back: 200 dpi, a little
    askew, specks, and a red seal over the signature. Seeded, so the PNG is the
    same on every run."""
    import random

    from PIL import Image, ImageDraw
    pdf = pdfium.PdfDocument(str(pdf_path))
    page = pdf[0].render(scale=200 / 72).to_pil().convert("RGB")
    pdf.close()
    page = page.rotate(-0.6, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    draw = ImageDraw.Draw(page)
    rnd = random.Random(2024)
    for _ in range(1500):
        x, y = rnd.randrange(page.width), rnd.randrange(page.height)
        draw.point((x, y), fill=(90, 90, 90))
    cx, cy, r = int(page.width * 0.66), int(page.height * 0.62), 120
    for width in (8, 3):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(205, 30, 40), width=width)
        r -= 22
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", dpi=(200, 200))
    return buffer.getvalue()


def write(path: Path, data: bytes, written: list[Path]) -> None:
    path.write_bytes(data)
    written.append(path)


def main() -> None:
    docx_samples = [ward_report(), ward_plan(), ward_campaign_plan(), decision_with_regulation(), amending_decision(),
                    cong_van(), tcvn3_decision()]
    pdf_samples = [two_column_report(), esigned_decision(), *(quarter_report(q) for q in QUARTERS)]
    md_sample = ward_report("bc_ward_report.md")
    for sample in (*docx_samples, *pdf_samples):
        check_nfc(sample)

    documents = {s.name: DocxWriter(s).render() for s in (*docx_samples, *pdf_samples)}

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="vanban-samples-") as tmp:
        workdir = Path(tmp)
        sources = []
        for name, doc in documents.items():
            source = workdir / (Path(name).stem + ".docx")
            source.write_bytes(docx_bytes(doc))
            sources.append(source)
        # One LibreOffice run: the PDFs to ship, and page counts for the DOCX files.
        soffice_to_pdf(sources, workdir)
        for sample in docx_samples:
            pages = pdf_page_count(workdir / (Path(sample.name).stem + ".pdf"))
            write(SAMPLES / sample.name, docx_bytes(documents[sample.name], pages), written)
        for sample in pdf_samples:
            data = normalise_pdf((workdir / sample.name).read_bytes(), sample.name, sample.issued)
            if sample.name == ESIGNED_NAME:
                data = esigned_pdf(data)
            write(SAMPLES / sample.name, data, written)
    verify_esigned(SAMPLES / ESIGNED_NAME, ESIGNED_NUMBER)
    report = next(s for s in pdf_samples if s.name == "bc_two_column.pdf")
    write(SAMPLES / SCAN_NAME, scanned_copy(SAMPLES / report.name), written)
    scan_truth = {**report.expected, "path": f"samples/{SCAN_NAME}"}

    write(SAMPLES / md_sample.name, render_markdown(md_sample).encode("utf-8"), written)
    truth = [s.expected for s in (*docx_samples, *pdf_samples, md_sample)] + [scan_truth]
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in truth)
    write(SAMPLES / "expected.jsonl", lines.encode("utf-8"), written)

    for path in written:
        print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
