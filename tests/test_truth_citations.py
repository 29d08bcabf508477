"""Cited documents against the hand-checked truth of ../shared/corpus/real."""
from __future__ import annotations

from conftest import REAL
from ingest.parse import parse_file
from scoring import norm_symbol


def _scored(truth_record, doc):
    """Our citations in the truth's scope: the main document, or the whole file."""
    scope = truth_record.get("cited_scope", "full")
    cites = [c for c in doc.citations if c.symbol and (scope.startswith("full") or c.part == "main")]
    return cites


def test_citation_precision_recall_and_dates(truth):
    rows, tp, fp, fn, dated, matched = [], 0, 0, 0, 0, 0
    for record in truth:
        if record["format"] == "pdf_scan":
            continue
        doc = parse_file(str(REAL / record["file"]))
        ours: dict[str, set] = {}
        for c in _scored(record, doc):
            ours.setdefault(norm_symbol(c.symbol), set()).add(c.date)
        want = {norm_symbol(c["symbol"]): c for c in record["cited"]}
        hit = ours.keys() & want.keys()
        tp += len(hit)
        fp += len(ours.keys() - want.keys())
        fn += len(want.keys() - ours.keys())
        for s in hit:
            matched += 1
            # a document cited several times: one occurrence must carry the date
            dated += want[s]["date"] in ours[s]
            if want[s]["date"] not in ours[s]:
                rows.append(f"    date {record['file']} {s}: got {ours[s]}, want {want[s]['date']}")
        p = len(hit) / len(ours) if ours else 1.0
        r = len(hit) / len(want) if want else 1.0
        print(f"{record['file']:32s} P={p:.2f} R={r:.2f}  extra={sorted(ours.keys() - want.keys())} "
              f"missed={sorted(want.keys() - ours.keys())}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nprecision {precision:.3f} recall {recall:.3f}; dates {dated}/{matched}")
    print("\n".join(rows))
    assert precision >= 0.95 and recall >= 0.95
    assert dated / matched >= 0.95
