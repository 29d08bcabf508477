"""The handwriting reader's parts that need no model: the digit decoding
(``ingest/ocr/digits.py``), the ink counting and resizing (``ingest/ocr/ink.py``)
and how readings are written into Tesseract's words (``with_hand``), on the word
boxes Tesseract gave for the corpus's scans. The reader itself, on the real scans
and the real recogniser, is tested in ``test_truth_ocr.py``."""
from __future__ import annotations

import numpy as np
import pytest

from ingest.ocr import digits, ink
from ingest.ocr.handwriting import Reading, locate, own_numbers, prefer, with_hand
from ingest.ocr.tesseract import OcrPage, OcrWord, page_lines

# -- decoding ------------------------------------------------------------------------------

CHARS = ["<blank>", *"0123456789", "T", "/", ":", "A", "x", " "]


def steps(*rows: dict[str, float]) -> np.ndarray:
    """Recogniser output: one row per time step, the named characters' probabilities
    (the rest of the mass on the blank)."""
    out = np.zeros((len(rows), len(CHARS)))
    for t, row in enumerate(rows):
        for ch, p in row.items():
            out[t, CHARS.index(ch)] = p
        out[t, 0] += 1 - sum(row.values())
    return out


FOLDED = [
    # (a step's characters, the digit its mass goes to, or "blank")
    ({"7": 0.9}, "7"),
    ({"T": 0.9}, "7"),        # a crossed 7
    ({"/": 0.9}, "1"),        # a hand's 1 with a slant
    ({":": 0.9}, "blank"),    # a separator is not a digit
    ({" ": 0.9}, "blank"),
]


@pytest.mark.parametrize("row, digit", FOLDED)
def test_look_alike_glyphs_give_their_mass_to_a_digit(row, digit):
    q = digits.DigitFolder(CHARS).fold(steps(row), 0, 1)[0]
    assert q.sum() == pytest.approx(1)
    assert int(q.argmax()) == (0 if digit == "blank" else int(digit) + 1)


def test_a_glyph_shared_by_two_digits_is_split_between_them():
    q = digits.DigitFolder(CHARS).fold(steps({"A": 1.0}), 0, 1)[0]
    assert q[2] == pytest.approx(0.5) and q[5] == pytest.approx(0.5)  # 1 and 4


DECODED = [
    # (steps as digit -> probability, the likeliest string)
    ([{"2": 0.9}, {}, {"1": 0.8}], "21"),
    ([{"1": 0.9}, {"1": 0.9}], "1"),              # a repeat without a blank collapses
    ([{"1": 0.9}, {}, {"1": 0.9}], "11"),
    ([{"T": 0.6, "1": 0.2}, {}, {"0": 0.9}, {}, {"/": 0.7}], "701"),
]


@pytest.mark.parametrize("rows, best", DECODED)
def test_beam_search_and_ctc_agree_on_the_likeliest_digits(rows, best):
    q = digits.DigitFolder(CHARS).fold(steps(*rows), 0, len(rows))
    assert digits.beam(q)[0] == best
    assert digits.log_likelihood(q, best) == max(digits.log_likelihood(q, t) for t in digits.beam(q))


def test_only_plausible_readings_are_ranked_and_the_cuts_vote():
    folder = digits.DigitFolder(CHARS)
    one = folder.fold(steps({"4": 0.6, "1": 0.3}, {}, {"2": 0.9}), 0, 3)   # 42 or 12
    two = folder.fold(steps({"1": 0.7, "4": 0.2}, {}, {"2": 0.9}), 0, 3)
    ranked = digits.ranked([one, two], digits.plausible_day)
    assert ranked[0][0] == "12" and all(digits.plausible_day(t) for t, _ in ranked)
    assert sum(p for _, p in ranked) == pytest.approx(1, abs=0.01)
    assert digits.ranked([folder.fold(steps({}, {}), 0, 2)], digits.plausible_day) == []


@pytest.mark.parametrize("text, day, number", [
    ("7", True, True), ("31", True, True), ("32", False, True), ("0", False, False),
    ("01", True, True), ("0123", False, False), ("2154", False, True), ("123456", False, False),
])
def test_plausibility(text, day, number):
    assert digits.plausible_day(text) is day and digits.plausible_number(text) is number


# -- ink -----------------------------------------------------------------------------------

def test_glyphs_are_counted_as_columns_of_ink():
    white = np.full((60, 200, 3), 255, np.uint8)
    assert ink.glyph_count(white, 15) == 0
    two = white.copy()
    two[10:50, 30:45] = 0
    two[10:50, 100:115] = 0
    two[5:12, 140:142] = 0    # a speck: too small to be a digit
    assert ink.glyph_count(two, 15) == 2
    crossed = two.copy()
    crossed[25:28, 20:60] = 0  # a bar across the first stroke: one glyph still
    assert ink.glyph_count(crossed, 15) == 2


def test_components_join_diagonal_runs():
    mask = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], bool)
    boxes = sorted(ink.components(mask))
    assert boxes == [(0, 2, 0, 2, 2), (3, 4, 2, 3, 1)]


