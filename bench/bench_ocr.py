"""OCR on the corpus scans: seconds per page over both cores, and what each image
clean-up step does to accuracy.

For each clean-up setting, every scanned document of ../shared/corpus/real is
parsed with a fresh OCR cache (so Tesseract really runs), two files at a time, one
Tesseract process each (OMP_THREAD_LIMIT=1), under a neutral name (the corpus's
names give the number, which the handwriting reader would take as a witness). A
setting ending in ``/nohand`` runs without the handwriting reader. Reported per setting: wall seconds
per page, mean word confidence, header fields against the truth (all ten, and the
seven that are printed rather than handwritten), citation F1 and the share of the
truth's report figures found.

    python bench/bench_ocr.py                          # every setting (~8 min)
    python bench/bench_ocr.py --settings gray noseal+gray
    python bench/bench_ocr.py --settings gray gray/nohand     # with and without the second reader
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ingest.batch import parse_many
from ingest.ocr.tesseract import OcrSettings
from ingest.parse import parse_file
from scoring import HEADER_FIELDS, citation_counts, header_hits

REAL = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "real"
SETTINGS = ["gray", "noseal+gray", "gray+binarize", "gray+deskew", "noseal+gray+binarize+deskew"]
HANDWRITTEN = {"number", "symbol", "date"}


def scans() -> list[dict]:
    with open(REAL / "truth.jsonl", encoding="utf-8") as handle:
        return [t for t in map(json.loads, handle) if t["format"] == "pdf_scan"]


def figures_found(doc: dict, truth: dict) -> tuple[int, int]:
    ours = [f["value"] for f in doc.get("figures") or []]
    want = [f["value"] for f in truth.get("figures") or []]
    return sum(any(abs(v - o) < 1e-6 for o in ours) for v in want), len(want)


def run(setting: str, truths: list[dict], jobs: int) -> dict:
    cleanup, _, hand = setting.partition("/")
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as folder:
        ocr = OcrSettings(cleanup=tuple(cleanup.split("+")), cache_dir=cache, jobs=1, hand=hand != "nohand")
        paths = [os.path.join(folder, f"scan-{i:02d}.pdf") for i in range(len(truths))]
        for truth, path in zip(truths, paths):
            shutil.copy(REAL / truth["file"], path)
        started = time.monotonic()
        docs = list(parse_many(paths, jobs=jobs, timeout=600, task=functools.partial(parse_file, ocr=ocr)))
        seconds = time.monotonic() - started
    pages = sum(len(d["ocr_pages"]) for d in docs)
    fields = printed = 0
    tp = fp = fn = 0
    found = wanted = 0
    for truth, doc in zip(truths, docs):
        hits, misses = header_hits(doc, truth)
        fields += hits
        printed += sum(1 for f in HEADER_FIELDS if f not in HANDWRITTEN and not any(f": {f}: " in m for m in misses))
        a, b, c = citation_counts(doc, truth)
        tp, fp, fn = tp + a, fp + b, fn + c
        got, want = figures_found(doc, truth)
        found, wanted = found + got, wanted + want
    confidences = [d["ocr_confidence"] for d in docs if d.get("ocr_confidence")]
    return {"setting": setting, "documents": len(docs), "pages": pages,
            "seconds_per_page": round(seconds / max(pages, 1), 2),
            "mean_confidence": round(sum(confidences) / len(confidences), 1) if confidences else None,
            "header_fields": round(fields / (len(docs) * len(HEADER_FIELDS)), 3),
            "printed_header_fields": round(printed / (len(docs) * (len(HEADER_FIELDS) - len(HANDWRITTEN))), 3),
            "citation_f1": round(2 * tp / max(2 * tp + fp + fn, 1), 3),
            "report_figures_found": f"{found}/{wanted}"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--settings", nargs="*", default=SETTINGS)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "ocr.json"))
    args = ap.parse_args()
    truths = scans()
    results = []
    for setting in args.settings:
        results.append(run(setting, truths, args.jobs))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
