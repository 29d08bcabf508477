"""``index.terminal`` in Vietnamese: the lines of a real record, a search, a trace
and the stats as the catalog says them, with dates and numbers as Vietnamese
writes them; every message of the module translated in the catalog, its
placeholders kept; and the command line speaking the language of the environment.
The English lines themselves are asserted by ``test_terminal`` and the CLI tests."""
from __future__ import annotations

import re
import string

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from index import i18n, terminal
from index.graph import CitingDocument, CitingGroup, Node
from index.query import Hit, Results
from index.run import IngestReport
from ingest.parse import parse_file
from search_cli import cli

BOLD, YELLOW, RESET = "\x1b[1m", "\x1b[33m", "\x1b[0m"
WARD = SAMPLES / "bc_ward_report.docx"  # a report with a signer, citations, a period and figures
TERMINAL_PY = ROOT / "index" / "terminal.py"
TERMINAL_PO = ROOT / "index" / "locale" / "vi" / "LC_MESSAGES" / "terminal.po"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# English words a Vietnamese line must not keep (a message the catalog missed).
ENGLISH = re.compile(r"document\(s\)|page\(s\)|file\(s\)|\bissuer:|\byear:|cited by|\bpages\b|also at|"
                     r"\bby (year|type|issuer)\b|\[missing\]|\bunknown\b|\bundated\b")


@pytest.fixture(scope="module")
def ward():
    return parse_file(str(WARD)).to_dict()


@pytest.fixture
def vi():
    with i18n.using("vi"):
        yield


def _english_labels(lines):
    """The lines of a summary that start with an English label of the catalog."""
    return [line for line in lines for label in terminal.FIELD_LABELS if line.startswith(f"  {label}:")]


def test_record_in_vietnamese(vi, ward):
    lines = terminal.record_lines(ward)
    assert lines[1] == "  Báo cáo 45/BC-UBND — 05/4/2024, Phổ Ninh"  # Nghị định 30's date
    assert lines[2] == "  Cơ quan ban hành: UBND PHƯỜNG PHỔ NINH  (trực thuộc UBND THỊ XÃ ĐỨC PHỔ)"
    assert "  Người ký:         Trần Minh Khoa, CHỦ TỊCH  (TM. ỦY BAN NHÂN DÂN)" in lines
    assert "  Văn bản được dẫn: 5" in lines
    # a day below 10 and the months 1 and 2 with a leading zero; the plan it issues
    assert ("    - [thực hiện] Quyết định 120/QĐ-UBND (15/01/2024); ban hành Kế hoạch cải cách hành chính năm 2024"
            in lines)
    assert "  Thời gian:        Quý I năm 2024 (từ 01/01/2024 đến 31/3/2024)" in lines
    assert lines[0].endswith("(docx, 2 trang, unicode)")
    assert any(line.startswith("  Nơi nhận:         5 (") for line in lines)
    values = [line for line in lines if not line.startswith("  Ghi chú:")]  # notes are the parser's words
    assert _english_labels(lines) == [] and not any(ISO_DATE.search(line) for line in values)
    assert not any(ENGLISH.search(line) for line in values)


def test_record_variants_in_vietnamese(vi, ward):
    """The lines a record has only sometimes: marks, standing, OCR, more citations, inferred issuer."""
    record = dict(ward, confidentiality="Mật", needs_ocr=False, ocr_pages=[0, 2], ocr_confidence=91.5,
                  provenance=dict(ward["provenance"], issuer="inferred"),
                  citations=[c for c in ward["citations"] if c["part"] == "main"] * 2,
                  standing=[{"relation": "thay_the", "doc_type": "Quyết định", "symbol": "9/QĐ-UBND",
                             "date": "2024-05-02", "effective_date": "2024-05-10"}])
    lines = terminal.record_lines(record)
    assert lines[2].endswith("  [suy ra từ nội dung văn bản]")
    assert "  Độ mật, độ khẩn:  độ mật: Mật" in lines
    assert "    … và 2 văn bản khác" in lines
    assert lines[lines.index("  Hiệu lực:         có 1 văn bản trong kho làm thay đổi văn bản này") + 1] == (
        "    - bị thay thế bởi Quyết định 9/QĐ-UBND (02/5/2024), có hiệu lực từ ngày 10/5/2024")
    assert lines[-1] == "  Đã nhận dạng:     trang 1, 3, độ tin cậy nhận dạng trung bình của từ 91,5%"
    assert terminal.record_lines(dict(record, standing=[]))[-4] == (
        "  Hiệu lực:         chưa có văn bản nào trong kho sửa đổi, bổ sung, thay thế hoặc bãi bỏ văn bản này")
    waiting = terminal.record_lines(dict(ward, needs_ocr=True, ocr_pages=[0], symbol=None, doc_type=None))
    assert waiting[1].startswith("  không xác định được loại văn bản và số, ký hiệu")
    assert "  Chờ nhận dạng:    trang 1" in waiting


