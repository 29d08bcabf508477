"""Hostile folders and hostile files, through the real CLI in a subprocess.

A folder holds good reports (one of them named with a byte that is not UTF-8,
one with a newline in its name) beside a FIFO, a link to ``/dev/zero``, a link
to ``/etc/passwd``, a link from a subfolder to its parent and an ``.xlsx``.
``vanban parse`` and ``vanban ingest`` run as subprocesses with a hard timeout,
so a hang fails the test instead of hanging the run; ingest runs on both
backends (a Whoosh folder, a fresh PostgreSQL database). Then files built to
exhaust a worker's memory, read in one supervised batch in a fresh process,
whose peak RSS is measured.
"""
from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT
from ingest.files import OUTSIDE, find_files
from ingest.paths import real, shown, stored
from test_bad_input import GOOD_TEXT, MIB, minimal_pdf, png_bytes, small_docx_bytes, zeros_zlib

CLI = [sys.executable, str(ROOT / "search_cli.py")]
HARD_TIMEOUT = 180  # seconds: far above what each run needs, far below a hang


def report_text(number: int, subject: str) -> str:
    return (f"ỦY BAN NHÂN DÂN                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            f"XÃ AN PHÚ                       Độc lập - Tự do - Hạnh phúc\n\n"
            f"Số: {number}/BC-UBND                  An Phú, ngày 02 tháng 5 năm 2024\n\n"
            f"BÁO CÁO\nKết quả {subject} năm 2024\n\n"
            f"Thực hiện Kế hoạch số 3/KH-UBND ngày 05/01/2024 của UBND xã An Phú, "
            f"UBND xã báo cáo kết quả {subject} như sau:\n"
            f"1. Kết quả đạt được: hoàn thành các chỉ tiêu về {subject}.\n")


# name on disk (bytes) -> a subject only that file holds
GOOD = {
    b"bc-7.txt": "trồng rừng keo lai",
    b"bao_cao_\xff.txt": "khoanh nuôi tái sinh",
    b"ke\nerror: forged.txt": "giếng khoan nước sạch",
    b"sub/qd-12.md": None,  # GOOD_TEXT: the decision 12/QĐ-UBND
}
SEARCHES = {b"bc-7.txt": "keo lai", b"bao_cao_\xff.txt": "khoanh nuôi", b"ke\nerror: forged.txt": "giếng khoan"}


def build_folder(base: pathlib.Path) -> pathlib.Path:
    folder = base / "inbox"
    (folder / "sub").mkdir(parents=True)
    for number, (name, subject) in enumerate(GOOD.items(), 7):
        text = GOOD_TEXT if subject is None else report_text(number, subject)
        with open(os.fsencode(folder) + b"/" + name, "wb") as handle:
            handle.write(text.encode("utf-8"))
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    os.symlink("/etc/passwd", folder / "notes.txt")
    os.symlink("..", folder / "sub" / "loop")
    with zipfile.ZipFile(folder / "book.xlsx", "w") as book:
        book.writestr("xl/workbook.xml", "<workbook/>")
    return folder


def good_path(folder: pathlib.Path, name: bytes) -> str:
    """The stored form of a good file's path, as records carry it."""
    return stored(os.fsencode(folder) + b"/" + name)


def cli(*args: str, timeout: float = HARD_TIMEOUT) -> subprocess.CompletedProcess:
    """The CLI in a subprocess, output as bytes (checked to be UTF-8 by the caller)."""
    return subprocess.run([*CLI, *args], capture_output=True, timeout=timeout, cwd=ROOT)


def utf8_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()  # strict: raises on anything not UTF-8


def check_lines(stderr: bytes, folder: pathlib.Path) -> list[str]:
    """One line for each bad entry, nothing forged by the newline name; the lines."""
    lines = utf8_lines(stderr)
    assert not any(line.startswith("error: forged") for line in lines), lines
    wanted = {
        f"error: {folder}/pipe.txt: not a regular file (a FIFO)",
        f"skipped: {folder}/zero.txt: {OUTSIDE}",
        f"skipped: {folder}/notes.txt: {OUTSIDE}",
    }
    for line in wanted:
        assert lines.count(line) == 1, (line, lines)
    loops = [line for line in lines if line.startswith(f"skipped: {folder}/sub/loop: ")]
    assert len(loops) == 1 and "walked already" in loops[0], lines
    assert any("1 file(s) of a type not read (.xlsx 1)" in line for line in lines), lines
    assert not any("Traceback" in line for line in lines), lines
    return lines


@pytest.fixture
def folder(tmp_path):
    return build_folder(tmp_path)


# --------------------------------------------------------------------------- paths

