"""Text and symbols as people type them in a search box.

``normalize_typed`` gives a query the normal form documents get: NFC, full-width
digits and letters as ASCII, non-breaking and odd spaces as spaces, zero-width
characters dropped, and Cyrillic or Greek letters that look Latin made Latin
inside a word that mixes them with Latin letters or digits (``13/2015/TT-BTС``
copied from a page that spells ``С`` in Cyrillic). Tone placement is the
analyzer's (``textnorm.normalize_tone``), as for documents.

``typed_symbols`` finds the symbols a query names in any spelling, whole or in
part, each with its span in the query:

=========================  =====================================  ==============
typed                      read as                                kind
=========================  =====================================  ==============
``143/2013/NĐ-CP``         ``143/2013/NĐ-CP``                     whole
``143 2013 nd cp``         ``143/2013/NĐ-CP``                     whole
``93-2007-QĐ-TTg``         ``93/2007/QĐ-TTg``                     whole
``13/2015/tt-btc``         ``13/2015/TT-BTC``                     whole
``308/2025``               symbols starting ``308/2025/``         part
``nghị định 308``          symbols ``308/…`` of type ``NĐ``       part
``nghi dinh so 308 2025``  symbols ``308/2025/NĐ…``               part
``nd cp 143``              symbols ``143/…NĐ-CP``                 part
``66 12 2026 nq cp``       ``66.12/2026/NQ-CP``                   whole
=========================  =====================================  ==============

A run of words is read as a symbol only when its codes are codes: printed with
``/`` or ``-`` between them, or, typed with spaces, known type codes or words no
Vietnamese syllable spells (``cp``, ``ubnd``, ``qh15``), so ``143 2013 nd cp
ngay 24`` stops before ``ngay``. Callers keep the words as typed beside what is
read here: a reading is a hint, never the only way a query matches.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingest.vocabulary.doctypes import DOTLESS, TYPE_CODES, TYPE_NAMES, canonical_code
from ingest.vocabulary.symbols import normalize_symbol
from ingest.vocabulary.textnorm import fold, nfc

# --- normal form ---------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
# Letters of other scripts drawn like Latin ones (the site's ``NĐ-СР``).
_LOOK_ALIKES = str.maketrans(
    "АВСЕНІЈКМОРЅТХУаеіјорсуһԛԜΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαρν",
    "ABCEHIJKMOPSTXYaeijopcyhqWABEZHIKMNOPTYXoapv")
_LOOK_ALIKE = re.compile("[АВСЕНІЈКМОРЅТХУаеіјорсуһԛԜΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαρν]")
_MIXED = re.compile(r"\S+")


def _latin_inside(word: str) -> str:
    """A word that mixes look-alikes with Latin letters or digits, in Latin."""
    if _LOOK_ALIKE.search(word) and re.search(r"[0-9A-Za-zĐđ]", word):
        return word.translate(_LOOK_ALIKES)
    return word


def normalize_typed(text: str) -> str:
    """What a person typed, in the normal form of the documents' text."""
    text = _ZERO_WIDTH.sub("", nfc(text))
    text = _ODD_SPACES.sub(" ", text)
    text = _FULL_WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _MIXED.sub(lambda m: _latin_inside(m.group()), text)


# --- symbols in any spelling ---------------------------------------------------------

@dataclass(frozen=True)
class TypedSymbol:
    """A symbol named by a query: ``symbol`` when it is whole (normalised:
    ``143/2013/NĐ-CP``); else ``number``, ``year`` and ``codes`` as far as given."""

    start: int
    end: int
    symbol: str | None = None
    number: str | None = None
    year: str | None = None
    codes: tuple[str, ...] = ()   # canonical (``NĐ``, ``CP``), in the symbol's order

    @property
    def whole(self) -> bool:
        return self.symbol is not None


# Codes typed with spaces that hold a vowel (no other Vietnamese word is spelled so).
_VOWEL_CODES = {"UBND", "UB", "HDND", "HĐND", "BYT", "BCA", "TANDTC", "UBDT", "UBMTTQ", "TU", "HU", "BQL",
                "UBTVQH", "BKHDT", "BKHĐT"}
_TYPE_CODES = {c.upper() for c in TYPE_CODES} | set(DOTLESS)
_ATOM = re.compile(r"\d{1,5}[a-zA-Z]?(?:\.\d{1,3}(?=/))?(?!\w)|[^\W\d_](?:[^\W\d_]|&)*\d*")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NUMBER = re.compile(r"\d{1,5}[a-zA-Z]?(?:\.\d{1,3})?")
_PRINTED_SEP = re.compile(r"\s*[-/_.]\s*")
_SPACE_SEP = re.compile(r"\s+")
_TYPE_NAME = re.compile(
    r"(?<![\w])(?P<name>" + "|".join(sorted({re.escape(fold(n)).replace(r"\ ", r"\s+") for n in TYPE_NAMES},
                                           key=len, reverse=True)) + r")(?:\s+(?:so|s)\b\.?:?)?\s*$")
