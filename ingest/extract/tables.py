"""Tables of a report as rows and columns: which rows are the header, which column
names the rows, which gives the unit, and which hold values.

The readers name every table cell's line by its block (``t0.r2.c1`` from a DOCX,
``pt0.r2.c4:6`` from a PDF, a cell merged over columns 4 and 5); this module puts
the cells back on their grid and reads the table the way a person does:

    STT | Chỉ tiêu        | ĐVT   | Kế hoạch năm 2025 | Thực hiện             | So với cùng kỳ (%)
        |                 |       |                   | Quý IV/2025 | Cùng kỳ 2024 |
    1   | Hồ sơ tiếp nhận | Hồ sơ | 900               | 281         | 240          | 117,1

- header rows: the first row, and those after it that hold no value;
- the numbering column (``STT``: 1, 2, I, a), never a value;
- the label column: the first other column whose cells are words;
- the unit column: headed ``ĐVT`` / ``Đơn vị tính``, or whose cells are units;
- a column's header: the header cells over it, top to bottom (``Thực hiện Quý IV/2025``).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ingest.vocabulary import regexes as rx

_CELL = re.compile(r"^(?P<table>.+)\.r(?P<r>\d+)\.c(?P<c>\d+)(?::(?P<end>\d+))?$")
VALUE = re.compile(r"^[+\-]?(?P<number>" + rx.VN_NUMBER + r")\s?(?P<percent>%?)$")
"""A cell that is a value: ``281``, ``1.250``, ``98,6``, ``98,6%``."""
_STARTS_WITH_VALUE = re.compile(r"^[+\-]?" + rx.VN_NUMBER + r"(?!\s*/)")
_ORDINAL = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})*|[IVXLC]{1,6}|[a-zđ])[.)]?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_UNIT_HEADER = re.compile(r"^(?:ĐVT|Đơn vị(?: tính)?|Đ\.v\.t)\W*$", re.I)
_UNITS = {u.lower() for u in rx.FIGURE_UNITS}


def cell_of(block: str) -> tuple[str, int, int, int] | None:
    """(table, row, first column, one past the last column) of a cell's block; None outside tables."""
    m = _CELL.match(block) if ".r" in block else None
    if not m:
        return None
    c = int(m.group("c"))
    return m.group("table"), int(m.group("r")), c, int(m.group("end") or c + 1)


@dataclass
class Cell:
    text: str
    start: int           # offsets of the cell's text in the record's text
    end: int
    col: int
    end_col: int


@dataclass
class Table:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, first column) -> cell
    header_rows: int = 1
    numbering: int | None = None   # the STT column
    label: int | None = None       # the column naming the rows
    unit: int | None = None        # the ĐVT column
    # Once shaped (``_shape``): the rows in order and each column's header, so a
    # table of thousands of rows costs one pass, not one per value.
    _rows: list[int] | None = field(default=None, repr=False)
    _headers: dict[int, str] = field(default_factory=dict, repr=False)

    def rows(self) -> list[int]:
        if self._rows is not None:
            return self._rows
        return sorted({r for r, _ in self.cells})

    def columns(self) -> list[int]:
        return sorted({c for _, c in self.cells})

    def text(self, row: int, col: int) -> str:
        cell = self.cells.get((row, col))
        return cell.text if cell else ""

    def column_header(self, col: int) -> str:
        """The header cells over a column, top to bottom: ``Thực hiện Quý IV/2025``."""
        if self._rows is not None:
            return self._headers.get(col, "")
        return self._headers_of([col]).get(col, "")

    def _headers_of(self, columns: list[int]) -> dict[int, str]:
        heads = [cell for (r, _), cell in sorted(self.cells.items()) if r < self.header_rows and cell.text]
        return {col: " ".join(cell.text for cell in heads if cell.col <= col < cell.end_col) for col in columns}

    def row_label(self, row: int) -> str:
        """The row's label; a row whose label cell was merged with the one above takes that one's."""
        if self.label is None:
            return ""
        rows = self.rows()
        for r in reversed(rows[bisect.bisect_left(rows, self.header_rows):bisect.bisect_right(rows, row)]):
            if text := self.text(r, self.label):
                return text
            if r == row and self.numbering is not None and self.text(r, self.numbering):
                return ""  # a numbered row of its own with an empty label
        return ""

    def row_unit(self, row: int) -> str:
        return self.text(row, self.unit) if self.unit is not None else ""

    def value_cells(self):
        """(row, cell) of every body cell outside the numbering, label and unit columns."""
        kept = {self.numbering, self.label, self.unit}
        for (r, c), cell in sorted(self.cells.items()):
            if r >= self.header_rows and c not in kept:
                yield r, cell


def read_tables(spans) -> dict[str, Table]:
    """The record's tables from its lines' spans ((start, end, line) in text order)."""
    tables: dict[str, Table] = {}
    for start, end, line in spans:
        where = cell_of(line.block)
        if not where:
            continue
        name, r, c, end_col = where
        table = tables.setdefault(name, Table(name))
        cell = table.cells.get((r, c))
        if cell:  # a cell of several lines (paragraphs of a DOCX cell)
            cell.text, cell.end = f"{cell.text} {line.text}".strip(), end
        else:
            table.cells[(r, c)] = Cell(line.text.strip(), start, end, c, end_col)
    for table in tables.values():
        _shape(table)
    return tables


def _is_value(text: str) -> bool:
    return bool(_STARTS_WITH_VALUE.match(text)) and not _YEAR.match(text)


def _shape(table: Table) -> None:
    rows = table.rows()
    by_row: dict[int, list[Cell]] = {}
    for (r, _), cell in table.cells.items():
        by_row.setdefault(r, []).append(cell)
    header = 1
    for r in rows[1:]:
        if any(_is_value(cell.text) for cell in by_row[r] if cell.col > 0):
            break
        header = r + 1
    table.header_rows = header if len(rows) > 1 else 0
    body = [r for r in rows if r >= table.header_rows]
    columns = table.columns()

    def share(col: int, test) -> float:
        texts = [table.text(r, col) for r in body if table.text(r, col)]
        return sum(map(test, texts)) / len(texts) if texts else 0.0

    table.numbering = next((c for c in columns[:1] if share(c, lambda t: bool(_ORDINAL.match(t))) >= 0.8), None)
    table.unit = next((c for c in columns if _UNIT_HEADER.match(table.column_header(c))
                       or share(c, lambda t: t.lower() in _UNITS) >= 0.8), None)
    table.label = next((c for c in columns if c not in (table.numbering, table.unit)
                        and share(c, lambda t: not _is_value(t) and any(ch.isalpha() for ch in t)) >= 0.6), None)
    table._headers = table._headers_of(columns)
    table._rows = rows
