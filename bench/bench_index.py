"""Index at scale: a synthetic archive of N documents, ingested and queried.

Documents are assembled from real vocabulary: paragraphs of the national legal
database pages (../shared/corpus/vbpl) and our samples, under generated headers
(issuers, symbols, dates from 2015 to 2026), each citing a few others of the
archive, so ``cites`` and ``trace`` have real work. Measures ingest docs/s on
both cores, index size per 1,000 documents, query latency p50/p95 for term,
phrase, folded and ``cites`` queries, and peak memory.

    python bench/bench_index.py --docs 10000 [--out bench/out/index]
    python bench/bench_index.py --docs 10000 --reuse   # queries only, on the last build

Ingest memory is read right after the ingest (the writer process and its largest
parse worker), before the query phase loads records to pick its queries.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.graph import cites  # noqa: E402
from index.indexing import index_paths as ingest, writer_procs  # noqa: E402
from index.whoosh.search import search  # noqa: E402
from index.whoosh.store import WhooshStore  # noqa: E402
from ingest.vocabulary.textnorm import strip_marks  # noqa: E402
from search_cli import CITES_SHOWN  # noqa: E402

VBPL = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "vbpl" / "vbpl.jsonl"
PLACES = ["Phổ Ninh", "Nguyễn Nghiêm", "Phổ Vinh", "Sơn Tịnh", "Bình Sơn", "Nghĩa Hành", "Tư Nghĩa",
          "Mộ Đức", "Ba Tơ", "Minh Long", "Lý Sơn", "Trà Bồng", "Đức Phổ", "Phổ Thạnh", "Phổ Châu"]
LEVELS = [("UBND PHƯỜNG", "phường"), ("UBND XÃ", "xã"), ("UBND HUYỆN", "huyện"), ("UBND THỊ XÃ", "thị xã")]
TYPES = [("BÁO CÁO", "BC"), ("KẾ HOẠCH", "KH"), ("QUYẾT ĐỊNH", "QĐ"), ("THÔNG BÁO", "TB"), ("TỜ TRÌNH", "TTr")]


def vocabulary() -> tuple[list[str], list[str]]:
    paragraphs, titles = [], []
    with open(VBPL, encoding="utf-8") as handle:
        for line in handle:
            page = json.loads(line)
            if page["page_kind"] != "full_text":
                continue
            heading = page["meta"]["Tiêu đề"]
            m = re.search(r"\d+/\S+\s+(.{20,160})$", heading)
            if m and not heading.startswith(("Decree", "Circular", "Law", "Resolution", "Decision")):
                titles.append(m.group(1))
            paragraphs += [p for p in page["text"].split("\n") if 80 <= len(p) <= 700 and not p.isupper()]
    return paragraphs, titles


def make_document(i: int, rnd: random.Random, paragraphs, titles, issued: list[tuple]) -> tuple[str, tuple]:
    level, word = rnd.choice(LEVELS)
    place = rnd.choice(PLACES)
    kind, code = rnd.choice(TYPES)
    year = rnd.randint(2015, 2026)
    number = rnd.randint(1, 900)
    day, month = rnd.randint(1, 28), rnd.randint(1, 12)
    symbol = f"{number}/{code}-UBND"
    lines = [f"{level} {place.upper()}", f"Số: {symbol}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "Độc lập - Tự do - Hạnh phúc", f"{place}, ngày {day:02d} tháng {month} năm {year}", kind,
             rnd.choice(titles)]
    for cited in rnd.sample(issued, min(len(issued), rnd.randint(1, 4))):
        c_kind, c_symbol, c_date, c_issuer = cited
        lines.append(f"Căn cứ {c_kind} số {c_symbol} ngày {c_date} của {c_issuer};")
    for n in range(1, rnd.randint(3, 6)):
        lines.append(f"{n}. {rnd.choice(paragraphs)[:60]}")
        lines += rnd.sample(paragraphs, 2)
        lines.append(f"- Tiếp nhận {rnd.randint(10, 3000)} hồ sơ, đạt tỷ lệ {rnd.randint(60, 100)},{rnd.randint(0, 9)}%.")
    lines += ["Nơi nhận:", "- UBND huyện;", "- Lưu: VT.", "CHỦ TỊCH", "Nguyễn Văn An"]
    issuer = f"UBND {word} {place}"
    me = (kind.capitalize() if kind != "QUYẾT ĐỊNH" else "Quyết định", symbol,
          f"{day:02d}/{month:02d}/{year}", issuer)
    return "\n".join(lines) + "\n", me


def build(folder: pathlib.Path, count: int, seed: int = 7) -> None:
    paragraphs, titles = vocabulary()
    rnd = random.Random(seed)
    issued: list[tuple] = []
    for i in range(count):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        text, me = make_document(i, rnd, paragraphs, titles, issued[-500:] or [("Quyết định", "1/QĐ-UBND", "02/01/2015", "UBND huyện Sơn Tịnh")])
        (sub / f"doc_{i:06d}.txt").write_text(text, encoding="utf-8")
        issued.append(me)


def timed(fn, queries) -> dict:
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"queries": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


def peak_rss_mb() -> dict:
    return {"writer": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def build_and_ingest(docs: pathlib.Path, index: pathlib.Path, count: int, jobs: int) -> dict:
    shutil.rmtree(docs.parent, ignore_errors=True)
    build(docs, count)
    print(f"built {count} documents", flush=True)
    started = time.monotonic()
    report = ingest([str(docs)], str(index), jobs=jobs)
    seconds = time.monotonic() - started
    size = sum(f.stat().st_size for f in index.rglob("*") if f.is_file())
    whoosh_size = sum(f.stat().st_size for f in index.glob("*") if f.is_file())
    result = {"documents": count, "failed": len(report.failed),
              "ingest_docs_per_s": round(report.added / seconds, 1), "ingest_s": round(seconds, 1),
              "index_mb_per_1000_docs": round(size / 2**20 / count * 1000, 2),
              "whoosh_mb_per_1000_docs": round(whoosh_size / 2**20 / count * 1000, 2),
              "ingest_peak_rss_mb": peak_rss_mb()}
    # Children are the parse workers and, on a large ingest, one Whoosh sub-writer per
    # core: at most all of them at their largest at once, beside the main process.
    children = jobs + writer_procs(count)
    result["ingest_peak_rss_mb"]["at_most_all_processes"] = (
        result["ingest_peak_rss_mb"]["writer"] + children * result["ingest_peak_rss_mb"]["largest_worker"])
    print(json.dumps(result), flush=True)
    return result


def query_latencies(store: WhooshStore, n: int) -> dict:
    rnd = random.Random(11)
    titles, symbols = [], []
    with store.searcher() as searcher:  # queries from 3,000 documents picked at random
        for docnum in sorted(rnd.sample(range(searcher.doc_count_all()), min(3000, searcher.doc_count_all()))):
            record = json.loads(searcher.stored_fields(docnum)["record"])
            if record.get("title"):
                titles.append(record["title"])
            symbols += [c["symbol"] for c in record.get("citations") or [] if c.get("symbol")]
    words = [w for t in titles[:2000] for w in t.split() if len(w) > 2]
    cited = [rnd.choice(symbols) for _ in range(n)]
    return {
        "indexed": store.count(),
        "term": timed(lambda q: search(store, q, limit=10), [rnd.choice(words) for _ in range(n)]),
        "phrase": timed(lambda q: search(store, q, limit=10),
                        ['"' + " ".join(t.split()[:3]) + '"' for t in rnd.sample(titles, n)]),
        "folded": timed(lambda q: search(store, q, limit=10),
                        [strip_marks(" ".join(t.split()[:4])) for t in rnd.sample(titles, n)]),
        # as ``vanban cites`` lists them (50 per cited document), and every one loaded
        "cites": timed(lambda q: cites(store, q, limit=CITES_SHOWN), cited),
        "cites_all_loaded": timed(lambda q: cites(store, q), cited),
        "query_phase_peak_rss_mb": peak_rss_mb()["writer"],
        "cli_search_s": cli_search_seconds(store.folder),
    }


def cli_search_seconds(folder: str, runs: int = 3) -> dict:
    """``vanban search`` as a user runs it: a fresh process each time (Python, the
    word segmenter's model and the index opened before the first answer)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "search_cli.py"), "search", "quản lý hồ sơ",
                        "--index", folder, "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return {"median": round(statistics.median(times), 2), "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "index"))
    ap.add_argument("--reuse", action="store_true", help="skip building and ingesting; query the last index")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    docs, index = out / "docs", out / "index"
    result = {} if args.reuse else build_and_ingest(docs, index, args.docs, args.jobs)
    result.update(query_latencies(WhooshStore(str(index)), args.queries))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
