"""The archive on PostgreSQL (index/postgres/) on the tests' own
server: tokens written as tsvectors, many writers at once, clearance enforced by
the database, the schema version."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import psycopg
import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT, need_shared, new_database, write_report

from index.postgres.rows import tsvector_text
from index.postgres.store import PgStore
from index.fields import make_schema
from search_cli import cli

sys.path.insert(0, str(ROOT / "bench"))
from bench_pg import PARITY_QUERIES, reader_url, under_load  # noqa: E402  (the bench asks them at scale)


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def as_user(url: str, user: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}@{rest.split('@', 1)[1]}"


# (field, text) -> the tsvector literal written: our analysis, PostgreSQL only stores it
TSVECTORS = [
    ("title_syl", "Quy định về quy hoạch", "'quy':1,4 'định':2 'về':3 'hoạch':5"),
    ("title_fold", "Uỷ ban nhân dân", "'uy':1 'ban':2 'nhan':3 'dan':4"),
    ("title_syl", "", ""),
    ("title", "Ủy ban nhân dân", "'ủy' 'ban_nhân_dân'"),  # underthesea's words, alone
]


@pytest.mark.parametrize("field,text,want", TSVECTORS)
def test_tokens_become_a_tsvector_of_our_analysis(field, text, want):
    from index.analysis import presegment, presplit

    prepared = presegment(text) if field == "title" else presplit(text)
    got = tsvector_text(make_schema()[field].analyzer, prepared, positions=field != "title")
    assert got == want


def test_quotes_and_backslashes_survive_the_round_trip(pg_server):
    url = new_database(pg_server)
    PgStore(url, create=True)
    analyzer = make_schema()["figures"].analyzer
    text = "o'neil a\\b 12'5 «x»"
    literal = tsvector_text(analyzer, text, positions=True)
    with psycopg.connect(url) as conn:
        lexemes = conn.execute("SELECT tsvector_to_array(%s::tsvector)", (literal,)).fetchone()[0]
    assert sorted(lexemes) == sorted({t.text for t in analyzer(text, mode="index")})


def test_init_records_the_schema_version_and_refuses_another(pg_server):
    url = new_database(pg_server)
    assert run("init", index=url).exit_code == 0
    assert run("init", index=url).exit_code == 0  # again: nothing changes
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE vanban.meta SET value = '99' WHERE key = 'schema_version'")
    result = run("search", "quy", index=url)
    assert result.exit_code == 1 and "schema version 99" in result.output


def test_a_server_that_cannot_be_reached_is_one_plain_line():
    result = run("search", "quy", index="postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot use the archive at postgresql://nobody@127.0.0.1:1/none")
    assert len(result.output.strip().splitlines()) == 1


def _archive_and_reports(server: str, tmp_path, count: int):
    """A new, initialised archive and a folder of ``count`` reports."""
    url = new_database(server)
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(count):
        write_report(folder / f"bc_{i:03d}.txt", i + 1, f"Kết quả rà soát biên chế đợt {i}")
    assert run("init", index=url).exit_code == 0
    return url, folder


def _ingest_process(url: str, folder, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "search_cli.py"), "ingest", *options, "--jobs", "1",
                             "--no-ocr", "--index", url, str(folder)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_ingests_at_once_write_every_document_once(tmp_path, pg_server):
    url, folder = _archive_and_reports(pg_server, tmp_path, 120)
    ingests = [_ingest_process(url, folder, "--json") for _ in range(2)]
    answers = [p.communicate(timeout=300) for p in ingests]
    assert [p.returncode for p in ingests] == [0, 0], [err for _, err in answers]
    reports = [json.loads(out) for out, _ in answers]
    assert sum(r["added"] for r in reports) == 120  # each file written by one of them
    with psycopg.connect(url) as conn:
        count, distinct = conn.execute("SELECT count(*), count(DISTINCT path) FROM vanban.documents").fetchone()
    assert count == distinct == 120
    again = lines(run("ingest", "--json", "--no-ocr", str(folder), index=url))[0]
    assert (again["parsed"], again["unchanged"]) == (0, 120)


@pytest.fixture(scope="module")
def secret_archive(tmp_path_factory, pg_server):
    """An archive holding an open report and a MẬT one, and two people: a clerk
    (reader, no clearance) and a chief (reader cleared for MẬT)."""
    url = new_database(pg_server)
    folder = tmp_path_factory.mktemp("secret")
    write_report(folder / "open.txt", 5, "Kết quả rà soát biên chế năm 2024")
    write_report(folder / "secret.txt", 6, "Kết quả rà soát biên chế cán bộ diện quy hoạch", mark="MẬT")
    result = run("ingest", "--json", "--no-ocr", str(folder), index=url)
    assert result.exit_code == 0, result.output
    with psycopg.connect(url, autocommit=True) as conn:
        for user, groups in (("clerk_t", "vanban_reader"), ("chief_t", "vanban_reader, vanban_mat")):
            conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') "
                         f"THEN CREATE ROLE {user} LOGIN; END IF; END $$")
            conn.execute(f"GRANT {groups} TO {user}")
    return url, folder


def test_a_mat_document_is_invisible_below_its_clearance(secret_archive):
    url, folder = secret_archive
    clerk, chief = as_user(url, "clerk_t"), as_user(url, "chief_t")
    secret = str(folder / "secret.txt")
    for who, sees in ((chief, True), (clerk, False)):
        paths = {h["path"] for h in lines(run("search", "--json", "ra soat bien che", index=who))}
        assert (secret in paths) == sees and str(folder / "open.txt") in paths
        cited = {h["path"] for h in lines(run("cites", "--json", "77/QĐ-UBND", index=who))}
        assert (secret in cited) == sees and len(cited) == (2 if sees else 1)
        shown = run("show", "--json", "6/BC-SNV", index=who)
        assert (shown.exit_code == 0) == sees
        traced = run("trace", "--json", "6/BC-SNV", index=who)
        assert (traced.exit_code == 0) == sees
        (stats,) = lines(run("stats", "--json", index=who))
        assert stats["documents"] == (2 if sees else 1)
        exported = {r["path"] for r in lines(run("export", index=who))}
        assert (secret in exported) == sees
    assert lines(run("show", "--json", "6/BC-SNV", index=chief))[0]["confidentiality"] == "Mật"


def test_the_database_itself_hides_it_and_refuses_a_reader_s_writes(secret_archive):
    url, folder = secret_archive
    # A reader reads the clearance partitions granted to its roles, nothing else.
    for sql, rows in (("SELECT count(*) FROM vanban.documents_c0", 1),
                      ("SELECT count(*) FROM vanban.documents_c0 WHERE path LIKE '%/secret.txt'", 0),
                      ("SELECT count(*) FROM vanban.documents", None),       # the parent: refused
                      ("SELECT count(*) FROM vanban.documents_c1", None),    # MẬT: refused
                      ("SELECT count(*) FROM vanban.passages_c1", None),
                      ("SELECT count(*) FROM vanban.documents_c0_y2024", None),  # a year, directly
                      ("DELETE FROM vanban.documents_c0", None)):
        with psycopg.connect(as_user(url, "clerk_t"), autocommit=True) as conn:
            if rows is None:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
            else:
                assert conn.execute(sql).fetchone()[0] == rows, sql
    with psycopg.connect(as_user(url, "chief_t"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM vanban.documents_c1").fetchone()[0] == 1
    write_report(folder / "new.txt", 9, "Kết quả tuyển dụng công chức")
    result = run("ingest", "--no-ocr", str(folder / "new.txt"), index=as_user(url, "clerk_t"))
    assert result.exit_code == 1
    assert result.output.strip().endswith("clerk_t may not write to the archive at "
                                          f"{as_user(url, 'clerk_t')} (a reader's role; ingest as the archive's owner)")


@pytest.fixture
def own_server(pg_server):
    """A cluster of this test's own, beside the shared one: the test kills it."""
    # In /tmp itself: the server's own user (postgres, when the tests run as root)
    # cannot enter pytest's private temporary folders.
    state = pathlib.Path(f"/tmp/vanban-pg-fault-{os.getpid()}")
    env = {**os.environ, "VANBAN_TEST_PG_STATE": str(state), "VANBAN_TEST_PG_PORT": "54339"}
    script = str(ROOT / "scripts" / "pg_test_cluster.sh")
    started = subprocess.run(["bash", script, "start"], env=env, capture_output=True, text=True, check=True)
    url = next(line.split("=", 1)[1] for line in started.stdout.splitlines() if "VANBAN_TEST_PG=" in line)
    yield url, state / "data", lambda: subprocess.run(["bash", script, "restart"], env=env, check=True)
    subprocess.run(["bash", script, "stop"], env=env, check=False)


