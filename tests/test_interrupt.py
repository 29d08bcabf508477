"""Interrupted ingests and damaged indexes, for real: a few hundred pages of the
national legal database written out as .txt files, ``vanban ingest`` run as a
process group of its own (parse workers, Whoosh sub-writers, array writers),
stopped the way a terminal (Ctrl-C: SIGINT to the whole group) or a service
manager (SIGTERM, SIGHUP) stops it, at the moment each test means: while files
are parsed, in the middle of a commit, while the frequent-term arrays are
written. Afterwards the archive must open and answer with everything committed
before, the ingest must have said so in one line, and a last ingest must leave
every document exactly once. Then indexes damaged on purpose (a segment cut
short or emptied, a garbled table of contents or version file): every command
says so in one line, and ``ingest --repair`` restores every document from the
record cache without parsing anything.

The moments are found through ``$VANBAN_STAGE_LOG`` (index/run.py ``stage``:
each stage appends its name as it starts) and the record cache filling up."""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import CORPUS, ROOT, need_shared, new_database

VBPL = CORPUS / "vbpl" / "vbpl.jsonl"
DOCS = 240  # the shortest pages of some length: a few hundred documents that parse in well under a minute
BASE_ENV = {"VANBAN_COMMIT_EVERY": "25"}  # commits all along the way


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> pathlib.Path:
    need_shared(VBPL)
    with open(VBPL, encoding="utf-8") as handle:
        pages = [json.loads(line) for line in handle if line.strip()]
    pages = sorted((p for p in pages if len((p.get("text") or "").strip()) >= 400),
                   key=lambda p: (len(p["text"]), p["id"]))[:DOCS]
    folder = tmp_path_factory.mktemp("vbpl")
    for page in pages:
        (folder / f"{page['id']}.txt").write_text(page["text"], encoding="utf-8")
    return folder


def cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "search_cli.py"), *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **BASE_ENV, **(env or {})})


def start_ingest(index, folder, log: pathlib.Path, env: dict, extra=()) -> subprocess.Popen:
    """``vanban ingest`` in a session (a process group) of its own, as a terminal runs it."""
    return subprocess.Popen([sys.executable, str(ROOT / "search_cli.py"), "ingest", str(folder), "--index",
                             str(index), "--jobs", "2", "--no-ocr", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, **BASE_ENV, "VANBAN_STAGE_LOG": str(log), **env})


def stages(log: pathlib.Path) -> list[str]:
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def interrupt_when(index, folder, tmp_path, signum, moment, env=None, settle: float = 0.0, extra=()):
    """Start an ingest, wait for ``moment(stages)`` to hold, wait ``settle`` seconds,
    signal the whole process group; returns (stderr, return code, stages seen
    when the signal was sent, stages at the end)."""
    log = tmp_path / f"stages-{time.monotonic_ns()}.log"
    proc = start_ingest(index, folder, log, env or {}, extra)
    deadline = time.monotonic() + 240
    while not moment(stages(log)):
        assert proc.poll() is None, f"the ingest ended before the moment came: {proc.communicate()}"
        assert time.monotonic() < deadline, "the moment never came"
        time.sleep(0.01)
    time.sleep(settle)
    at_signal = stages(log)
    os.killpg(proc.pid, signum)
    _, err = proc.communicate(timeout=120)
    group_ends(proc.pid)
    return err, proc.returncode, at_signal, stages(log)


