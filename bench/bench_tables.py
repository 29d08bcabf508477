"""Reading text PDFs with and without the table pass (``ingest/readers/pdf_tables.py``):
milliseconds per page, so the cost of pdfplumber on pages with ruled tables and the
cost of looking for rules and aligned columns on pages without them are all seen.

Files, each read ``--repeat`` times per setting (the best time kept, on one core):
- every text PDF of ``samples/`` and of ``../shared/corpus/real`` as it is;
- ``text-40p.pdf``: the corpus's 4-page TCVN3 industry report (or, without the
  corpus, the two-column sample) repeated to 40 pages: no tables;
- ``tables-40p.pdf``: the fourth quarter's ward report repeated to 40 pages: two
  ruled tables on every other page, one running over the page break;
- ``aligned-40p.pdf``: the second quarter's report (its table drawn without lines)
  repeated to 40 pages: an aligned table on every page.

    python bench/bench_tables.py
    python bench/bench_tables.py --repeat 5 --json
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import pypdfium2 as pdfium

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.readers import pdf_tables  # noqa: E402
from ingest.readers.pdf import read_pdf  # noqa: E402

REAL = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared")) / "corpus" / "real"


def repeated(source: pathlib.Path, pages: int, target: pathlib.Path) -> pathlib.Path:
    """``source``'s pages over and over up to ``pages`` pages."""
    src, out = pdfium.PdfDocument(str(source)), pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(src, list(range(min(len(src), pages - len(out)))))
    out.save(str(target))
    src.close()
    out.close()
    return target


def text_pdfs() -> list[pathlib.Path]:
    found = sorted(ROOT.glob("samples/*.pdf"))
    if REAL.is_dir():
        found += [p for p in sorted(REAL.glob("*.pdf")) if not p.name.startswith("scan_")]
    return found


def ruled_pages(path: pathlib.Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return sum(pdf_tables.is_ruled(pdf[i]) for i in range(len(pdf)))
    finally:
        pdf.close()


def table_pages(path: pathlib.Path) -> int:
    """Pages holding a table read cell by cell (ruled or aligned)."""
    lines = read_pdf(str(path)).lines
    return len({line.page for line in lines if line.block.startswith("pt")})


def best(path: pathlib.Path, tables: bool, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read_pdf(str(path), tables=tables)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = REAL / "bc_bcn_2007_tcvn3.pdf" if REAL.is_dir() else ROOT / "samples/bc_two_column.pdf"
        files = text_pdfs() + [repeated(plain, 40, pathlib.Path(tmp) / "text-40p.pdf"),
                               repeated(ROOT / "samples/bc_cchc_quy4_2025.pdf", 40, pathlib.Path(tmp) / "tables-40p.pdf"),
                               repeated(ROOT / "samples/bc_cchc_quy2_2025.pdf", 40, pathlib.Path(tmp) / "aligned-40p.pdf")]
        rows = []
        for path in files:
            pages = len(pdfium.PdfDocument(str(path)))
            without, with_pass = best(path, False, args.repeat), best(path, True, args.repeat)
            rows.append({"file": path.name, "pages": pages, "ruled_pages": ruled_pages(path),
                         "table_pages": table_pages(path),
                         "ms_per_page_without": round(1000 * without / pages, 2),
                         "ms_per_page_with": round(1000 * with_pass / pages, 2),
                         "extra_ms_per_page": round(1000 * (with_pass - without) / pages, 2)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    print(f"{'file':32} {'pages':>5} {'ruled':>5} {'tables':>6} {'ms/page without':>16} {'with':>8} {'extra':>8}")
    for r in rows:
        print(f"{r['file']:32} {r['pages']:>5} {r['ruled_pages']:>5} {r['table_pages']:>6} {r['ms_per_page_without']:>16} "
              f"{r['ms_per_page_with']:>8} {r['extra_ms_per_page']:>8}")


if __name__ == "__main__":
    main()
