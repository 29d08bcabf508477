"""What OCR does to an official document, undone before the parsers see it.

Tesseract reads a header through table rules, stamps and handwriting. Seen on the
corpus scans (``../shared/corpus/real/scan_*``):

- rules and specks read as words: ``| | | ỦY BAN NHÂN DÂN``, ``_ TỈNH PHÚ THỌ``,
  ``UBND TỈNH KIÊN GIANG ˆ CỘNG HÒA ...`` (the ``ˆ`` also hides the column gap);
- ``Số`` misread: ``Só:4222/QĐ-SYT``, ``Sé:.2044/SYT-NVY``, ``S6:2449``;
- letters for digits beside digits: ``tháng I1`` (11), ``2O17``;
- the incoming-mail stamp over the header: ``ĐẾN``, ``Ngày: 24. 13. 4202``,
  ``Giờ:.....C.....``, ``Kính chuyển........``;
- seals and signatures read as a few low-confidence letters: ``Ị``, ``r N``, ``1W``.
"""
from __future__ import annotations

import re

from ingest.models import Line
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.textnorm import fold

_KEEP_SYMBOLS = set("-–—+•/()%")


_LETTER_OR_DIGIT = re.compile(r"[0-9A-Za-zÀ-ỹĐđ]")


def is_junk_word(text: str) -> bool:
    """A token without a Vietnamese letter or a digit (``|``, ``_``, ``ˆ``, ``\\``) that
    is not a dash, bullet or bracket."""
    return not _LETTER_OR_DIGIT.search(text) and not (set(text) & _KEEP_SYMBOLS and len(text) <= 2)


_SO = re.compile(r"^\W{0,3}S[ốồổỗộóòỏõọôoơớờởỡợéèẻẽẹêếềểễệ60](?:\s*[:;.,?]+\s*|(?=\d)|(?=\S{0,3}\s*/))", re.IGNORECASE)
"""``Số`` as OCR reads it before a number: ``Só:4222``, ``Sé:.2044``, ``S6:2449``, ``Sóđd /TBSYT``
(not ``SỞ Y TẾ``: no colon, digit or slash follows)."""
DIGITISH = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})
_NEAR_DIGIT = re.compile(r"(?<=\d)[Il|Oo]+|[Il|Oo]+(?=\d)")
_SPACED_DATE = re.compile(r"(ngày|tháng|năm)(?=\d)|(?<=\d)(?=tháng|năm)", re.IGNORECASE)


_ONE_BESIDE_DIGITS = re.compile(r"(?<=\d)[Il](?=[\d\]\}]|\b)|(?<=[\dIl])[\]\}]|(?<![\w.,])[Il|](?=[.,]\d{3}\b)")
_SPLIT_GROUP = re.compile(r"(?<!\d)(\d{1,3}(?:\.\d{3})*)\.\s(\d{3})(?!\d)|(\d\.\d{2})\s(\d)(?![\d.,])")
_PERCENT_AS_4 = re.compile(r"\((\d{1,3},\d{2})4\)")
_SPLIT_DECIMAL = re.compile(r"(?<![\d.,])(\d{1,3})(?:, | ?[„‚] ?)(\d{1,2}%)")


_H_BEFORE_DIGITS = re.compile(r"(?<![\w.,])H(?=\d{1,3}\s)")


def _marks_any(word: str) -> str:
    """A pattern for ``word`` with any diacritics on its letters (``chỉ`` -> ch[iìíỉĩị])."""
    return "".join(f"[{''.join(_VARIANTS[c])}]" if c in _VARIANTS else re.escape(c) for c in word)


_VARIANTS: dict[str, list[str]] = {}
for _code in list(range(0x61, 0x7B)) + list(range(0xC0, 0x1EFA)):
    _char = chr(_code)
    if _char.islower() and len(fold(_char)) == 1:
        _VARIANTS.setdefault(fold(_char), []).append(_char)
_SLIPPED_UNITS = [
    (re.compile(r"(?<=\d)(\s+)" + r"\s+".join(_marks_any(w) for w in fold(unit).split()) + r"(?![\wÀ-ỹ])",
                re.IGNORECASE), unit)
    for unit in rx.FIGURE_UNITS if " " in unit and not unit.isascii()]


