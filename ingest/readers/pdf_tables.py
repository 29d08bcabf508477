"""Tables of text PDFs: ruled ones' cells from pdfplumber's table finder, aligned
ones' from their rows of values, text from PDFium.

PDFium reads every page (fast, and it decodes TCVN3/VNI fonts by the character's
font); pdfplumber is asked only about pages that draw enough line or rectangle paths
to rule a table (``is_ruled``), and only for where the cells are. A page without
rules is looked at for a table aligned by its columns alone (``aligned_grids``):
two or more lines of three or more runs of words a column gap apart, two of them
numbers. pdfplumber's own ``text`` strategy is not used for those: on such a page
(our second-quarter sample) it takes the whole page for one table of 62 rows and 9
columns, cutting words in two. Either way the page's own characters are then dealt
into the cells (``deal``), so a cell's text is decoded exactly as the rest of the
page is, and a page without a table costs one count of its objects and one look at
its lines.

A cell is named like a DOCX table's (``readers.docx``): block ``pt0.r2.c3`` is row
2, column 3 of the file's first PDF table; a cell merged over columns 4 and 5 is
``pt0.r0.c4:6`` (first column, one past the last). Rows and columns are the grid
of the table's ruling lines (of an aligned table: one row per header line and per
row of values, the columns its values line up in), so a cell merged over two rows
sits in its first row and the row below has no cell there. A table that runs over a
page break keeps its name and goes on counting rows; the header rows a word
processor repeats at the top of the next page are left out, as they were read
already.
"""
from __future__ import annotations

import bisect
import re
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
    assign: dict[int, Cell] = field(default_factory=dict)  # id(token) -> its cell, where not by position

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


def find_grids(path: str, pages: dict[int, float]) -> dict[int, list[Grid]]:
    """Page index -> the ruled tables pdfplumber finds there; ``pages``: index
    (0-based) -> the page's height as PDFium gives it (its crop box)."""
    import pdfplumber  # only files with ruled pages pay for importing it

    found: dict[int, list[Grid]] = {}
    with pdfplumber.open(path, pages=[p + 1 for p in sorted(pages)]) as pdf:
        for page in pdf.pages:
            # pdfplumber measures from the top of the media box, PDFium's characters
            # from the top of the crop box: the difference is the part cropped away.
            shift = page.height - pages[page.page_number - 1]
            grids = [_grid(table, shift) for table in page.find_tables()]
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


def _grid(table, shift: float = 0.0) -> Grid | None:
    boxes = [(x0, top - shift, x1, bottom - shift)
             for row in table.rows for box in row.cells if box is not None for x0, top, x1, bottom in [box]]
    if not boxes:
        return None
    xs, tops = _edges([b[0] for b in boxes]), _edges([b[1] for b in boxes])
    x0, top, x1, bottom = table.bbox
    grid = Grid(box=(x0, top - shift, x1, bottom - shift), xs=xs, tops=tops)
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
            cell = grid.assign.get(id(ch)) or grid.cell_at(x, y)
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


# --- tables aligned without rules ---------------------------------------------------
#
# A table drawn without lines is seen in its rows of values: lines of three or more
# pieces (runs of words a column gap apart) of which two or more are numbers. Their
# pieces give the columns (the union of the pieces' extents, column by column). A
# line between or after rows of values is the row above wrapping a label only when
# it is short, has letters, and lies inside one of that row's text cells; anything
# else (a heading, a sentence, a page number, the signature block) ends the table.
# The lines just above the first row of values are its header while each of them is
# short pieces over at most two columns, not a heading or a lead-in sentence; one
# header row a line (a header word over two columns spans both).

