"""Queries people type for the pages of the national legal database
(``../shared/corpus/vbpl``), and how often they find their page: shared by
``tests/test_search_forms.py`` and ``bench/bench_search_quality.py``.

For each Vietnamese full-text page, from its heading (``meta["Tiêu đề"]``):

- ``summary``: the heading's summary (without its type and number) typed as in a
  search box: no diacritics, no punctuation (``sua doi bo sung mot so dieu cua
  nghi dinh so 143 2013 nd cp ngay 24 thang 10 nam 2013``); the page in the top 3;
- ``symbol as words``: the heading's symbol typed as words (``143 2013 nd cp``);
  the page in the top 3;
- ``symbol as printed``: ``143/2013/NĐ-CP``; the page first.

A symbol the page's own text does not print (the site shows another document's
text, or none: its README lists them) is not asked.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.analysis import symbol_term
from ingest.vocabulary.regexes import CITE_SYMBOL
from ingest.vocabulary.symbols import normalize_symbol, parse_symbol
from ingest.vocabulary.textnorm import delatin_cyrillic, strip_marks

_VIET = re.compile("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
_NUMBER_AT = re.compile(r"\bs[ốo]\s*:?\s*(?=\d)", re.I)
FLOORS = {"summary": 0.95, "symbol as words": 0.95, "symbol as printed": 0.99}
WANTED_RANK = {"summary": 3, "symbol as words": 3, "symbol as printed": 1}


def pages(path) -> list[dict]:
    """The Vietnamese full-text pages (the English translations left out)."""
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [r for r in records if r["page_kind"] == "full_text"
            and len(_VIET.findall(r["text"][:3000].lower())) >= 30]


def split_heading(heading: str) -> tuple[str | None, str | None]:
    """``Thông tư số 81 /2025/TT- NHNN Quy định về ...`` -> (``81/2025/TT-NHNN``, ``Quy định về ...``)."""
    m = _NUMBER_AT.search(heading)
    if not m:
        return None, None
    parsed = parse_symbol(heading[m.end():])
    if not parsed or not parsed.symbol:
        return None, None
    rest = heading[m.end():].lstrip()[len(parsed.as_printed):].strip()
    return parsed.symbol, rest or None


def printed_in(symbol: str, text: str) -> bool:
    """Does the page's own text carry this symbol?"""
    wanted = symbol_term(symbol)
    head = delatin_cyrillic(text[:3000])
    return any(symbol_term(normalize_symbol(m.group()) or "") == wanted for m in CITE_SYMBOL.finditer(head))


def as_typed(text: str) -> str:
    """No diacritics, no punctuation, lower case: how a search box gets it."""
    return " ".join(re.sub(r"[^\w]+", " ", strip_marks(text).lower()).split())


def queries(page: dict) -> dict[str, str]:
    symbol, summary = split_heading(page["meta"]["Tiêu đề"])
    asked = {}
    if summary:
        asked["summary"] = as_typed(summary)
    if symbol and printed_in(symbol, page["text"]):
        asked["symbol as words"] = as_typed(symbol)
        asked["symbol as printed"] = symbol
    return asked


@dataclass
class Score:
    found: dict[str, int] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def share(self, form: str) -> float:
        return self.found.get(form, 0) / max(1, self.asked.get(form, 0))

    def table(self, title: str) -> str:
        lines = [f"{title}: form, found / asked, share (floor)"]
        for form, floor in FLOORS.items():
            lines.append(f"  {form:<18} {self.found.get(form, 0):>4} / {self.asked.get(form, 0):<4} "
                         f"{self.share(form):6.1%}  ({floor:.0%})")
        return "\n".join(lines)


def score(search: Callable[[str, int], list[str]], chosen: list[dict], path_of: Callable[[dict], str]) -> Score:
    """``search(query, limit)`` -> the paths found, best first."""
    result = Score()
    for page in chosen:
        path = path_of(page)
        for form, text in queries(page).items():
            result.asked[form] = result.asked.get(form, 0) + 1
            found = search(text, WANTED_RANK[form])
            if path in found:
                result.found[form] = result.found.get(form, 0) + 1
            else:
                result.misses.append(f"{form} {page['id']}: {text[:80]!r} -> "
                                     f"{[p.rsplit('/', 1)[-1] for p in found]}")
    return result
