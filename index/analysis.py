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
  without diacritics;
- ``PairFilter`` on folded syllables: the pairs field, so a
  phrase of common syllables (``quy định công``) is looked up by its pairs, not by
  checking the positions of words that sit in every document.

Tokenizing is the costly part of analysis, so the parse workers run it on all
cores (:func:`presegment`, :func:`presplit`) and in index mode the writer's
tokenizers only split their output on spaces; a query is tokenized in full, the
same way.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from whoosh.analysis import Filter, Token, Tokenizer

from ingest.vocabulary import regexes as rx
from ingest.vocabulary.symbols import normalize_symbol
from ingest.vocabulary.textnorm import delatin_cyrillic, nfc, normalize_tone, strip_marks

_SYLLABLE = re.compile(r"\w+", re.UNICODE)


def symbol_term(symbol: str) -> str:
    """How the index spells a normalised symbol: lower case, no leading zeros in the
    number, so ``01/2026/TT-BNV`` and ``1/2026/TT-BNV`` are one term."""
    return re.sub(r"^0+(?=\d)", "", symbol.lower())


def symbol_parts(term: str) -> list[str]:
    """A symbol's words: ``143/2013/nđ-cp`` -> ``143``, ``2013``, ``nđ``, ``cp``. The index
    holds them after the whole symbol, the first at the symbol's own position, so
    ``143 2013 nd cp`` typed as words is a run the document has, and a phrase
    (``nghị định số 143 2013``) runs through it."""
    return _SYLLABLE.findall(term)


def is_symbol_term(text: str) -> bool:
    """A whole symbol among a field's tokens: no word or syllable holds a ``/``."""
    return "/" in text


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
        # A query asks a symbol whole (``query.py`` spells it as words inside phrases).
        parts = mode != "query"
        for start, end, piece in self._pieces(text, tokenize, parts):
            token.text, token.boost, token.stopped = piece, 1.0, False
            if keeporiginal:
                token.original = text[start:end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            if not (parts and is_symbol_term(piece)):  # its first part takes its position
                pos += 1
            yield token

    def _pieces(self, text: str, tokenize: bool, parts: bool):
        if not tokenize:
            yield 0, len(text), text
            return
        cursor = 0
        for m in rx.CITE_SYMBOL.finditer(delatin_cyrillic(text)):  # ``NĐ-СР`` with Cyrillic С, Р
            symbol = normalize_symbol(m.group())
            if not symbol:
                continue
            yield from self._words(text, cursor, m.start())
            term = symbol_term(symbol)
            yield m.start(), m.end(), term
            if parts:
                for part in symbol_parts(term):
                    yield m.start(), m.end(), part
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
            t.text = _normal(t.text)
            yield t


class AccentFolder(Filter):
    """``cải_cách`` -> ``cai_cach``; ``308/qđ-ubnd`` -> ``308/qd-ubnd``."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = _folded(t.text)
            yield t


# A few thousand syllables make up nearly all Vietnamese text: normalising and
# folding each once and looking it up after is most of the writer's analysis saved.
_MEMO_LIMIT = 200_000
_NORMAL: dict[str, str] = {}
_FOLDED: dict[str, str] = {}


def _normal(text: str) -> str:
    done = _NORMAL.get(text)
    if done is None:
        lower = text.lower()
        done = lower if lower.isascii() else normalize_tone(lower)
        if len(_NORMAL) < _MEMO_LIMIT:
            _NORMAL[text] = done
    return done


def _folded(text: str) -> str:
    done = _FOLDED.get(text)
    if done is None:
        done = strip_marks(text)
        if len(_FOLDED) < _MEMO_LIMIT:
            _FOLDED[text] = done
    return done


class PresplitTokenizer(VietnameseTokenizer):
    """In index mode, splits on spaces what a parse worker tokenized already
    (:func:`presegment` for words, :func:`presplit` for syllables); a query is
    tokenized in full here, at query time, with the same tokenizer."""

    def __call__(self, value: str, mode: str = "", **kwargs):
        if mode != "index":
            yield from super().__call__(value, mode=mode, **kwargs)
            return
        positions, chars = kwargs.get("positions", False), kwargs.get("chars", False)
        token = Token(positions, chars, mode=mode)
        pos = kwargs.get("start_pos", 0)
        for m in re.finditer(r"\S+", value):
            token.text, token.boost, token.stopped = m.group(), 1.0, False
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = m.start(), m.end()
            if not is_symbol_term(token.text):  # as the full tokenizer counts them
                pos += 1
            yield token


def presegment(text: str) -> str:
    """``UBND phường báo cáo công tác cải cách`` -> ``UBND phường báo_cáo công_tác cải_cách``
    (symbols normalised and whole): what the word fields index."""
    return " ".join(t.text for t in VietnameseTokenizer(segment=True)(text))


def presplit(text: str) -> str:
    """``Căn cứ Quyết định số 308/QĐ-UBND;`` -> ``Căn cứ Quyết định số 308/qđ-ubnd``:
    the syllables and whole symbols the syllable, folded and pairs fields index."""
    return " ".join(t.text for t in VietnameseTokenizer(segment=False)(text))


def word_analyzer():
    """Words as underthesea segments them: ``cải_cách``, ``hành_chính``, whole symbols."""
    return PresplitTokenizer(segment=True) | VietnameseNormalizer()


def syllable_analyzer():
    """Syllables with positions, for phrases that segment differently."""
    return PresplitTokenizer(segment=False) | VietnameseNormalizer()


def folded_analyzer():
    """Syllables without diacritics: ``cai cach hanh chinh`` finds ``cải cách hành chính``."""
    return PresplitTokenizer(segment=False) | VietnameseNormalizer() | AccentFolder()


PAIR_SEPARATOR = " "


class PairFilter(Filter):
    """``quy``, ``dinh``, ``cong`` -> ``quy dinh``, ``dinh cong``. (Whoosh's
    ``BiWordFilter`` fails on an empty stream and passes a lone token through.)
    A whole symbol is passed over: its parts, at its position, pair instead."""

    def __call__(self, tokens):
        previous = None
        for t in tokens:
            text = t.text
            if is_symbol_term(text):
                continue
            if previous is not None:
                t.text = previous + PAIR_SEPARATOR + text
                yield t
            previous = text


def pairs_analyzer():
    """Adjacent folded syllables: ``quy dinh``, ``dinh cong``. A phrase's pairs all
    present is a near-certain match, found without reading a position."""
    return folded_analyzer() | PairFilter()


def phrase_pairs(words: list[str]) -> list[str]:
    """The pairs-field terms of a phrase's analysed words (exact or folded)."""
    folded = [_folded(w) for w in words]
    return [a + PAIR_SEPARATOR + b for a, b in itertools.pairwise(folded)]


# Indexes written before schema 2 pickled their word tokenizer under this name;
# opening one (to rebuild it) needs the name to resolve.
PresegmentedTokenizer = PresplitTokenizer
