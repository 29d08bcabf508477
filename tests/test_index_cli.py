"""End to end: ``vanban ingest``, ``search``, ``cites``, ``trace``, ``show``, ``stats``,
``export`` through click's CliRunner, each test on both backends: a real Whoosh index
in a temporary folder, and a real PostgreSQL archive in a fresh database of the
tests' own server."""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, CORPUS, REAL, ROOT, SAMPLES, need_shared, new_database
from ingest.ocr.tesseract import tesseract_version
from search_cli import cli

SEED = CORPUS / "bc-32-2024-nguyen-nghiem.md"


def run(*args, index):
    result = CliRunner().invoke(cli, [*args, "--index", str(index)])
    return result


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def records_dir(index) -> pathlib.Path:
    """Where an ingest caches parsed records: in the index folder, or for an archive
    on PostgreSQL in this machine's work folder."""
    from index.archive import is_url
    from index.postgres.connection import default_work_folder

    return pathlib.Path(default_work_folder(str(index)) if is_url(str(index)) else index) / "records"


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request, tmp_path_factory):
    need_shared(REAL)
    if request.param == "whoosh":
        index = tmp_path_factory.mktemp("index")
    else:
        index = new_database(request.getfixturevalue("pg_server"))
    result = run("ingest", "--json", str(SAMPLES), str(REAL), str(SEED), index=index)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return index, report


def test_ingest_indexes_everything_and_reads_the_scans(archive):
    _, report = archive
    assert report["failed"] == []
    assert report["added"] >= 35
    if tesseract_version():  # the 13 scans (69 pages) and the sample scan read by OCR
        assert report["waiting_ocr"] == []
        assert report["ocr_pages_read"] + report["ocr_pages_cached"] == 70
    else:
        assert any(p.endswith("scan_bc_2154_syt.pdf") for p in report["waiting_ocr"])


@pytest.mark.skipif(not tesseract_version(), reason="Tesseract with the vie model is not installed")
def test_cites_finds_a_scanned_report_by_a_decision_it_cites(archive):
    index, _ = archive
    hits = lines(run("cites", "--json", "38/2010/TT-BYT", index=index))
    assert [h["path"] for h in hits] == [str(REAL / "scan_kh_2119_syt.pdf")]
    assert hits[0]["citation"]["date"] == "2010-09-07"


def test_search_without_diacritics_finds_the_seed(archive):
    index, _ = archive
    result = run("search", "--json", "cong tac tuyen truyen cai cach hanh chinh quy I", index=index)
    hits = lines(result)
    assert hits[0]["path"] == str(SEED)
    assert hits[0]["symbol"] == "32/BC-UBND" and "«" in hits[0]["snippet"]


def test_search_filters_and_facets(archive):
    index, _ = archive
    hits = lines(run("search", "--json", "--type", "TT", "--facets", "thuế", index=index))
    facets = hits.pop()["facets"]
    assert hits and all(h["doc_type"] == "Thông tư" for h in hits)
    assert set(facets["type"]) == {"Thông tư"}
    hits = lines(run("search", "--json", "--year", "2024", "--sort", "date", "cải cách", index=index))
    assert hits and all(h["date"].startswith("2024") for h in hits)


def test_search_takes_several_words_without_quotes(archive):
    index, _ = archive
    unquoted = run("search", "--json", "cong", "tac", "tuyen", "truyen", "cai", "cach", "hanh", "chinh", index=index)
    assert unquoted.exit_code == 0, unquoted.output
    quoted = run("search", "--json", "cong tac tuyen truyen cai cach hanh chinh", index=index)
    assert lines(unquoted) == lines(quoted) and lines(unquoted)[0]["path"] == str(SEED)


@pytest.mark.parametrize("typed", ["2024-04-01", "01/04/2024", "1-4-2024", "1.4.2024", "ngày 1 tháng 4 năm 2024"])
def test_dates_are_taken_as_people_type_them(archive, typed):
    index, _ = archive
    iso = lines(run("search", "--json", "--from", "2024-04-01", "--to", "2024-12-31", "cải cách", index=index))
    assert iso and all("2024-04-01" <= h["date"] <= "2024-12-31" for h in iso)
    assert lines(run("search", "--json", "--from", typed, "--to", "31/12/2024", "cải cách", index=index)) == iso


@pytest.mark.parametrize("typed", ["31/02/2024", "April 2024", "2024"])
def test_a_date_that_is_not_one_is_refused_by_its_option(archive, typed):
    index, _ = archive
    result = run("search", "--from", typed, "cải cách", index=index)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--from" in result.output and f"not a date: {typed!r}" in result.output
    assert "cannot read the query" not in result.output


def test_the_fields_a_query_may_name_are_in_the_help():
    from index.fields import SEARCHABLE

    shown = CliRunner().invoke(cli, ["search", "--help"]).output
    named = {name.removesuffix("_syl").removesuffix("_fold") for name in SEARCHABLE}
    assert [name for name in sorted(named) if name not in shown] == []


