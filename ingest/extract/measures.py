"""What each figure measures, of which period, and whether it is an actual, a
target or a comparison: what lets the archive follow one figure over reports.

- ``measure``: the row label of a table figure, or the words before a figure in
  its clause, lower-cased, without numbering, parentheses or verbs of reporting,
  with the unit's noun where the words lack it: ``Hồ sơ tiếp nhận`` (ĐVT ``Hồ sơ``)
  and ``đã tiếp nhận 281 hồ sơ`` are both ``hồ sơ tiếp nhận``; ``tỷ lệ đúng hạn
  đạt 98,6%`` is ``tỷ lệ đúng hạn``; money is ``kinh phí cải cách hành chính (đồng)``
  whatever its printed unit (``value_vnd`` compares them).
- ``period``: a column header that names one (``Quý I/2025``, ``Kế hoạch năm
  2025``, ``Cùng kỳ 2024``: the report's quarter a year earlier), else the report's.
- ``kind``: ``comparison`` (``So với cùng kỳ (%)``, ``tăng 8,7% so với``, ``bằng
  54,3% dự toán``), ``target`` (``Kế hoạch``, ``Chỉ tiêu``, ``phấn đấu``, and every
  figure of a Kế hoạch unless it compares), else ``actual``.
"""
from __future__ import annotations

import re

from ingest.extract.periods import find_period, same_period_in, year_period
from ingest.models import Document, Figure, Period, Section
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.textnorm import squash

MONEY = {"đồng", "nghìn đồng", "ngàn đồng", "triệu đồng", "tỷ đồng"}
_COMPARE_HEADER = re.compile(r"\bso\s+(?:với|sánh|cùng kỳ)|tăng\s*[,/(]?\s*giảm|\bSS\b|\bTH\s*/\s*KH\b", re.I)
_TARGET_HEADER = re.compile(r"\b(?:kế hoạch|chỉ tiêu|mục tiêu|dự toán|KH)\b", re.I)
_COMPARE_AFTER = re.compile(r"^\s*(?:so\s+(?:với|cùng)|dự toán|kế hoạch|KH\b|chỉ tiêu|cùng kỳ|mức)", re.I)
_COMPARE_BEFORE = re.compile(r"\b(?:tăng|giảm|bằng|vượt|tương đương|so với[^,;]*)\s*$", re.I)
_TARGET_BEFORE = re.compile(r"\b(?:phấn đấu|chỉ tiêu|mục tiêu|kế hoạch giao|giao|đề ra|dự kiến|đạt từ)\b", re.I)
_SAME_TIME = re.compile(r"\bcùng\s+kỳ(?:\s+năm)?\s*(?P<y>(?:19|20)\d\d)?|\bnăm\s+trước\b", re.I)
_CLAUSE_END = re.compile(r"[,;:.()]|\n\s*[-+•]|\n\n|\b(?:và|trong đó|gồm|với)\s", re.I)
_NUMBERING = re.compile(r"^\s*(?:[-+•]|\d+(?:\.\d+)*[.)]?|[IVXLC]+[.)]|[a-zđ]\))\s+", re.I)
_LEAD = re.compile(r"^(?:(?:(?:tổng\s+)?số|tổng\s+cộng|trong\s+đó:?|đã|được|phấn\s+đấu)(?:\s+|$))+", re.I)
_TRAIL = re.compile(r"(?:\s+(?:là|đạt|ước đạt|ước thực hiện|ước tính|ước|được|có|khoảng|trên|hơn|gần|tổng cộng|"
                    r"với|đã|chiếm|lên|xuống|từ|tới|đến|còn|ít nhất|tối thiểu|bằng|tăng|giảm|vượt|trong))+$", re.I)
_PERIODS = (rx.PERIOD_QUARTER, rx.PERIOD_HALF, rx.PERIOD_MONTHS, rx.PERIOD_MONTH, rx.PERIOD_YEAR,
            re.compile(r"\b(?:quý|tháng)\s+(?:[ivx]+|\d{1,2})\b", re.I))
_PLACE = re.compile(r"\s+(?:trên địa bàn|của|tại)\s.*$", re.I)  # whose and where: not what is measured
_WORDS_AFTER = re.compile(r"^\s+([^\W\d][^\d,;:.()\n]{0,40}?)(?=\s+(?:do|vì|để|tại|của|trên|với|và)\s|[\d,;:.()\n]|$)")
_SENTENCE_BREAK = re.compile(r"[;.!?](?=\s)|\n(?=\s*(?:[-+•]|\d+[.)]|[a-zđ]\)))|\n\n")
MAX_WORDS = 10  # words of a clause kept before a figure: the noun phrase, not the sentence


