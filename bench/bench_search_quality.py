"""Search quality on the national legal database pages (../shared/corpus/vbpl).

Each full-text page is written as a text file and ingested. Then, for every
Vietnamese page, the page heading's summary (``meta["Tiêu đề"]`` without its
type and number), typed without diacritics, must put the page in the top 3; and
the heading's symbol must put it first.

    python bench/bench_search_quality.py [--out bench/out/vbpl]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.indexing import index_paths as ingest  # noqa: E402
from index.whoosh.search import search  # noqa: E402
from index.whoosh.store import WhooshStore  # noqa: E402
from index.analysis import symbol_term  # noqa: E402
from ingest.vocabulary.regexes import CITE_SYMBOL  # noqa: E402
from ingest.vocabulary.symbols import normalize_symbol, parse_symbol  # noqa: E402
from ingest.vocabulary.textnorm import delatin_cyrillic, strip_marks  # noqa: E402

VBPL = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "vbpl" / "vbpl.jsonl"
_VIET = re.compile("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
_HEAD = re.compile(r"^(?P<kind>.*?)\s+s[ốo]\s*:?\s*(?P<symbol>\S+(?:\s*/\s*\S+)*)\s+(?P<summary>.+)$", re.I)


def pages() -> list[dict]:
    with open(VBPL, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [r for r in records if r["page_kind"] == "full_text"
            and len(_VIET.findall(r["text"][:3000].lower())) >= 30]


_NUMBER_AT = re.compile(r"\bs[ốo]\s*:?\s*(?=\d)", re.I)


def split_heading(heading: str) -> tuple[str | None, str | None]:
    """``Thông tư số 81 /2025/TT- NHNN Quy định về ...`` -> (``81/2025/TT-NHNN``, ``Quy định về ...``)."""
    m = _NUMBER_AT.search(heading)
    if not m:
        return None, None
    parsed = parse_symbol(heading[m.end():])
    if not parsed or not parsed.symbol:
        return None, None
    rest = heading[m.end():].lstrip()[len(parsed.as_printed):].strip()
    return parsed.symbol, rest or None


def printed_in(symbol: str, text: str) -> bool:
    """Does the page's own text carry this symbol (the site sometimes shows another
    document's text, or a text without its number)?"""
    wanted = symbol_term(symbol)
    head = delatin_cyrillic(text[:3000])
    return any(symbol_term(normalize_symbol(m.group()) or "") == wanted for m in CITE_SYMBOL.finditer(head))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "vbpl"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    docs = out / "docs"
    docs.mkdir(parents=True)
    chosen = pages()
    for page in chosen:
        (docs / f"{page['id']}.txt").write_text(page["text"], encoding="utf-8")
    started = time.monotonic()
    report = ingest([str(docs)], str(out / "index"), jobs=2)
    print(f"ingested {report.added} pages in {time.monotonic() - started:.1f} s", flush=True)
    store = WhooshStore(str(out / "index"))
    summary_top3 = summary_total = symbol_first = symbol_total = not_printed = 0
    misses = []
    for page in chosen:
        path = str((docs / f"{page['id']}.txt").resolve())
        symbol, summary = split_heading(page["meta"]["Tiêu đề"])
        if summary:
            summary_total += 1
            hits = search(store, strip_marks(summary).replace('"', " "), limit=3).hits
            found = path in [h.path for h in hits]
            summary_top3 += found
            if not found:
                misses.append(f"summary {page['id']}: {summary[:70]}")
        if symbol and not printed_in(symbol, page["text"]):
            not_printed += 1
            misses.append(f"symbol {page['id']}: {symbol} is not printed in the page's text (site error)")
        elif symbol:
            symbol_total += 1
            hits = search(store, symbol, limit=1).hits
            ok = bool(hits) and hits[0].path == path
            symbol_first += ok
            if not ok:
                misses.append(f"symbol {page['id']}: {symbol} -> {hits[0].path.rsplit('/', 1)[-1] if hits else None}")
    result = {"pages": len(chosen), "summary_top3": round(summary_top3 / summary_total, 3),
              "summary_queries": summary_total, "symbol_first": round(symbol_first / symbol_total, 3),
              "symbol_queries": symbol_total, "symbol_not_in_text": not_printed}
    print("\n".join(misses))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
