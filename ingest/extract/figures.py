"""Figures a report reports: value, unit, the sentence or table row they stand in."""
from __future__ import annotations

import re

from ingest.extract.tables import VALUE, Table, cell_of, read_tables
from ingest.models import Figure, Line, Section
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.textnorm import squash

_VND = {"đồng": 1, "nghìn đồng": 1e3, "ngàn đồng": 1e3, "triệu đồng": 1e6, "tỷ đồng": 1e9}
# A sentence ends at a full stop or semicolon, or where a new item or paragraph begins;
# a bare line break is only the page's wrapping.
_SENTENCE_END = re.compile(r"[.;!?](?=\s)|\n(?=\s*(?:[-+•]|\d+[.)]|[a-zđ]\)|\n))|\n\n")


def parse_number(printed: str) -> float:
    """``1.234.567`` -> 1234567; ``12,5`` -> 12.5; ``1.250`` -> 1250."""
    return float(printed.replace(".", "").replace(",", "."))


# One spelling per unit: ``tỷ kwh`` -> ``tỷ kWh``; ``48.640.000đ`` is in ``đồng``.
_UNIT_SPELLING = {u.lower(): u for u in rx.FIGURE_UNITS} | {"đ": "đồng", "triệu đ": "triệu đồng", "tỷ đ": "tỷ đồng"}
CONTEXT_REACH = 150  # characters kept on each side of a figure in a long sentence


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a figure, cut to a word boundary where a sentence runs on."""
    floor = max(0, start - CONTEXT_REACH)
    left = max((m.end() for m in _SENTENCE_END.finditer(text, floor, start)), default=floor)
    if left == floor and floor > 0:
        left = text.find(" ", floor, start) + 1 or floor
    m = _SENTENCE_END.search(text, end, end + CONTEXT_REACH)
    right = m.start() if m else min(len(text), end + CONTEXT_REACH)
    if not m and right < len(text):
        right = text.rfind(" ", end, right) if text.rfind(" ", end, right) > end else right
    return squash(text[left:right]).strip(" -+•,")


def find_figures(text: str, spans, sections: list[Section]) -> list[Figure]:
    tables = read_tables(spans)
    unit_rows = list(rx.UNIT_ROW.finditer(text))
    row_units = {row.start("unit") for row in unit_rows}
    out, used = [], set()
    for m in rx.FIGURE.finditer(text):
        before = text[max(0, m.start() - 25):m.start()]
        if rx.NOT_FIGURE_BEFORE.search(before) or _is_section_number(text, m):
            continue
        if m.start("unit") in row_units or _unit_column_below(text, m):
            continue
        if _rate_base(text, m, before):
            continue
        unit = squash(m.group("unit"))
        unit = _UNIT_SPELLING.get(unit.lower(), unit)
        if unit in ("tỷ", "triệu") and not re.match(r"\s*(?:đồng|USD)", text[m.end():m.end() + 6]) \
                and not re.search(r"(?:đồng|USD|vốn|kinh phí|ngân sách)", text[max(0, m.start() - 60):m.start()]):
            continue  # ``2 triệu`` alone: a count of millions of what?
        line = _line_at(spans, m.start())
        where = cell_of(line.block) if line else None
        if where and _line_at(spans, m.end() - 1) is not line:
            continue  # a value cell and the unit cell after it: the table pass reads it
        value = parse_number(m.group("number"))
        figure = Figure(value=value, unit=unit, text=squash(m.group()), start=m.start(), end=m.end(),
                        context=_sentence(text, m.start(), m.end()), section=_section_at(sections, m.start()),
                        value_vnd=value * _VND[unit] if unit in _VND else None)
        if where and where[0] in tables:
            _place_in_table(figure, tables[where[0]], where)
            used.add((where[0], where[1], where[2]))
        out.append(figure)
    out += _unit_row_figures(unit_rows, sections)
    for table in tables.values():
        out += _table_figures(table, used, sections)
    return sorted(out, key=lambda f: f.start)


def _place_in_table(figure: Figure, table: Table, where) -> None:
    """A figure in a table cell: its row label and column header are its context."""
    _, r, c, _ = where
    if c == table.label or r < table.header_rows:
        return
    figure.row = table.row_label(r) or None
    figure.column = table.column_header(c) or None
    figure.context = " | ".join(p for p in (figure.row, figure.column) if p) or figure.context


_PARENTHESES = re.compile(r"\(([^()]{1,25})\)")


def _cell_unit(table: Table, row: int, col: int, percent: bool) -> str | None:
    """The unit of a bare value: ``%`` printed with it, the row's ĐVT cell, or the one a
    column header or row label gives in parentheses (``Tiếp nhận (hồ sơ)``, ``Tỷ lệ (%)``)."""
    if percent or "%" in table.column_header(col):
        return "%"
    if unit := table.row_unit(row).strip():
        return _UNIT_SPELLING.get(unit.lower(), unit.lower() if unit.lower() in _KNOWN_UNITS else unit)
    for text in (table.column_header(col), table.row_label(row)):
        for inside in reversed(_PARENTHESES.findall(text)):
            unit = squash(inside).lower()
            if unit in _KNOWN_UNITS:
                return _UNIT_SPELLING.get(unit, unit)
    return None


_KNOWN_UNITS = {u.lower() for u in rx.FIGURE_UNITS} | set(_UNIT_SPELLING)


def _table_figures(table: Table, used: set, sections: list[Section]) -> list[Figure]:
    """Bare values of a table's cells (``281`` under ``Quý IV/2025``, in the row whose
    ĐVT is ``Hồ sơ``), each with its row label and column header."""
    out = []
    for r, cell in table.value_cells():
        m = VALUE.match(cell.text)
        if not m or (table.name, r, cell.col) in used:
            continue
        unit = _cell_unit(table, r, cell.col, bool(m.group("percent")))
        if not unit:
            continue
        value = parse_number(m.group("number")) * (-1 if cell.text.startswith("-") else 1)  # a fall: ``-3,5``
        figure = Figure(value=value, unit=unit, text=cell.text, start=cell.start, end=cell.end,
                        context="", section=_section_at(sections, cell.start),
                        value_vnd=value * _VND[unit] if unit in _VND else None)
        _place_in_table(figure, table, (table.name, r, cell.col, cell.end_col))
        out.append(figure)
    return out


_NUMERIC_CELLS = re.compile(r"[\d\s.,/%|\-]*$")
_RATE_BASE_VALUES = {100, 1000, 10_000, 100_000}


def _unit_column_below(text: str, m: re.Match) -> bool:
    """``108,7`` ending a table line, ``Người 110.260 118.392 ...`` the next: the unit
    is the next row's unit column, not this number's (a unit wrapped in a sentence
    is followed by words)."""
    if "\n" not in text[m.end("number"):m.start("unit")]:
        return False
    line_end = text.find("\n", m.end())
    rest = text[m.end():line_end if line_end >= 0 else len(text)]
    return bool(_NUMERIC_CELLS.match(rest)) and any(c.isdigit() for c in rest)


def _rate_base(text: str, m: re.Match, before: str) -> bool:
    """``tử vong ... trên 1000 trẻ đẻ sống``, ``/100.000 dân``: the base of a rate
    (``trên 1000 người`` alone is "over 1,000 people", a figure)."""
    if re.match(r"\s+đẻ\b", text[m.end():m.end() + 8]):
        return True
    return parse_number(m.group("number")) in _RATE_BASE_VALUES and before.rstrip().endswith("/")


def _unit_row_figures(unit_rows: list[re.Match], sections: list[Section]) -> list[Figure]:
    """Values of table rows whose unit is a column before them (``Người 5.000 3.880
    4.656 93,12``). A last value with a decimal part is the row's ratio column, not
    a count; so is a last value under 1,000 after values in the thousands (``Người
    4.656 5.000 107``: 107%). A row of counts with decimals before its last value
    holds rates (``Trẻ 5,14 16,34 18,30 356``: per 1,000 children), not counts."""
    out = []
    for row in unit_rows:
        unit = _UNIT_SPELLING.get(row.group("unit").lower(), row.group("unit"))
        numbers = list(re.finditer(rx.VN_NUMBER, row.group("numbers")))
        if any("," in n.group() for n in numbers[:-1]):
            continue
        values = [parse_number(n.group()) for n in numbers]
        if "," in numbers[-1].group() or (len(values) >= 3 and values[-1] < 1000 <= max(values[:-1])):
            numbers, values = numbers[:-1], values[:-1]
        for number, value in zip(numbers, values):
            start = row.start("numbers") + number.start()
            out.append(Figure(value=value, unit=unit, text=number.group(), start=start,
                              end=start + len(number.group()), context=squash(row.group()),
                              section=_section_at(sections, start), value_vnd=None))
    return out


def _is_section_number(text: str, m: re.Match) -> bool:
    line_start = text.rfind("\n", 0, m.start()) + 1
    return not text[line_start:m.start()].strip() and bool(re.match(r"\d+(?:\.\d+)*[.)]\s", text[m.start():m.end() + 2]))


def _line_at(spans, offset: int) -> Line | None:
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] < offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(spans) and spans[lo][0] <= offset <= spans[lo][1]:
        return spans[lo][2]
    return None


def _section_at(sections: list[Section], offset: int) -> str | None:
    best = None
    for section in sections:
        if section.start <= offset < section.end:
            best = section
    return f"{best.number} {best.title}".strip() if best else None
