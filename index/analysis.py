"""Vietnamese analysis for the index, in Whoosh's own idiom: one tokenizer composed
with filters by ``|``, used the same way at index and at query time.

- ``VietnameseTokenizer`` takes symbols out first and emits each whole, in its
  normalised form (underthesea would split ``308/QĐ-UBND`` into three tokens),
  then either words segmented by underthesea (``cải_cách``, ``hành_chính``) or
  plain syllables with positions, so a phrase still matches where a query and a
  document segment differently;
- ``VietnameseNormalizer``: NFC, ``Ð`` repaired, lower case, one tone placement
  (``hoà`` -> ``hòa``, ``uỷ`` -> ``ủy``);
- ``AccentFolder``: the accent-free copy (``đ`` -> ``d``) for queries typed
  without diacritics.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from whoosh.analysis import Filter, Token, Tokenizer

from ingest import regexes as rx
from ingest.symbols import normalize_symbol
from ingest.textnorm import delatin_cyrillic, nfc, strip_marks

_SYLLABLE = re.compile(r"\w+", re.UNICODE)
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# ``oà``/``oè``/``uỳ`` at the end of a syllable: the old placement puts the tone on
# the first vowel (``hòa``, ``khỏe``, ``thủy``); after ``q`` the ``u`` is part of
# the onset (``quý``), so it stays.
_OLD_PLACEMENT = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([" + _TONES + r"])(?!\w)")


def symbol_term(symbol: str) -> str:
    """How the index spells a normalised symbol: lower case, no leading zeros in the
    number, so ``01/2026/TT-BNV`` and ``1/2026/TT-BNV`` are one term."""
    return re.sub(r"^0+(?=\d)", "", symbol.lower())


def normalize_tone(text: str) -> str:
    """``hoà`` -> ``hòa``, ``thuỷ`` -> ``thủy``, ``Uỷ`` -> ``Ủy``; ``quý``, ``hoàn`` unchanged."""
    decomposed = unicodedata.normalize("NFD", text)
    if not any(t in decomposed for t in _TONES):
        return text
    moved = _OLD_PLACEMENT.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


def _segment(text: str) -> list[str]:
    from underthesea import word_tokenize  # imported on first use: it loads a model
    return word_tokenize(text)


class VietnameseTokenizer(Tokenizer):
    """Symbols whole, then underthesea words (``segment=True``) or syllables."""

    def __init__(self, segment: bool = True) -> None:
        self.segment = segment

    def __eq__(self, other) -> bool:
        return self.__class__ is other.__class__ and self.segment == other.segment

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = nfc(value)
        pos = start_pos
        for start, end, piece, is_symbol in self._pieces(text, tokenize):
            token.text, token.boost, token.stopped = piece, 1.0, False
            if keeporiginal:
                token.original = text[start:end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            pos += 1
            yield token

    def _pieces(self, text: str, tokenize: bool):
        if not tokenize:
            yield 0, len(text), text, False
            return
        cursor = 0
        for m in rx.CITE_SYMBOL.finditer(delatin_cyrillic(text)):  # ``NĐ-СР`` with Cyrillic С, Р
            symbol = normalize_symbol(m.group())
            if not symbol:
                continue
            yield from self._words(text, cursor, m.start())
            yield m.start(), m.end(), symbol_term(symbol), True
            cursor = m.end()
        yield from self._words(text, cursor, len(text))

    def _words(self, text: str, start: int, end: int):
        chunk = text[start:end]
        if not chunk.strip():
            return
        if not self.segment:
            for m in _SYLLABLE.finditer(chunk):
                yield start + m.start(), start + m.end(), m.group(), False
            return
        cursor = 0
        for word in _segment(chunk):
            at = chunk.find(word, cursor)
            if at < 0 or not _SYLLABLE.search(word):
                continue
            cursor = at + len(word)
            yield start + at, start + cursor, "_".join(_SYLLABLE.findall(word)), False


class VietnameseNormalizer(Filter):
    """Lower case and one tone placement, so ``Uỷ ban`` and ``ỦY BAN`` index alike."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = normalize_tone(t.text.lower())
            yield t


class AccentFolder(Filter):
    """``cải_cách`` -> ``cai_cach``; ``308/qđ-ubnd`` -> ``308/qd-ubnd``."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = strip_marks(t.text)
            yield t


class PresegmentedTokenizer(VietnameseTokenizer):
    """The word field's tokenizer. Segmenting is the costly step of indexing, so the
    parse workers do it on all cores (:func:`presegment`) and the single writer only
    splits their output on spaces; a query is segmented here, at query time."""

    def __init__(self) -> None:
        super().__init__(segment=True)

    def __call__(self, value: str, mode: str = "", **kwargs):
        if mode != "index":
            yield from super().__call__(value, mode=mode, **kwargs)
            return
        token = Token(kwargs.get("positions", False), kwargs.get("chars", False), mode=mode)
        for pos, m in enumerate(re.finditer(r"\S+", value)):
            token.text, token.boost, token.stopped = m.group(), 1.0, False
            if kwargs.get("positions"):
                token.pos = kwargs.get("start_pos", 0) + pos
            if kwargs.get("chars"):
                token.startchar, token.endchar = m.start(), m.end()
            yield token


def presegment(text: str) -> str:
    """``UBND phường báo cáo công tác cải cách`` -> ``UBND phường báo_cáo công_tác cải_cách``
    (symbols normalised and whole): what the word field indexes."""
    return " ".join(t.text for t in VietnameseTokenizer(segment=True)(text))


def word_analyzer():
    """Words as underthesea segments them: ``cải_cách``, ``hành_chính``, whole symbols."""
    return PresegmentedTokenizer() | VietnameseNormalizer()


def syllable_analyzer():
    """Syllables with positions, for phrases that segment differently."""
    return VietnameseTokenizer(segment=False) | VietnameseNormalizer()


def folded_analyzer():
    """Syllables without diacritics: ``cai cach hanh chinh`` finds ``cải cách hành chính``."""
    return VietnameseTokenizer(segment=False) | VietnameseNormalizer() | AccentFolder()
