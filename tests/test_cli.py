"""``vanban parse`` through click's CliRunner, on real files."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import REAL, need_shared
from ingest.ocr.tesseract import tesseract_version
from search_cli import cli

REPORT = """UBND HUYỆN SƠN TỊNH
Số: 12/BC-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Sơn Tịnh, ngày 04 tháng 3 năm 2024
BÁO CÁO
Kết quả tiếp công dân Quý I/2024
Căn cứ Luật Tiếp công dân năm 2013;
Nơi nhận:
- UBND tỉnh;
- Lưu: VT.
CHỦ TỊCH
Võ Văn Quang
"""


def test_parse_json_fields(tmp_path):
    path = tmp_path / "bc.txt"
    path.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", "--json", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    for field in ("path", "sha256", "format", "pages", "encoding", "needs_ocr", "doc_type", "type_code",
                  "number", "symbol", "issuer", "issuer_key", "parent_issuer", "place", "date", "title",
                  "signer_name", "signer_title", "signer_authority", "recipients", "text", "provenance",
                  "warnings"):
        assert field in record
    assert (record["symbol"], record["date"], record["signer_name"]) == ("12/BC-UBND", "2024-03-04", "Võ Văn Quang")
    assert record["format"] == "txt" and len(record["sha256"]) == 64


def test_parse_summary_and_folder(tmp_path):
    (tmp_path / "bc.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "~$bc.docx").write_bytes(b"lock file")  # Word's lock file: skipped
    result = CliRunner().invoke(cli, ["parse", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Báo cáo 12/BC-UBND — 2024-03-04, Sơn Tịnh" in result.output
    assert "Võ Văn Quang, CHỦ TỊCH" in result.output


def test_parse_real_doc_and_scan():
    need_shared(REAL)
    result = CliRunner().invoke(cli, ["parse", "--json", "--no-ocr", str(REAL / "tt_155_1998_btc_tcvn3.doc"),
                                      str(REAL / "scan_gm_147_syt.pdf")])
    assert result.exit_code == 0, result.output
    doc, scan = (json.loads(line) for line in result.output.splitlines())
    assert (doc["format"], doc["encoding"], doc["symbol"]) == ("doc", "tcvn3", "155/1998/TT-BTC")
    assert doc["issuer"] == "BỘ TÀI CHÍNH" and doc["signer_name"] == "Trần Văn Tá"
    assert scan["needs_ocr"] and scan["ocr_pages"] == [0] and scan["ocr_confidence"] is None


@pytest.mark.skipif(not tesseract_version(), reason="Tesseract with the vie model is not installed")
def test_parse_reads_a_scan_by_ocr():
    need_shared(REAL)
    result = CliRunner().invoke(cli, ["parse", str(REAL / "scan_gm_147_syt.pdf")])
    assert result.exit_code == 0, result.output
    assert "Giấy mời" in result.output and "Nguyễn Trúc Giang" in result.output
    assert "OCR" in result.output
