"""Digits out of a line recogniser's output: the CTC side of the handwriting reader.

The recogniser (PP-OCRv4, ``handwriting``) gives, for each time step of a line
crop, a probability over its ~6,600 characters (Chinese, Latin, digits, marks).
A handwritten ``2154`` comes out as ``212Á`` or ``2MM9``: the hand's digits
look like letters to it. Here a span of those steps is folded to eleven classes
(blank and the ten digits): separators count as blank, a glyph that is a known
look-alike of a digit (``T`` and ``F`` of a crossed 7, ``I`` and ``/`` of a 1,
``H`` of an open 4) gives its mass to that digit, any other mark to the digits
in proportion to their own mass. A prefix beam search gives the candidates, the
CTC forward algorithm scores each against every crop of the same span.

Pure numpy; no model here (``handwriting`` runs it).
"""
from __future__ import annotations

import math

import numpy as np

DIGITS = "0123456789"
# Shapes handwritten digits take in the recogniser's character set (seen on the
# 13 scans of the corpus and on their crops): the glyph's mass goes to the digit.
LOOK_ALIKES = {
    "0": "OoDQ〇()",
    "1": "Il|/\\!iJjΛ人入^ㅅㅣ丨ノ",
    "2": "ZzLQ之乙",
    "4": "HYy",
    "5": "Ss$",
    "6": "bG",
    "7": "TFf十+tㄱ干千丁",
    "8": "B&",
    "9": "gqP",
}
# A glyph that is either of two digits, by halves (an ``A`` is a 4 or a looped 1).
SHARED = {"A": {"1": 0.5, "4": 0.5}, "△": {"1": 0.5, "4": 0.5}, "M": {"1": 0.5, "4": 0.5}, "N": {"1": 0.5, "4": 0.5}}
BLANKISH = " \u3000.,:;-_'\"`~"
FLOOR = 1e-30


class DigitFolder:
    """Folds a recogniser's output over its character set ``chars`` (index 0 is
    CTC's blank) to (blank, 0..9)."""

    def __init__(self, chars: list[str]) -> None:
        self.digits = [chars.index(d) for d in DIGITS]
        self.blank = [0] + [i for i, c in enumerate(chars) if c in BLANKISH and i != 0]
        weights: dict[str, dict[str, float]] = {}
        for digit, glyphs in LOOK_ALIKES.items():
            for glyph in glyphs:
                weights.setdefault(glyph, {})[digit] = 1.0
        weights.update({glyph: dict(share) for glyph, share in SHARED.items()})
        self.matrix = np.zeros((len(chars), 10), np.float64)
        self.known = np.zeros(len(chars), bool)
        index = {c: i for i, c in enumerate(chars)}
        for glyph, share in weights.items():
            if glyph in index:
                row, total = index[glyph], sum(share.values())
                self.known[row] = True
                for digit, weight in share.items():
                    self.matrix[row, int(digit)] = weight / total

    def fold(self, probs: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Steps ``lo:hi`` of ``probs`` (steps × chars) as steps × 11 probabilities."""
        p = probs[max(lo, 0):hi].astype(np.float64)
        if len(p) == 0:
            return np.zeros((0, 11))
        blank = p[:, self.blank].sum(1)
        digits = p[:, self.digits].copy()
        other = p.copy()
        other[:, self.blank] = 0
        other[:, self.digits] = 0
        alike = other * self.known[None, :]
        rest = (other - alike).sum(1)
        share = digits / np.maximum(digits.sum(1, keepdims=True), 1e-12)
        q = np.concatenate([blank[:, None], digits + alike @ self.matrix + rest[:, None] * share], 1)
        return q / q.sum(1, keepdims=True)


def beam(q: np.ndarray, width: int = 12, cut: float = 1e-4) -> list[str]:
    """CTC prefix beam search over digits: the ``width`` likeliest strings, best
    first (digits below ``cut`` at a step are not tried there)."""
    beams = {"": (1.0, 0.0)}  # prefix -> (p ending in blank, p ending in a digit)
    for row in q:
        tried = [(DIGITS[d], float(row[d + 1])) for d in range(10) if row[d + 1] >= cut]
        grown: dict[str, tuple[float, float]] = {}
        for prefix, (pb, pn) in beams.items():
            b, n = grown.get(prefix, (0.0, 0.0))
            grown[prefix] = (b + (pb + pn) * float(row[0]), n)
            last = prefix[-1:] or None
            for digit, p in tried:
                if digit == last:  # a repeat collapses, unless a blank stood between
                    b, n = grown[prefix]
                    grown[prefix] = (b, n + pn * p)
                    b, n = grown.get(prefix + digit, (0.0, 0.0))
                    grown[prefix + digit] = (b, n + pb * p)
                else:
                    b, n = grown.get(prefix + digit, (0.0, 0.0))
                    grown[prefix + digit] = (b, n + (pb + pn) * p)
        kept = sorted(grown.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:width]
        scale = (kept[0][1][0] + kept[0][1][1]) or 1.0  # against underflow: only the order counts
        beams = {k: (b / scale, n / scale) for k, (b, n) in kept}
    return list(beams)


def log_likelihood(q: np.ndarray, text: str) -> float:
    """log P(text | q), the CTC forward algorithm over (blank, 0..9)."""
    if len(q) == 0:
        return 0.0 if not text else -1e9
    labels = [0]
    for ch in text:
        labels += [int(ch) + 1, 0]
    labels = np.array(labels)
    lq = np.log(np.maximum(q, FLOOR))[:, labels]
    skip = np.zeros(len(labels), bool)
    skip[2:] = (labels[2:] != 0) & (labels[2:] != labels[:-2])
    alpha = np.full(len(labels), -np.inf)
    alpha[0] = lq[0, 0]
    if len(labels) > 1:
        alpha[1] = lq[0, 1]
    for t in range(1, len(q)):
        step = alpha.copy()
        step[1:] = np.logaddexp(step[1:], alpha[:-1])
        step[2:] = np.where(skip[2:], np.logaddexp(step[2:], alpha[:-2]), step[2:])
        alpha = step + lq[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if len(labels) > 1 else alpha[-1])


def ranked(folded: list[np.ndarray], plausible, prior=None, top: int = 5) -> list[tuple[str, float]]:
    """The plausible strings over several crops of one span (their probabilities
    averaged), likeliest first, each with its share of the candidates' probability
    (0-1). ``prior(text)`` adds to a candidate's log score. [] when none is plausible."""
    candidates = {text for q in folded for text in beam(q)[:top] if text and plausible(text)}
    scores = {}
    for text in candidates:
        logs = np.array([log_likelihood(q, text) for q in folded])
        scores[text] = float(np.logaddexp.reduce(logs) - math.log(len(logs))) + (prior(text) if prior else 0.0)
    if not scores:
        return []
    total = np.logaddexp.reduce(np.array(list(scores.values())))
    order = sorted(scores, key=lambda text: (-scores[text], text))[:top]
    return [(text, math.exp(scores[text] - total)) for text in order]


def plausible_day(text: str) -> bool:
    return 1 <= len(text) <= 2 and 1 <= int(text) <= 31


def plausible_number(text: str) -> bool:
    """1 to 5 digits, not 0; a leading zero only in a number of two (``01/TB-BGH``)."""
    return 1 <= len(text) <= 5 and int(text) > 0 and (text[0] != "0" or len(text) <= 2)


def length_prior(glyphs: int, weight: float = 0.75):
    """A candidate loses ``weight`` per digit it differs from the ink blobs counted
    in the span; none where no blob was counted."""
    if not glyphs:
        return None
    return lambda text: -weight * abs(len(text) - glyphs)
