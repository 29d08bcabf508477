"""Header fields against the hand-checked truth of ../shared/corpus/real."""
from __future__ import annotations


from conftest import REAL
from ingest.parse import parse_file
from scoring import HEADER_FIELDS, field_matches

LEGACY = ("tcvn3", "vni")


def _score(records):
    hits, total = {f: 0 for f in HEADER_FIELDS}, 0
    misses = []
    for truth in records:
        doc = parse_file(str(REAL / truth["file"])).to_dict()
        total += 1
        for f in HEADER_FIELDS:
            ok = field_matches(f, doc.get(f), truth.get(f))
            hits[f] += ok
            if not ok:
                misses.append(f"  {truth['file']}: {f}: got {doc.get(f)!r}, want {truth.get(f)!r}")
    return hits, total, misses


def _report(label, hits, total, misses) -> float:
    print(f"\n{label}: {total} documents")
    for f, n in hits.items():
        print(f"  {f:15s} {n}/{total}")
    share = sum(hits.values()) / (total * len(HEADER_FIELDS))
    print(f"  overall {share:.1%}")
    print("\n".join(misses))
    return share


def _born_digital(truth):
    return [t for t in truth if t["format"] != "pdf_scan"]


def test_header_fields_born_digital(truth):
    hits, total, misses = _score(_born_digital(truth))
    assert _report("born-digital documents", hits, total, misses) >= 0.95


def test_header_fields_legacy_encoded(truth):
    legacy = [t for t in _born_digital(truth) if t["encoding"].lower().startswith(LEGACY)
              or "tcvn3" in t["encoding"].lower() and "transcript" not in t["encoding"]]
    assert len(legacy) >= 5
    hits, total, misses = _score(legacy)
    assert _report("legacy-encoded documents", hits, total, misses) >= 0.90
