"""Ruled tables of text PDFs: cells from pdfplumber's table finder, text from PDFium.

PDFium reads every page (fast, and it decodes TCVN3/VNI fonts by the character's
font); pdfplumber is asked only about pages that draw enough line or rectangle paths
to rule a table (``is_ruled``), and only for where the cells are. The page's own
characters are then dealt into those cells (``deal``), so a cell's text is decoded
exactly as the rest of the page is and a page without rules costs one count of its
objects.

A cell is named like a DOCX table's (``readers.docx``): block ``pt0.r2.c3`` is row
2, column 3 of the file's first PDF table; a cell merged over columns 4 and 5 is
``pt0.r0.c4:6`` (first column, one past the last). Rows and columns are the grid
of the table's ruling lines, so a cell merged over two rows sits in its first row
and the row below has no cell there. A table that runs over a page break keeps its
name and goes on counting rows; the header rows a word processor repeats at the top
of the next page are left out, as they were read already.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import pypdfium2.raw as raw

MIN_RULES = 6          # path objects a page draws before it may hold a ruled table
MAX_TABLE_PAGES = 300  # pages of one file given to the table finder; the rest read as lines
EDGE_SLACK = 2.0       # points: cell edges closer than this are one ruling line
MARGIN = 0.08          # the top and bottom share of a page where running headers sit


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    end: int             # one past the last column it covers
    box: tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class Grid:
    """One table on one page: its cells on the grid of its ruling lines."""

    box: tuple[float, float, float, float]
    xs: list[float]      # column edges, left to right
    tops: list[float]    # row tops, top to bottom
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # every grid position -> its cell
    name: str = ""
    row_offset: int = 0  # rows of the same table on earlier pages
    skip_rows: int = 0   # leading rows that repeat the table's header

    def cell_at(self, x: float, y: float) -> Cell | None:
        x0, top, x1, bottom = self.box
        if not (x0 <= x <= x1 and top <= y <= bottom):
            return None
        c = bisect.bisect_right(self.xs, x) - 1
        r = bisect.bisect_right(self.tops, y) - 1
        return self.cells.get((r, c))

    def block(self, cell: Cell) -> str:
        span = f":{cell.end}" if cell.end > cell.col + 1 else ""
        return f"{self.name}.r{cell.row + self.row_offset - self.skip_rows}.c{cell.col}{span}"


def is_ruled(page) -> bool:
    """Whether the page draws at least ``MIN_RULES`` paths (lines, rectangles): a
    page of running text draws none or a rule or two under its header."""
    count = 0
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) == raw.FPDF_PAGEOBJ_PATH:
            count += 1
            if count >= MIN_RULES:
                return True
    return False


def find_grids(path: str, pages: list[int]) -> dict[int, list[Grid]]:
    """Page index -> the ruled tables pdfplumber finds there (pages given 0-based)."""
    import pdfplumber  # only files with ruled pages pay for importing it

    found: dict[int, list[Grid]] = {}
    with pdfplumber.open(path, pages=[p + 1 for p in pages]) as pdf:
        for page in pdf.pages:
            grids = [_grid(table) for table in page.find_tables()]
            grids = [g for g in grids if g and len(g.tops) >= 2 and len(g.xs) >= 3]
            if grids:
                found[page.page_number - 1] = sorted(grids, key=lambda g: g.box[1])
            page.close()
    return found


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > EDGE_SLACK:
            out.append(v)
    return out


def _grid(table) -> Grid | None:
    boxes = [box for row in table.rows for box in row.cells if box is not None]
    if not boxes:
        return None
    xs, tops = _edges([b[0] for b in boxes]), _edges([b[1] for b in boxes])
    grid = Grid(box=tuple(table.bbox), xs=xs, tops=tops)
    for box in boxes:
        col = bisect.bisect_right(xs, box[0] + EDGE_SLACK) - 1
        end = max(col + 1, bisect.bisect_left(xs, box[2] - EDGE_SLACK))
        row = bisect.bisect_right(tops, box[1] + EDGE_SLACK) - 1
        last_row = max(row + 1, bisect.bisect_left(tops, box[3] - EDGE_SLACK))
        cell = Cell(row, col, end, tuple(box))
        for r in range(row, last_row):
            for c in range(col, end):
                grid.cells[(r, c)] = cell
    return grid


def deal(chars, grids: list[Grid]) -> tuple[list, dict[int, dict[Cell, list]]]:
    """The page's characters outside any table, and each table's cells' characters
    (by the middle of each character's box)."""
    outside, inside = [], {i: {} for i in range(len(grids))}
    for ch in chars:
        x, y = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for i, grid in enumerate(grids):
            cell = grid.cell_at(x, y)
            if cell is not None:
                inside[i].setdefault(cell, []).append(ch)
                break
        else:
            outside.append(ch)
    return outside, inside


class TableBook:
    """Names the tables of a file page by page: a page's first table goes on from the
    previous page's last when nothing stands between them (the one is the first thing
    on its page, the other the last on its) and their columns match."""

    def __init__(self) -> None:
        self.count = 0
        self.last: Grid | None = None       # the previous page's last table, if it ends its page
        self.last_page = -2
        self.header: dict[str, list[list[str]]] = {}  # table -> the text of its first rows

    def place(self, index: int, height: float, grids: list[Grid], cells: list[dict], rest) -> None:
        """``cells``: per grid, cell -> its lines; ``rest``: the page's other lines."""
        body = [line.top for line in rest if line.top is not None and MARGIN * height < line.top < (1 - MARGIN) * height]
        for k, (grid, table) in enumerate(zip(grids, cells)):
            rows = _row_texts(grid, table)
            previous = self.last if k == 0 and self.last_page == index - 1 else None
            if previous and not any(t < grid.box[1] for t in body) and _same_columns(previous, grid):
                grid.name = previous.name
                grid.row_offset = previous.row_offset - previous.skip_rows + len(previous.tops)
                grid.skip_rows = repeated_header_rows(self.header[grid.name], rows)
            else:
                grid.name = f"pt{self.count}"
                self.count += 1
                self.header[grid.name] = rows[:3]
        ends_page = grids and not any(t > grids[-1].box[3] for t in body)
        self.last, self.last_page = (grids[-1] if ends_page else None), index


def _row_texts(grid: Grid, table: dict) -> list[list[str]]:
    text = {cell: " ".join(line.text for line in lines) for cell, lines in table.items()}
    width = len(grid.xs)
    out = [[""] * width for _ in grid.tops]
    for cell, value in text.items():
        out[cell.row][cell.col] = value
    return out


def _same_columns(a: Grid, b: Grid) -> bool:
    return len(a.xs) == len(b.xs) and all(abs(x - y) <= 2 * EDGE_SLACK for x, y in zip(a.xs, b.xs))


def repeated_header_rows(first: list[list[str]], rows: list[list[str]]) -> int:
    """How many leading rows of a continued table repeat the first rows of where it
    began (a header repeated on each page), by their text."""
    n = 0
    while n < min(len(first), len(rows) - 1) and first[n] == rows[n] and any(first[n]):
        n += 1
    return n