def _kill_server(data) -> None:
    """SIGKILL the postmaster and every process it started, as a crash would."""
    import signal
    import time

    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False).stdout.split()
    for pid in [postmaster, *map(int, children)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in [postmaster, *map(int, children)]):
        time.sleep(0.1)


def test_a_server_killed_mid_ingest_loses_nothing_committed_and_a_rerun_completes(tmp_path, own_server):
    import time

    server, data, restart = own_server
    url, folder = _archive_and_reports(server, tmp_path, 300)
    ingest = _ingest_process(url, folder)
    committed = []
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline and len(committed) < 60:
            committed = conn.execute("SELECT path, sha256, record FROM vanban.documents").fetchall()
            time.sleep(0.05)
    assert ingest.poll() is None and len(committed) >= 60, "the ingest should still be running"
    _kill_server(data)
    _, stderr = ingest.communicate(timeout=120)
    assert ingest.returncode != 0
    assert "lost the archive at" in stderr and "run the ingest again" in stderr
    restart()
    with psycopg.connect(url, autocommit=True) as conn:
        after = {p: (s, r) for p, s, r in conn.execute("SELECT path, sha256, record FROM vanban.documents")}
    assert all(after.get(p) == (s, r) for p, s, r in committed)  # what was committed is intact
    rerun = lines(run("ingest", "--json", "--no-ocr", str(folder), index=url))[0]
    assert rerun["failed"] == [] and rerun["unchanged"] >= len(committed)
    with psycopg.connect(url) as conn:
        count, distinct = conn.execute("SELECT count(*), count(DISTINCT path) FROM vanban.documents").fetchone()
    assert count == distinct == 300


