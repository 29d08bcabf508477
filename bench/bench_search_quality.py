"""Search quality on the national legal database pages (../shared/corpus/vbpl).

Each Vietnamese full-text page is written as a text file and ingested; then the
queries of ``tests/vbpl_queries.py`` are asked: the heading's summary typed
without diacritics or punctuation (the page in the top 3), the symbol typed as
words (top 3) and as printed (first). With ``--pg URL`` the same pages go to a
PostgreSQL archive too, searched as its reader role would (``VANBAN_PG_READER``
names a reader's URL; else the URL given).

    python bench/bench_search_quality.py [--out bench/out/vbpl] [--pg URL]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from index.backends import open_archive  # noqa: E402
from index.indexing import index_paths  # noqa: E402
from vbpl_queries import pages, score  # noqa: E402

VBPL = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "vbpl" / "vbpl.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "vbpl"))
    ap.add_argument("--pg", help="a PostgreSQL archive URL (its owner's) to measure too")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    docs = out / "docs"
    docs.mkdir(parents=True)
    chosen = pages(VBPL)
    for page in chosen:
        (docs / f"{page['id']}.txt").write_text(page["text"], encoding="utf-8")
    targets = [("whoosh", str(out / "index"), str(out / "index"))]
    if args.pg:
        targets.append(("postgresql", args.pg, os.environ.get("VANBAN_PG_READER", args.pg)))
    for name, target, reader in targets:
        started = time.monotonic()
        report = index_paths([str(docs)], target, jobs=2)
        print(f"{name}: ingested {report.added} pages in {time.monotonic() - started:.1f} s", flush=True)
        store = open_archive(reader)
        started = time.monotonic()
        result = score(lambda text, limit: [h.path for h in store.search(text, limit=limit).hits],
                       chosen, lambda page: str((docs / f"{page['id']}.txt").resolve()))
        asked = sum(result.asked.values())
        print("\n".join(result.misses))
        print(result.table(f"{name} ({asked} queries in {time.monotonic() - started:.1f} s)"), flush=True)


if __name__ == "__main__":
    main()