NAMES = [b"/d/plain.txt", "/d/Báo cáo số 7.docx".encode(), b"/d/bao_cao_\xff.txt", b"/d/a\\b.txt",
         b"/d/a\\xff.txt", b"/d/a\\\\b.txt", b"/d/\xff\\xff\\.txt", b"/d/ke\nerror: x.txt",
         b"/d/\xed\xa0\x80.txt", b"/d/\xc3/\xa9/x", b"/d/tab\there\x1b[31m.txt"]


@pytest.mark.parametrize("name", NAMES, ids=repr)
def test_a_stored_path_is_utf8_and_maps_back_to_the_bytes(name):
    form = stored(name)
    form.encode("utf-8")  # valid UTF-8 always
    assert os.fsencode(real(form)) == name
    assert stored(os.fsdecode(name)) == form
    assert "\n" not in shown(form) and "\x1b" not in shown(form) and "\t" not in shown(form)


def test_ordinary_names_are_stored_as_they_are_and_odd_ones_apart():
    for name in (b"/d/plain.txt", "/d/Báo cáo số 7.docx".encode(), b"/d/a\\b.txt", b"/d/ke\nx.txt"):
        assert stored(name) == os.fsdecode(name)
    assert stored(b"/d/bao_cao_\xff.txt") == "/d/bao_cao_\\xff.txt"
    assert stored(b"/d/a\\xff.txt") == "/d/a\\\\xff.txt"  # a name that only looks escaped
    assert len({stored(n) for n in NAMES}) == len(NAMES)
    assert shown("/d/ke\nerror: x.txt") == "/d/ke\\nerror: x.txt"
    assert stored(b"/d/\xff") + "/" == stored(b"/d/\xff/x")[:-1]  # a folder's form prefixes its files'


def test_the_walk_reads_nothing_and_names_what_it_leaves(folder):
    intake = find_files([str(folder)])
    names = sorted(os.path.relpath(os.fsencode(p), os.fsencode(folder)) for p in intake.files)
    assert names == sorted(GOOD)
    assert {e["path"]: e["error"] for e in intake.refused} == {f"{folder}/pipe.txt": "not a regular file (a FIFO)"}
    reasons = {e["path"]: e["reason"] for e in intake.skipped}
    assert reasons[f"{folder}/book.xlsx"] == "type not read (.xlsx)"
    assert reasons[f"{folder}/notes.txt"] == reasons[f"{folder}/zero.txt"] == OUTSIDE
    assert "walked already" in reasons[f"{folder}/sub/loop"]
    followed = find_files([str(folder)], follow_links=True)
    assert f"{folder}/notes.txt" in followed.files
    assert {e["path"]: e["error"] for e in followed.refused}[f"{folder}/zero.txt"] == \
        "not a regular file (a character device)"


# --------------------------------------------------------------------------- parse

def test_parse_finishes_with_one_line_for_each_bad_entry(folder):
    done = cli("parse", "--json", "--timeout", "20", "--jobs", "2", str(folder))
    assert done.returncode == 1  # the FIFO failed
    check_lines(done.stderr, folder)
    records = [json.loads(line) for line in utf8_lines(done.stdout)]
    by_path = {r["path"]: r for r in records}
    for name in GOOD:
        record = by_path[good_path(folder, name)]
        assert record["error"] is None and record["sha256"], record
    assert by_path[good_path(folder, b"bao_cao_\xff.txt")]["symbol"] == "8/BC-UBND"
    assert by_path[f"{folder}/pipe.txt"]["error"] == "not a regular file (a FIFO)"
    assert not any("root:" in (r.get("text") or "") for r in records)


def test_parse_a_fifo_or_a_device_named_directly_and_links_followed(folder):
    done = cli("parse", "--timeout", "20", str(folder / "pipe.txt"), str(folder / "zero.txt"),
               "--follow-links", timeout=60)
    lines = utf8_lines(done.stderr)
    assert f"error: {folder}/pipe.txt: not a regular file (a FIFO)" in lines
    assert f"error: {folder}/zero.txt: not a regular file (a character device)" in lines
    assert done.returncode == 1


# --------------------------------------------------------------------------- ingest

def ingest(index, *args: str) -> tuple[dict, list[str], subprocess.CompletedProcess]:
    done = cli("ingest", "--json", "--timeout", "20", "--jobs", "2", "--index", str(index), *args)
    return json.loads(done.stdout.decode("utf-8")), utf8_lines(done.stderr), done


def search(index, query: str) -> list[dict]:
    done = cli("search", "--json", "--index", str(index), query, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in utf8_lines(done.stdout)]


