"""Symbol forms and the damage real files carry, each with its normalised form."""
import pytest

from ingest.vocabulary.symbols import normalize_symbol, parse_symbol

CASES = [
    # administrative, Công văn, normative, laws, Party
    ("32/BC-UBND", "32/BC-UBND", "BC"),
    ("123/UBND-VP", "123/UBND-VP", None),
    ("45/SNV-CCHC", "45/SNV-CCHC", None),
    ("30/2020/NĐ-CP", "30/2020/NĐ-CP", "NĐ"),
    ("01/2011/TT-BNV", "01/2011/TT-BNV", "TT"),
    ("18/2023/QĐ-UBND", "18/2023/QĐ-UBND", "QĐ"),
    ("77/2015/QH13", "77/2015/QH13", "QH13"),
    ("05-CT/TW", "05-CT/TW", "CT"),
    ("18-NQ/TW", "18-NQ/TW", "NQ"),
    ("123-BC/HU", "123-BC/HU", "BC"),
    ("14-KL/TW", "14-KL/TW", "KL"),
    ("999-TC/QĐ-CĐKT", "999-TC/QĐ-CĐKT", "TC"),
    ("999- TC/QĐ/CĐKT", "999-TC/QĐ-CĐKT", "TC"),
    ("44/2000/TTLT/BTC-BGD&ĐT-BLĐTB&XH", "44/2000/TTLT-BTC-BGD&ĐT-BLĐTB&XH", "TTLT"),
    ("101/QĐ.BQL-TC", "101/QĐ-BQL-TC", "QĐ"),
    ("03/2006/TTLT-BTC-BNV", "03/2006/TTLT-BTC-BNV", "TTLT"),
    ("40/2025/QĐ-TTg", "40/2025/QĐ-TTg", "QĐ"),
    # damage
    ("308/QĐ- UBND", "308/QĐ-UBND", "QĐ"),
    ("308 /QĐ-UBND", "308/QĐ-UBND", "QĐ"),
    ("308/QD-UBND", "308/QĐ-UBND", "QĐ"),
    ("308/qđ-ubnd", "308/QĐ-UBND", "QĐ"),
    ("308 /qđ-ubnd", "308/QĐ-UBND", "QĐ"),
    ("308/Q\u0110-UBND", "308/QĐ-UBND", "QĐ"),
    ("308/Q\u00d0-UBND", "308/QĐ-UBND", "QĐ"),           # OCR's Ð (U+00D0)
    ("256 /2004/QĐ-UB", "256/2004/QĐ-UB", "QĐ"),
    ("10/2007/QĐ_BKHCN", "10/2007/QĐ-BKHCN", "QĐ"),
    ("144/2002/QĐ/BTC", "144/2002/QĐ-BTC", "QĐ"),
    ("155/1998/TT/BTC", "155/1998/TT-BTC", "TT"),
    ("4532/UBND- KSTTHC", "4532/UBND-KSTTHC", None),
    ("707/QĐ- -TTg", "707/QĐ-TTg", "QĐ"),                # a scan: the dash read on both sides of a gap
    ("3176b/QĐ-UBND", "3176b/QĐ-UBND", "QĐ"),
    ("66.15/2026/NQ-CP", "66.15/2026/NQ-CP", "NQ"),
    ("40/2025/QĐ-TTG", "40/2025/QĐ-TTg", "QĐ"),
    ("5/2020/NĐ-СР", "5/2020/NĐ-CP", "NĐ"),                # Cyrillic С and Р
    ("308/QĐ–UBND", "308/QĐ-UBND", "QĐ"),                 # en dash
    ("15/CP", "15/CP", None),
    ("60 TC/CĐKT", "60TC/CĐKT", None),
    ("1141 TC/QĐ/CĐKT", "1141TC/QĐ/CĐKT", None),
    ("32/BC-UBND ngày 04/3/2024", "32/BC-UBND", "BC"),
    ("308/QĐ-UBND. Kế hoạch", "308/QĐ-UBND", "QĐ"),
]


@pytest.mark.parametrize("printed,normal,code", CASES)
def test_symbol_forms(printed, normal, code):
    parsed = parse_symbol(printed)
    assert parsed.symbol == normal
    assert parsed.type_code == code


@pytest.mark.parametrize("printed", ["/QĐ-UBND", "/QĐ. BQL–VP", "/2024/TT-BGDĐT"])
def test_blank_number_gives_no_symbol(printed):
    parsed = parse_symbol(printed)
    assert parsed is not None and parsed.symbol is None and parsed.number is None


@pytest.mark.parametrize("text", ["Hà Nội", "ngày 27/01/2022", "năm 2024", "", "mức độ 3,4"])
def test_not_symbols(text):
    assert normalize_symbol(text) is None
