"""Where the main document ends and the attachments it carries begin.

A Quyết định is often followed by the Quy chế or Kế hoạch it issues, with its own
header, ``(Ban hành kèm theo Quyết định số ...)`` line and signature; a Công văn
may have an earlier Công văn stapled behind it. Citations and figures keep the
part they sit in, so the record's own citations are those of ``main``.
"""
from __future__ import annotations

import re
from itertools import accumulate

from ingest.models import Part
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.doctypes import match_type_name

HEAD_LINES = 15          # the main document's own header is never an attachment
BACKTRACK_LINES = 6      # lines above an attachment's marker that belong to it


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    lines = text.split("\n")
    return list(zip(accumulate((len(line) + 1 for line in lines), initial=0), lines))


def _is_marker(line: str) -> bool:
    line = line.strip()
    if len(line) < 70 and rx.MOTTO.search(line):
        return True
    return bool(rx.ATTACHMENT_START.match(line)) and len(line) < 200 and (
        line.startswith("(") or re.search(r"\bsố\b", line[:80]) is not None)


def _start_of(lines: list[tuple[int, str]], i: int, floor: int) -> int:
    """Back up over the attachment's own title and issuer lines, to the blank above them."""
    j = i
    while j - 1 > floor and i - (j - 1) <= BACKTRACK_LINES:
        above = lines[j - 1][1].strip()
        if not above or len(above) > 90 or rx.NOI_NHAN.match(above) or rx.PERSON_NAME.match(above):
            break
        j -= 1
    return j


def _name(lines: list[tuple[int, str]], start: int, end: int) -> str:
    for _, line in lines[start:min(end, start + 12)]:
        found = match_type_name(line.strip())
        if found and line.strip().isupper():
            return found[0]
    for _, line in lines[start:min(end, start + 12)]:
        if re.match(r"^\s*(PHỤ LỤC|Phụ lục|MẪU|Mẫu)\b", line):
            return "Phụ lục"
    return "Văn bản kèm theo"


def split_parts(text: str) -> list[Part]:
    lines = _lines_with_offsets(text)
    starts: list[int] = []
    floor = HEAD_LINES
    i = HEAD_LINES
    while i < len(lines):
        if _is_marker(lines[i][1]):
            start = _start_of(lines, i, floor)
            starts.append(start)
            floor = i + 1
            i += HEAD_LINES  # one marker per attachment header
            continue
        i += 1
    bounds = [0] + starts + [len(lines)]
    parts = []
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        start = lines[a][0]
        end = lines[b][0] - 1 if b < len(lines) else len(text)
        name = "main" if n == 0 else _name(lines, a, b)
        parts.append(Part(name=name, start=start, end=max(start, end)))
    return parts


def part_at(parts: list[Part], offset: int) -> str:
    for part in parts:
        if part.start <= offset <= part.end:
            return part.name
    return "main"
