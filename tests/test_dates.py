import pytest

from ingest.vocabulary.dates import find_date

CASES = [
    ("Phường Nguyễn Nghiêm, ngày 04 tháng 3 năm 2024", "2024-03-04"),
    ("Hà Nội, ngày 22 tháng 6  năm 2007", "2007-06-22"),
    ("ngày 14 tháng5 năm 2024", "2024-05-14"),
    ("Tp. Hồ Chí Minh, ngày22tháng 01 năm 2013", "2013-01-22"),
    ("Kiên Giang, ngày 7 tháng 11 năm 2017", "2017-11-07"),
    ("25-10-2017", "2017-10-25"),
    ("21/12/2011", "2011-12-21"),
    ("27.01.2022", "2022-01-27"),
    ("NGÀY 04 THÁNG 3 NĂM 2024", "2024-03-04"),
]


@pytest.mark.parametrize("text,iso", CASES)
def test_dates(text, iso):
    assert find_date(text) == (iso, True)


@pytest.mark.parametrize("text", [
    "Vũng Tàu , ngày      tháng     năm 2007",      # an unsigned draft
    "Hà Nội, ngày ... tháng ... năm 2024",
    "ngày 31 tháng 2 năm 2020",                     # no such day
    "ngày 14 tháng5",                               # no year printed
])
def test_blank_or_impossible_dates_give_null(text):
    iso, seen = find_date(text)
    assert iso is None and seen


def test_no_date():
    assert find_date("Báo cáo công tác Quý I/2024") == (None, False)


TYPED = [  # a day as a person types it in a search form
    ("2017-10-01", "2017-10-01"),
    ("01/10/2017", "2017-10-01"),
    ("1/10/2017", "2017-10-01"),
    ("1-10-2017", "2017-10-01"),
    ("1.10.2017", "2017-10-01"),
    (" 01 / 10 / 2017 ", "2017-10-01"),
    ("ngày 1 tháng 10 năm 2017", "2017-10-01"),
    ("31/02/2017", None),       # no such day
    ("2017-1-1", None),         # ISO has two-digit months and days
    ("2017", None),             # a year: --year
    ("01/10/2017 đến nay", None),
    ("tháng 10", None),
]


@pytest.mark.parametrize("text,iso", TYPED)
def test_typed_dates(text, iso):
    from ingest.vocabulary.dates import typed_date

    assert typed_date(text) == iso


HEADER_DATES = [  # a header's date line -> (date, precision, why the rest is missing)
    ("Kiên Giang, ngày 13 tháng 11 năm 2017", ("2017-11-13", "day", None)),
    ("25-10-2017", ("2017-10-25", "day", None)),
    # scans of ../shared/corpus/real: a handwritten day read as a smudge
    ("Kiên Giang, ngày Ä'† tháng 11 năm 2017", ("2017-11", "month", "unreadable")),
    ("Kiên Giang, ngày |Š tháng 12 năm 2017", ("2017-12", "month", "unreadable")),
    ("Kiên Giang, ngày À Ö tháng 10 năm 2017", ("2017-10", "month", "unreadable")),
    ("Kiên Giang, ngày 43 tháng 11 năm 2017", ("2017-11", "month", "unreadable")),  # no 43rd
    ("Hà Nội, ngày 82 tháng 4 năm 2026", ("2026-04", "month", "unreadable")),
    ("Phú Thọ, ngày tháng 12 năm 2011", ("2011-12", "month", "blank")),  # dropped by the OCR, or a draft
    ("ngày 3 tháng 13 năm 2017", ("2017", "year", "unreadable")),
    ("ngày ² tháng ² năm 2017", ("2017", "year", "unreadable")),      # digits, not ASCII ones
    ("Phổ Vinh, ngày 5, tháng 3 năm 2024", ("2024-03-05", "day", None)),  # a stray comma
    # drafts: the form printed, nothing written in it
    ("Vũng Tàu , ngày      tháng     năm 2007", ("2007", "year", "blank")),
    ("Hà Nội, ngày ... tháng ... năm 2024", ("2024", "year", "blank")),
    ("Hà Nội, ngày …… tháng …… năm 2024", ("2024", "year", "blank")),
    ("Hà Nội, ngàyJ© th@nÔj tăy 84ĐẾN", (None, None, None)),  # nothing of a date left
    ("Báo cáo công tác Quý I/2024", (None, None, None)),
]


@pytest.mark.parametrize("text, expected", HEADER_DATES)
def test_a_header_date_keeps_what_is_readable_and_says_what_is_not(text, expected):
    from ingest.vocabulary.dates import header_date

    reading = header_date(text)
    assert (reading.value, reading.precision, reading.missing) == expected