def test_resizing_keeps_a_flat_image_flat_and_interpolates_between_pixels():
    flat = np.full((10, 20, 3), 200, np.uint8)
    assert (ink.resize(flat, 7, 48) == 200).all() and ink.resize(flat, 7, 48).shape == (48, 7, 3)
    assert (ink.widen(flat, 26) == 200).all()
    ramp = np.array([[[0] * 3, [100] * 3]], np.uint8)
    assert ink.resize(ramp, 4, 1)[0, :, 0].tolist() == [0, 25, 75, 100]


# -- the hand's digits written into the page -------------------------------------------------

def word(text, left, top, right, bottom, conf=90.0, line=(1, 1, 1)):
    return OcrWord(text, left, top, right, bottom, conf, line)


# Tesseract's words of scan_bc_2154_syt.pdf's two header lines (300 dpi).
BC_2154 = [
    word("SỞ", 420, 240, 520, 290), word("Y", 535, 240, 570, 290), word("TẾ", 585, 240, 660, 290, line=(1, 1, 0)),
    word("Số:212Á._", 464, 427, 702, 497, conf=31, line=(2, 1, 1)), word("/BC-SYT", 746, 444, 969, 487, line=(2, 1, 1)),
    word("Kiên", 1250, 430, 1340, 490, line=(3, 1, 1)), word("Giang,", 1355, 430, 1480, 500, line=(3, 1, 1)),
    word("ngày", 1495, 422, 1607, 501, line=(3, 1, 1)), word("tháng", 1711, 445, 1844, 499, line=(3, 1, 1)),
    word("11", 1860, 445, 1910, 490, line=(3, 1, 1)), word("năm", 1925, 445, 2020, 490, line=(3, 1, 1)),
    word("2017", 2046, 445, 2163, 486, line=(3, 1, 1)),
]


def header_lines(words, readings):
    page = with_hand(OcrPage(2480, 3508, words), readings)
    return [(line.text, line.handwritten) for line in page_lines(page, 0, 300)]


def test_the_hand_s_number_and_day_replace_what_tesseract_read_between_the_anchors():
    box = (0, 0, 1, 1)
    lines = header_lines(BC_2154, [Reading("number", [("2154", 0.56)], box), Reading("day", [("17", 0.43)], box)])
    assert ("Số: 2154 /BC-SYT", ("2154",)) in lines
    assert ("Kiên Giang, ngày 17 tháng 11 năm 2017", ("17",)) in lines


WRITTEN = [
    # (Tesseract's words of the number line, the reading, the line that results)
    ([word("Sé:.2044/SYT-NVY", 388, 464, 828, 521, conf=40)], "2014", "Số: 2014 /SYT-NVY"),     # one word
    ([word("Số:", 616, 472, 682, 523), word("†0%", 700, 472, 760, 523, conf=56), word("QÐ-", 780, 472, 860, 523),
      word("-TTg", 870, 472, 960, 523)], "707", "Số: 707 /QĐ- -TTg"),                         # the slash lost
    ([word("Số:", 238, 302, 308, 343), word("/74,⁄/UBND-", 321, 282, 672, 353, conf=14)], "4532",
     "Số: 4532 /UBND-"),                                                                     # a 1 read as /
    ([word("Số:", 676, 513, 731, 546), word("01/TB-BGH", 752, 505, 988, 546, conf=92)], "07",
     "Số: 01/TB-BGH"),                                                                       # typed: kept
    ([word("Số:", 476, 513, 531, 546), word("NGUYỄN", 552, 505, 700, 546)], "12", "Số: NGUYỄN"),  # no end: left
    ([word("Số:", 476, 513, 531, 546), word("3176b/QĐ-UBND", 552, 505, 900, 546, conf=96)], "3176",
     "Số: 3176b/QĐ-UBND"),                                                                   # typed, with a letter
    ([word("Số:", 476, 513, 531, 546), word("66.15/2026/NQ-CP", 552, 505, 950, 546, conf=88)], "6615",
     "Số: 66.15/2026/NQ-CP"),                                                                # typed, with a dot
]


@pytest.mark.parametrize("words, value, line", WRITTEN)
def test_the_number_is_written_between_so_and_the_printed_slash(words, value, line):
    lines = header_lines(words, [Reading("number", [(value, 0.5)], (0, 0, 1, 1))])
    assert lines[0][0] == line


def test_a_day_tesseract_read_surely_is_kept_and_a_blank_one_is_not_invented():
    date = [word("ngày", 1421, 551, 1533, 605), word("18", 1550, 551, 1600, 605, conf=97),
            word("tháng", 1622, 549, 1755, 603), word("10", 1770, 549, 1820, 603), word("năm", 1840, 549, 1930, 603),
            word("2017", 1959, 548, 2075, 589)]
    assert header_lines(date, [Reading("day", [("16", 0.9)], (0, 0, 1, 1))])[0][0] == "ngày 18 tháng 10 năm 2017"
    blank = [w for w in date if w.text != "18"]
    assert header_lines(blank, [Reading("day", [], (0, 0, 1, 1))])[0][0] == "ngày tháng 10 năm 2017"


