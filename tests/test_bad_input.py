"""Broken and hostile input: each file gives a record with a plain ``error``, and the batch goes on.

Every file here is built for real in a temporary folder (nothing is committed but
this code, nothing is mocked): random bytes named ``.docx``, documents cut in half,
an HTML page saved as ``.pdf``, empty files, an encrypted PDF made by LibreOffice,
and files built to exhaust memory -- a DOCX zip bomb, an XML entity bomb, a PNG
that claims 30000x30000 pixels and a PDF whose one content stream inflates to 1 GiB.
The bombs are written from a repeated compressed block, so building them is cheap.

Files that could hurt the test run go through ``ingest.batch.parse_many`` (worker
processes with a time and address-space limit), like ``vanban parse`` does.
"""
from __future__ import annotations

import io
import json
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import Callable

import docx
import pytest
from click.testing import CliRunner

from ingest.batch import MEMORY_LIMIT, parse_many
from ingest.parse import parse_file
from ingest.readers.dispatch import SUPPORTED

import search_cli

SYMBOL = "12/QĐ-UBND"

GOOD_TEXT = """\
ỦY BAN NHÂN DÂN                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG NGÃI                       Độc lập - Tự do - Hạnh phúc

Số: 12/QĐ-UBND                  Quảng Ngãi, ngày 05 tháng 3 năm 2024

QUYẾT ĐỊNH
Về việc thành lập Tổ công tác

CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;

QUYẾT ĐỊNH:
Điều 1. Thành lập Tổ công tác.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
"""


# --------------------------------------------------------------------------- builders

MIB = 1 << 20


def zeros_zlib(size: int) -> bytes:
    """A valid zlib stream that inflates to ``size`` zero bytes, built in milliseconds.

    One MiB of zeros is compressed and ended with a full flush, which resets the
    compressor: every further MiB then compresses to the very same bytes, so they
    are repeated instead of recomputed. The Adler-32 of n zeros is ((n mod 65521) << 16) | 1.
    """
    blocks, tail = divmod(size, MIB)
    block = bytes(MIB)
    comp = zlib.compressobj(9)
    parts = []
    if blocks:
        parts.append(comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH))
    if blocks > 1:
        again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
        parts.append(again * (blocks - 1))
    end = comp.compress(bytes(tail)) + comp.flush()
    adler = ((size % 65521) << 16) | 1
    return b"".join(parts) + end[:-4] + struct.pack(">I", adler)


def minimal_pdf(content: bytes, stream_filter: bytes = b"") -> bytes:
    """A one-page PDF written by hand (catalog, pages, page, content stream, font; exact xref)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), stream_filter) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


GOOD_PDF_CONTENT = b"BT /F1 12 Tf 72 750 Td (So: 12/QD-UBND) Tj ET"


def png_bytes(width: int, height: int) -> bytes:
    """An 8-bit greyscale PNG of zeros, chunk by chunk, with a real IDAT for every row."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zeros_zlib(height * (width + 1))  # filter byte 0 + width zero pixels per row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def small_docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")
    document.add_paragraph(f"Số: {SYMBOL}")
    document.add_paragraph("QUYẾT ĐỊNH")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def build_corrupt_docx(d):
    data = random.Random(1).randbytes(8192)
    return _write(d / "random-bytes.docx", b"\x00" + data)  # never starts with PK


