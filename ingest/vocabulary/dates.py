"""Dates as printed in Vietnamese documents, to ISO form."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.vocabulary import regexes


def iso_date(year: str | None, month: str | None, day: str | None) -> str | None:
    """(``2022``, ``1``, ``27``) -> ``2022-01-27``; None for a blank or impossible date."""
    if not (year and month and day):
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> tuple[str | None, bool]:
    """(ISO date, whether a date pattern was there at all).

    ``ngày 04 tháng 3 năm 2024`` -> ``2024-03-04``; ``25-10-2017`` -> ``2017-10-25``;
    a draft's ``ngày      tháng     năm 2007`` -> (None, True).
    """
    m = regexes.DATE_WORDS.search(text)
    if m:
        return iso_date(m.group("year"), m.group("month"), m.group("day")), True
    m = regexes.DATE_NUMERIC.search(text)
    if m:
        return iso_date(m.group("year"), m.group("month"), m.group("day")), True
    return None, bool(regexes.DATE_WORDS_NO_YEAR.search(text))


def typed_date(text: str) -> str | None:
    """A date as a person types it in a search, to ISO form: ``2017-10-01``,
    ``01/10/2017``, ``1-10-2017``, ``1.10.2017``, ``ngày 1 tháng 10 năm 2017``;
    None for anything else (more than a date, or a day that does not exist)."""
    text = " ".join(text.split())
    for pattern in (regexes.DATE_ISO, regexes.DATE_NUMERIC, regexes.DATE_WORDS):
        m = pattern.fullmatch(text)
        if m:
            return iso_date(m.group("year"), m.group("month"), m.group("day"))
    return None


def year_of(text: str) -> str | None:
    m = regexes.DATE_WORDS.search(text)
    return m.group("year") if m else None


@dataclass
class HeaderDate:
    """What a header's date line says. ``value``: ISO 8601 at its ``precision``
    (``day``: 2017-11-13; ``month``: 2017-11; ``year``: 2017), None where not even
    a year is printed. ``missing``: how the day (or the day and month) stood where
    it was not read: ``blank`` (nothing written there: a form not filled in) or
    ``unreadable`` (something written and not read: handwriting, a smudge, a
    day that does not exist)."""

    value: str | None
    precision: str | None = None
    missing: str | None = None


# ``ngày`` and ``tháng`` with whatever stands between them (a handwritten day read
# as ``Ä'†`` or ``43``), a month likewise, and a printed year.
DATE_GAPPED = re.compile(r"ngày(?P<day>[^\n]{0,12}?)tháng(?P<month>[^\n]{0,8}?)năm\s*(?P<year>(?:19|20)\d{2})(?!\d)",
                         re.I)
_FILLER = re.compile(r"[\s.…_·,:-]*")


def header_date(text: str) -> HeaderDate:
    """The date of a header's place-and-date line, as much of it as is readable:
    ``Kiên Giang, ngày 13 tháng 11 năm 2017`` -> 2017-11-13 (day);
    ``ngày Ä'† tháng 11 năm 2017`` -> 2017-11 (month, unreadable);
    ``ngày 43 tháng 11 năm 2017`` -> 2017-11 (month, unreadable: no 43rd);
    a draft's ``ngày      tháng     năm 2007`` -> 2007 (year, blank);
    ``25-10-2017`` -> 2017-10-25 (day)."""
    full, _ = find_date(text)
    if full:
        return HeaderDate(full, "day")
    m = DATE_GAPPED.search(text)
    if not m:
        return HeaderDate(None)
    year, month = m.group("year"), _filled(m.group("month"))
    day = _filled(m.group("day"))
    if re.fullmatch(r"[0-9]{1,2}", month) and 1 <= int(month) <= 12:  # ASCII: OCR makes ``²`` too
        whole = iso_date(year, month, day) if re.fullmatch(r"[0-9]{1,2}", day) else None
        if whole:  # a day set off by a comma or a stray mark: ``ngày 5, tháng 3``
            return HeaderDate(whole, "day")
        missing = "blank" if day == "" else "unreadable"
        return HeaderDate(f"{year}-{int(month):02d}", "month", missing)
    missing = "blank" if day == "" and month == "" else "unreadable"
    return HeaderDate(year, "year", missing)


def _filled(gap: str) -> str:
    """What is written in a gap of the printed form, without the dots and spaces
    that mark the gap itself."""
    return _FILLER.sub("", gap)
