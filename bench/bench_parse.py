"""Parse speed per format, over both cores, and peak memory over many files.

Builds a corpus of a few hundred files per format from our samples and the
shared real documents (copies under distinct names, so every file is parsed),
then runs ``ingest.batch.parse_many`` (the path ``vanban parse`` uses) and
reports documents/s, pages/s and each worker's peak RSS.

    python bench/bench_parse.py [--copies 300] [--jobs 2] [--out bench/out]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import resource
import shutil
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.batch import parse_many  # noqa: E402
from ingest.parse import parse_file  # noqa: E402

SHARED = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "real"


SKIP: list[str] = []


def sources(fmt: str) -> list[pathlib.Path]:
    found = sorted((ROOT / "samples").glob(f"*.{fmt}"))
    if SHARED.exists():
        found += [p for p in sorted(SHARED.glob(f"*.{fmt}")) if not p.name.startswith("scan_")]
    return [p for p in found if not any(s in p.name for s in SKIP)]


def build(out: pathlib.Path, fmt: str, copies: int) -> list[str]:
    folder = out / fmt
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    base = sources(fmt)
    paths = []
    for i in range(copies):
        src = base[i % len(base)]
        dst = folder / f"{i:05d}_{src.name}"
        shutil.copyfile(src, dst)
        paths.append(str(dst))
    return paths


def _peak_rss_mb(task_result_paths: list[str]) -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(paths: list[str], jobs: int) -> dict:
    start = time.perf_counter()
    pages = errors = 0
    for record in parse_many(paths, jobs=jobs, timeout=300):
        pages += record.get("pages") or 1
        errors += bool(record.get("error"))
    seconds = time.perf_counter() - start
    return {"files": len(paths), "pages": pages, "errors": errors, "seconds": round(seconds, 2),
            "docs_per_s": round(len(paths) / seconds, 1), "pages_per_s": round(pages / seconds, 1)}


def body_overhead(paths: list[str]) -> dict:
    """Time of body extraction (citations, figures, period, sections) against the rest
    of parsing (reading the file, the header, the text), in one process."""
    from ingest.extract.body import extract_body
    from ingest.extract.header import parse_header
    from ingest.parse import text_with_spans
    from ingest.readers.dispatch import read
    rest = body = 0.0
    for path in paths:
        t0 = time.perf_counter()
        layout = read(path)
        header = parse_header(layout.lines)
        text, spans = text_with_spans(layout.lines)
        t1 = time.perf_counter()
        doc = parse_file.__globals__["Document"](path=path, text=text, **{
            k: v for k, v in header.fields.items() if k in ("symbol", "issuer", "title", "doc_type")})
        extract_body(doc, spans)
        t2 = time.perf_counter()
        rest, body = rest + (t1 - t0), body + (t2 - t1)
    return {"files": len(paths), "parse_s": round(rest, 2), "body_s": round(body, 2),
            "body_adds_pct": round(100 * body / rest, 1)}


def memory_flat(paths: list[str]) -> dict:
    """RSS of one process after each 100 files: flat means nothing accumulates."""
    marks = []
    for i, path in enumerate(paths, 1):
        parse_file(path)
        if i % 100 == 0:
            marks.append(round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    return {"files": len(paths), "peak_rss_mb_every_100": marks}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--formats", default="docx,pdf,txt,doc")
    ap.add_argument("--memory-files", type=int, default=1000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--skip", action="append", default=[], help="leave out sources whose name holds this")
    args = ap.parse_args()
    SKIP.extend(args.skip)
    out = pathlib.Path(args.out)
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}", "jobs": args.jobs,
              "sources": {fmt: [p.name for p in sources(fmt)] for fmt in args.formats.split(",")}}
    for fmt in args.formats.split(","):
        if not sources(fmt):
            continue
        copies = args.copies if fmt != "doc" else min(args.copies, 40)  # LibreOffice: ~1 s a file
        paths = build(out, fmt, copies)
        report[fmt] = run(paths, args.jobs)
        if fmt != "doc":
            report[fmt]["body"] = body_overhead(paths[:100])
        print(fmt, report[fmt], flush=True)
    mixed = build(out, "memory", 0)
    docx_paths = build(out, "docx", args.memory_files)
    report["memory_1000_docx_one_process"] = memory_flat(docx_paths + mixed)
    print("memory", report["memory_1000_docx_one_process"], flush=True)
    print(json.dumps(report, indent=1, ensure_ascii=False))
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
