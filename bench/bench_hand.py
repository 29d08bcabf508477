"""The handwriting reader on the corpus scans: what each step gets right, and what
it costs per scanned document.

For each scanned document of ../shared/corpus/real (13, every one with its number
written by hand and most with the day), page 1 is read by Tesseract (timed, no
cache), then the reader's steps are scored against the truth:

- anchors: the ``Số`` word and its printed ``/`` (number), ``ngày`` (day) found;
- crops: the truth is among the decoder's readings of the four cuts (the digits
  were inside the cuts and the recogniser saw them);
- decoding: the likeliest reading, all digit strings allowed, no prior;
- plausibility: the likeliest plausible reading (a day 1-31, a number of 1-5
  digits) with the ink-blob length prior: what the record gets;
- file name: the same, where the document's own name repeats one of the
  readings (the corpus names give every number: an upper bound, not a claim);
- Tesseract alone: its own digits between the anchors (before this reader).

Seconds: Tesseract's page-wide pass on page 1 at 300 dpi, and the reader (band
render, 8 recogniser runs, decoding), both on one core; the ingest runs one file
per core, so two documents go through at a time on two cores.

    python bench/bench_hand.py
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.ocr import digits, handwriting as hand  # noqa: E402
from ingest.ocr.cleanup import clean  # noqa: E402
from ingest.ocr.tesseract import OcrSettings, page_image, run_tesseract  # noqa: E402

REAL = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "real"
STEPS = ("anchors", "crops", "decoding", "plausibility", "file name", "tesseract alone")


def scans() -> list[dict]:
    with open(REAL / "truth.jsonl", encoding="utf-8") as handle:
        return [t for t in map(json.loads, handle) if t["format"] == "pdf_scan"]


def tesseract_digits(page, field: str) -> str:
    """Tesseract's own digits between the field's anchors (what the record had before)."""
    spot = hand.locate(page).get(field)
    if spot is None:
        return ""
    words = [spot.start, *hand._between(spot, spot.end)] + ([spot.end] if spot.end is not None and spot.end is not spot.start else [])
    text = " ".join(w.text for w in words)
    if field == "number":
        m = re.search(r"(\d{1,5})\s*/", text[2:])
    else:
        m = re.search(r"ng\S{1,2}?[yv]\s*(\d{1,2})", text, re.IGNORECASE)
    return m.group(1) if m else ""


def score(truth: dict, page, path: str, model) -> tuple[dict, dict, float]:
    """Per field, which steps hold; the reader's seconds."""
    want = {"number": truth["number"], "day": str(int(truth["date"][8:10]))}
    same = {"number": lambda got: got == want["number"],
            "day": lambda got: bool(got) and int(got) == int(want["day"])}
    started = time.perf_counter()
    spots = hand.locate(page)
    boxes = hand._boxes(spots)
    hits: dict[str, dict[str, bool]] = {}
    if boxes:
        top = int(min(b[1] for b in boxes.values()) - 40)
        bottom = int(max(b[3] for b in boxes.values()) + 40)
        band = hand._band(path, "pdf", 0, 300, max(0, top), bottom)
    for field in ("number", "day"):
        ok = same[field]
        row = dict.fromkeys(STEPS, False)
        row["tesseract alone"] = ok(tesseract_digits(page, field))
        hits[field] = row
        if field not in boxes:
            continue
        row["anchors"] = True
        cuts = hand._cuts(model, band, max(0, top), field, boxes[field], spots[field])
        folded = [model.folder.fold(c.probs, c.lo, c.hi) for c in cuts]
        plausible = digits.plausible_number if field == "number" else digits.plausible_day
        prior = digits.length_prior(hand._glyphs(cuts, boxes[field]))
        anything = digits.ranked(folded, lambda text: True)
        kept = digits.ranked(folded, plausible, prior)
        row["crops"] = any(ok(t) for t, _ in digits.ranked(folded, lambda text: True, top=12))
        row["decoding"] = bool(anything) and ok(anything[0][0])
        row["plausibility"] = bool(kept) and ok(kept[0][0])
        reading = hand.Reading(field, kept, boxes[field])
        if field == "number":
            hand.prefer([reading], hand.own_numbers(truth["file"], [page]))
        row["file name"] = ok(reading.value)
    return hits, want, time.perf_counter() - started


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    model = hand.recogniser()
    if model is None:
        sys.exit("the handwriting reader is not installed (pip install rapidocr-onnxruntime==1.4.4)")
    settings = OcrSettings()
    table = {f: dict.fromkeys(STEPS, 0) for f in ("number", "day")}
    seconds_tess, seconds_hand = [], []
    documents = scans()
    model.probs(__import__("numpy").full((48, 200, 3), 255, "uint8"))  # the session's first run allocates
    for truth in documents:
        path = str(REAL / truth["file"])
        started = time.perf_counter()
        page = run_tesseract(clean(page_image(path, "pdf", 0, 300), settings.cleanup), settings)
        seconds_tess.append(time.perf_counter() - started)
        hits, want, spent = score(truth, page, path, model)
        seconds_hand.append(spent)
        for field, row in hits.items():
            for step, ok in row.items():
                table[field][step] += ok
        print(f"{truth['file']:30s} number {want['number']:>5s} {''.join('+' if v else '.' for v in hits['number'].values())}"
              f"  day {want['day']:>2s} {''.join('+' if v else '.' for v in hits['day'].values())}  {spent:.2f} s",
              file=sys.stderr)
    n = len(documents)
    print(f"\n{n} scanned documents; steps: " + ", ".join(STEPS))
    print("| step | numbers exact | days exact |\n|---|---|---|")
    for step in STEPS:
        print(f"| {step} | {table['number'][step]}/{n} | {table['day'][step]}/{n} |")
    print(f"\nseconds per document on one core: Tesseract page 1 {statistics.mean(seconds_tess):.2f} "
          f"(max {max(seconds_tess):.2f}); handwriting reader {statistics.mean(seconds_hand):.2f} "
          f"(max {max(seconds_hand):.2f})")


if __name__ == "__main__":
    main()
