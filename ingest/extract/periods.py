"""What period a document covers, from its trích yếu first, then its opening lines."""
from __future__ import annotations

import calendar
import datetime as dt

from ingest.models import Period
from ingest.vocabulary import regexes as rx

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _last_day(year: int, month: int) -> str:
    return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _first_day(year: int, month: int) -> str:
    return dt.date(year, month, 1).isoformat()


def find_period(*texts: str | None) -> Period | None:
    """``Quý I/2024`` -> quarter 1 of 2024; ``6 tháng đầu năm 2024``; ``tháng 10-2017``;
    ``giai đoạn 2021-2030``; ``năm 2024``. The first text that names one wins."""
    for text in texts:
        if text and (period := _period_in(text)):
            return period
    return None


def _without_dates(text: str) -> str:
    """Blank out full dates, so ``ngày 19 tháng 6 năm 2015`` is not read as a period."""
    return rx.DATE_WORDS.sub(lambda m: " " * len(m.group()), text)


def _period_in(text: str) -> Period | None:
    text = _without_dates(text)
    if m := rx.PERIOD_QUARTER.search(text):
        q = _ROMAN.get(m.group("q").upper()) or int(m.group("q"))
        y = int(m.group("y"))
        return Period("quarter", m.group(), year=y, quarter=q, start=_first_day(y, 3 * q - 2),
                      end=_last_day(y, 3 * q))
    if m := rx.PERIOD_HALF.search(text):
        y, half = int(m.group("y")), 1 if m.group("which").lower() == "đầu" else 2
        return Period("half", m.group(), year=y, half=half, start=_first_day(y, 1 if half == 1 else 7),
                      end=_last_day(y, 6 if half == 1 else 12))
    if m := rx.PERIOD_MONTH.search(text):
        y, month = int(m.group("y")), int(m.group("m"))
        if 1 <= month <= 12:
            return Period("month", m.group(), year=y, month=month, start=_first_day(y, month),
                          end=_last_day(y, month))
    if m := rx.PERIOD_MONTHS.search(text):
        y, n = int(m.group("y")), int(m.group("n"))
        if 1 <= n <= 12:
            return Period("months", m.group(), year=y, month=n, start=_first_day(y, 1), end=_last_day(y, n))
    if m := rx.PERIOD_RANGE.search(text):
        a, b = int(m.group("a")), int(m.group("b"))
        return Period("range", m.group(), year=a, start=_first_day(a, 1), end=_last_day(b, 12))
    if m := rx.PERIOD_YEAR.search(text):
        y = int(m.group("y"))
        return Period("year", m.group(), year=y, start=_first_day(y, 1), end=_last_day(y, 12))
    return None


def same_period_in(period: Period, year: int) -> Period:
    """The same quarter, half, months or month of another year (``cùng kỳ 2024``)."""
    if period.kind == "range":
        return year_period(year)
    first, last = int(period.start[5:7]), int(period.end[5:7])
    return Period(period.kind, f"{period.text} ({year})" if str(year) not in period.text else period.text,
                  year=year, quarter=period.quarter, month=period.month, half=period.half,
                  start=_first_day(year, first), end=_last_day(year, last))


def year_period(year: int) -> Period:
    return Period("year", f"năm {year}", year=year, start=_first_day(year, 1), end=_last_day(year, 12))
