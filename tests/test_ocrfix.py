"""OCR damage repaired line by line (ingest/ocr/fixes.py): the misreads the corpus's scans
carry, each beside a line that must stay as it is."""
import pytest

from ingest.ocr.fixes import fix_text

REPAIRS = [
    ("dân số I.791.827 người", "dân số 1.791.827 người"),          # I for 1
    ("tăng 3l] cas so với", "tăng 311 cas so với"),                 # l and ] for 1
    ("đạt 6. 180 hồ sơ", "đạt 6.180 hồ sơ"),                        # a thousands group split
    ("đạt 3.71 8 người", "đạt 3.718 người"),
    ("tỷ lệ (51,134) và", "tỷ lệ (51,13%) và"),                     # % read as 4
    ("phát hiện H6 cas", "phát hiện 116 cas"),                      # 11 read as H before a unit
    ("là 1.218 chỉ tiểu.", "là 1.218 chỉ tiêu."),                  # a unit's tone misread
    ("có 20 hổ sơ", "có 20 hồ sơ"),
    ("Só: 4222/BC-SYT", "Số: 4222/BC-SYT"),                         # Số misread
    ("KT, GIÁM ĐỐC", "KT. GIÁM ĐỐC"),
    ("ngày13 tháng l1 năm 2017", "ngày 13 tháng 11 năm 2017"),
]
KEPT = [
    "Tầng H5 nhà A",              # H and digits with no unit after: a name, not 11
    "chi tiêu 5 tỷ đồng",         # no number before: the word, not the unit
    "3. 100% xã hoàn thành",      # a list item's number, not a split group
    "SỞ Y TẾ KIÊN GIANG",
]


@pytest.mark.parametrize("read,fixed", REPAIRS)
def test_repairs(read, fixed):
    assert fix_text(read) == fixed


@pytest.mark.parametrize("line", KEPT)
def test_left_alone(line):
    assert fix_text(line) == line
