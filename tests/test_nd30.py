"""The national metadata standard (``ingest/vocabulary/nd30.py``): an archive of our
samples exported as XML and JSON on both backends, each valid against a schema
written from Phụ lục VI of Nghị định 30/2020/NĐ-CP (``tests/data/nd30.*``), and
read back unchanged; a file that is not an exchange file is refused plainly."""
from __future__ import annotations

import json
import pathlib

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner

from conftest import BACKENDS, SAMPLES, archive_of
from ingest.parse import parse_file
from ingest.vocabulary import nd30
from search_cli import cli

HERE = pathlib.Path(__file__).resolve().parent
BORN_DIGITAL = ["bc_ward_report.docx", "qd_with_attachment.docx", "qd_sua_doi.docx", "cv_cong_van.docx",
                "qd_tcvn3_legacy.docx", "qd_esigned.pdf", "kh_cchc_2024.docx"]


@pytest.fixture(scope="module")
def schemas():
    return (xmlschema.XMLSchema(str(HERE / "data" / "nd30.xsd")),
            json.loads((HERE / "data" / "nd30.schema.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request, tmp_path_factory):
    return archive_of(request, tmp_path_factory, dict.fromkeys(BORN_DIGITAL))


def exported(index, fmt: str) -> bytes:
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--index", str(index)])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_the_export_is_valid_and_reads_back_unchanged(archive, schemas):
    folder, index = archive
    xsd, json_schema = schemas
    xml, data = exported(index, "nd30-xml"), exported(index, "nd30-json")
    xsd.validate(xml.decode("utf-8"))
    jsonschema.validate(json.loads(data), json_schema)
    documents = nd30.read_json(data)
    assert nd30.read_xml(xml) == documents and len(documents) == len(BORN_DIGITAL)
    assert nd30.read_xml(nd30.to_xml(documents)) == documents
    by_file = {pathlib.Path(d["File"]["Path"]).name: d for d in documents}
    report = by_file["bc_ward_report.docx"]
    assert {k: report[k] for k in ("OrganName", "OrganInCharge", "CodeNumber", "CodeNotation", "IssuedDate",
                                   "TypeName", "PageAmount")} == {
        "OrganName": "Ủy ban nhân dân phường Phổ Ninh", "OrganInCharge": "UBND THỊ XÃ ĐỨC PHỔ", "CodeNumber": "45",
        "CodeNotation": "BC-UBND", "IssuedDate": "2024-04-05", "TypeName": "Báo cáo", "PageAmount": 2}
    assert report["SignerInfo"] == {"Competence": "TM. ỦY BAN NHÂN DÂN", "Position": "CHỦ TỊCH",
                                    "FullName": "Trần Minh Khoa"}
    assert report["To"][0] == "UBND thị xã Đức Phổ"
    amending = by_file["qd_sua_doi.docx"]
    assert amending["EffectiveDate"] == "2024-10-01"
    assert {(r["Symbol"], r["Relation"]) for r in amending["References"] if "Symbol" in r} >= {
        ("215/QĐ-UBND", "sua_doi"), ("61/2018/NĐ-CP", "can_cu"), ("88/TTr-VP", "de_nghi")}
    assert "CodeNumber" not in by_file["kh_cchc_2024.docx"]  # a plan issued by a decision has no number


NOTATIONS = [("45/BC-UBND", "45", "BC-UBND"), ("30/2020/NĐ-CP", "30", "2020/NĐ-CP"), ("05-CT/TW", "05", "CT/TW"),
             ("60TC/CĐKT", "60", "TC/CĐKT"), (None, None, None)]


@pytest.mark.parametrize("symbol,number,expected", NOTATIONS)
def test_code_notation_is_the_symbol_after_its_number(symbol, number, expected):
    assert nd30.notation(symbol, number) == expected


def test_a_record_s_elements_leave_out_what_it_lacks():
    record = parse_file(str(SAMPLES / "cv_cong_van.docx")).to_dict()
    meta = nd30.metadata(record)
    assert meta["TypeName"] == "Công văn" and meta["Symbol"] == "123/UBND-VP" and "Priority" not in meta
    assert all(value not in (None, "", [], {}) for value in meta.values())


REFUSED = [(b"<html><body>x</body></html>", "the root element is html"), (b"<Documents", "not well-formed XML"),
           (b'<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><d>&b;</d>', "the root element is d")]


@pytest.mark.parametrize("data,reason", REFUSED)
def test_what_is_not_an_exchange_file_is_refused_plainly(data, reason):
    with pytest.raises(nd30.ExchangeError, match=reason):
        nd30.read_xml(data)
    with pytest.raises(nd30.ExchangeError, match="not JSON|no \"Documents\" list"):
        nd30.read_json(data)


def test_a_date_read_in_part_is_not_given_as_a_day():
    """edXML's IssuedDate is a day: a date read to its month (a handwritten day
    lost) is left out rather than passed on as if whole."""
    record = parse_file(str(SAMPLES / "cv_cong_van.docx")).to_dict()
    assert nd30.metadata(record)["IssuedDate"] == record["date"] and len(record["date"]) == 10
    partial = {**record, "date": record["date"][:7], "date_precision": "month", "effective_date": record["date"][:7]}
    meta = nd30.metadata(partial)
    assert "IssuedDate" not in meta and "EffectiveDate" not in meta and meta["Symbol"] == "123/UBND-VP"