def test_a_url_naming_several_hosts_reads_from_the_first_that_answers(pg_server):
    """Searchers spread over read replicas by naming them all: libpq tries them in turn."""
    url = new_database(pg_server)
    assert run("init", index=url).exit_code == 0
    scheme, rest = url.split("://", 1)
    user, place = rest.split("@", 1)
    several = f"{scheme}://{user}@127.0.0.1:1,{place}"  # the first host answers nothing
    (stats,) = lines(run("stats", "--json", index=several))
    assert stats["documents"] == 0


def test_two_ingests_and_eight_searchers_at_once(pg_server):
    """The load test, bounded (bench/bench_pg.py runs it at scale and times it): 2
    ingest processes on the same new folder and 8 searching processes, as a
    reader, together; afterwards every document is there exactly once."""
    need_shared(CORPUS / "vbpl" / "vbpl.jsonl")  # the vocabulary of the generated documents
    url = new_database(pg_server)
    assert run("init", index=url).exit_code == 0
    queries = {"term": ["quy", "hành", "chính"], "phrase": ['"quy định"', '"hồ sơ"'], "folded": ["ho so", "quy dinh"]}
    result = under_load(url, reader_url(url), queries, load_docs=80, searches=40)
    assert result["every_document_once"], result
    assert result["documents"] == 80 and result["searches"] == 40
    assert sorted(r["added"] + r["unchanged"] for r in result["ingest_processes"]) == [80, 80]
    assert sum(r["added"] for r in result["ingest_processes"]) == 80


@pytest.fixture(scope="module")
def both_backends(tmp_path_factory, pg_server):
    """The same 80 texts of the national database on Whoosh and on PostgreSQL."""
    need_shared(CORPUS / "vbpl" / "vbpl.jsonl")
    folder = tmp_path_factory.mktemp("vbpl")
    with open(CORPUS / "vbpl" / "vbpl.jsonl", encoding="utf-8") as handle:
        pages = [json.loads(line) for line in handle]
    for i, text in enumerate([p["text"] for p in pages if p["page_kind"] == "full_text"][:80]):
        (folder / f"vb_{i:03d}.txt").write_text(text, encoding="utf-8")
    whoosh, pg = tmp_path_factory.mktemp("index"), new_database(pg_server)
    for index in (whoosh, pg):
        assert run("ingest", "--no-ocr", str(folder), index=index).exit_code == 0
    return whoosh, pg