def test_search_in_vietnamese(vi):
    hit = Hit(path="/kho/bc.docx", symbol="45/BC-UBND", doc_type="Báo cáo", date="2024-04-05",
              issuer="UBND PHƯỜNG PHỔ NINH", title="Kết quả cải cách hành chính", score=2.51,
              snippet="«kế» «hoạch»", also_at=["/kho/bc.md"])
    results = Results(total=1250, hits=[hit], exact=False, relaxed=True,
                      facets={"year": {"2024": 1200, "2023": 50}, "type": {"Báo cáo": 1250}, "issuer": {"unknown": 3}})
    assert terminal.search_lines(results) == [
        "khoảng 1.250 văn bản khớp với phần lớn các từ tìm kiếm (không có hoặc rất ít văn bản chứa đủ tất cả các từ)",
        "",
        f"{BOLD}Báo cáo 45/BC-UBND{RESET}  05/4/2024  UBND PHƯỜNG PHỔ NINH  [2.51]",
        "  Kết quả cải cách hành chính",
        "  «kế» «hoạch»",
        "  /kho/bc.docx",
        "  cũng có tại: /kho/bc.md",
        "",
        "theo năm: 2024: 1.200, 2023: 50",
        "",
        "theo loại: Báo cáo: 1.250",
        "",
        "theo cơ quan ban hành: không rõ: 3",
    ]
    assert terminal.search_lines(Results(total=3, hits=[])) == ["3 văn bản"]


def test_cites_and_trace_in_vietnamese(vi):
    citing = CitingDocument(record={"doc_type": "Báo cáo", "symbol": "45/BC-UBND", "date": "2024-04-05",
                                    "issuer": "UBND PHƯỜNG PHỔ NINH", "path": "/kho/bc.docx"},
                            citation={"relation": "thuc_hien", "text": "Kế hoạch số 16/KH-UBND"})
    group = CitingGroup(key="16/KH-UBND||2024", total=3, documents=[citing])
    lines = terminal.citing_lines([group], "16/KH-UBND")
    assert lines[0] == f"{BOLD}16/KH-UBND  cơ quan ban hành: không ghi  năm: 2024  được dẫn bởi 3 văn bản{RESET}"
    assert lines[1].startswith("  Báo cáo 45/BC-UBND  05/4/2024  UBND PHƯỜNG PHỔ NINH")
    assert lines[-1] == "  ... và 2 văn bản khác (--limit 0 để liệt kê tất cả)"
    assert terminal.citing_lines([], "9/QĐ") == ["không có văn bản nào trong kho dẫn 9/QĐ"]
    node = Node("Luật Tổ chức chính quyền địa phương", "cited", "missing", date="2015-06-19", relation="can_cu")
    assert terminal.trace_lines(node) == [
        f"[căn cứ] Luật Tổ chức chính quyền địa phương  19/6/2015{YELLOW}  [không có trong kho]{RESET}"]


