"""Legacy 8-bit Vietnamese encodings (TCVN3 / ABC and VNI-Windows) to Unicode.

Old Word files and PDFs keep Vietnamese text in fonts that draw accented letters
from Latin-1 code points: ``Céng hoµ x· héi chñ nghÜa ViÖt Nam`` (TCVN3, fonts
``.VnTime``, ``.VnTimeH``) or ``Coäng hoaø xaõ hoäi chuû nghóa Vieät Nam`` (VNI,
fonts ``VNI-Times``, ``VNI-Helve``). The run's font tells which table applies;
:func:`detect` guesses from the text alone and is only a guarded fallback.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# TCVN3 (TCVN 5712:1993, VN3): one byte per letter, as it surfaces in Latin-1.
# 0xA1-0xA7 are upper-case base letters, 0xA8-0xAE their lower-case partners.
_TCVN3_ROWS = {
    "¡¢£¤¥¦§": "ĂÂÊÔƠƯĐ",
    "¨©ª«¬\xad®": "ăâêôơưđ",
    "µ¶·¸¹": "àảãáạ",
    "»¼½¾Æ": "ằẳẵắặ",
    "ÇÈÉÊË": "ầẩẫấậ",
    "ÌÎÏÐÑ": "èẻẽéẹ",
    "ÒÓÔÕÖ": "ềểễếệ",
    "×ØÜÝÞ": "ìỉĩíị",
    "ßáâãä": "òỏõóọ",
    "åæçèé": "ồổỗốộ",
    "êëìíî": "ờởỡớợ",
    "ïñòóô": "ùủũúụ",
    "õö÷øù": "ừửữứự",
    "úûüýþ": "ỳỷỹýỵ",
}
TCVN3_TABLE = {src: dst for row, out in _TCVN3_ROWS.items() for src, dst in zip(row, out)}
# PDF text layers made from TCVN3 fonts name some glyphs after the symbol they
# replace: byte 0xAD ("ư") comes back as U+2212 MINUS, 0xB7 ("ã") as U+2219.
TCVN3_TABLE.update({"\u2212": "ư", "\u2219": "ã", "\u00b7": "ã"})
_TCVN3_TRANS = str.maketrans(TCVN3_TABLE)

# VNI-Windows: base letter followed by a mark character.
_TONE = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_CIRCUMFLEX_TONE = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE_TONE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ò": "ị", "æ": "ỉ", "ó": "ĩ"}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}

    def add(base: str, mark: str, combining: str) -> None:
        for b, m in ((base, mark), (base.upper(), mark.upper()), (base.upper(), mark)):
            pairs[b + m] = unicodedata.normalize("NFC", b + combining)

    for base in "aeiouy":
        for mark, tone in _TONE.items():
            add(base, mark, tone)
    for base in "aeo":
        for mark, tone in _CIRCUMFLEX_TONE.items():
            add(base, mark, "\u0302" + tone)
    for mark, tone in _BREVE_TONE.items():
        add("a", mark, "\u0306" + tone)
    for base, letter in (("ô", "ơ"), ("ö", "ư")):
        for mark, tone in _TONE.items():
            for b, m, out in ((base, mark, letter), (base.upper(), mark.upper(), letter.upper()),
                              (base.upper(), mark, letter.upper())):
                pairs[b + m] = unicodedata.normalize("NFC", out + tone)
    return pairs


VNI_PAIRS = _vni_pairs()
_VNI_SINGLES = {**VNI_SINGLE, **{k.upper(): v.upper() for k, v in VNI_SINGLE.items()}}
_VNI_MARKS = "".join(sorted({p[1] for p in VNI_PAIRS}))
_VNI_RE = re.compile(
    "[aeiouyAEIOUYôÔöÖ][" + re.escape(_VNI_MARKS) + "]|[" + "".join(_VNI_SINGLES) + "]"
)


def _vni_sub(match: re.Match) -> str:
    seq = match.group()
    if seq in VNI_PAIRS:
        return VNI_PAIRS[seq]
    return _VNI_SINGLES.get(seq[0], seq[0]) + seq[1:]


def decode_tcvn3(text: str, heading_font: bool = False) -> str:
    """``Céng hoµ`` -> ``Cộng hoà``; heading (``H``) fonts draw every letter upper case."""
    out = text.translate(_TCVN3_TRANS)
    return out.upper() if heading_font else out


def decode_vni(text: str) -> str:
    """``Coäng hoaø`` -> ``Cộng hoà``."""
    return _VNI_RE.sub(_vni_sub, text)


_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_STYLE_SUFFIX = re.compile(r"(?:[-,]?(?:Bold|Italic|Oblique|Regular|BoldItalic|Semibold|Light|Condensed?|Narrow|MT|PS))+$", re.I)


@lru_cache(maxsize=1024)
def font_encoding(font_name: str | None) -> tuple[str, bool]:
    """The legacy encoding a font implies and whether it is a TCVN3 heading font.

    ``.VnTimeH`` -> ("tcvn3", True); ``FBHPFN+VnTimeHBold`` -> ("tcvn3", True);
    ``VNI-Helve-Condense`` -> ("vni", False); ``Times New Roman`` -> ("unicode", False).
    """
    if not font_name:
        return "unicode", False
    name = _SUBSET_PREFIX.sub("", font_name.strip())
    if name.lower().startswith("vni-") or name.lower().startswith("vni "):
        return "vni", False
    if name.startswith(".Vn") or name.startswith("Vn") or name.lower().startswith(".vn"):
        bare = _STYLE_SUFFIX.sub("", name.replace(" ", ""))
        return "tcvn3", bare.endswith("H")
    return "unicode", False


def decode_run(text: str, font_name: str | None) -> tuple[str, str]:
    """Decode one run of text by its font; returns (text, encoding)."""
    encoding, heading = font_encoding(font_name)
    if encoding == "tcvn3":
        return decode_tcvn3(text, heading), encoding
    if encoding == "vni":
        return decode_vni(text), encoding
    return text, encoding


# --- guarded detection, for text that carries no font names -----------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnpqrstvx])?"
_NUCLEUS = r"[aăâeêioôơuưy]{1,3}"
_CODA = r"(?:ch|ng|nh|[cmnpt])?"
_SYLLABLE = re.compile(f"^{_ONSET}{_NUCLEUS}{_CODA}$")
_WORD = re.compile(r"[^\W\d_]+")
_VIET_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def is_vietnamese_syllable(word: str) -> bool:
    """True for a well-formed syllable: ``nghiêng``, ``Quốc``; False for ``héi``."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(decomposed.count(t) for t in _TONES)
    if tones > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return bool(_SYLLABLE.match(bare))