@pytest.mark.parametrize("text", PARITY_QUERIES)
def test_both_backends_find_the_same_documents(both_backends, text):
    from index.backends import open_archive as open_store

    found = []
    for index in both_backends:
        results = open_store(str(index)).search(text, limit=1000)
        assert results.exact
        found.append((results.total, {h.path for h in results.hits}))
    assert found[0] == found[1] and found[0][0] > 0, text


@pytest.mark.parametrize("tokens", [
    ["quy", "định"] * 400,                                  # a word past 255 positions
    [f"w{i % 5000}" for i in range(40_000)],               # past 16,383 positions
    ["một", "hai", "ba"],                                    # short: one passage, itself
    ["số", "143/2013/nđ-cp 143", "2013", "nđ", "cp"] * 300,  # a symbol shares its first part's position
])
def test_passages_keep_every_position_and_every_phrase_whole(tokens):
    from index.postgres.rows import MAX_POSITION, MAX_POSITIONS, PASSAGE_OVERLAP, passages

    slots = [t.split() for t in tokens]
    cut = [[" ".join(slot) for slot in p] for p in passages(slots)]
    assert all(len(p) < MAX_POSITION for p in cut)
    assert all(max(sum(slot.split().count(w) for slot in p) for w in {w for s in p for w in s.split()})
               <= MAX_POSITIONS for p in cut)
    assert cut[0] == tokens[:len(cut[0])] and cut[-1] == tokens[-len(cut[-1]):]
    spans = ["|".join(p) for p in cut]
    for start in range(0, len(tokens) - PASSAGE_OVERLAP, 997):  # any stretch of OVERLAP positions lies in one
        stretch = "|".join(tokens[start:start + PASSAGE_OVERLAP])
        assert any(stretch in span for span in spans), start


def test_many_matches_are_ranked_from_a_pool_chosen_by_title(both_backends, monkeypatch):
    """Past RANK_ALL matches only the RANK_POOL best by their titles are ranked in
    full: with a pool that holds them all, the order is the full ranking's; with a
    small pool, its best by title."""
    from index.postgres import search as pgquery
    from index.backends import open_archive as open_store

    store = open_store(str(both_backends[1]))
    full = store.search("quy định", limit=10)
    monkeypatch.setattr(pgquery, "RANK_ALL", 5)
    monkeypatch.setattr(pgquery, "RANK_POOL", 10_000)
    pooled = store.search("quy định", limit=10)
    assert [(h.path, h.score) for h in pooled.hits] == [(h.path, h.score) for h in full.hits]
    monkeypatch.setattr(pgquery, "RANK_POOL", 3)
    small = store.search("quy định", limit=10)
    assert small.total == full.total > 5 and len(small.hits) == 3


def _most_cited(store) -> tuple[str, list[int]]:
    """Of three decrees the corpus cites, the most cited, and the documents citing it."""
    citing = {symbol: sorted({d for ds in store.citing_keys(symbol).values() for d in ds})
              for symbol in ("35/2025/nđ-cp", "214/2025/nđ-cp", "181/2025/nđ-cp")}
    return max(citing.items(), key=lambda item: len(item[1]))


def test_heads_are_what_the_records_show_on_both_backends(both_backends):
    """``heads_at`` (what ``cites`` reads of each citing document) is ``rows.head`` of
    the whole record, on Whoosh (a column of its own) and PostgreSQL (built by the
    server) alike: the heading fields, every citation with a key and none without."""
    from index.backends import open_archive as open_store
    from index.analysis import symbol_term
    from index.rows import HEAD_FIELDS, head

    for index in both_backends:
        store = open_store(str(index))
        cited, docs = _most_cited(store)
        heads = store.heads_at(docs)
        assert len(heads) >= 2 and all(set(h) == {*HEAD_FIELDS, "citations"} for h in heads)
        assert heads == [head(store.by_path(h["path"])) for h in heads]
        assert all(c["key"] for h in heads for c in h["citations"])
        assert all(any(symbol_term(c["symbol"]) == cited for c in h["citations"]) for h in heads), cited


