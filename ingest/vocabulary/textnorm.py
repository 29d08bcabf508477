"""Unicode clean-up shared by the readers, the parsers and the index.

Everything the pipeline compares goes through here, so ``Ủy ban`` typed in NFD,
``Uỷ ban`` with the old tone placement and ``UY BAN`` typed without diacritics
all meet in one key.
"""
from __future__ import annotations

import re
import unicodedata

# U+00D0 (Icelandic eth) is what OCR and some fonts give for "Đ".
_REPAIRS = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2015": "-", "\u2212": "-"})
# Cyrillic letters that look Latin; they turn up inside symbols (`NĐ-СР`).
_CYRILLIC = str.maketrans("АВСЕНКМОРТХУасеорху", "ABCEHKMOPTXYaceopxy")


def nfc(text: str) -> str:
    """NFC with ``Ð`` repaired to ``Đ``."""
    return unicodedata.normalize("NFC", text).translate(_REPAIRS)


def clean_line(text: str) -> str:
    """NFC, odd spaces to plain spaces, invisible characters dropped, edges trimmed."""
    text = _INVISIBLE.sub("", nfc(text))
    return _SPACES.sub(" ", text).strip()


def squash(text: str) -> str:
    """Collapse runs of white space: ``ngày 28     tháng 4`` -> ``ngày 28 tháng 4``."""
    return re.sub(r"\s+", " ", text).strip()


# ``str.translate`` walks a whole text through a Python dict; most texts hold none of
# the characters, which a character-class search tells at C speed.
_ANY_DASH = re.compile("[\u2010-\u2015\u2212]")
_ANY_CYRILLIC = re.compile("[АВСЕНКМОРТХУасеорху]")


def dashes(text: str) -> str:
    """En dash, em dash and minus sign to the ASCII hyphen."""
    return text.translate(_DASHES) if _ANY_DASH.search(text) else text


def delatin_cyrillic(text: str) -> str:
    return text.translate(_CYRILLIC) if _ANY_CYRILLIC.search(text) else text


_COMBINING = re.compile("[\u0300-\u036f]")
_D_BAR = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d"})


def _bare_letters() -> dict[int, str]:
    """Each letter whose canonical decomposition is one letter and marks -> that
    letter (``ả`` -> ``a``, ``Ố`` -> ``O``, ``ǿ`` -> ``ø``), and ``đ`` -> ``d``: Latin,
    Greek and Cyrillic, Latin and Greek Extended, the negated symbols (``≠`` -> ``=``)."""
    table = {}
    for code in range(0x00C0, 0x2ADD):
        decomposition = unicodedata.decomposition(chr(code))
        if not decomposition or decomposition.startswith("<"):  # none, or one NFD leaves alone
            continue
        bare = _COMBINING.sub("", unicodedata.normalize("NFD", chr(code)))
        if len(bare) == 1:
            table[code] = bare
    table.update(_D_BAR)
    return table


_BARE = _bare_letters()


def strip_marks(text: str) -> str:
    """Drop every diacritic: ``Cải cách`` -> ``Cai cach``, ``Đ`` -> ``D``.

    One ``str.translate`` takes each precomposed letter to its base, so NFC
    Vietnamese keeps its length (a snippet is found by its offset in the folded
    copy); marks typed apart (NFD, as macOS types) are then dropped. Text the
    table cannot finish (Hangul, marks out of canonical order) goes through NFD
    whole: the result is the same either way."""
    if text.isascii():
        return text
    bare = text.translate(_BARE)
    if not unicodedata.is_normalized("NFD", bare):
        return _COMBINING.sub("", unicodedata.normalize("NFD", text)).translate(_D_BAR)
    return _COMBINING.sub("", bare)


def fold(text: str) -> str:
    """Case- and accent-free form for comparisons: ``Ủy Ban`` == ``uỷ ban`` == ``UY BAN``."""
    return squash(strip_marks(text).lower())


def is_upper_text(text: str) -> bool:
    """True when every cased letter is upper case (``BÁO CÁO``, ``SỞ Y TẾ``)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _tone_table() -> dict[str, str]:
    """``oà`` -> ``òa``, ``oé`` -> ``óe``, ``uỷ`` -> ``ủy`` (and upper case): the tone
    on the first vowel, as the old placement has it."""
    table = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONE_MARKS:
            for f, v in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                old = unicodedata.normalize("NFC", f + v + tone)
                table[old] = unicodedata.normalize("NFC", f + tone + v)
    return table


_TONE_TABLE = _tone_table()
# Only at the end of a syllable (``hoàn`` keeps its placement in both styles), and
# not after ``q``, whose ``u`` belongs to the onset (``quý``).
_OLD_PLACEMENT = re.compile("(?<![qQ])(?:" + "|".join(sorted(_TONE_TABLE)) + r")(?!\w)")


def normalize_tone(text: str) -> str:
    """One tone placement: ``hoà`` -> ``hòa``, ``thuỷ`` -> ``thủy``, ``UỶ`` -> ``ỦY``;
    ``quý``, ``hoàn`` unchanged; lengths kept. (``index.analysis`` has the same rule
    for its tokens.)"""
    return _OLD_PLACEMENT.sub(lambda m: _TONE_TABLE[m.group()], text)
