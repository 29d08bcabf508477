"""The archive on PostgreSQL beside the Whoosh index, on the same synthetic corpus
as bench_index.py: ingest docs/s on 2 cores; search p50/p95 (term, phrase,
folded, ``cites``, and the parity queries of tests/test_pgstore.py) on Whoosh
(``--whoosh``), as the owner and as a reader without clearance, side by side,
each query on each in turn, with Whoosh's totals beside the owner's (``Parity``:
the same count where both counted exactly, how far apart where either
estimated; one document in ``--secret-every`` is marked MẬT first, so the
reader's archive is smaller than the owner's); then under load: 2 ingest
processes (of the same new folder) by the owner and 8 searching processes as
the reader at once, for a fixed count of searches, with every document checked
to be there exactly once afterwards.

    python bench/bench_index.py --docs 100000 --out /tmp/b      # the corpus and its Whoosh index
    python bench/bench_pg.py --url postgresql://postgres@127.0.0.1:54329/postgres \\
        --docs /tmp/b/docs --whoosh /tmp/b/index --parsed [--reuse] [--load-docs 2000] [--searches 400]

``--parsed`` ingests from the records the Whoosh ingest parsed (its record
cache): the docs/s are PostgreSQL's writing alone. The server URL's role must be
a superuser (it creates the reader ``vanban_bench_reader``).

The database ``vanban_bench`` (``--database``) on that server is dropped and made
again (unless ``--reuse``). Loopback only; the server runs on the same 2 cores
as the clients.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from bench_index import make_document, timed, vocabulary  # noqa: E402

from index.graph import cites  # noqa: E402
from index.indexing import index_paths as ingest  # noqa: E402
from index.postgres.connection import default_work_folder  # noqa: E402
from index.postgres.store import PgStore  # noqa: E402
from index.whoosh.store import WhooshStore  # noqa: E402
from ingest.vocabulary.textnorm import strip_marks  # noqa: E402
from search_cli import CITES_SHOWN  # noqa: E402

DATABASE = "vanban_bench"
# Asked of both backends by tests/test_pgstore.py on 80 texts, and here at scale:
# every form a query takes (terms, folded, fields, phrases, OR, NOT).
PARITY_QUERIES = ["quy định", "Quy dinh ve quan ly", "thuế OR phí", "hồ sơ NOT quyết", "bảo hiểm xã hội",
                  "xu phat vi pham", "title_syl:quy", '"quy định về"', '"hanh chinh"', '"ngân hàng nhà nước" OR thuế',
                  "ngân hàng AND NOT tín dụng", "chứng khoán"]


def fresh_database(server: str, name: str = DATABASE) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def query_sets(store: PgStore, n: int, seed: int = 11) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    every = max(1, store.count() // 3000)  # 3,000 documents spread over the archive
    rows = store.conn.execute(f"SELECT record FROM {store.documents} WHERE id %% %s = 0 AND clearance = 0 LIMIT 3000",
                              (every,)).fetchall()
    records = [r[0] for r in rows]
    titles = [r["title"] for r in records if r.get("title")]
    symbols = [c["symbol"] for r in records for c in r.get("citations") or [] if c.get("symbol")]
    words = [w for t in titles[:2000] for w in t.split() if len(w) > 2]
    return {"term": [rnd.choice(words) for _ in range(n)],
            "phrase": ['"' + " ".join(t.split()[:3]) + '"' for t in rnd.sample(titles, n)],
            "folded": [strip_marks(" ".join(t.split()[:4])) for t in rnd.sample(titles, n)],
            "cites": [rnd.choice(symbols) for _ in range(n)], "parity": PARITY_QUERIES}


def idle_latencies(store: PgStore, queries: dict[str, list[str]]) -> dict:
    result = {kind: timed(lambda q: store.search(q, limit=10), queries[kind]) for kind in ("term", "phrase", "folded")}
    result["cites"] = timed(lambda q: cites(store, q, limit=CITES_SHOWN), queries["cites"])
    return result


READER = "vanban_bench_reader"


def mark_secret(folder: str, every: int) -> int:
    """One document in ``every`` marked MẬT (under its number line), once."""
    marked = 0
    for n, path in enumerate(sorted(pathlib.Path(folder).rglob("*.txt"))):
        if every and n % every == 0:
            lines = path.read_text(encoding="utf-8").split("\n")
            if "MẬT" not in lines[:4]:
                path.write_text("\n".join(lines[:2] + ["MẬT"] + lines[2:]), encoding="utf-8")
            marked += 1
    return marked


def reader_url(url: str) -> str:
    """A login role member of vanban_reader only: no clearance."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') "
                     f"THEN CREATE ROLE {READER} LOGIN; END IF; END $$")
        conn.execute(f"GRANT vanban_reader TO {READER}")
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{READER}@{rest.split('@', 1)[1]}"