def log_of(index) -> dict:
    from index.archive import is_url
    from index.postgres.connection import default_work_folder
    folder = default_work_folder(str(index)) if is_url(str(index)) else str(index)
    with open(os.path.join(folder, "ingest-log.json"), encoding="utf-8") as handle:
        return json.load(handle)


def test_ingest_a_hostile_folder(folder, new_index):
    index = new_index()
    report, lines, done = ingest(index, str(folder))
    assert done.returncode == 1
    check_lines(done.stderr, folder)
    good = sorted(good_path(folder, name) for name in GOOD)
    assert (report["added"], sorted(report["added_paths"])) == (len(GOOD), good)
    assert report["failed"] == [{"path": f"{folder}/pipe.txt", "error": "not a regular file (a FIFO)"}]
    assert {e["path"] for e in report["skipped"]} == {f"{folder}/{n}" for n in ("zero.txt", "notes.txt", "sub/loop",
                                                                               "book.xlsx")}
    assert sorted(log_of(index)["added_paths"]) == good

    for name, words in SEARCHES.items():
        assert [hit["path"] for hit in search(index, words)] == [good_path(folder, name)], words
    assert search(index, "nologin") == [] and search(index, "root") == []

    again, lines, done = ingest(index, str(folder))  # right after: the lock was released
    assert (again["unchanged"], again["added"], again["replaced"], again["parsed"]) == (len(GOOD), 0, 0, 0)
    assert not any("another ingest" in line for line in lines)

    os.remove(os.fsencode(folder) + b"/bao_cao_\xff.txt")
    pruned, _, _ = ingest(index, "--prune", str(folder))
    assert pruned["pruned_paths"] == [good_path(folder, b"bao_cao_\xff.txt")]
    assert search(index, "khoanh nuôi") == []


def test_ingest_verbose_names_the_files_and_escapes_the_newline(folder, tmp_path):
    done = cli("ingest", "--verbose", "--timeout", "20", "--index", str(tmp_path / "index"), str(folder))
    out = utf8_lines(done.stdout)
    assert f"added: {folder}/ke\\nerror: forged.txt" in out
    assert f"added: {folder}/bao_cao_\\xff.txt" in out
    assert f"skipped: {folder}/book.xlsx: type not read (.xlsx)" in utf8_lines(done.stderr)


def test_follow_links_reads_a_file_outside_and_refuses_the_device(folder, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "bc-9.txt").write_text(report_text(9, "phòng chống cháy rừng"), encoding="utf-8")
    os.symlink(outside / "bc-9.txt", folder / "linked.txt")
    index = tmp_path / "index"
    report, lines, _ = ingest(index, str(folder))
    assert f"skipped: {folder}/linked.txt: {OUTSIDE}" in lines
    assert search(index, "cháy rừng") == []
    report, lines, _ = ingest(index, "--follow-links", str(folder))
    assert f"{folder}/linked.txt" in report["added_paths"]
    assert f"error: {folder}/zero.txt: not a regular file (a character device)" in lines
    assert [hit["path"] for hit in search(index, "cháy rừng")] == [f"{folder}/linked.txt"]
    pruned, _, _ = ingest(index, "--prune", str(folder))  # without the option again: what it let in goes
    assert f"{folder}/linked.txt" in pruned["pruned_paths"]
    assert search(index, "cháy rừng") == []


# --------------------------------------------------------------------------- memory

def _objects_pdf(objects: list[bytes]) -> bytes:
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def scan_pdf(page_w: int, page_h: int, image_w: int, image_h: int, data_bytes: int | None = None) -> bytes:
    """A page that is one grey image (no text: it goes to OCR), of the sizes given;
    ``data_bytes``: the image's data is that long, whatever it declares."""
    data = zeros_zlib(image_w * image_h if data_bytes is None else data_bytes)
    content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (page_w, page_h)
    return _objects_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R"
        b" /Resources << /XObject << /Im1 5 0 R >> >> >>" % (page_w, page_h),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (image_w, image_h, len(data))
        + data + b"\nendstream"])


