"""TCVN3 and VNI decoding, by font and by guarded detection."""
import pytest

from ingest.vocabulary import legacy

TCVN3 = [
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", False, "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", False, "Độc lập - Tự do - Hạnh phúc"),
    ("Sè: 12/2001/Q§-BTC", False, "Số: 12/2001/QĐ-BTC"),
    ("bé tr\u00adëng bé tµi chÝnh", True, "BỘ TRƯỞNG BỘ TÀI CHÍNH"),       # .VnTimeH
    ("n\u2212íc", False, "nước"),                                        # PDF: U+2212 for ư
    ("x\u2219 héi", False, "xã hội"),                                    # PDF: U+2219 for ã
]


@pytest.mark.parametrize("raw,heading,text", TCVN3)
def test_tcvn3(raw, heading, text):
    assert legacy.decode_tcvn3(raw, heading) == text


VNI = [
    ("COÄNG HOAØ XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Ñoäc laäp – Töï do – Haïnh phuùc", "Độc lập – Tự do – Hạnh phúc"),
    ("Caên cöù Nghò ñònh", "Căn cứ Nghị định"),
    ("saün coù, Ñaø Naüng", "sẵn có, Đà Nẵng"),
    ("TRÖÔÛNG BAN", "TRƯỞNG BAN"),
    ("Soá :", "Số :"),
    ("cheát vì chi phí", "chết vì chi phí"),
]


@pytest.mark.parametrize("raw,text", VNI)
def test_vni(raw, text):
    assert legacy.decode_vni(raw) == text


@pytest.mark.parametrize("font,expected", [
    (".VnTime", ("tcvn3", False)), (".VnTimeH", ("tcvn3", True)), (".VnAvantH", ("tcvn3", True)),
    ("FBHPFN+VnTimeHBold", ("tcvn3", True)), ("FBHPEM+VnTime", ("tcvn3", False)),
    ("VNI-Times", ("vni", False)), ("VNI-Helve-Condense", ("vni", False)),
    ("Times New Roman", ("unicode", False)), (None, ("unicode", False)),
])
def test_font_names(font, expected):
    assert legacy.font_encoding(font) == expected


@pytest.mark.parametrize("text,guess", [
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3"),
    ("COÄNG HOAØ XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM Ñoäc laäp", "vni"),
    ("Cộng hòa xã hội chủ nghĩa Việt Nam", "unicode"),
    ("Báo cáo công tác tuyên truyền cải\u00adcách hành chính", "unicode"),  # soft hyphen in Unicode
    ("résumé café naïve", "unicode"),
    ("Sè 5", "unicode"),                                               # too short to say
])
def test_detection_is_guarded(text, guess):
    assert legacy.detect(text) == guess
