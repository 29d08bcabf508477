"""The shape of a Vietnamese person's name, to tell a signer's name OCR read whole
from one it read half (``n Văn Thắng``, ``guyền Trúc Giang``, ``hị Thu Hương``)
or misread (``Nguyện Văn Thắng``), and to mend the family name where only one fits.

A name is 2 to 5 capitalised syllables whose first is a family name; the list
holds the common ones (over 95% of the population bears one of the first twenty).
"""
from __future__ import annotations

import difflib
import re

from ingest.vocabulary.textnorm import fold

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Hà", "Đào", "Đoàn", "Vương", "Trịnh", "Mai", "Cao",
    "Lưu", "Tạ", "Tô", "Châu", "Lương", "Thái", "Phùng", "Quách", "Kiều", "Hứa", "La", "Triệu", "Từ",
    "Tăng", "Chu", "Đồng", "Khổng", "Nghiêm", "Tống", "Lại", "Diệp", "Âu", "Hầu", "Giang", "Kim",
    "Tôn", "Thân", "Đàm", "Lục", "Mạc", "Ông", "Ninh", "Phí", "Quan", "Tiêu", "Vi", "Lò", "Đậu",
    "Lã", "Doãn", "Khúc", "Nông", "Hàn", "Thạch", "Lạc", "Nhữ", "Tiết", "Viên", "Cù", "Vòng",
)
_BY_FOLD = {}
for _name in FAMILY_NAMES:
    _BY_FOLD.setdefault(fold(_name), _name)

_SYLLABLE = re.compile(r"[A-ZĐÀ-Ỹ][a-zđà-ỹ]+")


def family_name(word: str) -> str | None:
    """``word`` as the family name it spells or half spells: ``Nguyễn`` and
    ``Nguyện`` -> ``Nguyễn`` (the same letters), ``guyền`` -> ``Nguyễn`` (a tail of
    three letters or more that only one family name ends with), ``Ngu$ến`` ->
    ``Nguyễn`` (one letter off, no other as close); None where none fits surely."""
    letters = re.sub(r"[^a-zđ]", "", fold(word))
    if not letters:
        return None
    if letters in _BY_FOLD:
        return _BY_FOLD[letters]
    if len(letters) >= 3:
        tails = [name for key, name in _BY_FOLD.items() if key.endswith(letters)]
        if len(tails) == 1:
            return tails[0]
    if len(letters) >= 4:
        scored = sorted(((difflib.SequenceMatcher(None, letters, key).ratio(), name)
                         for key, name in _BY_FOLD.items() if len(key) >= 4), reverse=True)
        if scored[0][0] >= 0.8 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.1):
            return scored[0][1]
    return None


def is_name_shape(text: str) -> bool:
    """2 to 5 capitalised syllables, the first a family name as printed."""
    words = text.split()
    return (2 <= len(words) <= 5 and all(_SYLLABLE.fullmatch(w) for w in words)
            and words[0] in FAMILY_NAMES)


def mend_name(text: str) -> str | None:
    """The name a signature line reads, its family name mended, or None where the
    line does not hold one: ``XS Nguyện Văn Thắng`` -> ``Nguyễn Văn Thắng``,
    ``guyền Trúc Giang`` -> ``Nguyễn Trúc Giang``; ``hị Thu Hương`` -> None (no
    family name left to mend). Up to four leading specks (``XS``, ``TI TU _NGG``: a seal's ring) are dropped; the
    given names must all be read as capitalised syllables."""
    words = [w.strip(".,;:") for w in text.split()]
    words = [w for w in words if w]
    for start in range(min(5, len(words))):
        if start and words[start - 1].isalpha() and words[start - 1].islower():
            break  # ``n Văn Thắng``: a family name's tail, the name itself lost
        rest = words[start + 1:]
        if not 1 <= len(rest) <= 4 or not all(_SYLLABLE.fullmatch(w) for w in rest):
            continue
        family = words[start] if words[start] in FAMILY_NAMES else family_name(words[start])
        if family:
            return " ".join([family, *rest])
    return None


# The positions that sign most documents, to recognise a title OCR half-read
# (``GILAM ĐỌC``, ``HÓ GIÁM ĐỚC``) the way a reader does.
POSITIONS = ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "BỘ TRƯỞNG", "THỨ TRƯỞNG",
             "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "CHÁNH VĂN PHÒNG",
             "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG", "TRƯỞNG BAN", "CỤC TRƯỞNG", "TỔNG GIÁM ĐỐC", "BÍ THƯ")


def known_position(text: str) -> str | None:
    """The common position ``text`` reads as, if one is close (``GILAM ĐỌC`` -> ``GIÁM ĐỐC``)."""
    folded = fold(text)
    best = max(POSITIONS, key=lambda p: difflib.SequenceMatcher(None, folded, fold(p)).ratio())
    return best if difflib.SequenceMatcher(None, folded, fold(best)).ratio() >= 0.8 else None
