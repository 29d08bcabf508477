"""A document's text as it survives a change of file: the same document as a DOCX
and as the PDF printed from it, or a page saved twice, reads the same here.

``letters`` folds the text (NFC, ``Ð`` repaired, diacritics dropped, lower case,
so old and new tone placement agree) and keeps only its letters and digits:
spacing, line breaks, punctuation, bullets and dashes, which each reader lays out
its own way (a PDF's text layer splits and joins words where a DOCX does not),
vanish. ``text_hash`` is the sha256 of that, the record's ``text_hash``;
``words`` cuts the folded text into words, for comparing two texts that are
nearly, not exactly, the same (``index/duplicates.py``).
"""
from __future__ import annotations

import hashlib
import re

from .vocabulary.textnorm import nfc, strip_marks

# Under this many letters and digits a text says too little to tell two files
# apart (a scan waiting for OCR, a cover page): no hash, the file stands alone.
MIN_LETTERS = 100

_NOT_WORD = re.compile(r"[\W_]+")


def words(text: str) -> list[str]:
    """The folded text's words: ``Số: 32/BC-UBND`` -> ``so 32 bc ubnd``."""
    return _NOT_WORD.sub(" ", strip_marks(nfc(text or "")).casefold()).split()


def letters(text: str) -> str:
    """The folded text's letters and digits, nothing between them."""
    return "".join(words(text))


def text_hash(text: str) -> str | None:
    """The sha256 (hex) of the text's letters and digits; None for too little text."""
    kept = letters(text)
    return hashlib.sha256(kept.encode("utf-8")).hexdigest() if len(kept) >= MIN_LETTERS else None
