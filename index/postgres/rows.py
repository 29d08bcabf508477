"""A prepared record as the row of ``vanban.documents`` (and its passages): the
text fields as ``tsvector`` literals, made token by token with the schema's own
analyzers (no text search configuration of PostgreSQL re-parses them). Made in
the parse workers, on all cores (``PgStore.row_maker``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from ..fields import PASSAGE_FIELDS, POSITIONAL, SEARCH_FIELDS, TEXT_FIELDS, make_schema
from ..rows import ANALYSIS_VERSION, index_fields, is_prepared, prepare, year_of_date
from .ddl import CLEARANCE, PAIR_COLUMNS

# PostgreSQL keeps positions up to 16383 and 256 of them per word.
MAX_POSITION, MAX_POSITIONS = 16383, 255
# Phrases in bodies are matched in passages (``vanban.passages``) that hold every
# position: a long legal text passes both limits above. Passages overlap by this
# many syllables, the longest phrase matched whole.
PASSAGE_OVERLAP = 32
# Every row's match columns (``ddl.MATCH_COLUMNS``) hold one lexeme more, naming
# one of SAMPLE_SHARES shares of the archive by its path's MD5: a query's matches
# in one share (``SAMPLED``), found by the same GIN scans, are a sample of them
# all, spread over every year alike (a sample of the newest years counted '2026'
# twice over). ``SAMPLE_SQL`` is the same in SQL.
SAMPLE_SHARES = 16
SAMPLED = "~sample:0"
SAMPLE_SQL = "pg_catalog.array_to_tsvector(ARRAY['~sample:' || pg_catalog.substr(pg_catalog.md5(path), 1, 1)])"


def quote_lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _tokens(analyzer, text: str) -> list[list[str]]:
    """The field's tokens by position, as Whoosh numbers them: one token a position,
    but a whole symbol shares its first part's (``143/2013/nđ-cp`` and ``143``)."""
    slots: list[list[str]] = []
    for t in analyzer(text, positions=True, mode="index") if text else ():
        while len(slots) <= t.pos:
            slots.append([])
        slots[t.pos].append(t.text)
    return slots


def tsvector_text(analyzer, text: str, positions: bool) -> str:
    """The field's tokens as a tsvector literal: ``'quy':1,4 'định':2``."""
    return tokens_tsvector(_tokens(analyzer, text), positions)


def tokens_tsvector(slots: list[list[str]], positions: bool = True) -> str:
    where: dict[str, list[int]] = {}
    for at, tokens in enumerate(slots, start=1):
        for token in tokens:
            if token and len(token.encode("utf-8")) < 2046:
                where.setdefault(token, []).append(min(at, MAX_POSITION))
    if not positions:
        return " ".join(quote_lexeme(word) for word in where)
    return " ".join(f"{quote_lexeme(word)}:{','.join(map(str, sorted(set(at))[:MAX_POSITIONS]))}"
                    for word, at in where.items())


def passages(slots: list[list[str]], overlap: int = PASSAGE_OVERLAP) -> list[list[list[str]]]:
    """A long field cut into stretches that a tsvector holds whole: under 16,383
    positions, and no word more than 255 times (PostgreSQL drops positions past
    either). Consecutive stretches share ``overlap`` positions, so a phrase of up
    to that many syllables lies whole in one of them."""
    cut, start = [], 0
    while start < len(slots):
        counts: dict[str, int] = {}
        end = start
        while end < len(slots) and end - start < MAX_POSITION - 1:
            if any(counts.get(token, 0) >= MAX_POSITIONS for token in slots[end]):
                break
            for token in slots[end]:
                counts[token] = counts.get(token, 0) + 1
            end += 1
        end = max(end, start + 1)  # a position of several tokens each at the limit
        cut.append(slots[start:end])
        if end >= len(slots):
            break
        start = max(end - overlap, start + 1)
    return cut


_SCHEMA = []


def analysis_schema():
    """The Whoosh schema whose analyzers make the tokens, built once a process."""
    if not _SCHEMA:
        _SCHEMA.append(make_schema())
    return _SCHEMA[0]


def table_row(record: dict) -> dict:
    """A prepared record as the row of ``vanban.documents``, its text fields as
    tsvector literals: the costly part of writing, done in the parse workers (on
    all cores) where ``ingest`` runs them."""
    schema = analysis_schema()
    if not is_prepared(record):
        record = prepare(dict(record))
    fields = index_fields(record)
    date = (record.get("date") or "")[:10]
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    confidentiality = (record.get("confidentiality") or "").lower()
    row = {
        "path": record["path"], "sha256": record.get("sha256") or "",
        "year": day.year if day else year_of_date(record.get("date")) or 0, "date": day,
        "symbol_term": fields["symbol"], "doc_type": fields["doc_type"], "issuer_key": fields["issuer_key"],
        "issuer_name": fields["issuer_name"],
        "period": fields["period"], "clearance": CLEARANCE.get(confidentiality, 3 if confidentiality else 0),
        "confidentiality": confidentiality, "urgency": fields["urgency"],
        "needs_ocr": bool(record.get("needs_ocr")),
        "cite_symbols": [s for s in fields["cite_symbols"].split(",") if s],
        "cite_keys": [k for k in fields["cite_keys"].split(",") if k],
        # the analysis that made the row: one of an older analysis is written again
        "record": json.dumps({**json.loads(fields["record"]), "_analysis": ANALYSIS_VERSION}, ensure_ascii=False),
        "full_text": (record.get("text") or "").replace("\x00", ""),
        "text_hash": record.get("text_hash") or "",
    }
    searched = []
    for name in TEXT_FIELDS:
        tokens = _tokens(schema[name].analyzer, fields[name])
        row[name] = tokens_tsvector(tokens, name in POSITIONAL)
        if name in SEARCH_FIELDS:
            searched += tokens
        if name in PASSAGE_FIELDS:
            row.setdefault("_passages", []).extend((name, tokens_tsvector(p)) for p in passages(tokens))
    row["terms"] = tokens_tsvector([*searched, [sample_lexeme(row["path"])]], positions=False)
    row.update(pairs_row(fields["title_pairs"], fields["body_pairs"], row["path"]))
    return row


def sample_lexeme(path: str) -> str:
    """The lexeme of a row's sample share (``SAMPLE_SQL`` of its path)."""
    return "~sample:" + hashlib.md5(path.encode("utf-8")).hexdigest()[0]


def pairs_row(title: str, body: str, path: str) -> dict[str, str]:
    """The pairs columns of a title and a body as tokenized for the index
    (``rows.prepare``'s ``_syllables``), with the path's sample share, as tsvector
    literals without positions."""
    schema = analysis_schema()
    share = [sample_lexeme(path)]
    return {name: tokens_tsvector([*_tokens(schema[name].analyzer, text), share], positions=False)
            for name, text in zip(PAIR_COLUMNS, (title, body))}