def group_ends(pgid: int) -> None:
    """Every process of the ingest's group is gone (workers, writers: none left behind)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("processes of the stopped ingest are still running")


STOPPED = re.compile(r"^ingest stopped \((interrupted|terminated|hung up)\): the archive keeps the (\d+) "
                     r"document\(s\) committed before; run the same ingest again to finish")


def assert_stopped_in_one_line(err: str, code: int, signum: int) -> int:
    """The ingest's own words: one line (after the progress bar's), no traceback;
    the exit code 128 + the signal. Returns how many documents it says are kept."""
    assert "Traceback" not in err and "Aborted!" not in err, err
    said = [line for line in err.splitlines() if line.strip() and line.strip() != "Parsing"]
    assert len(said) == 1 and STOPPED.match(said[0]), err
    assert code == 128 + signum, (code, err)
    return int(STOPPED.match(said[0]).group(2))


def answers(index) -> list[str]:
    """stats, search and export answer (exit 0, no traceback); the paths archived."""
    stats = cli("stats", "--json", "--index", index)
    assert stats.returncode == 0 and "Traceback" not in stats.stderr, stats.stderr
    found = cli("search", "--json", "luật", "--limit", "5", "--index", index)
    assert found.returncode == 0 and "Traceback" not in found.stderr, found.stderr
    exported = cli("export", "--index", index)
    assert exported.returncode == 0 and "Traceback" not in exported.stderr, exported.stderr
    paths = [json.loads(line)["path"] for line in exported.stdout.splitlines() if line.strip()]
    assert json.loads(stats.stdout)["documents"] == len(paths)
    if paths:  # what was committed is found
        hits = [json.loads(line)["path"] for line in found.stdout.splitlines() if line.strip()]
        assert hits and set(hits) <= set(paths)
    return paths


def cached(index) -> int:
    records = pathlib.Path(index) / "records"
    return sum(name.endswith(".json.gz") for _, _, names in os.walk(records) for name in names)


def mid_commit(seen: list[str]) -> bool:
    return seen.count("commit") > seen.count("committed")


def test_signals_at_any_moment_keep_what_was_committed(corpus, tmp_path):
    index = tmp_path / "index"
    files = sorted(str(p) for p in corpus.iterdir())
    kept_before = 0

    # 1. Ctrl-C while files are parsed, after a first commit (one writer, as a small
    # ingest has).
    err, code, _, _ = interrupt_when(index, corpus, tmp_path, signal.SIGINT,
                                     lambda seen: "committed" in seen and cached(index) >= 40)
    kept = assert_stopped_in_one_line(err, code, signal.SIGINT)
    assert len(answers(index)) == kept >= 25
    kept_before = kept

    # 2. SIGHUP while parsing, the writer processes at work (lowered threshold).
    many = {"VANBAN_PARALLEL_WRITE_FROM": "1"}
    err, code, _, _ = interrupt_when(index, corpus, tmp_path, signal.SIGHUP,
                                     lambda seen: "parse" in seen and cached(index) >= kept_before + 60, env=many)
    kept = assert_stopped_in_one_line(err, code, signal.SIGHUP)
    assert len(answers(index)) == kept >= kept_before
    kept_before = kept

    # 3. SIGTERM in the middle of a commit of the writer processes (cached records
    # are handed to them first: the commit waits for them to write their segments).
    err, code, at_signal, after = interrupt_when(index, corpus, tmp_path, signal.SIGTERM, mid_commit,
                                                 env=many, settle=0.3)
    kept = assert_stopped_in_one_line(err, code, signal.SIGTERM)
    assert mid_commit(at_signal) and after == at_signal, "the signal should land inside the commit"
    assert len(answers(index)) == kept >= kept_before
    kept_before = kept

    # 4. Ctrl-C while the frequent-term arrays are written, by processes of their own.
    arrays = {**many, "VANBAN_PARALLEL_ARRAYS_FROM": "1"}
    err, code, at_signal, _ = interrupt_when(index, corpus, tmp_path, signal.SIGINT,
                                             lambda seen: "arrays" in seen, env=arrays, settle=0.2)
    kept = assert_stopped_in_one_line(err, code, signal.SIGINT)
    assert len(answers(index)) == kept == len(files)  # everything was committed before the arrays

    # 5. The next ingest finishes the job: every document exactly once, found.
    done = cli("ingest", "--json", corpus, "--index", index, "--jobs", "2", "--no-ocr")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["failed"] == [] and report["unchanged"] == len(files) and report["parsed"] == 0
    paths = answers(index)
    assert sorted(paths) == files
    from index.whoosh.frequent import missing_segments
    from index.whoosh.store import WhooshStore

    assert missing_segments(str(index), WhooshStore(str(index)).segment_ids()) == []  # arrays the stop left out


def test_a_stopped_ingest_on_postgresql_says_so_in_one_line(corpus, tmp_path, pg_server):
    """Each document is its own transaction there: a stop keeps every one written."""
    url = new_database(pg_server)
    subset = tmp_path / "docs"
    subset.mkdir()
    for path in sorted(corpus.iterdir())[:40]:
        shutil.copy(path, subset / path.name)
    from index.postgres.connection import default_work_folder

    records = pathlib.Path(default_work_folder(url)) / "records"

    def parsed_some(seen):
        return "parse" in seen and records.exists() and sum(len(n) for _, _, n in os.walk(records)) >= 8

    err, code, _, _ = interrupt_when(url, subset, tmp_path, signal.SIGINT, parsed_some)
    kept = assert_stopped_in_one_line(err, code, signal.SIGINT)
    assert len(answers(url)) == kept
    done = cli("ingest", "--json", subset, "--index", url, "--jobs", "2", "--no-ocr")
    assert done.returncode == 0, done.stderr
    assert sorted(answers(url)) == sorted(str(p) for p in subset.iterdir())


def test_a_statement_cut_short_leaves_the_archive_countable(pg_server):
    """A Ctrl-C can land while psycopg has a statement on the wire that it could
    not cancel; that connection refuses every other statement ("another command is
    already in progress"). The stop's count, and any read after, takes a new one."""
    from index.postgres.store import PgStore

    store = PgStore(new_database(pg_server), create=True)
    try:
        store.conn.pgconn.send_query(b"SELECT pg_catalog.pg_sleep(0.2)")  # as the cut left it
        assert store.count() == 0
        assert store.paths() == {}
    finally:
        store.close()


# --- damaged indexes ------------------------------------------------------------

@pytest.fixture(scope="module")
def healthy(corpus, tmp_path_factory):
    """A small index of 40 of the pages, built once; each test damages a copy."""
    folder = tmp_path_factory.mktemp("forty")
    for path in sorted(corpus.iterdir())[:40]:
        shutil.copy(path, folder / path.name)
    index = tmp_path_factory.mktemp("healthy") / "index"
    built = cli("ingest", folder, "--index", index, "--jobs", "2", "--no-ocr")
    assert built.returncode == 0, built.stderr
    return folder, index


def segment(index: pathlib.Path) -> pathlib.Path:
    return max(index.glob("MAIN_*.seg"), key=lambda p: p.stat().st_size)


def cut_segment(index):
    path = segment(index)
    os.truncate(path, path.stat().st_size // 2)


def empty_segment(index):
    os.truncate(segment(index), 0)


def garble_version(index):
    (index / "vanban-schema.json").write_text('{"schema_version": 2', encoding="utf-8")


def garble_toc_and_lose_manifest(index):
    (toc,) = index.glob("_MAIN_*.toc")
    data = bytearray(toc.read_bytes())
    data[len(data) // 3:len(data) // 3 + 64] = os.urandom(64)
    toc.write_bytes(bytes(data))
    (index / "documents.json").unlink()  # the repair then finds the files from the record cache


READERS = [("search", "luật"), ("cites", "121/2025/QH15"), ("trace", "121/2025/QH15"), ("show", "121/2025/QH15"),
           ("stats",), ("export",)]


@pytest.mark.parametrize("damage, readers", [
    (cut_segment, READERS),  # every command
    (empty_segment, READERS[:1] + READERS[4:5]),
    (garble_version, READERS[:1] + READERS[4:5]),
    (garble_toc_and_lose_manifest, READERS[:1] + READERS[4:5]),
])
def test_a_damaged_index_is_one_line_everywhere_and_repaired_from_the_cache(healthy, tmp_path, damage, readers):
    folder, original = healthy
    index = tmp_path / "index"
    shutil.copytree(original, index)
    damage(index)
    for command in [*readers, ("ingest", folder)]:
        result = cli(*command, "--index", index)
        said = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 1 and "Traceback" not in result.stderr, (command, result.stderr)
        assert len(said) == 1 and said[0].startswith(f"Error: the index in {index} is damaged"), (command, said)
        assert "vanban ingest --repair" in said[0]
    repaired = cli("ingest", "--repair", "--json", folder, "--index", index, "--jobs", "2", "--no-ocr")
    assert repaired.returncode == 0, repaired.stderr
    report = json.loads(repaired.stdout)
    assert report["parsed"] == 0 and report["repaired"] == 40 and report["unrestorable"] == 0
    assert report["unchanged"] == 40  # the files named are there already, unchanged
    assert sorted(answers(index)) == sorted(str(p) for p in folder.iterdir())


def test_a_repair_stopped_half_way_is_finished_by_the_next_ingest(healthy, tmp_path):
    folder, original = healthy
    index = tmp_path / "index"
    shutil.copytree(original, index)
    cut_segment(index)
    err, code, _, after = interrupt_when(index, folder, tmp_path, signal.SIGINT, lambda seen: "rebuild" in seen,
                                         extra=["--repair"])
    assert "committed" not in after
    said = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and code == 130, err
    assert len(said) == 1 and said[0].startswith("ingest stopped (interrupted) while it rebuilt the index"), said
    assert answers(index) == []  # dropped, to be rebuilt: it opens and answers meanwhile
    done = cli("ingest", "--json", folder, "--index", index, "--jobs", "2", "--no-ocr")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["repaired"] == 40 and report["parsed"] == 0
    assert sorted(answers(index)) == sorted(str(p) for p in folder.iterdir())