def test_heads_of_a_symbol_are_the_heads_of_its_documents_on_both_backends(both_backends):
    """``heads_of`` (how a document page links its citations) is ``rows.head`` of
    each record ``by_symbol`` finds, in the same order, on both backends."""
    from index.backends import open_archive as open_store
    from index.rows import head

    answers = []
    for index in both_backends:
        store = open_store(str(index))
        symbols = sorted({r["symbol"] for r in store.records() if r.get("symbol")})[:12]
        heads = {s: store.heads_of(s) for s in symbols}
        assert all(heads[s] == [head(r) for r in store.by_symbol(s)] and heads[s] for s in symbols)
        assert store.heads_of("9999/QĐ-KHONGCO") == []
        answers.append({s: sorted(h["path"] for h in found) for s, found in heads.items()})
    assert answers[0] == answers[1]


@pytest.mark.parametrize("text, sort", [("quy định", "relevance"), ("hồ sơ", "date")])
def test_a_page_of_hits_is_that_stretch_of_the_ranking_on_both_backends(both_backends, text, sort):
    """``start``: only the hits of one page are made (their snippets cost), and they
    are the ranked ``start`` to ``limit`` of the whole ranking, with the same total."""
    from index.backends import open_archive as open_store

    for index in both_backends:
        store = open_store(str(index))
        whole = store.search(text, limit=15, sort=sort, facets=True)
        page = store.search(text, limit=15, start=5, sort=sort, facets=True)
        assert [h.to_dict() for h in page.hits] == [h.to_dict() for h in whole.hits[5:15]]
        assert len(page.hits) == 10 and (page.total, page.exact, page.facets) == (whole.total, whole.exact, whole.facets)


def test_cites_of_a_citing_document_removed_meanwhile_lists_the_others(both_backends):
    """``heads_at`` answers None for a document gone since its number was read (an
    ingest replaced it): ``cites`` shows the others, each under its own head."""
    from index.backends import open_archive as open_store
    from index.graph import cites

    store = open_store(str(both_backends[1]))
    cited, docs = _most_cited(store)
    assert len(docs) >= 2, cited
    whole = store.heads_at(docs)
    assert store.heads_at([docs[0], -1, docs[1]]) == [whole[0], None, whole[1]]
    store.heads_at = lambda wanted: [None if d == docs[0] else r for d, r in zip(wanted, type(store).heads_at(store, wanted))]
    shown = {c.record["path"] for g in cites(store, cited).values() for c in g.documents}
    assert shown == {r["path"] for r in whole[1:]}


DRAFT = """UBND PHƯỜNG PHỔ VINH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số:     /KH-UBND
Phổ Vinh, ngày      tháng 3 năm 2024
KẾ HOẠCH
Tuyên truyền phòng chống thiên tai năm 2024
Nội dung kế hoạch tuyên truyền phòng chống thiên tai trên địa bàn phường.
"""