def test_stats_and_ingest_in_vietnamese(vi):
    stats = {"documents": 1250, "by_year": {"2024": 1200, "unknown": 50}, "by_type": {"Quyết định": 1250},
             "by_issuer": {"UBND tỉnh Quảng Ngãi": 1250}, "failed": [{"path": "/kho/x.pdf", "error": "not a PDF"}],
             "waiting_for_ocr": ["/kho/scan.png"], "citations": 3400, "unresolved_citations": 12,
             "numbered_twice": [{"symbol": "5/QĐ-UBND", "issuer": None, "year": "2024", "contents": []}]}
    assert terminal.stats_lines(stats) == [
        "1.250 văn bản",
        "theo năm: 2024 1.200, không rõ 50",
        "theo loại: Quyết định 1.250",
        "theo cơ quan ban hành: UBND tỉnh Quảng Ngãi 1.250",
        "tệp lỗi: 1",
        "  /kho/x.pdf: not a PDF",
        "chờ nhận dạng (OCR): 1",
        "trích dẫn: 3.400, trong đó dẫn tới văn bản không có trong kho: 12",
        "số, ký hiệu được cấp cho hai văn bản khác nhau: 1 (lệnh vanban duplicates liệt kê chi tiết)",
    ]
    group = {"symbol": "5/QĐ-UBND", "issuer": None, "year": "2024",
             "contents": [{"date": None, "title": "Về việc A", "paths": ["/kho/a.pdf"]}]}
    assert terminal.numbered_twice_lines([group], warning=True)[:2] == [
        "cảnh báo: 5/QĐ-UBND của cơ quan không rõ tên, năm 2024: cùng số, ký hiệu của 1 văn bản khác nhau",
        "  không ghi ngày  Về việc A"]
    report = IngestReport(added=2, seconds=1.5, added_paths=["/kho/a.pdf"], repaired=1, unrestorable=1)
    assert terminal.ingest_report_lines(report, verbose=True) == [
        "thêm mới: /kho/a.pdf",
        "thêm mới 2, thay thế 0, không đổi 0, lấy từ bộ nhớ đệm 0, gỡ bỏ 0, lỗi 0 (1,5 giây); 0 chờ nhận dạng (OCR)",
        "đã sửa chỉ mục: khôi phục 1 văn bản từ kết quả phân tích đã lưu; 1 văn bản không còn kết quả phân tích: "
        "hãy nạp lại các tệp đó"]
    assert terminal.error_line("/kho/x.pdf", "bad") == "lỗi: /kho/x.pdf: bad"
    assert terminal.archive_ready_line("/kho/ix", 8) == "kho đã sẵn sàng: /kho/ix (8 văn bản)"


# --- the catalog --------------------------------------------------------------------

def _messages() -> list[str]:
    """Every message index/terminal.py says (the singular and plural of an ngettext)."""
    found = extract_from_file("python", str(TERMINAL_PY), keywords={"_": None, "N_": None, "ngettext": (1, 2)})
    return sorted({m for _, message, _, _ in found for m in (message if isinstance(message, tuple) else [message])
                   if m})


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_is_translated():
    messages = _messages()
    assert len(messages) > 50 and "Signer" in messages and "[missing]" in messages
    catalog = i18n.translations("vi")
    # every message of the terminal has Vietnamese words: none is the same in both languages
    untranslated = [m for m in messages if catalog.gettext(m) in ("", m)]
    assert untranslated == []


def test_translations_keep_their_placeholders():
    """A placeholder lost would print nothing of its value, one added a KeyError."""
    catalog = i18n.translations("vi")
    wrong = {m: catalog.gettext(m) for m in _messages() if _placeholders(catalog.gettext(m)) != _placeholders(m)}
    assert wrong == {}


def test_the_catalog_holds_no_message_the_code_no_longer_says():
    with open(TERMINAL_PO, "rb") as handle:
        catalog = read_po(handle, locale="vi")
    assert catalog.plural_forms == "nplurals=1; plural=0;" and catalog.charset.lower() == "utf-8"
    assert sorted(m.id for m in catalog if m.id) == _messages()


# --- the command line ----------------------------------------------------------------

LOCALE_VARS = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


@pytest.mark.parametrize("lang, signer", [("vi_VN.UTF-8", "  Người ký:         "), ("C.UTF-8", "  Signer:     ")])
def test_the_command_speaks_the_language_of_the_environment(lang, signer):
    result = CliRunner().invoke(cli, ["parse", str(WARD)], env={**LOCALE_VARS, "LANG": lang})
    assert result.exit_code == 0, result.output
    assert f"{signer}Trần Minh Khoa, CHỦ TỊCH" in result.output