GAP = 0.9             # a gap wider than this many character heights separates two cells
MIN_VALUE_ROWS = 2
MAX_HEADER_LINES = 4
MAX_COLUMNS = 40      # more "columns" than this: not a table of a report
MAX_CELL_CHARS = 40   # a wrapped label's line or a header's piece is no longer than this
SLACK = 2.0           # points a wrapped line or a header may stand out of its cell
_NUMBER = re.compile(r"^[+\-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?%?$|^[-–—]$")
# Headings, list items and the closing block: never a table's header or wrapped label.
_NOT_A_CELL = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]\s|[a-zđ]\)|[-–+•]\s|Nơi nhận|TM\.|KT\.|Số:)")


def _pieces(line) -> list[list]:
    """A visual line's tokens in runs separated by column gaps."""
    height = max(max(c.bottom - c.top for c in line), 1.0)
    runs = [[line[0]]]
    for prev, cur in zip(line, line[1:]):
        if cur.x0 - prev.x1 > GAP * height:
            runs.append([cur])
        else:
            runs[-1].append(cur)
    return runs


def _text(piece) -> str:
    return " ".join(c.ch for c in piece)


def _is_number(piece) -> bool:
    return bool(_NUMBER.match(_text(piece).replace(" ", "")))


def _is_value_line(pieces) -> bool:
    return len(pieces) >= 3 and sum(_is_number(p) for p in pieces) >= 2


def aligned_grids(lines: list[list], width: float, height: float) -> list[Grid]:
    """Tables of a page without rules, from its visual lines (lists of tokens with
    boxes, top to bottom); none where no two close lines hold rows of values."""
    pieces = [_pieces(line) for line in lines]
    values = [_is_value_line(p) for p in pieces]
    if sum(values) < MIN_VALUE_ROWS:
        return []
    grids, i = [], 0
    while i < len(lines):
        if not values[i]:
            i += 1
            continue
        end = _run_end(lines, pieces, values, i, height)
        columns = _columns(pieces, values, i, end)
        if sum(values[i:end]) >= MIN_VALUE_ROWS and 3 <= len(columns) <= MAX_COLUMNS:
            grids.append(_aligned_grid(lines, pieces, values, (i, end), columns))
        i = end
    return grids


def _close(upper, lower) -> bool:
    """Two visual lines near enough to be rows of one table (or one row's wrapping)."""
    height = max(c.bottom - c.top for c in upper)
    return min(c.top for c in lower) - max(c.bottom for c in upper) <= 1.2 * height


def _run_end(lines, pieces, values, first: int, height: float) -> int:
    """One past the last line of the rows of values starting at ``first`` and the
    lines wrapping their labels."""
    end, row = first + 1, first
    while end < len(lines) and _close(lines[end - 1], lines[end]):
        if values[end]:
            row = end
        elif not (MARGIN * height < lines[end][0].top < (1 - MARGIN) * height and _wraps(pieces[end], pieces[row])):
            break
        end += 1
    return end


def _wraps(line_pieces, row_pieces) -> bool:
    """Whether a line is the end of labels of the row above that their cells' width
    wrapped: short runs with letters, each inside one of the row's text cells."""
    cells = [(p[0].x0 - SLACK, p[-1].x1 + SLACK) for p in row_pieces if not _is_number(p)]
    for piece in line_pieces:
        text = _text(piece)
        if len(text) > MAX_CELL_CHARS or not any(ch.isalpha() for ch in text) or _NOT_A_CELL.match(text):
            return False
        if not any(x0 <= piece[0].x0 and piece[-1].x1 <= x1 for x0, x1 in cells):
            return False
    return True


def _columns(pieces, values, first: int, end: int) -> list[list[float]]:
    """The columns of the rows of values: the union of their pieces' extents."""
    spans = sorted((p[0].x0, p[-1].x1) for k in range(first, end) if values[k] for p in pieces[k])
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return columns


def _header_start(lines, pieces, first: int, bounds: list[float]) -> int:
    """The first header line above the first row of values (``first`` where there is
    none): the close lines above it that read as a header row."""
    start = first
    while start > 0 and first - start < MAX_HEADER_LINES and _close(lines[start - 1], lines[start]):
        if not _is_header_line(pieces[start - 1], bounds):
            break
        start -= 1
    return start