def _unit_marks(text: str) -> str:
    """``1.218 chỉ tiểu`` -> ``1.218 chỉ tiêu``: a unit of two or more syllables after a
    number, its tone marks misread (one syllable alone is too easily another word)."""
    for pattern, unit in _SLIPPED_UNITS:
        text = pattern.sub(lambda m, unit=unit: m.group(1) + unit, text)
    return text


def _h_for_11(text: str) -> str:
    """``phát hiện H6 cas`` -> ``116 cas``: ``11`` read as ``H``, only where a unit follows."""
    return _H_BEFORE_DIGITS.sub(lambda m: "11" if rx.FIGURE.match("11" + text[m.end():m.end() + 40]) else "H",
                                text)


def fix_numbers(text: str) -> str:
    """Figures as OCR breaks them: ``I.791.827`` (1.791.827), ``tăng 3l] cas``
    (311), ``H6 cas`` (116), ``6. 180`` and ``3.71 8`` (a thousands group split),
    ``(51,134)`` in a sentence of percentages (51,13%: ``%`` read as ``4``),
    ``93, 12%`` and ``17 „65%`` (a decimal comma split off or read as ``„``),
    ``chỉ tiểu`` for the unit ``chỉ tiêu``."""
    text = _ONE_BESIDE_DIGITS.sub("1", text)
    text = _unit_marks(_h_for_11(text))

    def join(m: re.Match) -> str:
        if m.group(1) and not text[:m.start()].strip(" -+•*"):
            return m.group()  # ``3. 100% xã ...``: a list item's number, not a split group
        return f"{m.group(1)}.{m.group(2)}" if m.group(1) else m.group(3) + m.group(4)

    text = _SPLIT_GROUP.sub(join, text)
    text = _SPLIT_DECIMAL.sub(r"\1,\2", text)
    return _PERCENT_AS_4.sub(r"(\1%)", text)


_AUTHORITY_COMMA = re.compile(r"^(TM|KT|TL|TUQ)\s*,\s*(?=[A-ZĐÀ-Ỹ])")


def fix_text(text: str) -> str:
    """One OCR line repaired where the damage is unambiguous."""
    text = fix_numbers(text)
    text = _AUTHORITY_COMMA.sub(r"\1. ", text)  # ``KT, BỘ TRƯỞNG``
    m = _SO.match(text)
    if m and not text[:m.end()].lower().startswith("số"):
        text = "Số: " + text[m.end():].lstrip(".,:;? ")
    if re.search(r"\d", text) and re.search(r"(ngày|tháng|năm|Số)", text, re.IGNORECASE):
        text = _NEAR_DIGIT.sub(lambda g: g.group().translate(DIGITISH), text)
        text = _SPACED_DATE.sub(lambda g: (g.group(1) + " ") if g.group(1) else " ", text)
    return text.strip()


STAMP = re.compile(r"^(?:Đ[ẾE]N\b|CÔNG\s+VĂN\s+ĐẾN|Giờ\s*[:.]|Ngày\s*[:.]|Kính\s+chuyển|Chuyển\s*[:.])", re.IGNORECASE)
"""Lines of the incoming-mail stamp (``ĐẾN Số: ... Ngày: ... Giờ: ... Kính chuyển``)."""


def is_noise(line: Line) -> bool:
    """A seal, a signature stroke or a speck read as a few unsure letters."""
    if not line.word_confs:
        return False
    alnum = sum(c.isalnum() for c in line.text)
    mean = sum(c for _, c in line.word_confs) / len(line.word_confs)
    return (alnum <= 3 and mean < 60 and not re.fullmatch(r"[IVX\d]{1,3}[.)]?", line.text)) or mean < 15


def repair(lines: list[Line], page_height: float) -> list[Line]:
    """OCR lines fixed, with stamp lines near the top of a page and noise dropped."""
    out = []
    for line in lines:
        line.text = fix_text(line.text)
        if not line.text or is_noise(line):
            continue
        if line.top is not None and line.top < 0.4 * page_height and STAMP.match(line.text):
            continue
        out.append(line)
    return out