def side_by_side(stores: dict, queries: dict[str, list[str]]) -> dict:
    """Each query on every store in turn (Whoosh, the owner, the reader: a load that
    drifts weighs on all alike): p50/p95 per store and kind, and the totals of
    Whoosh beside the owner's (who sees what Whoosh holds; the reader sees no MẬT
    document), ``Parity``."""
    def ask(store, kind, q):
        if kind == "cites":
            return len(cites(store, q, limit=CITES_SHOWN)), True
        results = store.search(q, limit=10)
        return results.total, results.exact

    result = {}
    for kind in queries:
        times = {who: [] for who in stores}
        parity = Parity()
        for q in queries[kind]:
            answers = {}
            for who, store in stores.items():
                started = time.perf_counter()
                answers[who] = ask(store, kind, q)
                times[who].append((time.perf_counter() - started) * 1000)
            if "whoosh" in answers:
                parity.add(q, answers["whoosh"], answers["owner"])
        result[kind] = {who: _percentiles(t) for who, t in times.items()}
        if "whoosh" in stores:
            result[kind].update(parity.summary())
    return result


class Parity:
    """Whoosh's answers (total, exact) beside the owner's, query by query: where
    both counted exactly, whether the counts are the same; where either estimated
    ("khoảng"), how far apart the two are."""

    def __init__(self):
        self.exact, self.same, self.gaps, self.differ = 0, 0, [], []

    def add(self, query: str, whoosh, owner) -> None:
        if whoosh[1] and owner[1]:
            self.exact += 1
            self.same += whoosh[0] == owner[0]
            if whoosh[0] != owner[0] and len(self.differ) < 5:
                self.differ.append({"query": query, "whoosh": whoosh, "owner": owner})
        else:
            self.gaps.append(abs(whoosh[0] - owner[0]) / max(whoosh[0], owner[0], 1))

    def summary(self) -> dict:
        gaps = sorted(self.gaps)
        return {"exact_on_both": self.exact, "same_total_where_exact": self.same, "estimated": len(gaps),
                "estimate_gap_p50_pct": round(100 * statistics.median(gaps), 2) if gaps else None,
                "estimate_gap_max_pct": round(100 * gaps[-1], 2) if gaps else None, "differ": self.differ}


