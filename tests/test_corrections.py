"""Corrections by hand (``index/corrections.py``, ``vanban correct``) and the values
to check (``index/review.py``, ``vanban review``) on both backends: a scan's
number corrected is found at once by search, cites and trace, and holds through a
re-ingest, a re-parse and (Whoosh) a rebuild."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import BACKENDS, REAL, SAMPLES, need_shared, new_database, scan_without_its_day

from ingest.ocr.tesseract import tesseract_version
from search_cli import cli

pytestmark = pytest.mark.skipif(not tesseract_version(), reason="Tesseract with the vie model is not installed")

# A report citing the scan's number as it really is: 87, where OCR of the sample
# reads the printed 78 (the correction a clerk makes after checking the paper).
CITING = """SỞ TÀI CHÍNH
Số: 90/BC-STC
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 20 tháng 7 năm 2024
BÁO CÁO
Bổ sung tình hình thu chi ngân sách
Căn cứ Báo cáo số 87/BC-STC ngày 10/7/2024 của Sở Tài chính về tình hình thực hiện dự toán;
Nơi nhận:
- Lưu: VT.
GIÁM ĐỐC
Đoàn Ngọc Sơn
"""


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def lines(result):
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corrections")
    shutil.copy(SAMPLES / "bc_scan.png", folder / "bc_scan.png")
    (folder / "bc_90.txt").write_text(CITING, encoding="utf-8")
    index = tmp_path_factory.mktemp("index") if request.param == "whoosh" else new_database(
        request.getfixturevalue("pg_server"))
    assert run("ingest", str(folder), index=index).exit_code == 0
    return request.param, folder, index


def _traced(index, folder) -> dict:
    (tree,) = lines(run("trace", "--json", str(folder / "bc_90.txt"), index=index))
    return tree["children"][0]


def _make_stale(index, sha: str) -> None:
    """The parsed record of this content as an older parser left it: the next
    rebuild parses the file again."""
    path = index / "records" / sha[:2] / f"{sha}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        record = json.load(handle)
    record["_parser_version"] = -1
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(record, handle)


def test_a_corrected_number_is_found_at_once_and_holds(archive):
    backend, folder, index = archive
    scan = str(folder / "bc_scan.png")
    assert _traced(index, folder)["status"] == "missing"  # 87/BC-STC: not what OCR read
    corrected = run("correct", "--json", "--by", "Lan", scan, "number", "87", index=index)
    (record,) = lines(corrected)
    assert (record["symbol"], record["number"]) == ("87/BC-STC", "87")
    assert record["provenance"]["symbol"].startswith("corrected by ")
    assert [(c["field"], c["was"], c["value"]) for c in record["corrections"]] == [("number", "78", "87")]

    def holds():
        assert lines(run("search", "--json", "87/BC-STC", index=index))[0]["path"] == scan
        assert [c["path"] for c in lines(run("cites", "--json", "87/BC-STC", index=index))] == [
            str(folder / "bc_90.txt")]
        node = _traced(index, folder)
        assert (node["status"], node["path"]) == ("archived", scan)
        (shown,) = lines(run("show", "--json", "87/BC-STC", index=index))
        assert shown["path"] == scan and shown["corrections"][0]["by"] == ("Lan" if backend == "whoosh"
                                                                           else "postgres")

    holds()
    assert run("ingest", str(folder), index=index).exit_code == 0  # unchanged: nothing rewritten
    holds()
    sha = record["sha256"]
    if backend == "whoosh":
        assert run("ingest", "--repair", index=index).exit_code == 0  # rebuilt from the parsed records
        holds()
        _make_stale(index, sha)
        report = lines(run("ingest", "--json", "--repair", str(folder), index=index))[0]
        assert report["parsed"] >= 1  # parsed again, and corrected again
    else:
        import psycopg
        with psycopg.connect(index, autocommit=True) as conn:  # the row lost: written anew by the ingest
            conn.execute("DELETE FROM vanban.documents WHERE path = %s", (scan,))
        assert run("ingest", str(folder), index=index).exit_code == 0
    holds()
    exported = {r["path"]: r for r in lines(run("export", index=index))}
    assert exported[scan]["symbol"] == "87/BC-STC"


@pytest.mark.parametrize("field, value, said", [
    ("date", "31/02/2024", "not a date: '31/02/2024'"),
    ("sha256", "x", "'sha256' cannot be corrected"),
    ("title", "   ", "give the trích yếu"),
    ("symbol", "abc", "not a number and symbol"),
])
def test_a_value_that_cannot_be_taken_is_one_line(archive, field, value, said):
    _, folder, index = archive
    result = run("correct", str(folder / "bc_scan.png"), field, value, index=index)
    assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output


def test_a_file_not_in_the_archive_cannot_be_corrected(archive, tmp_path):
    _, _, index = archive
    result = run("correct", str(tmp_path / "gone.pdf"), "date", "01/02/2024", index=index)
    assert result.exit_code == 1 and "is not in the archive" in result.output


def test_a_reader_may_not_correct(archive):
    backend, folder, index = archive
    if backend != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    import psycopg
    with psycopg.connect(index, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader_c') "
                     "THEN CREATE ROLE reader_c LOGIN; END IF; END $$")
        conn.execute("GRANT vanban_reader TO reader_c")
    scheme, rest = index.split("://", 1)
    reader = f"{scheme}://reader_c@{rest.split('@', 1)[1]}"
    result = run("correct", str(folder / "bc_scan.png"), "title", "Khác", index=reader)
    assert result.exit_code == 1 and "may only read" in result.output


# --- what to check ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """A real scan (its number and day written by hand) and one whose day was
    never written (painted out of scan_cv_2014)."""
    need_shared(REAL)
    folder = tmp_path_factory.mktemp("scans")
    shutil.copy(REAL / "scan_kh_2119_syt.pdf", folder / "ke-hoach.pdf")
    scan_without_its_day(folder / "cong-van.pdf")
    index = tmp_path_factory.mktemp("index")
    assert run("ingest", str(folder), index=index).exit_code == 0
    return folder, index


def test_review_lists_handwritten_fields_with_a_picture_of_each(scans, tmp_path):
    """Every value the handwriting reader gave is listed (its scores do not tell
    right from wrong), and a day it found nothing to read in; each with a crop of
    its line. A correction takes the item off the list."""
    from PIL import Image
    folder, index = scans
    items = lines(run("review", "--json", "--crops", str(tmp_path), index=index))
    by_field = {(i["path"].rsplit("/", 1)[1], i["field"]): i for i in items}
    assert {("ke-hoach.pdf", "number"), ("ke-hoach.pdf", "date"), ("cong-van.pdf", "date")} <= set(by_field)
    for item in items:
        assert item["crop"], item
        with Image.open(item["crop"]) as crop:
            assert crop.width > 300 and 40 < crop.height < 400  # one line of the header
    read = by_field[("ke-hoach.pdf", "date")]
    assert read["reading"].startswith("2017-11-") and "handwriting" in read["why"]  # the day as the reader saw it
    blank = by_field[("cong-van.pdf", "date")]
    assert blank["reading"] == "2017-10" and blank["why"].startswith("date unreadable")  # month and year kept
    fixed = run("correct", blank["path"], "date", "23/10/2017", "--by", "Lan", index=index)
    assert fixed.exit_code == 0, fixed.output
    after = lines(run("review", "--json", index=index))
    assert not any(i["path"] == blank["path"] and i["field"] == "date" for i in after)
    assert any(i["path"] == read["path"] and i["field"] == "date" for i in after)
    assert lines(run("search", "--json", "--year", "2017", "kiem tra", index=index))


def test_a_scan_whose_day_is_unreadable_is_placed_in_its_year(tmp_path):
    """A scan whose day is not there to read keeps its printed month and year:
    ``--year`` finds it, ``stats`` counts it in 2017, and it is not said to be
    "not filled in" (a draft's warning), nor given a day."""
    folder, index = tmp_path / "scans", tmp_path / "index"
    folder.mkdir()
    scan_without_its_day(folder / "cong-van.pdf")
    assert run("ingest", str(folder), index=index).exit_code == 0
    shown = lines(run("show", "--json", str(folder / "cong-van.pdf"), index=index))[0]
    assert (shown["date"], shown["date_precision"]) == ("2017-10", "month")
    assert not any("not filled in" in w for w in shown["warnings"])
    found = {h["path"].rsplit("/", 1)[1] for h in lines(run("search", "--json", "--year", "2017", "y te", index=index))}
    assert found == {"cong-van.pdf"}
    stats = lines(run("stats", "--json", index=index))[0]
    assert stats["by_year"].get("2017") == 1, stats


@pytest.mark.parametrize("ending", ["commit", "cancel"])
def test_a_correction_made_while_an_ingest_runs_is_not_written_over(pg_server, tmp_path, ending):
    """On PostgreSQL a correction does not wait for an ingest: a record the ingest's
    workers prepared before it (an archive of an older analysis, rewritten whole)
    may be written after it. The ingest's commit corrects that document again, and
    so does a stopped ingest (its rows are kept: the next would skip the file)."""
    import psycopg
    from index.backends import open_archive
    from index.corrections import correct
    from index.rows import prepare

    url = new_database(pg_server)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bc_90.txt").write_text(CITING, encoding="utf-8")
    assert run("ingest", "--no-ocr", str(folder), index=url).exit_code == 0
    path = str(folder / "bc_90.txt")
    ingest = open_archive(url)
    ingest.begin()
    prepared = prepare(ingest.full_record(ingest.by_path(path)))  # by a worker, before the correction
    correct(open_archive(url), path, "title", "Kết quả rà soát đã sửa tay", "Lan")
    with psycopg.connect(url, autocommit=True) as conn:  # made by an older analysis: the ingest rewrites it
        conn.execute("UPDATE vanban.documents SET record = pg_catalog.jsonb_set(record, '{_analysis}', '\"0\"') "
                     "WHERE path = %s", (path,))
    assert ingest.add(prepared)
    assert ingest.by_path(path)["title"] != "Kết quả rà soát đã sửa tay"  # written over, for now
    getattr(ingest, ending)()
    assert ingest.by_path(path)["title"] == "Kết quả rà soát đã sửa tay"
    assert ingest.by_path(path)["provenance"]["title"].startswith("corrected by Lan")
    assert [h["path"] for h in lines(run("search", "--json", "da sua tay", index=url))] == [path]


def test_every_refusal_of_a_correction_is_said_in_vietnamese():
    """What `vanban correct` and the review page say of a value they cannot take,
    from index/corrections.py, is in the catalog with its placeholders."""
    import string

    from babel.messages.extract import extract_from_file
    from conftest import ROOT
    from index import i18n

    found = extract_from_file("python", str(ROOT / "index" / "corrections.py"), keywords={"_": None, "N_": None})
    messages = sorted({m for _, m, _, _ in found})
    catalog = i18n.translations("vi")

    def names(text):
        return {n for _, n, _, _ in string.Formatter().parse(text) if n is not None}

    assert len(messages) >= 17 and "{path} is not in the archive" in messages
    assert [m for m in messages if catalog.gettext(m) in ("", m)] == []
    assert [m for m in messages if names(catalog.gettext(m)) != names(m)] == []
    with i18n.using("vi"):
        from index.corrections import NotCorrectable, checked_value
        with pytest.raises(NotCorrectable, match="không phải ngày tháng: '31/02/2024'"):
            checked_value({}, "date", "31/02/2024")


def test_only_a_regular_file_reached_without_a_link_is_opened_for_the_pages(tmp_path):
    """What the web serves and pictures (the original, page pictures, crops) is
    opened one folder at a time without following a link: a file or a folder on
    its way swapped for a link, or a FIFO, is refused, never opened elsewhere."""
    import os

    from index.review import opened_regular

    folder = tmp_path / "kho"
    folder.mkdir()
    (folder / "bc.txt").write_text("báo cáo", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("mật", encoding="utf-8")
    with opened_regular(str(folder / "bc.txt")) as handle:
        assert handle.read().decode("utf-8") == "báo cáo"
    (folder / "link.txt").symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "bc.txt").symlink_to(secret)
    (tmp_path / "swapped").symlink_to(elsewhere)  # a folder on the way that is a link
    os.mkfifo(folder / "pipe")
    for path, said in ((folder / "link.txt", "no longer a regular file"),
                       (tmp_path / "swapped" / "bc.txt", "no longer a regular file"),
                       (folder / "pipe", "no longer a regular file"),
                       (folder / "gone.txt", "no longer there"),
                       (folder, "no longer a regular file")):
        with pytest.raises(FileNotFoundError, match=said):
            opened_regular(str(path))