def _valid_share(text: str) -> tuple[float, int]:
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if not words:
        return 0.0, 0
    return sum(map(is_vietnamese_syllable, words)) / len(words), len(words)


def detect(text: str) -> str:
    """Guess ``tcvn3``, ``vni`` or ``unicode`` for text without font names.

    Guarded: real Vietnamese Unicode (letters outside Latin-1 such as ``ư``, ``ạ``)
    wins; a legacy table is chosen only when it turns at least three non-ASCII
    words into well-formed syllables, most of them, and clearly more than before.
    A stray soft hyphen in Unicode text therefore never triggers TCVN3.
    """
    sample = text[:20000]
    if len(_VIET_ONLY.findall(sample)) >= 3:
        return "unicode"
    raw_share, _ = _valid_share(sample)
    best, best_share = "unicode", raw_share
    for name, decoder in (("tcvn3", decode_tcvn3), ("vni", decode_vni)):
        share, count = _valid_share(decoder(sample))
        if count >= 3 and share >= 0.8 and share > best_share + 0.25:
            best, best_share = name, share
    return best


def decode_detected(text: str) -> tuple[str, str]:
    encoding = detect(text)
    if encoding == "tcvn3":
        return decode_tcvn3(text), encoding
    if encoding == "vni":
        return decode_vni(text), encoding
    return text, encoding


_BEYOND_LATIN1 = re.compile("[\u0100-\u024f\u1e00-\u1eff]")
_NON_ASCII_LETTER = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")


def telltale_letters(text: str, encoding: str) -> int:
    """Letters that show which encoding a run is in: for Unicode, letters beyond Latin-1
    (``ư``, ``ạ``); for a decoded legacy run, any non-ASCII letter."""
    pattern = _BEYOND_LATIN1 if encoding == "unicode" else _NON_ASCII_LETTER
    return len(pattern.findall(text))


def enough_letters(counts: dict[str, int], encoding: str) -> bool:
    """Whether an encoding already has the letters ``overall_encoding`` needs: the
    readers stop counting it there (counting every run of a long file is costly)."""
    return counts.get(encoding, 0) >= (2 if encoding == "unicode" else 5)


def overall_encoding(counts: dict[str, int]) -> str:
    """``unicode``, ``tcvn3``, ``vni`` or ``mixed`` from telltale letters per encoding."""
    used = [enc for enc in counts if enough_letters(counts, enc)]
    legacy_used = [enc for enc in used if enc != "unicode"]
    if not legacy_used:
        return "unicode"
    return legacy_used[0] if len(used) == 1 else "mixed"
