"""Split lines laid out with spaces or tabs into the left and right columns.

Old Word files and text exports set the header as one line per row:
``Bé Tµi chÝnh          céng hoµ x· héi chñ nghÜa ViÖt nam``. A wide gap
separates the columns, but gaps left for a number or a day still to be written
(``Số :          /QĐ-UBND``, ``ngày      tháng     năm 2007``) do not.
"""
from __future__ import annotations

import re

from ingest.models import Line

_GAP = re.compile(r"(?:\t+ *| {3,})")
# A gap that stands for a blank to fill in, not for a column boundary.
_BLANK_BEFORE = re.compile(r"(?:\bS[ốỐoOóÓ]\s*:?|ngày|tháng|năm|/)\s*$", re.I)
_BLANK_AFTER = re.compile(r"^(?:/|tháng|năm|\d{4}\b|[-–]\s*\d)", re.I)
INDENT_RIGHT = 24  # leading spaces that put a lone segment in the right column
MAX_LEFT, MAX_RIGHT = 60, 75  # header and signature rows are short on both sides


def _segments(text: str) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str]] = []
    pos = 0
    for gap in _GAP.finditer(text):
        if gap.start() > pos:
            pieces.append((pos, text[pos:gap.start()]))
        pos = gap.end()
    if pos < len(text):
        pieces.append((pos, text[pos:]))
    merged: list[tuple[int, str]] = []
    for start, piece in pieces:
        if merged and (_BLANK_BEFORE.search(merged[-1][1]) or _BLANK_AFTER.match(piece)):
            merged[-1] = (merged[-1][0], merged[-1][1] + " " + piece)
        else:
            merged.append((start, piece))
    return merged


def split_columns(text: str, **where) -> list[Line]:
    """One raw line -> one or two ``Line``s tagged ``L``/``R``/``F``."""
    expanded = text.replace("\u2006 ", " ").replace("\u2006", " ")  # RTF word spaces
    segments = [(s, p.strip()) for s, p in _segments(expanded) if p.strip()]
    if not segments:
        return [Line(text="", **where)]
    if len(segments) == 1:
        start, piece = segments[0]
        return [Line(text=piece, col="R" if start >= INDENT_RIGHT else "F", **where)]
    left = segments[0][1]
    right = " ".join(p for _, p in segments[1:])
    if len(left) > MAX_LEFT or len(right) > MAX_RIGHT:  # a body line with a wide space
        return [Line(text=" ".join(p for _, p in segments), col="F", **where)]
    if segments[0][0] >= INDENT_RIGHT:  # both pieces sit right of centre
        return [Line(text=left + " " + right, col="R", **where)]
    return [Line(text=left, col="L", **where), Line(text=right, col="R", **where)]
