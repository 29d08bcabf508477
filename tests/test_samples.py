"""Our own samples (samples/make_samples.py) parse to the values they were written with."""
from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest

from conftest import ROOT, SAMPLES
from ingest.parse import parse_file

EXPECTED = [json.loads(line) for line in (SAMPLES / "expected.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.mark.parametrize("expected", EXPECTED, ids=[e["path"] for e in EXPECTED])
def test_sample_header(expected):
    doc = parse_file(str(ROOT / expected["path"])).to_dict()
    got = {field: doc[field] for field in expected if field != "path"}
    assert got == {k: v for k, v in expected.items() if k != "path"}


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
