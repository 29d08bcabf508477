"""The archive on PostgreSQL against hostile readers (#12, item 3), on the tests'
own server: an owner that is not a superuser, a reader who may create objects in
``public`` and puts it first in ``search_path``, a 300-word query, a reader's
plans, partitions made ahead, odd inputs and passwords in one line each."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest
from click.testing import CliRunner
from conftest import ROOT, new_database

from index.postgres.ddl import PG_SCHEMA_VERSION
from index.postgres.rows import SAMPLE_SQL
from search_cli import cli

SUFFIX = uuid.uuid4().hex[:6]  # roles are the cluster's: this session's own
OWNER, READER, CLEARED = f"vanban_owner_{SUFFIX}", f"lan_{SUFFIX}", f"minh_{SUFFIX}"
HOSTILE_PATH = "options=-csearch_path%3Dpublic,pg_catalog"
YEARS = range(2015, 2025)  # ten yearly partitions


def run(*args, index, env=None):
    return CliRunner(env=env).invoke(cli, [*args, "--index", str(index)])


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def as_user(url: str, user: str, hostile: bool = False) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}@{rest.split('@', 1)[1]}" + (f"?{HOSTILE_PATH}" if hostile else "")


def _report(path, number, title, year, mark=""):
    path.write_text(
        f"SỞ NỘI VỤ\nSố: {number}/BC-SNV\n{mark}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        f"Độc lập - Tự do - Hạnh phúc\nQuảng Ngãi, ngày 12 tháng 3 năm {year}\nBÁO CÁO\n"
        f"{title}\nThực hiện Quyết định số 77/QĐ-UBND ngày 02/01/2014 của UBND tỉnh Quảng Ngãi.\n"
        "Nơi nhận:\n- Lưu: VT.\nGIÁM ĐỐC\nTrần Văn Minh\n", encoding="utf-8")


# Look-alikes of every built-in our SQL names, planted in ``public`` by the reader:
# each records that it ran (and who ran it) before answering like the real one.
PLANTED = [
    ("pg_has_role(name, text, text)", "boolean", "SELECT true"),
    ("pg_has_role(name, name, text)", "boolean", "SELECT true"),
    ("pg_has_role(text, text, text)", "boolean", "SELECT true"),
    ("has_table_privilege(text, text)", "boolean", "SELECT true"),
    ("hashtextextended(text, bigint)", "bigint", "SELECT 1::bigint"),
    ("hashtext(text)", "integer", "SELECT 1"),
    ("to_regclass(text)", "regclass", "SELECT NULL::regclass"),
    ("starts_with(text, text)", "boolean", "SELECT true"),
    ("strpos(text, text)", "integer", "SELECT 1"),
    ("unnest(text[])", "SETOF text", "SELECT pg_catalog.unnest($1)"),
    ("generate_series(integer, integer)", "SETOF integer", "SELECT pg_catalog.generate_series($1, $2)"),
    ("format(text, integer)", "text", "SELECT pg_catalog.format($1, $2)"),
    ("ts_rank(tsvector, tsquery)", "real", "SELECT 1::real"),
    ("lower(text)", "text", "SELECT $1"),
    ("now()", "timestamptz", "SELECT pg_catalog.now()"),
    ("pg_advisory_xact_lock(bigint)", "void", "SELECT"),
    ("setval(regclass, bigint)", "bigint", "SELECT 1::bigint"),
    ("planted_match(tsvector, tsquery)", "boolean", "SELECT true"),
    ("planted_contains(text[], text[])", "boolean", "SELECT true"),
    ("planted_equal(text, text)", "boolean", "SELECT true"),
]
PLANTED_OPERATORS = [("@@", "tsvector", "tsquery", "planted_match"), ("@>", "text[]", "text[]", "planted_contains"),
                     ("=", "text", "text", "planted_equal")]


def _plant(conn) -> None:
    conn.execute("CREATE TABLE public.planted_calls (name text, by_user name DEFAULT current_user)")
    conn.execute("GRANT INSERT, SELECT ON public.planted_calls TO PUBLIC")
    for signature, returns, body in PLANTED:
        name = signature.split("(")[0]
        conn.execute(f"CREATE FUNCTION public.{signature} RETURNS {returns} LANGUAGE sql AS $$ "
                     f"INSERT INTO public.planted_calls (name) VALUES ('{name}'); {body} $$")
        conn.execute(f"GRANT EXECUTE ON FUNCTION public.{signature} TO PUBLIC")
    for operator, left, right, function in PLANTED_OPERATORS:
        conn.execute(f"CREATE OPERATOR public.{operator} (LEFTARG = {left}, RIGHTARG = {right}, "
                     f"FUNCTION = public.{function})")


def _roles(server: str) -> None:
    with psycopg.connect(server, autocommit=True) as su:
        for role in ("vanban_reader", "vanban_mat", "vanban_toi_mat", "vanban_tuyet_mat"):
            su.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
                       f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$")
        su.execute(f"CREATE ROLE {OWNER} LOGIN CREATEROLE")  # not a superuser
        su.execute(f"CREATE ROLE {READER} LOGIN IN ROLE vanban_reader")
        su.execute(f"CREATE ROLE {CLEARED} LOGIN IN ROLE vanban_reader, vanban_mat")


@pytest.fixture(scope="module")
def hostile(pg_server, tmp_path_factory):
    """An archive owned by a non-superuser, in a database whose ``public`` PUBLIC
    could write (as in any database made before PostgreSQL 15); a reader who may
    create there and has planted look-alikes of built-ins; 300 reports over ten
    years, one of them MẬT, ingested by the owner with ``public`` first in its
    search_path."""
    _roles(pg_server)
    url = new_database(pg_server)
    database = url.rsplit("/", 1)[1]
    try:
        yield _hostile_archive(pg_server, url, database, tmp_path_factory)
    finally:  # even when the setup failed: the roles are the cluster's
        with psycopg.connect(pg_server, autocommit=True) as su:
            su.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            for role in (READER, CLEARED, OWNER):
                su.execute(f"DROP ROLE IF EXISTS {role}")


def _hostile_archive(pg_server: str, url: str, database: str, tmp_path_factory) -> dict:
    with psycopg.connect(pg_server, autocommit=True) as su:
        su.execute(f"ALTER DATABASE {database} OWNER TO {OWNER}")
    with psycopg.connect(url, autocommit=True) as su:
        su.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    owner = as_user(url, OWNER)
    result = run("init", index=owner)
    assert result.exit_code == 0, result.output
    with psycopg.connect(url, autocommit=True) as su:
        public_may_create = su.execute("SELECT has_schema_privilege('public', 'public', 'CREATE')").fetchone()[0]
        su.execute(f"GRANT CREATE ON SCHEMA public TO {READER}")  # as if init could not take it
    with psycopg.connect(as_user(url, READER), autocommit=True) as conn:
        _plant(conn)
    folder = tmp_path_factory.mktemp("hostile")
    for i in range(298):
        _report(folder / f"bc_{i:03d}.txt", i + 100, f"Kết quả rà soát biên chế đợt {i}", YEARS[i % 10])
    _report(folder / "open.txt", 5, "Kết quả rà soát biên chế năm 2024", 2024)
    _report(folder / "secret.txt", 6, "Kết quả rà soát biên chế cán bộ diện quy hoạch", 2024, mark="MẬT")
    result = run("ingest", "--json", "--no-ocr", "--jobs", "2", str(folder), index=as_user(url, OWNER, hostile=True))
    assert result.exit_code == 0, result.output
    assert run("init", index=as_user(url, OWNER, hostile=True)).exit_code == 0
    return {"url": url, "folder": folder, "public_may_create": public_may_create,
            "owner": as_user(url, OWNER, hostile=True), "reader": as_user(url, READER, hostile=True),
            "cleared": as_user(url, CLEARED, hostile=True)}


def _planted_calls(url: str) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT name, by_user FROM public.planted_calls").fetchall()


def test_init_takes_create_on_public_from_public(hostile):
    assert hostile["public_may_create"] is False


def test_init_says_why_it_cannot_take_create_on_a_public_it_does_not_own(pg_server, hostile):
    url = new_database(pg_server)
    with psycopg.connect(pg_server, autocommit=True) as su:
        su.execute(f"ALTER DATABASE {url.rsplit('/', 1)[1]} OWNER TO {OWNER}")
    with psycopg.connect(url, autocommit=True) as su:  # as a database carried over from PostgreSQL 14
        su.execute("ALTER SCHEMA public OWNER TO postgres")
        su.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    result = run("init", index=as_user(url, OWNER))
    with psycopg.connect(pg_server, autocommit=True) as su:
        su.execute(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")  # the owner's roles go at the end
    assert result.exit_code == 0, result.output
    assert ("warning: public may still create objects in schema public, which postgres owns and "
            f"{OWNER} cannot change: ask postgres to run 'REVOKE CREATE ON SCHEMA public FROM PUBLIC'") in result.output
    assert result.output.strip().splitlines()[-1].startswith("archive ready: ")


def test_a_shadowed_pg_has_role_shows_no_mat_document(hostile):
    folder, secret = hostile["folder"], str(hostile["folder"] / "secret.txt")
    for who, sees in ((hostile["cleared"], True), (hostile["reader"], False)):
        paths = {h["path"] for h in lines(run("search", "--json", "--limit", "400", "ra soat bien che", index=who))}
        assert (secret in paths) == sees and str(folder / "open.txt") in paths and len(paths) == 299 + sees
        cited = {h["path"] for h in lines(run("cites", "--json", "77/QĐ-UBND", index=who))}
        assert (secret in cited) == sees and len(cited) == 299 + sees
        assert (run("show", "--json", "6/BC-SNV", index=who).exit_code == 0) == sees
        assert (run("trace", "--json", "6/BC-SNV", index=who).exit_code == 0) == sees
        (stats,) = lines(run("stats", "--json", index=who))
        assert stats["documents"] == 299 + sees
        assert (secret in {r["path"] for r in lines(run("export", index=who))}) == sees
    with psycopg.connect(hostile["reader"], autocommit=True) as conn:
        assert conn.execute("SHOW search_path").fetchone()[0] == "public,pg_catalog"
        assert conn.execute("SELECT vanban.clearance()").fetchone()[0] == 0  # pinned inside: not the planted one
        assert conn.execute("SELECT count(*) FROM vanban.documents_c0 WHERE path LIKE '%secret%'").fetchone()[0] == 0
        for table in ("vanban.documents", "vanban.documents_c1", "vanban.passages", "vanban.passages_c1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM {table}")


def test_no_planted_look_alike_ever_runs(hostile):
    """The owner's init and ingest, and every reader's command, with ``public``
    first in search_path: none of the reader's functions or operators ran."""
    assert run("search", "quy OR biên", "--facets", index=hostile["owner"]).exit_code == 0
    assert run("search", '"rà soát" quy*', "--issuer", "Sở Nội vụ", index=hostile["reader"]).exit_code == 0
    assert run("cites", "77/QĐ-UBND", index=hostile["reader"]).exit_code == 0
    assert _planted_calls(hostile["url"]) == []


