"""How a parsed value is compared with the hand-checked truth."""
from __future__ import annotations

import difflib
import re

from ingest.vocabulary.issuers import issuer_key
from ingest.vocabulary.textnorm import fold

HEADER_FIELDS = ("doc_type", "number", "symbol", "issuer", "parent_issuer", "place", "date",
                 "title", "signer_name", "signer_title")


def same_symbol(a, b) -> bool:
    return re.sub(r"\s+", "", a or "").upper() == re.sub(r"\s+", "", b or "").upper()


def same_name(a, b) -> bool:
    return issuer_key(a) == issuer_key(b)


def similar_title(a, b) -> bool:
    if not a or not b:
        return a == b
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio() >= 0.9


def field_matches(name: str, got, want) -> bool:
    if want is None or want == "":
        return got in (None, "")
    if got in (None, ""):
        return False
    if name == "symbol":
        return same_symbol(got, want)
    if name in ("issuer", "parent_issuer", "signer_name", "signer_title", "place", "doc_type"):
        return same_name(got, want)
    if name == "title":
        return similar_title(got, want)
    return str(got) == str(want)


def norm_symbol(symbol: str) -> str:
    return symbol.replace(" ", "").upper()


def header_hits(doc: dict, truth: dict) -> tuple[int, list[str]]:
    """How many header fields of ``doc`` match the truth, and the misses."""
    misses = [f"{truth['file']}: {f}: got {doc.get(f)!r}, want {truth.get(f)!r}"
              for f in HEADER_FIELDS if not field_matches(f, doc.get(f), truth.get(f))]
    return len(HEADER_FIELDS) - len(misses), misses


def citation_counts(doc: dict, truth: dict) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) by normalised symbol, in
    the truth's scope (the main document or the whole file)."""
    scope = truth.get("cited_scope", "full")
    ours = {norm_symbol(c["symbol"]) for c in doc.get("citations") or []
            if c.get("symbol") and (scope.startswith("full") or c.get("part") == "main")}
    want = {norm_symbol(c["symbol"]) for c in truth.get("cited") or [] if c.get("symbol")}
    return len(ours & want), len(ours - want), len(want - ours)