@pytest.mark.parametrize("typed", ["308/QD-UBND", "308/QĐ- UBND", "308 /qđ-ubnd"])
def test_cites_finds_the_seed_whatever_the_form(archive, typed):
    index, _ = archive
    found = lines(run("cites", "--json", typed, index=index))
    assert [f["path"] for f in found] == [str(SEED)]
    assert found[0]["citation"]["symbol"] == "308/QĐ-UBND" and found[0]["citation"]["date"] == "2022-01-27"


def test_trace_lists_the_four_citations_and_the_plans(archive):
    index, _ = archive
    (tree,) = lines(run("trace", "--json", str(SEED), index=index))
    cited = [c["label"] for c in tree["children"]]
    assert [c.split(" (")[0] for c in cited] == [
        "Quyết định 308/QĐ-UBND", "Quyết định 241/QĐ-UBND", "Kế hoạch 16/KH-UBND", "Kế hoạch 20/KH-UBND"]
    plans = [g["label"] for c in tree["children"] for g in c["children"] if g["kind"] == "issued"]
    assert plans == ["issues Kế hoạch: cải cách hành chính phường giai đoạn 2021-2030",
                     "issues Kế hoạch: cải cách hành chính năm 2024"]
    assert all(c["status"] == "missing" for c in tree["children"])


def test_trace_dot_and_show_and_stats_and_export(archive, tmp_path):
    index, _ = archive
    dot = tmp_path / "t.dot"
    assert run("trace", "32/BC-UBND", "--dot", str(dot), index=index).exit_code == 0
    assert dot.read_text().startswith("digraph trace")
    (shown,) = lines(run("show", "--json", "32/BC-UBND", index=index))
    assert shown["issuer"] == "UBND phường Nguyễn Nghiêm" and "Quý I/2024" in shown["text"]
    (stats,) = lines(run("stats", "--json", index=index))
    assert len(stats["waiting_for_ocr"]) == (0 if tesseract_version() else 13)
    assert stats["unresolved_citations"] > 0
    exported = run("export", "--format", "csv", index=index).stdout.splitlines()
    assert exported[0].startswith("\ufeffSTT,Số,Ký hiệu,Ngày ban hành") and len(exported) > 30


def test_reingest_unchanged_parses_nothing(archive):
    index, _ = archive
    report = json.loads(run("ingest", "--json", str(SAMPLES), index=index).stdout)
    assert report["parsed"] == 0 and report["unchanged"] == len(list(SAMPLES.glob("*.*"))) - 2


def _report(path, title):
    path.write_text(f"UBND XÃ AN PHÚ\nSố: 7/BC-UBND\nAn Phú, ngày 02 tháng 5 năm 2024\nBÁO CÁO\n{title}\n"
                    "Thực hiện Kế hoạch số 3/KH-UBND ngày 05/01/2024 của UBND xã An Phú.\n", encoding="utf-8")


def test_changed_file_replaces_its_record_and_corrupt_file_is_reported(tmp_path, new_index):
    folder, index = tmp_path / "docs", new_index()
    folder.mkdir()
    _report(folder / "bc.txt", "Kết quả tiêm chủng mở rộng")
    (folder / "broken.docx").write_bytes(b"not a zip at all")
    result = run("ingest", "--json", str(folder), index=index)
    assert result.exit_code == 1
    assert "broken.docx: not a valid DOCX" in result.stderr
    assert json.loads(result.stdout)["added"] == 1
    _report(folder / "bc.txt", "Kết quả phòng chống dịch sốt xuất huyết")
    report = json.loads(run("ingest", "--json", str(folder / "bc.txt"), index=index).stdout)
    assert (report["replaced"], report["added"]) == (1, 0)
    assert lines(run("search", "--json", "sot xuat huyet", index=index))[0]["path"] == str(folder / "bc.txt")
    assert lines(run("search", "--json", "tiêm chủng", index=index)) == []
    (folder / "bc.txt").unlink()
    report = json.loads(run("ingest", "--json", "--prune", str(folder), index=index).stdout)
    assert report["pruned"] == 1


