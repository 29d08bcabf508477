"""Numbers given twice: documents that carry the same number and symbol, issuing
body and year, but not the same content.

Nghị định 30/2020/NĐ-CP (Phụ lục VI) asks an e-document system to warn when a
(số, ký hiệu, cơ quan ban hành) is entered twice: a number a clerk gave two
documents, or a draft and the signed text both filed. Files with the same content
are one document with several paths, not a duplicate: the same text hash
(``ingest.fingerprint``), or near-identical texts of the same date
(``duplicates.near_identical``: a PDF whose page numbers sit in its text). A body's numbers restart every year,
so the year is part of the number; the body is its canonical key, so ``SỞ Y TẾ``
and ``Sở Y tế`` under the same province are one.

``numbered_twice`` groups any records (``stats`` and ``vanban duplicates`` pass
all of the archive's); ``conflicts`` checks the documents an ingest wrote against
the archive, reading only the records of their symbols.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ingest.vocabulary.symbols import parse_symbol

from .analysis import symbol_term
from .archive import Archive
from .duplicates import near_identical
from .rows import shown_issuer

# What of a record a group keeps (all a list shows, none of the text).
FIELDS = ("path", "sha256", "symbol", "issuer_key", "date", "text_hash", "title", "doc_type", "issuer", "issuer_name",
          "parent_issuer")


@dataclass
class Content:
    """One content under a number: the files holding it (one, but for copies)."""

    paths: list[str]
    date: str | None
    title: str | None

    def to_dict(self) -> dict:
        return {"paths": self.paths, "date": self.date, "title": self.title}


@dataclass
class NumberedTwice:
    """A number and symbol of one body and year, given to ``len(contents)`` (two or
    more) different documents."""

    symbol: str
    issuer: str | None
    year: str
    contents: list[Content] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"symbol": self.symbol, "issuer": self.issuer, "year": self.year,
                "contents": [c.to_dict() for c in self.contents]}


def number_key(record: dict) -> str | None:
    """``45/bc-ubnd|uy ban nhan dan phuong pho ninh ...|2024``: None for a document
    without a number (a blank ``Số: /QĐ-UBND``, an attached plan), a year, or an
    issuing body read (two scans whose header OCR lost are not one body)."""
    parsed = parse_symbol(record.get("symbol") or "")
    year = (parsed.year if parsed else None) or (record.get("date") or "")[:4]
    if not parsed or not parsed.number or not year or not record.get("issuer_key"):
        return None
    return f"{symbol_term(record['symbol'])}|{record['issuer_key']}|{year}"


def numbered(record: dict) -> dict | None:
    """The ``FIELDS`` of a record with a ``number_key`` (what a group keeps of it,
    none of its text), else None."""
    return {k: record.get(k) for k in FIELDS} if number_key(record) else None


def text_reader(store: Archive) -> Callable[[dict], str | None]:
    """A record's text from the archive, read once per path."""
    texts: dict[str, str | None] = {}

    def text_of(record: dict) -> str | None:
        if record["path"] not in texts:
            texts[record["path"]] = store.full_record(record).get("text")
        return texts[record["path"]]
    return text_of


def numbered_twice(records: Iterable[dict], text_of: Callable[[dict], str | None] | None = None) -> list[NumberedTwice]:
    """The numbers among ``records`` given to more than one content, by symbol.
    ``text_of`` reads a record's text to tell near-identical copies apart from
    different documents (only for the few records that share a number)."""
    by_number: dict[str, list[dict]] = {}
    for record in records:
        kept = numbered(record)
        if kept:
            by_number.setdefault(number_key(kept), []).append(kept)
    groups = []
    for key, sharing in by_number.items():
        contents = _contents(sharing, text_of)
        if len(contents) > 1:
            first = sharing[0]
            groups.append(NumberedTwice(first["symbol"], shown_issuer(first), key.rsplit("|", 1)[1], contents))
    return sorted(groups, key=lambda g: (g.symbol, g.issuer or "", g.year))


def _contents(sharing: list[dict], text_of) -> list[Content]:
    """The records sharing a number, as contents: the same hash is one content,
    and so are near-identical texts."""
    contents: list[tuple[Content, dict]] = []
    for record in sorted(sharing, key=lambda r: r["path"]):
        same = next((c for c, first in contents if _same_content(first, record, text_of)), None)
        if same:
            same.paths.append(record["path"])
        else:
            contents.append((Content([record["path"]], record.get("date"), record.get("title")), record))
    return [c for c, _ in contents]


def _same_content(a: dict, b: dict, text_of) -> bool:
    """The same hash; or, of one date, near-identical texts (two decisions of one
    template under one number differ in a few lines and in their dates)."""
    if a.get("text_hash") and a.get("text_hash") == b.get("text_hash"):
        return True
    return text_of is not None and a.get("date") == b.get("date") and near_identical(text_of(a), text_of(b))


def written_identity(record: dict) -> dict | None:
    """What ``conflicts`` needs of a document an ingest wrote: its record, or the
    row a PostgreSQL worker made of it (``_row``: the day, else the year of a date
    read in part); None without a number."""
    row = record.get("_row")
    if row is not None:
        record = {"path": row["path"], "symbol": row["symbol_term"], "issuer_key": row["issuer_key"],
                  "date": row["date"].isoformat() if row["date"] else str(row["year"]) if row.get("year") else None}
    identity = {k: record.get(k) for k in ("path", "symbol", "issuer_key", "date")}
    return identity if number_key(identity) else None


def conflicts(store: Archive, written: list[dict], look_up: bool = True) -> list[NumberedTwice]:
    """The numbers the documents just ``written`` (``written_identity``) share with
    another content, among themselves or, with ``look_up`` (an archive that held
    documents before), in the archive: the records of their symbols only (of a
    number two new documents share, without ``look_up``)."""
    new = {r["path"] for r in written}
    shared = Counter(number_key(r) for r in written)
    symbols = {r["symbol"] for r in written if look_up or shared[number_key(r)] > 1}
    records = [r for symbol in sorted(symbols) for r in store.by_symbol(symbol)]
    return [g for g in numbered_twice(records, text_reader(store))
            if any(p in new for c in g.contents for p in c.paths)]


def in_archive(store: Archive) -> list[NumberedTwice]:
    """Every number of the archive given to more than one content (one pass over
    its records, then the texts of those that share a number)."""
    return numbered_twice(store.records(), text_reader(store))
