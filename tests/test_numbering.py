"""Numbers given twice (``index/numbering.py``), on both backends: the same number
and symbol of one body in one year on two different documents is warned about at
ingest, listed by ``vanban duplicates`` and counted by ``stats``; the same content
in two files is one document; another body's or another year's number is not
the same number."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, new_database
from search_cli import cli

DECISION = ("{body}\nSố: 12/QĐ-UBND\nAn Phú, ngày {day} năm {year}\nQUYẾT ĐỊNH\n{title}\n"
            "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG\nCăn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
            "QUYẾT ĐỊNH:\nĐiều 1. {what}\nĐiều 2. Quyết định này có hiệu lực kể từ ngày ký./.\n")
FIRST = DECISION.format(body="UBND PHƯỜNG AN PHÚ", day="02 tháng 3", year=2024, title="Về việc thành lập Tổ công tác "
                        "cải cách hành chính", what="Thành lập Tổ công tác cải cách hành chính của phường gồm 05 thành viên.")
SECOND = DECISION.format(body="ỦY BAN NHÂN DÂN\nPHƯỜNG AN PHÚ", day="20 tháng 5", year=2024,
                         title="Về việc khen thưởng tập thể, cá nhân",
                         what="Khen thưởng 03 tập thể và 07 cá nhân có thành tích xuất sắc trong phong trào thi đua.")
OTHER_BODY = FIRST.replace("UBND PHƯỜNG AN PHÚ", "UBND PHƯỜNG AN HÒA").replace("An Phú,", "An Hòa,")
OTHER_YEAR = SECOND.replace("năm 2024", "năm 2023")


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def emitted(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(params=BACKENDS)
def archive(request, tmp_path):
    if request.param == "whoosh":
        return tmp_path / "index"
    return new_database(request.getfixturevalue("pg_server"))


def _write(folder, files: dict[str, str]):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _numbers(group: dict) -> tuple:
    return group["symbol"], group["issuer"], group["year"], [sorted(c["paths"]) for c in group["contents"]]


def test_a_number_given_twice_is_warned_at_ingest_and_listed(tmp_path, archive):
    first, later = tmp_path / "first", tmp_path / "later"
    _write(first, {"qd_12.txt": FIRST, "qd_12_copy.md": FIRST, "qd_12_an_hoa.txt": OTHER_BODY,
                   "qd_12_2023.txt": OTHER_YEAR})
    report = emitted(run("ingest", "--json", str(first), index=archive))
    assert report[-1]["numbered_twice"] == []  # a copy, another body, another year: no number given twice
    _write(later, {"qd_12_khen_thuong.txt": SECOND})
    result = CliRunner().invoke(cli, ["ingest", str(later), "--index", str(archive)])
    assert result.exit_code == 0
    assert ("warning: 12/QĐ-UBND of Ủy ban nhân dân phường An Phú, 2024: the number of 2 different documents"
            in result.stderr)
    assert f"    {later / 'qd_12_khen_thuong.txt'}" in result.stderr
    expected = ("12/QĐ-UBND", "Ủy ban nhân dân phường An Phú", "2024",
                [sorted([str(first / "qd_12.txt"), str(first / "qd_12_copy.md")]), [str(later / "qd_12_khen_thuong.txt")]])
    [group] = emitted(run("duplicates", "--json", index=archive))
    assert _numbers(group) == expected
    assert [c["date"] for c in group["contents"]] == ["2024-03-02", "2024-05-20"]
    [stats] = emitted(run("stats", "--json", index=archive))
    assert [_numbers(g) for g in stats["numbered_twice"]] == [expected]
    assert "numbers given to two different documents: 1 (vanban duplicates lists them)" in run(
        "stats", index=archive).stdout


def test_numbers_given_twice_within_one_ingest(tmp_path, archive):
    folder = tmp_path / "docs"
    _write(folder, {"a.txt": FIRST, "b.txt": SECOND})
    [report] = emitted(run("ingest", "--json", str(folder), index=archive))
    assert [len(g["contents"]) for g in report["numbered_twice"]] == [2]
    assert run("duplicates", index=archive).stdout.startswith("12/QĐ-UBND of Ủy ban nhân dân phường An Phú, 2024")


def test_an_archive_without_numbers_given_twice_says_so(tmp_path, archive):
    _write(tmp_path / "docs", {"a.txt": FIRST, "b.txt": OTHER_YEAR})
    assert run("ingest", str(tmp_path / "docs"), index=archive).exit_code == 0
    assert run("duplicates", index=archive).stdout == "no number in the archive is given to two documents\n"


def test_documents_whose_body_was_not_read_are_not_one_body():
    """Two scans numbered ``01/BC-UBND`` in 2024 whose header OCR lost: nothing says
    they come from one body, so their number is not given twice."""
    from index.numbering import numbered_twice
    scans = [{"path": f"/scans/{n}.pdf", "symbol": "01/BC-UBND", "issuer_key": None, "date": "2024-05-02",
              "text_hash": n} for n in ("a", "b")]
    assert numbered_twice(scans) == []
    named = [{**scan, "issuer_key": "uy ban nhan dan phuong an phu"} for scan in scans]
    assert [len(g.contents) for g in numbered_twice(named)] == [2]
