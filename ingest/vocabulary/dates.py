"""Dates as printed in Vietnamese documents, to ISO form."""
from __future__ import annotations

import datetime as dt

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