def describe(doc: Document) -> None:
    """Give each of ``doc``'s figures its measure, period and kind."""
    plan = doc.doc_type == "Kế hoạch"
    previous: Figure | None = None
    for figure in doc.figures:
        header = figure.column or ""
        figure.kind = _kind(figure, doc.text, header, plan)
        figure.period = doc.period if figure.kind == "comparison" else _period(header, doc.period)
        base = _normal(figure.row) if figure.row else _clause_before(doc.text, figure.start, doc.sections)
        if figure.row and header and not _names_time(header) and figure.kind == "actual":
            base = f"{_normal(header)} – {base}"  # ``Hộ tịch | Tiếp nhận (hồ sơ)``
        elif not figure.row and not base:
            base = _base_elsewhere(doc.text, figure, previous)
        figure.measure = _with_unit(base, figure) or None
        previous = figure


def _base_elsewhere(text: str, figure: Figure, previous: Figure | None) -> str:
    """A figure with no words before it in its clause: a comparison is of the figure
    just before (``là 1.250 triệu đồng, đạt 24,8% dự toán``); another is named by the
    words after it (``100% văn bản đi, đến``)."""
    if figure.kind == "comparison" and previous and previous.measure and 0 <= figure.start - previous.end < 80:
        return re.sub(r"^tỷ lệ |\s*\(đồng\)$", "", previous.measure)
    m = _WORDS_AFTER.match(text[figure.end:figure.end + 60])
    return " ".join(_normal(m.group(1)).split()[:4]) if m else ""


def _names_time(header: str) -> bool:
    """A column header about when or against what (``Quý I/2025``, ``Kế hoạch năm``),
    not what is counted (``Tiếp nhận (hồ sơ)``)."""
    plain = re.sub(r"\([^)]*\)", " ", header)
    return bool(find_period(plain) or _SAME_TIME.search(plain) or _TARGET_HEADER.search(plain)
                or _COMPARE_HEADER.search(plain) or re.search(r"\b(?:thực hiện|quý|tháng|năm|lũy kế|ước)\b", plain, re.I))


def _kind(figure: Figure, text: str, header: str, plan: bool) -> str:
    if header:
        if _COMPARE_HEADER.search(header):
            return "comparison"
        if _TARGET_HEADER.search(header):
            return "target"
        return "target" if plan else "actual"
    before, after = text[max(0, figure.start - 120):figure.start], text[figure.end:figure.end + 25]
    if figure.unit == "%" and (_COMPARE_AFTER.match(after) or _COMPARE_BEFORE.search(before[-40:])):
        return "comparison"
    clause = before[max((m.end() for m in _SENTENCE_BREAK.finditer(before)), default=0):]
    return "target" if plan or _TARGET_BEFORE.search(clause) else "actual"


def _period(header: str, report: Period | None) -> Period | None:
    if header:
        same = _SAME_TIME.search(header)
        if same and report and report.year:
            year = int(same.group("y")) if same.group("y") else report.year - 1
            return same_period_in(report, year)
        if own := find_period(header):
            return own
        if re.search(r"\bnăm\b", header, re.I) and report and report.year:
            return year_period(report.year)  # ``Kế hoạch năm``: the report's year
    return report


def _normal(text: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", text)
    for period in _PERIODS:
        text = period.sub(" ", text)
    text = _NUMBERING.sub("", squash(text).strip(" -+•:;,."))
    text = _LEAD.sub("", _PLACE.sub("", text.lower()))
    return squash(_TRAIL.sub("", f" {text}")).strip(" -+•:;,.")


def _clause_before(text: str, start: int, sections: list[Section]) -> str:
    """The words before a figure in its clause: ``đã tiếp nhận`` 281 hồ sơ -> ``tiếp nhận``
    (a heading just above, ``1. Thu ngân sách``, is not part of it)."""
    origin = max(0, start - 120)
    for section in sections:
        if origin <= section.start < start:
            origin = max(origin, text.find("\n", section.start, start) + 1 or origin)
    window = text[origin:start].replace("\n", " ")
    cut = max((m.end() for m in _CLAUSE_END.finditer(window)), default=0)
    clause = window[cut:]
    if " đã " in f" {clause}":  # what was done, not who did it
        clause = f" {clause}".rsplit(" đã ", 1)[1]
    if (at := clause.lower().rfind("tỷ lệ")) > 0:  # ``nâng tỷ lệ hồ sơ ...``: the rate is the measure
        clause = clause[at:]
    words = _normal(clause).split()
    return " ".join(words[-MAX_WORDS:])


def _with_unit(base: str, figure: Figure) -> str:
    unit = figure.unit.lower()
    if unit in MONEY:
        return f"{base} (đồng)".strip()
    if unit == "%":
        return base if figure.kind == "comparison" or "tỷ lệ" in base or not base else f"tỷ lệ {base}"
    if unit and unit not in base:
        return f"{unit} {base}".strip()
    return base
