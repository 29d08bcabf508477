"""One figure followed across reports and periods: what ``vanban figures`` and the
web's figures page show.

The documents come from the archive's own search (``Archive.search``: any backend,
the query typed with or without diacritics, the issuer filter as in ``search``),
at most ``MAX_DOCUMENTS`` of them, newest first; their figures are kept where the
figure's measure (``ingest.extract.measures``) holds every word of the query, and
laid out as a table: one row per issuer, measure, kind (actual, target,
comparison) and unit; one column per period (``Quý I/2025``, ``Năm 2025``), in
time order; each cell the value with the documents and sentence it comes from.
Where reports disagree on one cell (a quarter's own report and the next year's
``Cùng kỳ`` column), the cell keeps every value, its own report's first.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ingest.vocabulary.textnorm import fold

from .archive import Archive

MAX_DOCUMENTS = 300  # documents read for one question: the newest first
MAX_ROWS = 1000      # rows of one answer (a page, a CSV): a table of thousands of rows per report stops here
KINDS = ("actual", "target", "comparison")
MONEY = {"đồng": 1, "nghìn đồng": 1e3, "ngàn đồng": 1e3, "triệu đồng": 1e6, "tỷ đồng": 1e9}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass
class Source:
    """Where a value is printed: the document, the figure's offsets in its text and
    its sentence or table row."""

    path: str
    symbol: str | None
    date: str | None
    start: int
    context: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Value:
    value: float
    text: str
    sources: list[Source] = field(default_factory=list)
    own: bool = False   # printed by a report whose own period this is

    def to_dict(self) -> dict:
        return {"value": self.value, "text": self.text, "own_report": self.own,
                "sources": [s.to_dict() for s in self.sources]}


@dataclass
class Row:
    issuer: str
    measure: str
    kind: str
    unit: str
    cells: dict[str, list[Value]] = field(default_factory=dict)  # column key -> values, the own report's first

    def to_dict(self, columns: list["Column"]) -> dict:
        return {"issuer": self.issuer, "measure": self.measure, "kind": self.kind, "unit": self.unit,
                "cells": {c.label: [v.to_dict() for v in self.cells[c.key]] for c in columns if c.key in self.cells}}


@dataclass(frozen=True)
class Column:
    key: str     # ``2025-01-01..2025-03-31``
    label: str   # ``Quý I/2025``
    start: str
    end: str
    span: str = ""  # quarter | half | month | months | year | range


@dataclass
class Series:
    query: str
    columns: list[Column]
    rows: list[Row]
    documents: int          # documents whose figures were read
    more: bool = False      # more documents matched than were read (MAX_DOCUMENTS), or more rows than MAX_ROWS

    def to_objects(self) -> list[dict]:
        """One object per row (``figures --json``), then one saying what was read."""
        return [row.to_dict(self.columns) for row in self.rows] + [
            {"columns": [c.label for c in self.columns], "documents": self.documents, "more": self.more}]


def period_label(period: dict) -> str:
    """``Quý I/2025``, ``6 tháng đầu năm 2025``, ``Tháng 3/2025``, ``Năm 2025``."""
    kind, year = period.get("kind"), period.get("year")
    if kind == "quarter":
        return f"Quý {_ROMAN.get(period.get('quarter'), period.get('quarter'))}/{year}"
    if kind == "half":
        return f"6 tháng {'đầu' if period.get('half') == 1 else 'cuối'} năm {year}"
    if kind == "month":
        return f"Tháng {period.get('month')}/{year}"
    if kind == "months":
        return f"{period.get('month')} tháng năm {year}"
    if kind == "year":
        return f"Năm {year}"
    return f"{(period.get('start') or '')[:4]}–{(period.get('end') or '')[:4]}"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _matches(measure: str | None, wanted: list[str]) -> bool:
    if not measure:
        return False
    words = f" {' '.join(_words(measure))} "
    return all(f" {w} " in words for w in wanted)


def _bound(value: str | None, end: bool) -> str | None:
    """``2025`` / ``2025-04`` / ``2025-04-30`` as the first or last day it names."""
    if not value:
        return None
    parts = value.split("-")
    year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    if len(parts) > 2:
        return dt.date(year, month, int(parts[2])).isoformat()
    if not end:
        return dt.date(year, month, 1).isoformat()
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).isoformat()


def follow(store: Archive, query: str, issuer: str | None = None, date_from: str | None = None,
           date_to: str | None = None, limit: int = MAX_DOCUMENTS) -> Series:
    """The figures whose measure holds ``query``'s words, over periods (``--from`` and
    ``--to`` bound the periods: ``2025``, ``2025-04``, ``2025-04-30``)."""
    wanted = _words(query)
    if not wanted:
        raise ValueError("give the words of what the figure measures: 'hồ sơ tiếp nhận'")
    first, last = _bound(date_from, False), _bound(date_to, True)
    results = store.search(query, issuer=issuer, limit=limit, sort="date")
    rows: dict[tuple, Row] = {}
    columns: dict[str, Column] = {}
    for hit in results.hits:
        record = store.by_path(hit.path)
        if not record:
            continue
        for figure in record.get("figures") or []:
            period = figure.get("period") or record.get("period")
            if not _matches(figure.get("measure"), wanted) or not period or not period.get("start"):
                continue
            if (first and period["end"] < first) or (last and period["start"] > last):
                continue
            column = _column(period)
            columns.setdefault(column.key, column)
            _add(rows, record, figure, column, own=_same(period, record.get("period")))
    ordered = sorted(columns.values(), key=lambda c: (c.end, -int(c.start.replace("-", ""))))
    # Each issuer's measures in order, a measure's breakdown (``hồ sơ tiếp nhận – hộ tịch``) after the totals.
    kept = sorted(rows.values(), key=lambda r: (r.issuer, " – " in r.measure, r.measure, KINDS.index(r.kind), r.unit))
    return Series(query, ordered, kept[:MAX_ROWS], documents=len(results.hits),
                  more=results.total > len(results.hits) or len(kept) > MAX_ROWS)


def _column(period: dict) -> Column:
    return Column(f"{period['start']}..{period['end']}", period_label(period), period["start"], period["end"],
                  period.get("kind") or "")


def _same(period: dict, report: dict | None) -> bool:
    return bool(report) and (period.get("start"), period.get("end")) == (report.get("start"), report.get("end"))


def _add(rows: dict, record: dict, figure: dict, column: Column, own: bool) -> None:
    unit = figure.get("unit") or ""
    family = "đồng" if unit in MONEY else unit
    issuer = record.get("issuer") or record.get("issuer_name") or "?"
    key = (fold(issuer), figure["measure"], figure.get("kind") or "actual", family)
    row = rows.setdefault(key, Row(issuer, figure["measure"], key[2], unit))
    value = figure["value"]
    if unit != row.unit and family == "đồng" and row.unit in MONEY:
        value = value * MONEY[unit] / MONEY[row.unit]  # in the row's unit: 1,2 tỷ đồng as 1.200 triệu đồng
    source = Source(record["path"], record.get("symbol"), record.get("date"), figure.get("start", 0),
                    figure.get("context") or "")
    values = row.cells.setdefault(column.key, [])
    same = next((v for v in values if abs(v.value - value) < 1e-9), None)
    if same:
        same.sources.append(source)
        same.own |= own
    else:
        values.append(Value(value, figure.get("text") or "", [source], own))
    values.sort(key=lambda v: not v.own)