def _percentiles(times: list[float]) -> dict:
    times = sorted(times)
    return {"queries": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


def _searcher(url: str, queries: list[str], out) -> None:
    store = PgStore(url)
    store.search("quy định", limit=10)  # untimed: loads the word segmenter's model
    times = []
    for q in queries:
        started = time.perf_counter()
        store.search(q, limit=10)
        times.append((time.perf_counter() - started) * 1000)
    out.put(times)


def _ingester(url: str, folder: str, cache: str, out) -> None:
    os.environ["VANBAN_CACHE"] = cache
    report = ingest([folder], url, jobs=1, ocr=False)
    out.put({"added": report.added, "unchanged": report.unchanged, "failed": len(report.failed)})


def under_load(url: str, searcher_url: str, queries: dict[str, list[str]], load_docs: int, searches: int) -> dict:
    """2 ingests of the same new folder (each tries every file: each document must
    be written once) by the owner and 8 searchers as ``searcher_url`` (a reader), at once."""
    paragraphs, titles = vocabulary()
    rnd = random.Random(99)
    work = pathlib.Path(tempfile.mkdtemp(prefix="vanban-load-"))
    folder = work / "new"
    folder.mkdir()
    issued = [("Quyết định", "1/QĐ-UBND", "02/01/2015", "UBND huyện Sơn Tịnh")]
    for i in range(load_docs):
        text, _ = make_document(i, rnd, paragraphs, titles, issued)
        (folder / f"load_{i:06d}.txt").write_text(text, encoding="utf-8")
    with psycopg.connect(url) as conn:
        before = conn.execute("SELECT count(*) FROM vanban.documents").fetchone()[0]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    mixed = [q for kind in ("term", "phrase", "folded") for q in queries[kind]]
    per = max(1, searches // 8)
    procs = [ctx.Process(target=_ingester, args=(url, str(folder), str(work / f"cache{n}"), out)) for n in range(2)]
    procs += [ctx.Process(target=_searcher, args=(searcher_url, random.Random(n).sample(mixed, min(per, len(mixed))),
                                                   out))
              for n in range(8)]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = time.monotonic() - started
    times = sorted(t for r in results if isinstance(r, list) for t in r)
    ingests = [r for r in results if isinstance(r, dict)]
    with psycopg.connect(url) as conn:
        count, distinct = conn.execute("SELECT count(*), count(DISTINCT path) FROM vanban.documents").fetchone()
    shutil.rmtree(work, ignore_errors=True)
    return {"ingest_processes": ingests, "searches": len(times), "seconds": round(seconds, 1),
            "search_p50_ms": round(statistics.median(times), 1),
            "search_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "documents_expected": before + load_docs, "documents": count, "distinct_paths": distinct,
            "every_document_once": count == distinct == before + load_docs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="the server (its 'postgres' database)")
    ap.add_argument("--docs", required=True, help="the corpus folder bench_index.py made")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--load-docs", type=int, default=2000)
    ap.add_argument("--searches", type=int, default=400)
    ap.add_argument("--reuse", action="store_true", help="query the archive of the last run")
    ap.add_argument("--database", default=DATABASE, help="the bench's database (dropped and made again)")
    ap.add_argument("--secret-every", type=int, default=20, help="mark one document in N MẬT before ingesting")
    ap.add_argument("--no-idle", action="store_true", help="skip the owner-only idle latencies")
    ap.add_argument("--whoosh", help="a Whoosh index of the same documents (bench_index.py's): asked beside")
    ap.add_argument("--parsed", action="store_true",
                    help="ingest from the Whoosh index's record cache: the docs/s of writing alone")
    args = ap.parse_args()
    result = {}
    if args.reuse:
        url = args.url.rsplit("/", 1)[0] + "/" + args.database
    else:
        url = fresh_database(args.url, args.database)
        result["marked_mat"] = mark_secret(args.docs, args.secret_every)
        os.environ["VANBAN_CACHE"] = tempfile.mkdtemp(prefix="vanban-pg-cache-")  # parse everything
        if args.whoosh and args.parsed:  # or not: the records the Whoosh ingest parsed and segmented
            os.symlink(os.path.abspath(os.path.join(args.whoosh, "records")),
                       os.path.join(default_work_folder(url), "records"))
        started = time.monotonic()
        report = ingest([args.docs], url, jobs=args.jobs, ocr=False)
        seconds = time.monotonic() - started
        shutil.rmtree(os.environ["VANBAN_CACHE"], ignore_errors=True)
        result.update({"documents": report.added, "failed": len(report.failed),
                       "ingest_docs_per_s": round(report.added / seconds, 1), "ingest_s": round(seconds, 1)})
        with psycopg.connect(url, autocommit=True) as conn:  # as autovacuum would, before the searches
            started = time.monotonic()
            conn.execute("VACUUM ANALYZE")
            result["vacuum_analyze_s"] = round(time.monotonic() - started, 1)
        print(json.dumps(result), flush=True)
    store = PgStore(url)
    with psycopg.connect(url) as conn:
        result["database_mb_per_1000_docs"] = round(float(conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'vanban' AND c.relkind = 'r'").fetchone()[0]) / 2**20 / store.count() * 1000, 2)
    queries = query_sets(store, args.queries)
    reader = PgStore(reader_url(url))
    reader.search("quy định", limit=10)  # untimed: loads the word segmenter's model
    result["documents_seen"] = {"owner": store.count(), "reader": reader.count()}
    stores = {"whoosh": WhooshStore(args.whoosh)} if args.whoosh else {}
    stores.update({"owner": store, "reader": reader})
    if args.whoosh:
        result["documents_seen"]["whoosh"] = stores["whoosh"].count()
    result["side_by_side"] = side_by_side(stores, queries)
    print(json.dumps(result), flush=True)
    if not args.no_idle:
        result["idle"] = idle_latencies(store, queries)
        print(json.dumps(result), flush=True)
    if args.load_docs:
        result["under_load"] = under_load(url, reader_url(url), queries, args.load_docs, args.searches)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