def _words(count: int) -> list[str]:
    real = "kết quả rà soát biên chế đợt báo cáo quyết định thực hiện cán bộ quy hoạch giám đốc".split()
    return (real + [f"vanban{i:03d}" for i in range(count)])[:count]


def test_a_300_word_or_query_answers_within_5_s_and_a_larger_one_is_refused(hostile):
    from index.backends import open_archive as open_store

    store = open_store(hostile["reader"])
    text = " OR ".join(_words(300))
    assert 2400 <= len(text) <= 4000
    started = time.monotonic()
    results = store.search(text, limit=10)
    seconds = time.monotonic() - started
    print(f"300-word OR query as a reader: {seconds:.2f} s")
    assert seconds <= 5.0
    assert results.total == 299
    for big, says in ((" ".join(["quy"] * 1500), "the query is too long"),
                      # 500 words over six fields, and the words as a title phrase (query._title_phrase)
                      (" ".join(f"tà{i}" for i in range(500)), "3,001 terms (each word counts once per field"),
                      (" ".join(_words(61)), "367 separate word matches; at most 360")):  # with the title phrase
        result = run("search", big, index=hostile["reader"])
        assert result.exit_code == 1 and says in result.output
        assert len(result.output.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def large_archive(pg_server, hostile):
    """20,000 rows over ten years, written straight in SQL by the owner (the planner
    rightly reads a partition of 30 rows whole: plans are checked at scale)."""
    from index.postgres.store import PgStore

    url = new_database(pg_server)
    owner = PgStore(url, create=True)
    with owner.conn.transaction():
        for year in YEARS:
            owner._make_year(year)
    share = SAMPLE_SQL.replace("(path)", "('synthetic/' || i)")  # each row's, as an ingest writes it
    owner.conn.execute(
        "INSERT INTO vanban.documents (path, sha256, year, clearance, title_syl, title_fold, body_syl, body_fold, "
        "terms, record) "
        f"SELECT 'synthetic/' || i, 'x', 2015 + i % 10, ((i / 1000) % 20 = 0)::int, t, t, b, b, t || b || share, "
        "jsonb_build_object('path', 'synthetic/' || i) FROM ("
        f"  SELECT i, {share} AS share,"
        "  array_to_tsvector(ARRAY['w' || (i % 1000), 'common', 'quy', 'n' || (2015 + i % 10)]) AS t,"
        "         array_to_tsvector(ARRAY(SELECT 'b' || ((i * 7 + k) % 5000) FROM generate_series(1, 300) k)) AS b"
        "  FROM generate_series(1, 20000) i) rows")
    owner.refresh_hot_postings()  # as an ingest ends
    owner.conn.execute("ANALYZE vanban.documents")
    yield url
    owner.close()


def test_a_reader_s_term_search_uses_the_gin_index_without_jit(large_archive):
    """EXPLAIN, as the reader and as the owner, of the statement that finds a
    search's documents: every partition through the GIN index of ``terms``, for a
    rare word and for one in every document, with no planner setting forced and
    no JIT; the reader's plan is the owner's on the partitions its clearance holds."""
    from index.backends import open_archive as open_store
    from index.postgres.search import prepare_transaction, translate

    for word, owner_total in (("w7", 20), ("common", 20000)):
        plans = {}
        for who in (as_user(large_archive, READER, hostile=True), large_archive):
            store = open_store(who)
            plan = translate(store, word)
            with store.conn.transaction():
                prepare_transaction(store)
                plans[who] = "\n".join(r[0] for r in store.conn.execute(
                    "EXPLAIN (ANALYZE, SETTINGS) " + plan.with_candidates(store, "SELECT count(*) FROM cand"),
                    plan.t.params).fetchall())
            results = store.search(word)
            # one in 20 is MẬT (i / 1000 % 20 = 0): the reader never counts those
            assert (results.total, results.exact) == ((owner_total * 19 // 20) if who != large_archive else owner_total,
                                                       True), word
        reader, owner = plans.values()
        for plan in (reader, owner):
            for year in YEARS:  # every partition of 1,900 rows: through its GIN index
                assert f"Bitmap Index Scan on documents_c0_y{year}_terms_idx" in plan, plan
                assert f"Seq Scan on documents_c0_y{year} " not in plan, plan
            assert "JIT" not in plan and "enable_" not in plan, plan
        assert "documents_c1" not in reader and "documents_c1" in owner


def test_a_common_word_is_counted_in_a_sample_share_of_every_year(large_archive, monkeypatch):
    """Past FULL_COUNT matches a word is counted in one share of the archive (one
    row in 16, of every year alike) and the count scaled, "about": near the truth
    for a word of every document and for a word of the newest year alone (a sample
    of the newest years counted it ten times over); a word of the oldest year,
    none of whose matches are among the newest, is counted whole."""
    from index.backends import open_archive as open_store
    from index.postgres import search as pgquery

    monkeypatch.setattr(pgquery, "SAMPLE_DOCS", 1000)
    monkeypatch.setattr(pgquery, "FULL_COUNT", 500)
    store = open_store(large_archive)  # the owner: 20,000 rows, 2,000 a year
    for word in ("common", "n2024"):
        results = store.search(word)
        truth = 20000 if word == "common" else 2000
        assert not results.exact and abs(results.total - truth) <= 0.1 * truth, (word, results.total)
    assert (store.search("n2015").total, store.search("n2015").exact) == (2000, True)
    assert (store.search("w7").total, store.search("w7").exact) == (20, True)


def test_a_reader_s_open_transaction_blocks_no_ingest_and_an_ingest_no_search(hostile, tmp_path):
    """A reader holds a transaction that has read the archive; the owner ingests a
    document of a prepared year and one of a year never seen (its partitions made
    then): neither waits. An ingest making a year's partitions, uncommitted,
    holds up no search."""
    from index.backends import open_archive as open_store

    folder = tmp_path / "late"
    folder.mkdir()
    _report(folder / "this_year.txt", 700, "Kết quả tuyển dụng công chức", 2025)
    _report(folder / "old_year.txt", 701, "Kết quả tuyển dụng viên chức", 1999)
    with psycopg.connect(hostile["reader"]) as reader:
        reader.execute("SELECT count(*) FROM vanban.documents_c0").fetchone()  # holds ACCESS SHARE
        ingest = subprocess.run([sys.executable, str(ROOT / "search_cli.py"), "ingest", "--no-ocr", "--jobs", "1",
                                 "--index", hostile["owner"], str(folder)], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, env={**os.environ, "PGOPTIONS": "-c lock_timeout=5000"})
        assert ingest.returncode == 0, ingest.stderr
    owner = open_store(hostile["owner"])
    searched = []
    with owner.conn.transaction():
        owner._make_year(1990)  # its partitions attached, not committed yet
        thread = threading.Thread(target=lambda: searched.append(open_store(hostile["reader"]).search("tuyển dụng")))
        thread.start()
        thread.join(timeout=15)
        answered_meanwhile = bool(searched)  # before the partitions are committed
    assert answered_meanwhile and searched[0].total == 2


def test_a_client_that_goes_away_takes_its_statement_with_it(hostile):
    code = ("import sys; sys.path.insert(0, '.'); from index.postgres.store import PgStore; "
            f"s = PgStore({hostile['reader']!r}); print(s.conn.info.backend_pid, flush=True); "
            "s.conn.execute('SELECT pg_sleep(60)')")
    client = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    backend = int(client.stdout.readline())
    time.sleep(1)
    client.send_signal(signal.SIGKILL)
    client.wait()
    deadline = time.monotonic() + 10
    with psycopg.connect(hostile["url"], autocommit=True) as su:
        while time.monotonic() < deadline and su.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone()[0]:
            time.sleep(0.2)
        assert su.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone()[0] == 0


def test_the_statement_timeout_stops_a_search_in_one_line(hostile):
    text = " OR ".join(_words(300))
    result = run("search", text, index=hostile["reader"], env={"VANBAN_PG_STATEMENT_TIMEOUT": "0.001"})
    assert result.exit_code == 1
    assert "the search was stopped after 0.001 s (VANBAN_PG_STATEMENT_TIMEOUT)" in result.output
    bad = run("search", "quy", index=hostile["reader"], env={"VANBAN_PG_STATEMENT_TIMEOUT": "soon"})
    assert bad.exit_code == 1 and "VANBAN_PG_STATEMENT_TIMEOUT must be a number of seconds" in bad.output


ODD = [  # (command, what the one line says; None: it answers)
    (["search", "title_fold:quy^" + "9" * 400], None),     # an infinite boost: clamped
    (["search", "quy^nan"], None),                            # Whoosh reads it as a word
    (["search", "a" * 3000], "a word of the query is too long"),
    (["search", "--issuer", "-", "quy"], "names no issuing body"),
    (["cites", "--issuer", "'", "77/QĐ-UBND"], "names no issuing body"),
    (["init"], "may not create or change the archive"),
]


@pytest.mark.parametrize("args,says", ODD, ids=[" ".join(a)[:40] for a, _ in ODD])
def test_odd_inputs_are_one_line(hostile, args, says):
    result = run(*args, index=hostile["reader"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if says is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1 and says in result.output
        assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("url", [
    "postgresql://{user}:s3cr%40et@127.0.0.1:1/none",
    "postgresql://{user}:s3cr%40et@{place}?bogus=1",
    "postgresql://{user}@{place}?password=s3cr%40et&options=-cstatement_timeout%3Dx",
    "postgresql://{user}:s3cr%40et@{place}",
])
def test_a_password_in_the_url_is_never_printed(hostile, url, tmp_path):
    _report(tmp_path / "one.txt", 1, "Kết quả", 2024)
    user_place = hostile["url"].split("://", 1)[1]
    url = url.format(user=READER, place=user_place.split("@", 1)[1])
    for args in (["search", "quy"], ["init"], ["stats"], ["search", "a" * 3000], ["ingest", "--no-ocr", str(tmp_path)]):
        result = run(*args, index=url)
        assert "s3cr" not in result.output and "s3cr" not in (result.stderr or ""), (args, result.output)
        if result.exit_code:
            assert len(result.output.strip().splitlines()) == 1, result.output


V1_COMMIT = "2284e8a"  # the last commit whose archive on PostgreSQL was schema version 1


def _v1_module():
    """index/pgstore.py as it was at schema version 1, from this repository's history."""
    import importlib.util

    shown = subprocess.run(["git", "show", f"{V1_COMMIT}:index/pgstore.py"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode:
        pytest.skip(f"commit {V1_COMMIT} is not in this checkout's history: {shown.stderr.strip()}")
    import types

    from index import fields, rows

    # Its relative imports name the modules of its day: give them what it took.
    then = types.ModuleType("index_v1")
    then.__path__ = []
    then.analysis = importlib.import_module("index.analysis")
    then.records = types.SimpleNamespace(is_prepared=rows.is_prepared, prepare=rows.prepare)
    then.store = types.SimpleNamespace(make_schema=fields.make_schema, index_fields=rows.index_fields)
    # (kept registered: the old module imports some of them inside its functions)
    sys.modules.update({"index_v1": then, "index_v1.analysis": then.analysis, "index_v1.records": then.records,
                        "index_v1.store": then.store})
    spec = importlib.util.spec_from_loader("index_v1.pgstore", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "index_v1"
    exec(compile(shown.stdout, "pgstore_v1.py", "exec"), module.__dict__)
    return module


def test_init_migrates_a_version_1_archive(pg_server, hostile, tmp_path):
    """An archive written by version 1 (one table behind row-level security): other
    commands stop and say so; ``vanban init`` moves every row, ids kept, into the
    clearance partitions, and readers see what their clearance allows."""
    from index.rows import prepare

    v1 = _v1_module()
    url = new_database(pg_server)
    old = v1.PgStore(url, create=True)
    _report(tmp_path / "open.txt", 5, "Kết quả rà soát biên chế năm 2024", 2024)
    _report(tmp_path / "secret.txt", 6, "Kết quả rà soát biên chế cán bộ diện quy hoạch", 2019, mark="MẬT")
    _report(tmp_path / "older.txt", 7, "Kết quả rà soát", 2020)
    from ingest.parse import parse_file
    for path in sorted(tmp_path.glob("*.txt")):
        record = prepare(parse_file(str(path)).to_dict())
        old.add(record)
    ids = dict(old.conn.execute("SELECT path, id FROM vanban.documents").fetchall())
    old.close()
    stale = run("search", "ra soat", index=url)
    assert stale.exit_code == 1 and "schema version 1" in stale.output and "run 'vanban init'" in stale.output
    migrated = run("init", index=url)
    assert migrated.exit_code == 0, migrated.output
    with psycopg.connect(url) as conn:
        assert dict(conn.execute("SELECT path, id FROM vanban.documents").fetchall()) == ids
        assert conn.execute("SELECT value FROM vanban.meta WHERE key = 'schema_version'").fetchone()[0] == \
            str(PG_SCHEMA_VERSION)
        assert conn.execute("SELECT count(*) FROM vanban.documents_c1").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM vanban.passages").fetchone()[0] >= 3
    for who, seen in ((as_user(url, READER), 2), (as_user(url, CLEARED), 3)):
        assert {h["path"] for h in lines(run("search", "--json", "ra soat", index=who))} <= set(ids)
        assert len(lines(run("search", "--json", "ra soat", index=who))) == seen
    _report(tmp_path / "new.txt", 8, "Kết quả rà soát mới", 2024)
    assert run("ingest", "--no-ocr", str(tmp_path / "new.txt"), index=url).exit_code == 0
    with psycopg.connect(url) as conn:  # the identity goes on past the ids moved
        assert conn.execute("SELECT id FROM vanban.documents WHERE path LIKE '%new.txt'").fetchone()[0] > max(ids.values())
