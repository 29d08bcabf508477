"""A parsed record (``ingest.models.Document.to_dict()``) as an archive's row.

``prepare`` runs in the parse workers, on all cores: it segments the title and the
body with underthesea (the costly part), so the single index writer only splits on
spaces. ``index_fields`` then gives every field of the catalogue (``fields.py``)
its value; each backend stores those values its own way.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from ingest.vocabulary.citekeys import SEPARATOR, split_symbol
from ingest.vocabulary.issuers import issuer_name

from .analysis import is_symbol_term, presegment, presplit, symbol_parts, symbol_term
from .duplicates import record_identity
from .fields import CODE_BYTES

# underthesea segments about 115,000 characters a second on one core here, the
# costliest step of ingest by far. The word field (ranking on whole words) takes
# the first SEGMENT_LIMIT characters of the body, where the trích yếu, the basis
# and the main content sit; the syllable and folded fields index the whole body,
# so recall and phrases do not depend on it.
SEGMENT_LIMIT = 6_000
# What the tokenizers make of a text, by version: records prepared by another one
# are prepared again (2: a symbol's parts follow it, ``analysis.symbol_parts``).
ANALYSIS_VERSION = 2


def prepare(record: dict) -> dict:
    """The record plus what the index's tokenizers would make of it: ``_words``,
    the presegmented title and body for the word fields, and ``_syllables``, the
    tokenized title and body for the syllable, folded and pairs fields."""
    if record.get("error"):
        return record
    text, title = record.get("text") or "", record.get("title") or ""
    if is_prepared(record):
        return record
    if record.get("_analysis") is None and "_words" in record and "_syllables" in record:
        # Version 1 lacked only the symbols' parts: added here, nothing segmented again.
        for name in ("_words", "_syllables"):
            record[name] = {k: _with_parts(v) for k, v in record[name].items()}
    else:
        record["_words"] = {"title": presegment(title), "body": presegment(text[:SEGMENT_LIMIT])}
        record["_syllables"] = {"title": presplit(title), "body": presplit(text)}
    record["_analysis"] = ANALYSIS_VERSION
    return record


def _with_parts(tokens: str) -> str:
    """Tokens of analysis 1 as analysis 2 has them: each whole symbol followed by its
    parts (``143/2013/nđ-cp`` -> ``143/2013/nđ-cp 143 2013 nđ cp``)."""
    return " ".join(" ".join([t, *symbol_parts(t)]) if is_symbol_term(t) else t for t in tokens.split())


def is_prepared(record: dict) -> bool:
    """Whether a cached record carries what this version's index needs."""
    return record.get("_analysis") == ANALYSIS_VERSION and "_words" in record and "_syllables" in record


def year_of_date(iso: str | None) -> int | None:
    """The year of a record's date at any precision (2017-11-13, 2017-11, 2017)."""
    return int(iso[:4]) if iso and len(iso) >= 4 and iso[:4].isdigit() else None


def _date(iso: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None


# What a list of documents shows of each (``cites``, a reverse ``trace``): its
# heading, and the citations with keys (what ``cites`` matches and quotes). The
# index keeps it beside the record, so a list of a hundred citing documents reads a
# hundred small values instead of a hundred whole records (figures, sections, provenance).
HEAD_FIELDS = ("path", "doc_type", "symbol", "date", "issuer", "issuer_key", "issuer_name", "title", "effective_date")


def head(record: dict) -> dict:
    """The record's ``HEAD_FIELDS`` (None where it has none) and its keyed citations."""
    shown = {name: record.get(name) for name in HEAD_FIELDS}
    shown["citations"] = [c for c in record.get("citations") or [] if c.get("key")]
    return shown


def _lean(record: dict) -> str:
    """The record as stored in the index: everything but the full text (the record
    cache keeps that), so the index stays small."""
    return json.dumps({k: v for k, v in record.items() if k != "text" and not k.startswith("_")},
                      ensure_ascii=False)


def index_fields(record: dict) -> dict:
    """A prepared record (``prepare``) as the archive's fields (``fields.make_schema``)."""
    if not is_prepared(record):
        record = prepare(dict(record))  # a record cached by an older version
    date = _date(record.get("date"))
    words, syllables = record["_words"], record["_syllables"]
    citations = [c for c in record.get("citations") or []]
    fields = {
        "path": record["path"], "sha256": record.get("sha256") or "",
        "symbol": symbol_term(record.get("symbol") or ""), "doc_type": record.get("doc_type") or "",
        "issuer_key": record.get("issuer_key") or "", "issuer_name": shown_issuer(record) or "",
        "title": words["title"], "title_syl": syllables["title"], "title_fold": syllables["title"],
        "title_pairs": syllables["title"],
        "body": words["body"], "body_syl": syllables["body"], "body_fold": syllables["body"],
        "body_pairs": syllables["body"],
        "signer": " ".join(v for v in (record.get("signer_name"), record.get("signer_title")) if v),
        "cite_symbols": ",".join(sorted({symbol_term(c["symbol"]) for c in citations if c.get("symbol")})),
        "cite_keys": ",".join(sorted({key_term(c["key"]) for c in citations if c.get("key")})),
        "period": (record.get("period") or {}).get("kind", "") if record.get("period") else "",
        "figures": " ; ".join(f["text"] for f in record.get("figures") or [])[:20000],
        "needs_ocr": "yes" if record.get("needs_ocr") else "no",
        "confidentiality": (record.get("confidentiality") or "").lower(),
        "urgency": (record.get("urgency") or "").lower(),
        "ingested": dt.datetime.now(), "record": _lean(record),
        "head": json.dumps(head(record), ensure_ascii=False).encode("utf-8"),
    }
    if date:
        fields["date"], fields["year"] = date, date.year
    elif year := year_of_date(record.get("date")):  # a date read in part (2017-11): its year places it
        fields["year"] = year
    for name, value in (("text_hash", record.get("text_hash")), ("identity", record_identity(record))):
        if value:  # else the column's zeros: none
            fields[name] = code(value)
    return fields


def code(value: str) -> bytes:
    """A text hash or an identity as its column's code: the first bytes of its sha256."""
    return hashlib.sha256(value.encode("utf-8")).digest()[:CODE_BYTES]


def shown_issuer(record: dict) -> str | None:
    """The issuing body's name to show (``Sở Y tế tỉnh Kiên Giang``): the record's
    ``issuer_name``, or, in a record parsed before it was kept, made from the
    printed issuer and parent."""
    return record.get("issuer_name") or issuer_name(record.get("issuer"), record.get("parent_issuer"))


def key_term(key: str) -> str:
    """A citation key as the index spells it: ``01/2026/TT-BNV|bộ nội vụ|2026`` ->
    ``1/2026/tt-bnv|bộ nội vụ|2026``, so ``cites`` finds keys by the symbol's term."""
    symbol, rest = split_symbol(key)
    return f"{symbol_term(symbol)}{SEPARATOR}{rest.lower()}" if rest else key.lower()