def _is_header_line(line_pieces, bounds: list[float]) -> bool:
    """Short pieces inside the table, each over one or two of its columns; a line of
    one piece over the first column is a sentence or a heading above the table."""
    for piece in line_pieces:
        text = _text(piece)
        x0, x1 = piece[0].x0, piece[-1].x1
        if len(text) > MAX_CELL_CHARS or _NOT_A_CELL.match(text) or text.endswith(":"):
            return False
        size = max(c.bottom - c.top for c in piece)  # a header may stand out of its values' column
        if x0 < bounds[0] - 3 * size or x1 > bounds[-1] + 6 * size:
            return False
        touched = [c for c in range(len(bounds) - 1) if min(x1, bounds[c + 1]) - max(x0, bounds[c]) > SLACK]
        if len(touched) > 2 or (len(line_pieces) == 1 and 0 in touched):
            return False
    return True


def _aligned_grid(lines, pieces, values, run: tuple[int, int], columns: list[list[float]]) -> Grid:
    first, end = run
    left = min(min(c.x0 for c in lines[k]) for k in range(first, end)) - 1
    right = max(max(c.x1 for c in lines[k]) for k in range(first, end)) + 1
    xs = [min(left, columns[0][0] - 1)] + [(a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:])]
    bounds = xs + [max(right, columns[-1][1] + 1)]
    header = _header_start(lines, pieces, first, bounds)
    starts = list(range(header, first)) + [k for k in range(first, end) if values[k]]
    tops = [min(c.top for c in lines[k]) - 0.5 for k in starts]
    grid = Grid(box=(bounds[0], tops[0], bounds[-1], max(c.bottom for c in lines[end - 1]) + 0.5), xs=xs, tops=tops)
    rows = [(r, [k]) for r, k in enumerate(range(header, first))]
    for k in range(first, end):  # a row of values, and the lines wrapping its labels
        if values[k]:
            rows.append((len(rows), [k]))
        else:
            rows[-1][1].append(k)
    for r, members in rows:
        for k in members:
            for piece in pieces[k]:
                cell = _cell_of_piece(grid, bounds, r, piece, header=k < first)
                for token in piece:
                    grid.assign[id(token)] = cell
    return grid


def _cell_of_piece(grid: Grid, bounds: list[float], row: int, piece, header: bool) -> Cell:
    """The cell a run of words belongs to, made when first needed: the column holding
    its middle; a header's run lying well over two columns or more (``Thực hiện``
    over the quarter and the same quarter a year before) spans them, unless one of
    them already holds a cell of that row."""
    x0, x1 = piece[0].x0, piece[-1].x1
    last = len(grid.xs) - 1
    middle = min(max(bisect.bisect_right(grid.xs, (x0 + x1) / 2) - 1, 0), last)
    c0 = min(max(bisect.bisect_right(grid.xs, x0) - 1, 0), last)
    c1 = min(max(bisect.bisect_right(grid.xs, x1) - 1, 0), last)
    bottom = grid.tops[row + 1] if row + 1 < len(grid.tops) else grid.box[3]
    if header and c1 > c0 and not any((row, c) in grid.cells for c in range(c0, c1 + 1)):
        width = max(x1 - x0, 1.0)
        if min(bounds[c0 + 1] - x0, x1 - bounds[c1]) >= 0.25 * width:
            cell = Cell(row, c0, c1 + 1, (bounds[c0], grid.tops[row], bounds[c1 + 1], bottom))
            for c in range(c0, c1 + 1):
                grid.cells[(row, c)] = cell
            return cell
    key = (row, middle)
    if key not in grid.cells:
        grid.cells[key] = Cell(row, middle, middle + 1, (bounds[middle], grid.tops[row], bounds[middle + 1], bottom))
    return grid.cells[key]
