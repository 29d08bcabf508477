"""Numbered headings and their extent."""
from __future__ import annotations

from ingest.models import Section
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.textnorm import squash

MAX_HEADING = 160   # a longer numbered line is a numbered paragraph, not a heading
_CAN_OPEN = tuple("0123456789IVXLC") + tuple("abcdefghijklmnopqrstuvwxyzđ") + ("Điều", "Chương", "Phần", "Mục")


def _style(m) -> str:
    for name in ("chuong", "phan", "muc", "dieu", "roman", "letter"):
        if m.group(name):
            return name
    return "arabic%d" % (m.group("arabic").count(".") + 1)


def find_sections(text: str, body_start: int = 0) -> list[Section]:
    """Levels follow the order in which numbering styles first appear (``I.`` then ``1.``
    then ``1.1.`` then ``a)``), as a reader nests them."""
    found = []
    styles: list[str] = []
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if start < body_start or len(line) > MAX_HEADING or not line.lstrip().startswith(_CAN_OPEN):
            continue
        m = rx.SECTION_HEADING.match(line.strip())
        if not m:
            continue
        style = _style(m)
        if style not in styles:
            styles.append(style)
        found.append((style, squash(m.group("number")), squash(m.group("title") or ""), start))
    sections = []
    for i, (style, number, title, start) in enumerate(found):
        level = styles.index(style) + 1
        end = len(text)
        for other_style, _, _, other_start in found[i + 1:]:
            if styles.index(other_style) + 1 <= level:
                end = other_start
                break
        sections.append(Section(number=number.rstrip(".):/ "), title=title, level=level, start=start, end=end))
    return sections