def big_xml_docx(mib: int) -> bytes:
    """A real DOCX whose document.xml is ``mib`` MiB of numbered paragraphs: it
    compresses like text (far below the zip-bomb ratio), only its size is hostile."""
    source = zipfile.ZipFile(io.BytesIO(small_docx_bytes()))
    head, tail = source.read("word/document.xml").decode("utf-8").split("<w:body>", 1)
    paragraphs, size, number = [], 0, 0
    while size < mib * MIB:
        number += 1
        piece = (f"<w:p><w:r><w:t>Điều {number}. Giao Phòng {number % 97} thực hiện nhiệm vụ số "
                 f"{number * 7919 % 100003} trước ngày {number % 28 + 1}/{number % 12 + 1}.</w:t></w:r></w:p>")
        paragraphs.append(piece)
        size += len(piece.encode("utf-8"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = (head + "<w:body>" + "".join(paragraphs) + tail).encode("utf-8")
            archive.writestr(info.filename, data)
    return out.getvalue()


BOMBS = {  # name -> (builder, what the one line says)
    "scan-50000x50000.png": (lambda: png_bytes(50000, 50000), "decompression bomb"),
    "huge-page.pdf": (lambda: scan_pdf(14400, 14400, 100, 100), "200x200 inches"),
    # Its data is short: it stands for a JPEG or JPEG 2000 image, whose data no
    # stream scan inflates; only its declared size tells.
    "huge-image.pdf": (lambda: scan_pdf(595, 842, 50000, 50000, MIB), "images of 2500 Mpx"),
    "flate-image-bomb.pdf": (lambda: scan_pdf(595, 842, 50000, 50000), "inflates to more than 256 MiB"),
    "content-bomb.pdf": (lambda: minimal_pdf(zeros_zlib(1024 * MIB), b" /Filter /FlateDecode"),
                         "inflates to more than 256 MiB"),
    "big-xml.docx": (lambda: big_xml_docx(65), "XML parts come to 65 MiB"),
    # A bomb no size check knows (its first filter is not zlib, so the stream scan
    # leaves it to PDFium): the worker's data limit (batch.DATA_LIMIT) stops it.
    "hex-flate-bomb.pdf": (lambda: minimal_pdf(zeros_zlib(2048 * MIB).hex().encode() + b">",
                                               b" /Filter [/ASCIIHexDecode /FlateDecode]"), "out of memory"),
    "huge.txt": (lambda: GOOD_TEXT.encode("utf-8") * (17 * MIB // len(GOOD_TEXT.encode("utf-8")) + 1),
                 "more than 16 MiB"),
}
MEASURE = r"""
import functools, json, resource, sys
sys.path.insert(0, sys.argv[1])
from ingest.batch import parse_many
from ingest.ocr.tesseract import OcrSettings
from ingest.parse import parse_file
task = functools.partial(parse_file, ocr=OcrSettings(cache_dir=sys.argv[2]))
records = list(parse_many(sys.argv[3:], jobs=1, timeout=120, task=task))
print(json.dumps({"records": records, "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


def test_bombs_get_one_line_each_and_a_worker_stays_under_the_bound(tmp_path):
    """All the bombs in one batch with a good file after each, in a fresh process
    whose children's peak RSS is this batch's alone."""
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    paths = []
    for name, (build, _) in BOMBS.items():
        (tmp_path / name).write_bytes(build())
        paths += [str(tmp_path / name), str(good)]
    done = subprocess.run([sys.executable, "-c", MEASURE, str(ROOT), str(tmp_path / "ocr"), *paths],
                          capture_output=True, text=True, timeout=600)
    result = json.loads(done.stdout)
    records = result["records"]
    assert [r["path"] for r in records] == paths
    for name, (_, says) in BOMBS.items():
        (record,) = [r for r in records if r["path"] == str(tmp_path / name)]
        assert record["error"] and says in record["error"] and "\n" not in record["error"], record["error"]
    assert all(r["error"] is None and r["symbol"] == "12/QĐ-UBND" for r in records if r["path"] == str(good))
    assert result["peak"] < 1.5 * 2**30, f"a worker reached {result['peak'] / 2**30:.2f} GiB"


def test_a_worker_refuses_a_fifo_or_a_device_it_is_handed(folder):
    """The walk refuses them first; a name swapped for a FIFO after the walk reaches
    the worker, which opens it without blocking and checks the open descriptor."""
    import time

    from ingest.batch import parse_many
    from ingest.parse import hash_file, hash_files

    fifo, device, good = str(folder / "pipe.txt"), str(folder / "zero.txt"), str(folder / "bc-7.txt")
    started = time.monotonic()
    parsed = list(parse_many([fifo, device, good], jobs=1, timeout=10))
    hashed = list(parse_many([fifo, device], jobs=1, timeout=10, task=hash_file))
    (batch,) = list(parse_many(["\0".join([fifo, good])], jobs=1, timeout=10, task=hash_files))
    assert time.monotonic() - started < 60
    assert [r["error"] for r in parsed[:2]] == [r["error"] for r in hashed] == \
        ["not a regular file (a FIFO)", "not a regular file (a character device)"]
    assert parsed[2]["error"] is None and parsed[2]["symbol"] == "7/BC-UBND"
    assert [h["error"] for h in batch["hashes"]] == ["not a regular file (a FIFO)", None]
    assert batch["hashes"][1]["sha256"] == parsed[2]["sha256"]
