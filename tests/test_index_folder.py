"""The index folder is trusted data: nothing of ours in it is a pickle, vanban
opens it only when nobody but its owner can change it, and a cached record
decides a document only when it is surely that file's, parsed by this version,
written by the cache's owner. Real ingests of real files, real folders and modes,
through the CLI."""
from __future__ import annotations

import glob
import gzip
import json
import os
import pathlib
import pickle
import stat
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from index.whoosh import frequent as hotpostings
from index.whoosh.store import WhooshStore
from index.whoosh.internals import read_postings
from search_cli import cli

MARKED = """UBND TỈNH QUẢNG NGÃI
SỞ NỘI VỤ
Số: 41/SNV-TCBC
V/v rà soát biên chế năm 2024
MẬT
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 12 tháng 3 năm 2024
Kính gửi: UBND các huyện, thị xã.
Đề nghị các đơn vị rà soát biên chế năm 2024 và báo cáo trước ngày 30.
Nơi nhận:
- Như trên;
- Lưu: VT.
GIÁM ĐỐC
Trần Văn Minh
"""


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def run(*args, index):
    return _runner().invoke(cli, [*args, "--index", str(index)])


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def found(index, query: str = "quyết định") -> list[str]:
    """The files a search finds: each hit's, and the other files of its document."""
    result = run("search", query, "--json", "--limit", "100", index=index)
    assert result.exit_code == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return sorted(path for hit in hits for path in [hit["path"], *hit["also_at"]])