def test_a_date_in_part_is_placed_in_its_year_on_both_backends(tmp_path, pg_server):
    """A draft's blank day keeps its month and year (2024-03, precision month): both
    backends find it with --year 2024 and count it in 2024, and neither places it in
    a range of days."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "kh_draft.txt").write_text(DRAFT, encoding="utf-8")
    for index in (tmp_path / "index", new_database(pg_server)):
        assert run("ingest", "--no-ocr", str(folder), index=index).exit_code == 0
        shown = lines(run("show", "--json", str(folder / "kh_draft.txt"), index=index))[0]
        assert (shown["date"], shown["date_precision"]) == ("2024-03", "month")
        assert any(w.startswith("date not filled in") for w in shown["warnings"])
        assert len(lines(run("search", "--json", "--year", "2024", "thien tai", index=index))) == 1
        assert lines(run("search", "--json", "--year", "2023", "thien tai", index=index)) == []
        assert lines(run("search", "--json", "--from", "2024-01-01", "thien tai", index=index)) == []
        assert lines(run("stats", "--json", index=index))[0]["by_year"] == {"2024": 1}


MATCH_COLUMNS = ("terms", "title_pairs", "body_pairs")


def _as_version_4(url: str) -> None:
    """The archive as version 4 made it: no match columns, a GIN index of each
    searched text field, statistics kept of every token column."""
    from index.fields import SEARCH_FIELDS

    with psycopg.connect(url, autocommit=True) as conn:
        for name in MATCH_COLUMNS:
            conn.execute(f"ALTER TABLE vanban.documents DROP COLUMN {name}")
        for name in SEARCH_FIELDS:
            conn.execute(f"ALTER TABLE vanban.documents ALTER COLUMN {name} SET STATISTICS -1")
            conn.execute(f"CREATE INDEX documents_{name} ON vanban.documents USING gin ({name})")
        conn.execute("ANALYZE vanban.documents")
        conn.execute("UPDATE vanban.meta SET value = '4' WHERE key = 'schema_version'")


def _token_statistics(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE vanban.documents")
        conn.execute("ANALYZE vanban.passages")
        return conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_statistic s JOIN pg_catalog.pg_attribute a "
            "ON a.attrelid = s.starelid AND a.attnum = s.staattnum JOIN pg_catalog.pg_class c ON c.oid = s.starelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'vanban' AND a.atttypid = 'pg_catalog.tsvector'::pg_catalog.regtype").fetchone()[0]


def _as_version_5(url: str) -> None:
    """The archive as version 5 made it: no sample lexeme in the match columns."""
    from index.postgres.rows import SAMPLED

    shares = [SAMPLED[:-1] + digit for digit in "0123456789abcdef"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE vanban.documents SET " + ", ".join(
            f"{name} = pg_catalog.ts_delete({name}, %(shares)s::text[])" for name in MATCH_COLUMNS), {"shares": shares})
        for name in MATCH_COLUMNS:
            assert conn.execute(f"SELECT count(*) FROM vanban.documents WHERE {name} @@ %s::tsquery",
                                (f"'{SAMPLED}'",)).fetchone()[0] == 0
        conn.execute("UPDATE vanban.meta SET value = '5' WHERE key = 'schema_version'")


@pytest.mark.parametrize("version", [4, 5])
def test_init_migrates_an_older_archive_to_the_match_columns_and_no_token_statistics(pg_server, version):
    """Version 5 finds documents by ``terms`` and the pairs columns, version 6 by a
    sample share too: ``vanban init`` fills them for every row of an older archive
    as an ingest writes them, drops the statistics the planner misjudged by, and
    searches find what they found."""
    url = new_database(pg_server)
    assert run("ingest", "--no-ocr", str(ROOT / "samples"), index=url).exit_code == 0
    assert _token_statistics(url) == 0  # a new archive keeps none
    queries = ["quy định", '"cải cách hành chính"', "cai cach hanh chinh", "UBND NOT phường", "kế hoạch"]
    before = {q: lines(run("search", "--json", "--limit", "50", q, index=url)) for q in queries}
    assert all(before.values())
    with psycopg.connect(url) as conn:
        written = conn.execute(f"SELECT path, {', '.join(MATCH_COLUMNS)} FROM vanban.documents ORDER BY path").fetchall()
    (_as_version_4 if version == 4 else _as_version_5)(url)
    if version == 4:
        assert _token_statistics(url) > 0
    stale = run("search", "quy", index=url)
    assert stale.exit_code == 1 and f"schema version {version}" in stale.output
    assert run("init", index=url).exit_code == 0
    with psycopg.connect(url) as conn:
        assert conn.execute(f"SELECT path, {', '.join(MATCH_COLUMNS)} FROM vanban.documents "
                            "ORDER BY path").fetchall() == written
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'documents'")}
    assert {"documents_terms", "documents_body_pairs"} <= indexes and "documents_body_syl" not in indexes
    assert _token_statistics(url) == 0
    assert {q: lines(run("search", "--json", "--limit", "50", q, index=url)) for q in queries} == before


@pytest.mark.parametrize("path", ["samples/a.txt", "Lưu trữ/2024/Báo cáo số 32 – UBND.pdf", "x" * 300])
def test_a_row_s_sample_share_is_the_same_in_python_and_in_sql(pg_server, path):
    from index.postgres.rows import SAMPLE_SQL, sample_lexeme

    with psycopg.connect(pg_server) as conn:
        (lexemes,) = conn.execute(f"SELECT pg_catalog.tsvector_to_array({SAMPLE_SQL}) FROM (SELECT %s::text AS path) p",
                                  (path,)).fetchone()
    assert lexemes == [sample_lexeme(path)] and sample_lexeme(path)[:-1] == "~sample:"