_DATE_BEFORE = re.compile(r"(?:ngay|thang|nam)\s*$")  # ``tháng 10/2013`` is a month
_TYPE_OF_NAME = {fold(name): code for code, name in TYPE_CODES.items()}


def _is_code(atom: str, printed: bool) -> bool:
    """An atom read as one of a symbol's codes: any letters when printed with ``/``
    or ``-``; with spaces, a type code, a known code, or letters no syllable spells."""
    if not atom[:1].isalpha():
        return False
    upper = atom.upper()
    if printed or upper in _TYPE_CODES or upper in _VOWEL_CODES or re.fullmatch(r"(?:UBTV)?QH\d+", upper):
        return len(atom) <= 12
    letters = re.sub(r"\d", "", fold(atom))
    return not re.search(r"[aeiouy]", letters) and len(letters) >= 2


def _atoms(text: str) -> list[re.Match]:
    return list(_ATOM.finditer(text))


def _run(text: str, atoms: list[re.Match], at: int):
    """The symbol starting at atom ``at`` (a number): (end atom, year, codes, printed)."""
    year, codes, printed, i = None, [], False, at + 1
    while i < len(atoms):
        gap = text[atoms[i - 1].end():atoms[i].start()]
        sep_printed = bool(_PRINTED_SEP.fullmatch(gap)) and gap.strip() != "."
        if not sep_printed and not _SPACE_SEP.fullmatch(gap):
            break
        atom = atoms[i].group()
        if year is None and not codes and _YEAR.fullmatch(atom):
            year, printed = atom, printed or sep_printed
        elif _is_code(atom, sep_printed and (printed or bool(codes) or year is not None or "/" in gap)):
            codes.append(atom)
            printed = printed or sep_printed
        else:
            break
        i += 1
    return i - 1, year, codes, printed


def _type_before(text: str, start: int) -> str | None:
    """The type code of a type name typed right before ``start`` (``nghị định số``)."""
    m = _TYPE_NAME.search(fold(text[:start]))
    if not m:
        return None
    return _TYPE_OF_NAME.get(re.sub(r"\s+", " ", m.group("name")))


def _dotted(text: str, atoms: list[re.Match], at: int) -> bool:
    """A number typed as two (``66 12`` for ``66.12``), a year right after them."""
    if at + 2 >= len(atoms) or not atoms[at].group().isdigit():
        return False
    second, third = atoms[at + 1].group(), atoms[at + 2].group()
    gaps = text[atoms[at].end():atoms[at + 1].start()], text[atoms[at + 1].end():atoms[at + 2].start()]
    return (second.isdigit() and len(second) <= 3 and bool(_YEAR.fullmatch(third))
            and gaps[0] in (" ", ".") and gaps[1].strip() in ("", "/", "-"))


def _codes_before(text: str, atoms: list[re.Match], at: int) -> list[str]:
    """Codes typed before a number (``nd cp 143``), nearest last."""
    codes = []
    while at > 0 and _SPACE_SEP.fullmatch(text[atoms[at - 1].end():atoms[at].start()] or "x"):
        if not _is_code(atoms[at - 1].group(), False):
            break
        codes.insert(0, atoms[at - 1].group())
        at -= 1
    return codes


def typed_symbols(text: str) -> list[TypedSymbol]:
    """The symbols ``text`` names, whole or in part, in the order typed (see the
    module's table). ``text`` should be in normal form (``normalize_typed``)."""
    found, atoms, i = [], _atoms(text), 0
    while i < len(atoms):
        if not _NUMBER.fullmatch(atoms[i].group()) or (i and text[atoms[i - 1].end():atoms[i].start()] in "/-"):
            i += 1
            continue
        first, number = i, atoms[i].group()
        if _dotted(text, atoms, i):  # ``66 12 2026 nq cp``: 66.12/2026/NQ-CP
            i, number = i + 1, f"{number}.{atoms[i + 1].group()}"
        end, year, codes, printed = _run(text, atoms, i)
        span = (atoms[first].start(), atoms[end].end())
        kind = _type_before(text, atoms[i].start())
        symbol = normalize_symbol("/".join([number, *([year] if year else []), "-".join(codes)])) if codes else None
        before = [] if codes or kind else _codes_before(text, atoms, i)
        if symbol and (printed or year or len(codes) > 1 or kind):
            found.append(TypedSymbol(*span, symbol=symbol))
        elif not codes and (kind or before or (year and printed and not _DATE_BEFORE.search(fold(text[:span[0]])))):
            given = [kind] if kind else [canonical_code(c) for c in before]
            found.append(TypedSymbol(*span, number=number, year=year, codes=tuple(given)))
        i = end + 1
    return found
