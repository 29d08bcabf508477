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
from collections.abc import Iterator

from whoosh.analysis import Filter, Token, Tokenizer

from ingest import regexes as rx
from ingest.symbols import normalize_symbol
from ingest.textnorm import delatin_cyrillic, nfc

_SYLLABLE = re.compile(r"\w+", re.UNICODE)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _tone_table() -> dict[str, str]:
    """``oà`` -> ``òa``, ``oé`` -> ``óe``, ``uỷ`` -> ``ủy`` (and upper case): the tone
    moved to the first vowel, as the old placement has it."""
    table = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for f, v in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                old = unicodedata.normalize("NFC", f + v + tone)
                table[old] = unicodedata.normalize("NFC", f + tone + v)
    return table


_TONE_TABLE = _tone_table()
# Only at the end of a syllable (``hoàn`` keeps its placement in both styles), and
# not after ``q``, whose ``u`` belongs to the onset (``quý``).
_OLD_PLACEMENT = re.compile("(?<![qQ])(?:" + "|".join(sorted(_TONE_TABLE)) + r")(?!\w)")


def normalize_tone(text: str) -> str:
    """``hoà`` -> ``hòa``, ``thuỷ`` -> ``thủy``, ``Uỷ`` -> ``Ủy``; ``quý``, ``hoàn`` unchanged.
    One pass over the text, lengths kept, so offsets stay valid."""
    return _OLD_PLACEMENT.sub(lambda m: _TONE_TABLE[m.group()], text)


def _fold_table() -> dict[int, str]:
    """Every precomposed Latin letter with marks -> its base letter; ``đ`` -> ``d``."""
    table = {}
    for code in range(0x00C0, 0x1EFA):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if len(base) == 1 and base != char and base.isascii():
            table[code] = base
    table.update({ord("đ"): "d", ord("Đ"): "D"})
    return table


_FOLD = _fold_table()


def fold_marks(text: str) -> str:
    """``cải_cách`` -> ``cai_cach`` by table (one ``str.translate``), lengths kept."""
    return text.translate(_FOLD)


def symbol_term(symbol: str) -> str:
    """How the index spells a normalised symbol: lower case, no leading zeros in the
    number, so ``01/2026/TT-BNV`` and ``1/2026/TT-BNV`` are one term."""
    return re.sub(r"^0+(?=\d)", "", symbol.lower())


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
        for start, end, piece in self._pieces(text, tokenize):
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
            yield 0, len(text), text
            return
        cursor = 0
        for m in rx.CITE_SYMBOL.finditer(delatin_cyrillic(text)):  # ``NĐ-СР`` with Cyrillic С, Р
            symbol = normalize_symbol(m.group())
            if not symbol:
                continue
            yield from self._words(text, cursor, m.start())
            yield m.start(), m.end(), symbol_term(symbol)
            cursor = m.end()
        yield from self._words(text, cursor, len(text))

    def _words(self, text: str, start: int, end: int):
        chunk = text[start:end]
        if not chunk.strip():
            return
        if not self.segment:
            for m in _SYLLABLE.finditer(chunk):
                yield start + m.start(), start + m.end(), m.group()
            return
        cursor = 0
        for word in _segment(chunk):
            at = chunk.find(word, cursor)
            if at < 0 or not _SYLLABLE.search(word):
                continue
            cursor = at + len(word)
            yield start + at, start + cursor, "_".join(_SYLLABLE.findall(word))


class VietnameseNormalizer(Filter):
    """Lower case and one tone placement, so ``Uỷ ban`` and ``ỦY BAN`` index alike."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text.lower()
            t.text = text if text.isascii() else normalize_tone(text)
            yield t


class AccentFolder(Filter):
    """``cải_cách`` -> ``cai_cach``; ``308/qđ-ubnd`` -> ``308/qd-ubnd``."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_marks(t.text)
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