def test_a_number_the_document_repeats_is_preferred():
    page = OcrPage(2480, 3508, BC_2154 + [word("Kèm", 300, 3000, 380, 3040, line=(9, 1, 1)),
                                          word("2154/BC-SYT", 400, 3000, 640, 3040, line=(9, 1, 1))])
    assert locate(page)["number"].start.text == "Số:212Á._"
    reading = Reading("number", [("2134", 0.5), ("2154", 0.4)], (0, 0, 1, 1))
    assert own_numbers(None, [page]) == {"2154"}           # the Số line's own 212Á is no witness
    assert prefer([reading], own_numbers(None, [page]))[0].value == "2154"
    assert own_numbers("/archive/2017/BC 2134 SYT.pdf", []) == {"2134"}
    assert prefer([reading], set())[0].value == "2134"


DAYS = [
    # (candidates, printed month, the day kept)
    ([("31", 0.6), ("21", 0.3)], (2017, 11), "21"),     # no 31 November
    ([("29", 0.6), ("28", 0.3)], (2017, 2), "28"),
    ([("29", 0.6), ("28", 0.3)], (2024, 2), "29"),      # a leap year
    ([("15", 0.6), ("01", 0.3)], (2026, 12), "01"),     # the 15th is still to come
    ([("31", 1.0)], (2017, 11), ""),                    # nothing fits: no day rather than a wrong one
    ([("31", 1.0)], None, "31"),                        # the month unread: nothing to check against
]


@pytest.mark.parametrize("candidates, month, kept", DAYS)
def test_a_day_must_make_a_date_that_exists_and_has_come(candidates, month, kept):
    import datetime
    reading = Reading("day", list(candidates), (0, 0, 1, 1))
    assert prefer([reading], set(), month, datetime.date(2026, 12, 2))[0].value == kept


def test_the_printed_month_is_read_from_the_date_line():
    from ingest.ocr.handwriting import printed_month
    assert printed_month(OcrPage(2480, 3508, BC_2154)) == (2017, 11)
    glued = [word("ngày22tháng", 1876, 465, 2060, 504), word(".", 2070, 480, 2080, 504),
             word("01", 2100, 465, 2150, 504), word("năm", 2170, 465, 2240, 504), word("2013", 2258, 467, 2351, 503)]
    assert printed_month(OcrPage(2480, 3508, glued)) == (2013, 1)
    misread = [word("ngày", 1517, 592, 1628, 645), word("43", 1640, 592, 1700, 645), word("tháng", 1728, 594, 1859, 652),
               word("I1", 1873, 594, 1920, 645), word("năm", 1941, 594, 2030, 645), word("2017", 2053, 598, 2166, 639)]
    assert printed_month(OcrPage(2480, 3508, misread)) == (2017, 11)


def test_spans_that_overlap_are_written_once_and_nothing_raises():
    """``Số`` and ``ngày`` on one line, the number's end found past ``ngày``: the
    number takes the words first; the day, whose words are gone, is left as read."""
    words = [word("Số:", 600, 470, 680, 520), word("†0%", 700, 470, 760, 520, conf=40),
             word("ngày", 900, 470, 1000, 520), word("tháng", 1100, 470, 1200, 520), word("QĐ-TTg", 1210, 470, 1300, 520)]
    lines = header_lines(words, [Reading("number", [("707", 0.5)], (0, 0, 1, 1)),
                                 Reading("day", [("22", 0.5)], (0, 0, 1, 1))])
    assert lines[0][0] == "Số: 707 /QĐ-TTg"


@pytest.mark.parametrize("cached", [
    {"readings": [["number", [["2154", 0.5]], [1, 2, 3, 4]]]},          # what this version writes: kept
    {"readings": [[["number"], [["2154", 0.5]], [1, 2, 3, 4]]]},        # a field that is not one
    {"readings": [["number", {"12": 0.5}, [1, 2, 3, 4]]]},              # candidates of another shape
    {"readings": [["day", [["١٢", 0.5]], [1, 2, 3, 4]]]},               # not ASCII digits
    {"readings": [["day", [["12", 0.5]], [1, 2]]]},
    {"readings": "none"}, {},
])
def test_cached_readings_of_another_shape_are_read_again(tmp_path, cached):
    from ingest.ocr.handwriting import _cached_readings
    from ingest.ocr.tesseract import save_json
    where = str(tmp_path / "r.json.gz")
    save_json(where, cached)
    got = _cached_readings(where)
    if cached == {"readings": [["number", [["2154", 0.5]], [1, 2, 3, 4]]]}:
        assert [(r.field, r.value, r.box) for r in got] == [("number", "2154", (1, 2, 3, 4))]
    else:
        assert got is None


def test_the_recogniser_reads_a_bounded_width():
    from ingest.ocr.handwriting import MAX_WIDTH, STRIDE, recogniser
    model = recogniser()
    if model is None:
        pytest.skip("the handwriting reader is not installed (scripts/setup.sh installs rapidocr-onnxruntime)")
    probs = model.probs(np.full((20, 20000, 3), 255, np.uint8))  # a flat box across a poster
    assert len(probs) <= MAX_WIDTH / STRIDE + 2