def test_second_concurrent_ingest_is_refused(tmp_path):
    """Whoosh: one writer at a time (the archive on PostgreSQL takes many, below)."""
    index = tmp_path / "index"
    index.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from index.whoosh.writing import IngestLock;"
        "lock = IngestLock(sys.argv[2], wait=False).__enter__(); print('held', flush=True); time.sleep(60)"),
        str(ROOT), str(index)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        _report(tmp_path / "bc.txt", "Kết quả")
        result = run("ingest", str(tmp_path / "bc.txt"), index=index)
        assert result.exit_code == 1
        assert "another ingest is writing to this index (pid" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_sigkill_mid_ingest_leaves_an_index_that_opens_and_a_rerun_completes(tmp_path, new_index):
    folder, index = tmp_path / "docs", new_index()
    folder.mkdir()
    for i in range(600):
        _report(folder / f"bc_{i:04d}.txt", f"Kết quả công tác số {i} về cải cách hành chính")
    env = {**os.environ, "VANBAN_COMMIT_EVERY": "50"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "search_cli.py"), "ingest", "--jobs", "1",
                             "--index", str(index), str(folder)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records = records_dir(index)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if records.exists() and sum(len(files) for _, _, files in os.walk(records)) >= 120:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = run("search", "--json", "cai cach hanh chinh", index=index)
    assert result.exit_code == 0  # the index opens
    rerun_result = run("ingest", "--json", str(folder), index=index)
    assert rerun_result.exit_code == 0, (rerun_result.output, rerun_result.exception)
    rerun = json.loads(rerun_result.stdout)
    assert rerun["failed"] == []
    assert rerun["unchanged"] + rerun["added"] == 600  # "added" counts those taken from the cache
    assert rerun["from_cache"] > 0  # what was parsed before the kill is not parsed again
    (stats,) = lines(run("stats", "--json", index=index))
    assert stats["documents"] == 600


def test_same_symbol_from_other_issuers_or_years_is_shown_apart(tmp_path, new_index):
    folder, index = tmp_path / "docs", new_index()
    folder.mkdir()
    citing = [("a.txt", "UBND phường Phổ Ninh", "27/01/2022"), ("b.txt", "UBND xã Tịnh Hà", "05/03/2022"),
              ("c.txt", "UBND phường Phổ Ninh", "14/02/2023")]
    for i, (name, issuer, date) in enumerate(citing):
        (folder / name).write_text(
            f"UBND XÃ BÌNH AN\nSố: {i + 1}/BC-UBND\nBình An, ngày 02 tháng 5 năm 2024\nBÁO CÁO\nKết quả\n"
            f"Thực hiện Quyết định số 308/QĐ-UBND ngày {date} của {issuer} về việc ban hành Kế hoạch.\n",
            encoding="utf-8")
    assert run("ingest", str(folder), index=index).exit_code == 0
    found = lines(run("cites", "--json", "308/QD-UBND", index=index))
    keys = sorted({f["citation"]["key"] for f in found})
    assert keys == ["308/QĐ-UBND|uy ban nhan dan phuong pho ninh|2022",
                    "308/QĐ-UBND|uy ban nhan dan phuong pho ninh|2023",
                    "308/QĐ-UBND|uy ban nhan dan xa tinh ha|2022"]
    only = lines(run("cites", "--json", "308/QĐ-UBND", "--issuer", "UBND xã Tịnh Hà", index=index))
    assert [f["path"] for f in only] == [str(folder / "b.txt")]
    only = lines(run("cites", "--json", "308/QĐ-UBND", "--year", "2023", index=index))
    assert [f["path"] for f in only] == [str(folder / "c.txt")]
    text = run("cites", "308/QĐ-UBND", index=index).stdout
    assert text.count("308/QĐ-UBND  issuer:") == 3


def test_cites_lists_the_first_documents_and_counts_them_all(tmp_path, new_index):
    """A decree cited by thousands of documents: ``cites`` counts every one from the
    index and loads only those it lists (oldest first; --limit 0 lists all)."""
    folder, index = tmp_path / "docs", new_index()
    folder.mkdir()
    for i in range(7):
        (folder / f"bc_{i}.txt").write_text(
            f"UBND XÃ BÌNH AN\nSố: {i + 1}/BC-UBND\nBình An, ngày {i + 2:02d} tháng 5 năm 2024\nBÁO CÁO\n"
            "Kết quả\nThực hiện Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ.\n", encoding="utf-8")
    assert run("ingest", str(folder), index=index).exit_code == 0
    text = run("cites", "61/2018/ND-CP", "--limit", "3", index=index).stdout
    assert "cited by 7" in text and "... and 4 more" in text
    assert text.index("bc_0.txt") < text.index("bc_1.txt") < text.index("bc_2.txt") and "bc_3.txt" not in text
    assert len(lines(run("cites", "--json", "61/2018/NĐ-CP", index=index))) == 7
    assert len(lines(run("cites", "--json", "--limit", "2", "61/2018/NĐ-CP", index=index))) == 2


def test_a_citation_matches_its_document_as_the_index_spells_symbols():
    """``01/2026/TT-BNV`` cited, ``1/2026/TT-BNV`` printed: the index's one term, so one document."""
    from index.graph import matches
    document = {"symbol": "1/2026/TT-BNV", "date": "2026-01-09", "issuer_key": "bo noi vu"}
    assert matches(document, {"symbol": "01/2026/TT-BNV", "issuer_key": "bo noi vu"})
    assert not matches(document, {"symbol": "01/2026/TT-BNV", "issuer_key": "bo tai chinh"})
    assert not matches(document, {"symbol": "01/2026/TT-BTC"})
