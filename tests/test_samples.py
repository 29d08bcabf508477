"""Our own samples (samples/make_samples.py) parse to the values they were written with."""
from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest

from conftest import ROOT, SAMPLES
from ingest.ocr.tesseract import OcrSettings, tesseract_version
from ingest.parse import parse_file
from scoring import field_matches

EXPECTED = [json.loads(line) for line in (SAMPLES / "expected.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


BORN_DIGITAL = [e for e in EXPECTED if not e["path"].endswith(".png")]
SCANNED = [e for e in EXPECTED if e["path"].endswith(".png")]


@pytest.mark.parametrize("expected", BORN_DIGITAL, ids=[e["path"] for e in BORN_DIGITAL])
def test_sample_header(expected):
    doc = parse_file(str(ROOT / expected["path"])).to_dict()
    got = {field: doc[field] for field in expected if field != "path"}
    assert got == {k: v for k, v in expected.items() if k != "path"}


@pytest.mark.skipif(not tesseract_version(), reason="Tesseract with the vie model is not installed")
@pytest.mark.parametrize("expected", SCANNED, ids=[e["path"] for e in SCANNED])
def test_scanned_sample_header(expected, tmp_path):
    """The two-column report scanned back (askew, specks, a red seal over the
    signer's title): every field but that title read right, the title within OCR's
    slips (``chỉ`` for ``chi``)."""
    doc = parse_file(str(ROOT / expected["path"]), OcrSettings(cache_dir=str(tmp_path))).to_dict()
    assert doc["ocr_pages"] == [0] and doc["ocr_confidence"] > 85
    for field, value in expected.items():
        if field not in ("path", "signer_title"):
            assert field_matches(field, doc[field], value), (field, doc[field], value)
    assert {c["symbol"] for c in doc["citations"]} == {"1520/QĐ-UBND", "08/CT-UBND"}
    assert {f["value"] for f in doc["figures"] if f["unit"] == "tỷ đồng"} >= {11482, 9615, 1867, 7936}


def test_esigned_number_and_day_live_only_in_widgets():
    """The page content has blanks; the widgets' appearances carry 2280 and 29."""
    path = SAMPLES / "qd_esigned.pdf"
    pdf = pdfium.PdfDocument(str(path))
    plain = pdf[0].get_textpage().get_text_range()
    pdf.close()
    assert "2280" not in plain
    doc = parse_file(str(path))
    assert (doc.number, doc.symbol, doc.date) == ("2280", "2280/QĐ-UBND", "2026-04-29")
    assert any("signature widgets" in w for w in doc.warnings)


def test_attachment_never_overwrites_the_decision():
    doc = parse_file(str(SAMPLES / "qd_with_attachment.docx"))
    assert doc.doc_type == "Quyết định" and doc.symbol == "215/QĐ-UBND"
    assert "QUY CHẾ" in doc.text  # the attachment stays in the text


def test_two_column_pdf_text_reads_one_column_then_the_other():
    doc = parse_file(str(SAMPLES / "bc_two_column.pdf"))
    first = doc.text.splitlines()[:6]
    assert not any("CỘNG HÒA" in line and "SỞ" in line for line in first)