def build_truncated_docx(d):
    data = small_docx_bytes()
    return _write(d / "truncated.docx", data[: len(data) // 2])


def build_docx_not_zip(d):
    return _write(d / "plain-text.docx", "Số: 12/QĐ-UBND\nnot a zip at all\n".encode() * 20)


def build_docx_zip_without_document(d):
    path = d / "other-zip.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return str(path)


def build_html_pdf(d):
    html = (b"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
            b"<body><h1>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y trang</h1></body></html>\n")
    return _write(d / "download.pdf", html)


def build_truncated_pdf(d):
    data = minimal_pdf(GOOD_PDF_CONTENT)
    return _write(d / "truncated.pdf", data[: len(data) // 2])


def build_binary_txt(d):
    return _write(d / "binary.txt", b"Sx\x00\x01\x02\x03" * 500)


def build_unsupported(d):
    return _write(d / "notes.xyz", "Số: 12/QĐ-UBND\n".encode())


def build_no_extension(d):
    return _write(d / "README", "Số: 12/QĐ-UBND\n".encode())


def build_missing(d):
    return str(d / "does-not-exist.docx")


def build_mode_000(d):
    path = d / "locked.docx"
    path.write_bytes(small_docx_bytes())
    path.chmod(0)
    return str(path)


def build_empty(ext: str) -> Callable:
    def build(d):
        return _write(d / f"empty{ext}", b"")
    return build


def build_directory(ext: str) -> Callable:
    def build(d):
        path = d / f"folder{ext}"
        path.mkdir()
        return str(path)
    return build


def soffice_pdf(d, name: str, export_filter: str) -> str:
    """Convert a small DOCX to PDF with LibreOffice (own profile, so parallel runs do not clash)."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = d / f"lo-{name}"
    work.mkdir()
    source = work / f"{name}.docx"
    source.write_bytes(small_docx_bytes())
    cmd = [binary, "--headless", "--norestore", "--nologo", "--nolockcheck",
           f"-env:UserInstallation={(work / 'profile').as_uri()}",
           "--convert-to", export_filter, "--outdir", str(work), str(source)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    target = work / f"{name}.pdf"
    if not target.exists():
        pytest.skip(f"LibreOffice could not make the PDF: {done.stderr.strip() or done.stdout.strip()}")
    return str(target)


ENCRYPT_FILTER = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
                  '"DocumentOpenPassword":{"type":"string","value":"secret"}}')


def build_encrypted_pdf(d):
    path = soffice_pdf(d, "encrypted", ENCRYPT_FILTER)
    data = open(path, "rb").read()
    assert b"/Encrypt" in data, "LibreOffice ignored the encryption options"
    return path


def build_zip_bomb_docx(d):
    """A real DOCX, plus a media member of 320 MiB of zeros (~330 KB compressed), streamed."""
    path = d / "zip-bomb.docx"
    source = zipfile.ZipFile(io.BytesIO(small_docx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        block = bytes(MIB)
        with archive.open("word/media/image1.png", "w") as member:
            for _ in range(320):
                member.write(block)
    return str(path)


def _entity_bomb_docx(path, padding: str) -> str:
    """A real DOCX whose word/document.xml declares the 'billion laughs' entities."""
    source = zipfile.ZipFile(io.BytesIO(small_docx_bytes()))
    xml = source.read("word/document.xml").decode("utf-8")
    declaration, rest = xml.split("?>", 1)
    rest = rest.lstrip()
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE w:document [{''.join(entities)}]>"
    assert SYMBOL in rest
    bomb = f"{declaration}?>\n{padding}{doctype}\n{rest.replace(f'Số: {SYMBOL}', '&lol9;')}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = bomb.encode("utf-8") if info.filename == "word/document.xml" else source.read(info.filename)
            archive.writestr(info.filename, data)
    return str(path)


def build_entity_bomb_docx(d):
    return _entity_bomb_docx(d / "entity-bomb.docx", "")


def build_entity_bomb_docx_late_doctype(d):
    # A comment may precede the DOCTYPE: this one pushes it past the first 4 KiB of the part.
    return _entity_bomb_docx(d / "entity-bomb-late.docx", "<!--" + "x" * 6000 + "-->\n")


def build_png_bomb(d):
    return _write(d / "scan-bomb.png", png_bytes(30000, 30000))  # 900 Mpx in ~0.9 MB


def build_pdf_bomb(d):
    stream = zeros_zlib(1024 * MIB)  # 1 GiB of content stream in ~1 MB of file
    return _write(d / "pdf-bomb.pdf", minimal_pdf(stream, b" /Filter /FlateDecode"))


# --------------------------------------------------------------------------- the table

def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable
    expect: tuple[str, ...]      # substrings the error must hold (case-insensitive)
    hostile: bool = False        # read it under parse_many's supervision, never in-process


CASES = [
    Case("corrupt-docx", build_corrupt_docx, ("not a valid docx",)),
    Case("truncated-docx", build_truncated_docx, ("not a valid docx",)),
    Case("docx-not-a-zip", build_docx_not_zip, ("not a valid docx", "not a zip")),
    Case("docx-zip-without-word", build_docx_zip_without_document, ("no word/document.xml",)),
    Case("pdf-that-is-html", build_html_pdf, ("not a pdf", "html")),
    Case("truncated-pdf", build_truncated_pdf, ("damaged pdf",)),
    Case("txt-binary", build_binary_txt, ("binary data",)),
    Case("unsupported-xyz", build_unsupported, ("unsupported file type", ".xyz")),
    Case("no-extension", build_no_extension, ("unsupported file type", "no extension")),
    Case("nonexistent", build_missing, ("cannot read the file", "no such file")),
    Case("mode-000", build_mode_000, ("no permission",)),
    *[Case(f"empty{ext}", build_empty(ext), ("empty file",)) for ext in sorted(SUPPORTED)],
    *[Case(f"folder{ext}", build_directory(ext), ("folder|directory",))
      for ext in (".docx", ".pdf", ".txt", ".png")],
    Case("encrypted-pdf", build_encrypted_pdf, ("encrypted pdf", "password")),
    Case("docx-zip-bomb", build_zip_bomb_docx, ("zip bomb", "320 mib"), hostile=True),
    Case("docx-entity-bomb", build_entity_bomb_docx, ("word/document.xml", "entity bomb"), hostile=True),
    Case("docx-entity-bomb-late-doctype", build_entity_bomb_docx_late_doctype, ("entity bomb",), hostile=True),
    Case("png-decompression-bomb", build_png_bomb, ("decompression bomb",), hostile=True),
]
BY_NAME = {case.name: case for case in CASES}


def _marks(case: Case) -> list:
    marks = []
    if case.name == "mode-000":
        marks.append(pytest.mark.skipif(_root(), reason="root reads a mode-000 file"))
    return marks


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build each case's file once per module run (the batch tests reuse them)."""
    folder = tmp_path_factory.mktemp("bad-input")
    cache: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in cache:
            case_dir = folder / name
            case_dir.mkdir()
            cache[name] = BY_NAME[name].build(case_dir)
        return cache[name]

    yield get
    for path in cache.values():  # let the tmp cleanup remove mode-000 files
        if os.path.exists(path):
            os.chmod(path, 0o700)


def supervised(paths: list[str], **kwargs) -> list[dict]:
    kwargs.setdefault("timeout", 60)
    return list(parse_many(paths, **kwargs))


def assert_plain_error(record: dict, path: str, expect: tuple[str, ...]) -> None:
    error = record.get("error")
    assert record["path"] == path
    assert error, f"{os.path.basename(path)} was not refused: {record}"
    assert "\n" not in error and "Traceback" not in error, error
    assert not error.startswith("internal error"), f"a reader bug leaked out as the reason: {error}"
    low = error.lower()
    for wanted in expect:
        assert any(alt in low for alt in wanted.split("|")), f"{wanted!r} not in {error!r}"


# --------------------------------------------------------------------------- tests

def test_builders_make_valid_streams(tmp_path):
    """The bombs are only meaningful if their compressed data is well formed."""
    size = 3 * MIB + 12345
    inflater = zlib.decompressobj()
    assert inflater.decompress(zeros_zlib(size)) == bytes(size)  # zlib checks the Adler-32 too
    assert inflater.eof and not inflater.unused_data

    good_pdf = _write(tmp_path / "good.pdf", minimal_pdf(GOOD_PDF_CONTENT))
    small_bomb = _write(tmp_path / "small-bomb.pdf",
                        minimal_pdf(zeros_zlib(2 * MIB), b" /Filter /FlateDecode"))
    assert "12/QD-UBND" in parse_file(good_pdf).text
    record = parse_file(small_bomb)
    assert record.error is None and record.pages == 1

    from PIL import Image
    small_png = _write(tmp_path / "small.png", png_bytes(64, 48))
    with Image.open(small_png) as image:
        image.load()
        assert image.size == (64, 48) and image.getextrema() == (0, 0)

    docx_path = _write(tmp_path / "good.docx", small_docx_bytes())
    assert parse_file(docx_path).symbol == SYMBOL


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES])
def test_bad_file_gives_plain_error(case: Case, built):
    path = built(case.name)
    if case.hostile:
        records = supervised([path], jobs=1)
        assert len(records) == 1
        record = records[0]
    else:
        record = parse_file(path).to_dict()  # the contract: a record, never an exception
    assert_plain_error(record, path, case.expect)


def test_pdf_bomb_is_refused_or_contained(tmp_path):
    """A ~1 MB PDF whose content stream inflates to 1 GiB, read under supervision.

    Either the worker refuses it or dies inside its address-space limit (an error
    record), or it reads it within that limit; either way the next file is parsed.
    """
    bomb = build_pdf_bomb(tmp_path)
    assert os.path.getsize(bomb) < 2 * MIB
    good = _write(tmp_path / "after.pdf", minimal_pdf(GOOD_PDF_CONTENT))
    peak_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    started = time.monotonic()
    records = supervised([bomb, good], jobs=1, timeout=60)
    elapsed = time.monotonic() - started
    peak_after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

    assert [r["path"] for r in records] == [bomb, good]
    first, second = records
    if first["error"]:
        assert not first["error"].startswith("internal error"), first["error"]
        assert "\n" not in first["error"]
    else:
        assert first["pages"] == 1
    assert elapsed < 60, f"the bomb took {elapsed:.0f}s"
    if peak_after > peak_before:  # the largest worker so far was this test's
        assert peak_after <= MEMORY_LIMIT, f"a worker reached {peak_after / 2**30:.1f} GiB"
    assert second["error"] is None and "12/QD-UBND" in second["text"]


def sleepy_task(path: str):
    """A worker task that hangs on files named *sleep*; it writes its pid first."""
    if "sleep" in os.path.basename(path):
        with open(path + ".pid", "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(60)
    return parse_file(path)


def crashing_task(path: str):
    """A worker task that dies (as on an out-of-memory kill) on files named *crash*."""
    if "crash" in os.path.basename(path):
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_file(path)


def test_timeout_stops_the_worker_and_the_batch_goes_on(tmp_path):
    slow = _write(tmp_path / "sleep.txt", GOOD_TEXT.encode("utf-8"))
    good = _write(tmp_path / "good.txt", GOOD_TEXT.encode("utf-8"))
    started = time.monotonic()
    # 5 s: the good file is parsed by a new worker, which must start (and import
    # underthesea) within it even on a loaded machine.
    records = supervised([slow, good], jobs=1, timeout=5, task=sleepy_task)
    elapsed = time.monotonic() - started

    assert [r["path"] for r in records] == [slow, good]
    assert_plain_error(records[0], slow, ("took longer than 5s", "stopped"))
    assert records[1]["error"] is None and records[1]["symbol"] == SYMBOL
    assert elapsed < 20
    pid = int(open(slow + ".pid").read())
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left sleeping
        os.kill(pid, 0)


def test_crashed_worker_costs_only_its_file(tmp_path):
    crash = _write(tmp_path / "crash.txt", GOOD_TEXT.encode("utf-8"))
    good = _write(tmp_path / "good.txt", GOOD_TEXT.encode("utf-8"))
    records = supervised([crash, good, crash], jobs=1, task=crashing_task)
    assert [r["path"] for r in records] == [crash, good, crash]
    assert_plain_error(records[0], crash, ("reader crashed",))
    assert records[1]["error"] is None and records[1]["symbol"] == SYMBOL
    assert_plain_error(records[2], crash, ("reader crashed",))


BATCH_CASES = [c.name for c in CASES if not c.name.startswith("folder")
               and not (c.name == "mode-000" and _root())
               and not (c.name == "encrypted-pdf" and not shutil.which("soffice"))]


def test_one_batch_of_bad_files_goes_on(tmp_path, built):
    """All the bad files in one supervised batch, with good files between them."""
    good = _write(tmp_path / "good.txt", GOOD_TEXT.encode("utf-8"))
    paths, expect = [good], {good: None}
    for name in BATCH_CASES:
        paths += [built(name), good]
        expect[built(name)] = BY_NAME[name].expect
    records = supervised(paths, jobs=2)
    assert [r["path"] for r in records] == paths
    for record in records:
        if record["path"] == good:
            assert record["error"] is None and record["symbol"] == SYMBOL
        else:
            assert_plain_error(record, record["path"], expect[record["path"]])


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()                  # click >= 8.2 keeps stderr apart by itself


def test_cli_parse_reports_each_bad_file_and_keeps_the_good_one(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    good = _write(folder / "qd-12.txt", GOOD_TEXT.encode("utf-8"))
    bad = {
        build_corrupt_docx(folder): "not a valid DOCX",
        build_truncated_docx(folder): "not a valid DOCX",
        build_html_pdf(folder): "not a PDF (the file starts like HTML)",
        build_truncated_pdf(folder): "damaged PDF",
        build_empty(".md")(folder): "empty file",
        build_entity_bomb_docx(folder): "entity bomb",
    }
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    bad[build_unsupported(outside)] = "unsupported file type '.xyz'"  # named, not found by the walk
    bad[build_missing(outside)] = "cannot read the file"

    args = ["parse", "--json", "--timeout", "30", str(folder), *[p for p in bad if not p.startswith(str(folder))]]
    result = _runner().invoke(search_cli.cli, args, catch_exceptions=False)

    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(bad), result.stderr
    for path, reason in bad.items():
        lines = [line for line in errors if line.startswith(f"error: {path}: ")]
        assert len(lines) == 1, f"{path}: {result.stderr}"
        assert reason in lines[0], lines[0]
    assert f"{len(bad)} file(s) could not be parsed" in result.stderr

    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert sorted(r["path"] for r in records) == sorted([good, *bad])
    (record,) = [r for r in records if r["path"] == good]
    assert record["error"] is None
    assert record["symbol"] == SYMBOL and record["type_code"] == "QĐ"
