"""Query forms as people type them, timed on a large archive: the symbol as
printed and as words, a symbol in part (``308/2025``, ``nghị định 308``), a
title typed without diacritics or punctuation, a long query with one word in no
document (matched by most of its words), a symbol with a Cyrillic look-alike.

Queries come from 3,000 documents of the archive picked at random (seed 11).
On Whoosh: the index folder ``bench_index.py`` built. With ``--pg URL`` (a
superuser's, on the server ``bench_pg.py`` filled): the same forms as the
owner and as a reader without clearance, in turn.

    python bench/bench_index.py --docs 100000 --out /tmp/b
    python bench/bench_query_forms.py --index /tmp/b/index [--pg postgresql://postgres@host/postgres]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_index import timed  # noqa: E402
from vbpl_queries import as_typed  # noqa: E402

from index.backends import open_archive  # noqa: E402
from ingest.vocabulary.symbols import parse_symbol  # noqa: E402

_CYRILLIC_C = "\u0421"


def query_forms(records: list[dict], n: int, seed: int = 11) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    symbols = [r["symbol"] for r in records if r.get("symbol") and "/" in r["symbol"]]
    titles = [r["title"] for r in records if r.get("title") and len(r["title"].split()) >= 4]
    parsed = [p for p in (parse_symbol(s) for s in symbols) if p and p.type_code]
    pick = [rnd.choice(symbols) for _ in range(n)]
    parts = [rnd.choice(parsed) for _ in range(n)]
    return {
        "symbol printed": pick,
        "symbol as words": [as_typed(s) for s in pick],
        "symbol with a look-alike": [s.replace("C", _CYRILLIC_C, 1) if "C" in s else s for s in pick],
        "symbol in part": [f"{p.number}/{p.year}" if p.year else f"{p.number}/{p.type_code}" for p in parts],
        "type and number": [f"{(p.type_code or '')} {p.number}" for p in parts],
        "title as typed": [as_typed(t) for t in rnd.sample(titles, n)],
        "long, a word nowhere": [as_typed(t) + " xyzzyq" for t in rnd.sample(titles, n)],
    }


def sample_records(store, count: int, seed: int = 11) -> list[dict]:
    rnd = random.Random(seed)
    records = []
    for i, record in enumerate(store.records()):  # reservoir: any backend, one pass
        if len(records) < count:
            records.append(record)
        elif (j := rnd.randrange(i + 1)) < count:
            records[j] = record
    return records


def latencies(store, forms: dict[str, list[str]]) -> dict:
    store.search("quy định", limit=10)  # untimed: loads the word segmenter's model
    return {form: timed(lambda q: store.search(q, limit=10), queries) for form, queries in forms.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True, help="the Whoosh index folder bench_index.py built")
    ap.add_argument("--pg", help="a superuser's URL of the server bench_pg.py filled (database vanban_bench)")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    whoosh = open_archive(args.index)
    forms = query_forms(sample_records(whoosh, 3000), args.queries)
    result = {"documents": whoosh.count(), "whoosh": latencies(whoosh, forms)}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if args.pg:
        from bench_pg import DATABASE, reader_url

        owner_url = args.pg.rsplit("/", 1)[0] + "/" + DATABASE
        result["postgresql"] = {who: latencies(open_archive(url), forms)
                                for who, url in (("owner", owner_url), ("reader", reader_url(owner_url)))}
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