@pytest.fixture
def samples_index(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in SAMPLES.iterdir():
        if path.suffix in (".docx", ".md", ".pdf"):
            (docs / path.name).write_bytes(path.read_bytes())
    index = tmp_path / "index"
    result = run("ingest", "--no-ocr", str(docs), index=index)
    assert result.exit_code == 0, result.output
    return index, docs


# --- no pickle of ours --------------------------------------------------------------

def test_the_frequent_term_arrays_are_plain_arrays_that_match_whoosh(samples_index):
    index, _ = samples_index
    from whoosh.reading import SegmentReader

    from index.whoosh.internals import segments

    ix = WhooshStore(str(index)).ix
    for segment in segments(ix):
        with SegmentReader(ix.storage, ix.schema, segment) as reader:
            segment_id = segment.segment_id()
            hotpostings.write_segment(str(index), reader, segment_id, min_docs=1)  # every term: something to check
            hot = hotpostings.HotPostings.open(str(index), segment_id)
            assert hot is not None and len(hot.keys) > 500
            checked = 0
            for fieldname in ("title_syl", "body_syl", "body_fold", "body_pairs"):
                for text, _ in reader.iter_field(fieldname):
                    ids, weights, starts, last_ids = hot.get(fieldname, text)
                    want = read_postings(reader, fieldname, text)
                    assert np.array_equal(ids, want[0]) and np.array_equal(starts, want[2])
                    if fieldname != "body_pairs":
                        assert np.allclose(weights, want[1])
                    checked += 1
            assert checked > 500 and hot.get("body_syl", "không-có-từ-này") is None
    for path in glob.glob(str(index / "postings" / "*")):
        with open(path, "rb") as handle:
            assert handle.read(6) == b"\x93NUMPY", path  # .npy, never a pickle
        assert np.load(path, allow_pickle=False).dtype.kind != "O"


class _Payload:
    """A pickle that leaves a mark where it is loaded."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_a_planted_pickle_in_the_index_folder_is_never_loaded(samples_index, tmp_path):
    index, docs = samples_index
    before = found(index)
    marker = tmp_path / "pickle-was-loaded"
    postings = index / "postings"
    postings.mkdir(exist_ok=True)
    for segment_id in WhooshStore(str(index)).segment_ids():
        with open(postings / f"{segment_id}.terms", "wb") as handle:  # where older versions kept it
            pickle.dump(_Payload(str(marker)), handle)
        for suffix in hotpostings.SUFFIXES:  # and in place of every array
            np.save(postings / f"{segment_id}{suffix}", np.array([_Payload(str(marker))], dtype=object),
                    allow_pickle=True)
    # Searched in a process of its own: the module-wide cache of arrays starts empty.
    searched = subprocess.run([sys.executable, str(ROOT / "search_cli.py"), "search", "quyết định", "--json",
                               "--limit", "100", "--index", str(index)], capture_output=True, text=True)
    assert searched.returncode == 0, searched.stderr
    hits = [json.loads(line) for line in searched.stdout.splitlines()]
    assert sorted(path for hit in hits for path in [hit["path"], *hit["also_at"]]) == before
    assert not marker.exists()
    result = run("ingest", "--no-ocr", str(docs), index=index)  # the next ingest drops the old pickles
    assert result.exit_code == 0, result.output
    assert not glob.glob(str(postings / "*.terms")) and not marker.exists()


def test_a_search_without_arrays_reads_whoosh_and_finds_the_same(samples_index):
    index, docs = samples_index
    with_arrays = found(index), found(index, "báo cáo"), found(index, '"ủy ban nhân dân"')
    for path in glob.glob(str(index / "postings" / "*")):
        os.remove(path)
    assert (found(index), found(index, "báo cáo"), found(index, '"ủy ban nhân dân"')) == with_arrays
    assert with_arrays[0] and with_arrays[1]


# --- only the owner writes it ---------------------------------------------------------

def _refused(index, path) -> None:
    for args in (("search", "quy"), ("stats",)):
        line = one_error_line(run(*args, index=index))
        assert "refusing to open the folder" in line and str(path) in line and "chmod" in line


def _others_group() -> int:
    import grp
    return grp.getgrnam("users").gr_gid if "users" in {g.gr_name for g in grp.getgrall()} else 100


@pytest.mark.parametrize("where", [".", "segment", "records", "records/ab", "postings", "postings/file"])
def test_an_index_folder_others_can_write_is_refused_with_the_fix(samples_index, where):
    index, docs = samples_index
    targets = {".": index, "records": index / "records", "postings": index / "postings",
               "segment": next(index.glob("MAIN_*.seg")), "records/ab": next((index / "records").iterdir()),
               "postings/file": next((index / "postings").iterdir())}
    target = targets[where]
    mode = stat.S_IMODE(target.stat().st_mode)
    os.chmod(target, mode | stat.S_IWOTH)
    _refused(index, target)
    line = one_error_line(run("ingest", "--no-ocr", str(docs), index=index))
    assert "refusing to open the folder" in line
    os.chown(target, -1, _others_group())  # group write, for a group of several users
    os.chmod(target, mode | stat.S_IWGRP)
    _refused(index, target)
    os.chmod(target, mode)  # the fix the message gives
    assert found(index)


def test_group_write_for_the_owners_private_group_is_allowed(samples_index):
    import grp
    import pwd
    index, _ = samples_index
    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(me.pw_gid)
    others = set(group.gr_mem) - {me.pw_name} or {p.pw_name for p in pwd.getpwall()
                                                   if p.pw_gid == me.pw_gid and p.pw_name != me.pw_name}
    if others:
        pytest.skip(f"{group.gr_name} is not a private group here")
    os.chown(index, -1, me.pw_gid)
    os.chmod(index, 0o775)
    assert found(index)


def test_a_folder_above_that_others_can_write_is_refused_unless_sticky(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    index = shared / "index"
    result = run("ingest", "--no-ocr", str(SAMPLES / "bc_ward_report.md"), index=index)
    assert result.exit_code == 0, result.output
    os.chmod(shared, 0o777)  # anyone could move the index away and put theirs there
    line = one_error_line(run("search", "quy", index=index))
    assert "the folder above it" in line and str(shared) in line
    os.chmod(shared, 0o1777)  # like /tmp: others cannot rename what is ours
    assert found(index, "báo cáo")
    os.chown(index, 65534, -1)  # but a folder someone else made there is not opened
    line = one_error_line(run("search", "quy", index=index))
    assert "belongs to another user" in line
    os.chmod(shared, 0o755)  # the archivist's folder, read by a colleague: fine
    assert found(index, "báo cáo")


def test_a_new_index_is_writable_by_its_owner_only_whatever_the_umask(tmp_path):
    index = tmp_path / "index"
    ingest = subprocess.run(["sh", "-c", f'umask 000 && exec "{sys.executable}" "{ROOT / "search_cli.py"}" '
                             f'ingest --no-ocr "{SAMPLES}" --index "{index}"'], capture_output=True, text=True)
    assert ingest.returncode == 0, ingest.stderr
    entries = [index, *index.rglob("*")]
    assert len(entries) > 20
    writable = [str(p) for p in entries if p.stat().st_mode & 0o022]
    assert writable == []
    assert stat.S_IMODE(index.stat().st_mode) == 0o755  # readable by colleagues, as the umask allowed
    assert found(index, "báo cáo")


def test_the_work_folder_of_an_archive_on_postgresql_is_private(tmp_path, monkeypatch):
    from index.postgres.connection import default_work_folder

    monkeypatch.setenv("VANBAN_CACHE", str(tmp_path / "cache"))
    folder = default_work_folder("postgresql://someone@db.example/archive")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "cache").st_mode) == 0o700


# --- clearance from the file -------------------------------------------------------------

def _record_file(index, sha: str) -> pathlib.Path:
    """Where an ingest cached a file's record: in the index folder, or for an archive
    on PostgreSQL in this machine's work folder."""
    from index.archive import is_url
    from index.postgres.connection import default_work_folder

    folder = pathlib.Path(default_work_folder(str(index)) if is_url(str(index)) else index)
    return folder / "records" / sha[:2] / f"{sha}.json.gz"


def _rewrite(path: pathlib.Path, change) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        record = json.load(handle)
    change(record)
    mode = stat.S_IMODE(path.stat().st_mode)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(record, handle, ensure_ascii=False)
    os.chmod(path, mode)


def _shown(index, path) -> dict:
    result = run("show", str(path), "--json", index=index)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def secret(tmp_path):
    """A MẬT document ingested in a Whoosh index; its sha256."""
    return _ingested_secret(tmp_path, tmp_path / "index")


@pytest.fixture
def secret_anywhere(tmp_path, new_index):
    """A MẬT document ingested, on each backend; its sha256."""
    return _ingested_secret(tmp_path, new_index())


def _ingested_secret(tmp_path, index):
    import hashlib

    docs = tmp_path / "docs"
    docs.mkdir()
    path = docs / "cv-41-mat.txt"
    path.write_text(MARKED, encoding="utf-8")
    result = run("ingest", "--no-ocr", str(docs), index=index)
    assert result.exit_code == 0, result.output
    assert _shown(index, path)["confidentiality"] == "Mật"
    return index, path, hashlib.sha256(path.read_bytes()).hexdigest()


def _declassify(record: dict) -> None:
    record.pop("confidentiality", None)


TAMPERING = {
    # what a user other than the owner would have had to do: the file is left writable by others
    "written by another user": lambda path: (_rewrite(path, _declassify), os.chmod(path, 0o666)),
    # another file's record put under this file's name
    "another file's record": lambda path: _rewrite(path, lambda r: (_declassify(r), r.update(sha256="0" * 64))),
    # a record of another parser version (or an older vanban's, which has none)
    "another parser version": lambda path: _rewrite(path, lambda r: (_declassify(r), r.pop("_parser_version"))),
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_a_tampered_cached_record_never_decides_the_clearance(secret_anywhere, tampering):
    """The same file under a new name would come from the cache: a record that is not
    surely this file's, by this parser, by the owner, is parsed again instead."""
    index, path, sha = secret_anywhere
    TAMPERING[tampering](_record_file(index, sha))
    copy = path.with_name("cv-41-ban-sao.txt")
    copy.write_bytes(path.read_bytes())
    result = run("ingest", "--no-ocr", "--json", str(path.parent), index=index)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["added"], report["from_cache"], report["parsed"]) == (1, 0, 1)
    assert _shown(index, copy)["confidentiality"] == "Mật"
    assert found(index, "confidentiality:mật") == sorted([str(path), str(copy)])


def test_a_rebuild_from_a_tampered_cache_keeps_the_clearance(secret):
    """An index rebuilt from its record cache (an older index format) takes no record
    it cannot trust: the file is parsed again."""
    index, path, sha = secret
    TAMPERING["written by another user"](_record_file(index, sha))
    (index / "vanban-schema.json").write_text(json.dumps({"schema_version": 1}))
    result = run("ingest", "--no-ocr", "--json", str(path.parent), index=index)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["upgraded"] == 0
    assert _shown(index, path)["confidentiality"] == "Mật"


def test_the_owners_own_record_is_still_used_without_parsing(secret):
    """The control: an untouched record of this version is taken from the cache."""
    index, path, _ = secret
    copy = path.with_name("cv-41-ban-sao.txt")
    copy.write_bytes(path.read_bytes())
    result = run("ingest", "--no-ocr", "--json", str(path.parent), index=index)
    report = json.loads(result.stdout)
    assert (report["added"], report["from_cache"], report["parsed"]) == (1, 1, 0)
    assert _shown(index, copy)["confidentiality"] == "Mật"


def test_an_existing_folder_others_can_write_is_not_made_an_index_silently(tmp_path):
    """Only a folder the ingest has just made loses its group and world write; a
    folder that already held something is refused, its modes left as they were."""
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "notes.txt").write_text("ghi chú")
    os.chmod(folder, 0o777)
    line = one_error_line(run("ingest", "--no-ocr", str(SAMPLES / "bc_ward_report.md"), index=folder))
    assert "refusing to open the folder" in line and f"chmod go-w {folder}" in line
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 and not (folder / "records").exists()


def test_show_takes_the_clearance_from_the_index_and_the_text_from_any_version(secret):
    """``show`` and snippets read the cache for the text alone: a record of an older
    parser still gives it, and what the index holds (the clearance) wins over it."""
    index, path, sha = secret
    _rewrite(_record_file(index, sha), lambda r: (_declassify(r), r.pop("_parser_version")))
    shown = _shown(index, path)
    assert shown["confidentiality"] == "Mật" and "rà soát biên chế" in shown["text"]
    result = run("search", "biên chế", "--json", index=index)
    assert "«biên» «chế»" in json.loads(result.stdout.splitlines()[0])["snippet"]


def test_a_work_folder_others_can_write_is_refused_on_postgresql(secret_anywhere, backend):
    """On PostgreSQL the record cache is this machine's work folder: the same rule."""
    if backend != "postgresql":
        pytest.skip("the work folder of an archive on PostgreSQL")
    index, path, sha = secret_anywhere
    work = _record_file(index, sha).parents[2]
    os.chmod(work, 0o707)
    line = one_error_line(run("search", "biên chế", index=index))
    assert "refusing to open the folder" in line and f"chmod go-w {work}" in line
    os.chmod(work, 0o700)
    assert found(index, "biên chế") == [str(path)]


def test_a_repair_parses_again_what_the_cache_cannot_give_and_loses_nothing(secret):
    """Records of another parser version (an older vanban's) are not trusted by a
    rebuild: their files, still on disk, are parsed again by the same ingest, even
    one that names no folder, so the archive loses no document."""
    index, path, sha = secret
    TAMPERING["another parser version"](_record_file(index, sha))
    result = run("ingest", "--repair", "--no-ocr", "--json", index=index)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["repaired"], report["unrestorable"], report["parsed"], report["added"]) == (0, 0, 1, 1)
    assert _shown(index, path)["confidentiality"] == "Mật"
    assert found(index, "confidentiality:mật") == [str(path)]
