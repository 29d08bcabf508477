"""One hit per document: files that hold the same document are shown once.

Two files hold the same document when
- their texts hash the same (the record's ``text_hash``, made at ingest by
  ``ingest.fingerprint``: letters and digits only, folded), as a DOCX and the PDF
  printed from it, or a page saved twice, do; or
- they carry the same symbol, issuer and date (``identity``) and near-identical
  texts (``near_identical``): a PDF whose page numbers sit in its text, a copy
  with a line retyped. Two documents sharing a number by mistake, or a decision
  and its attachment saved apart, differ in their words and are kept apart.

A record without a hash (written by an older vanban, or with too little text) is
a document of its own. Each backend groups its matches by hash over all of them
(so its count is of documents, exactly) and keeps the best-ranked copy of each;
comparing texts costs a read of each, so ``merge_near`` does it for a window of
the best-ranked (``window_for``), and the count says "about" when copies of one
identity lie beyond it (``identity_extras`` against what the window examined).

Searches only, for now. ``graph.cites`` counts citing files from the postings of
the citation keys, loading no record but those it lists: folding copies there
needs each backend's ``citing_keys`` to give the text hash of each citing file
(a column read on Whoosh, a column on PostgreSQL), a change to the ``Archive``
contract left for when the symbol work on ``graph.py`` has landed. ``stats``
counts files on purpose (failed files, files waiting for OCR are files).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.fingerprint import words

from .analysis import symbol_term

SHINGLE = 4          # words per shingle
NEAR_SHARE = 0.8     # shingles shared (of both texts' together) for near-identical texts
NEAR_LENGTH = 0.8    # the shorter text has at least this share of the longer's words


def window_for(limit: int) -> int:
    """The best-ranked documents (one per hash) examined for near-identical ones:
    enough to fill ``limit`` hits when some of them fold into others."""
    return 2 * limit + 5


class Window:
    """The ranked documents to show and compare, taken best first: copies fold only
    into a better-ranked one of the same identity, so once ``limit`` identities are
    in (each document without one counting alone) the first ``limit`` hits are
    settled, whatever folds. Taking stops there, or at ``window_for(limit)``.
    Identities are any hashable value, ``None`` or 0 for none. Not ``early``: taking
    goes on to ``window_for(limit)`` whatever the identities (copies among the
    candidates are all compared, and a count can stay exact)."""

    def __init__(self, limit: int, early: bool = True) -> None:
        self.limit, self.most = (limit if early else window_for(limit)), window_for(limit)
        self.taken = 0
        self.seen: set = set()
        self.distinct = 0

    def take(self, ident) -> None:
        self.taken += 1
        if not ident or ident not in self.seen:
            self.distinct += 1
            self.seen.add(ident)

    @property
    def full(self) -> bool:
        return self.distinct >= self.limit or self.taken >= self.most


def identity(symbol: str | None, issuer_key: str | None, date: str | None) -> str | None:
    """``symbol|issuer|date`` as the archive spells them (the symbol's index term,
    the day); None when one of them is missing, the day included (a date read to
    its month only): nothing to say two files agree."""
    symbol, day = symbol_term(symbol or ""), (date or "")[:10]
    return f"{symbol}|{issuer_key}|{day}" if symbol and issuer_key and len(day) == 10 else None


def record_identity(record: dict) -> str | None:
    return identity(record.get("symbol"), record.get("issuer_key"), record.get("date"))


def _shingles(text: str) -> tuple[set[int], int]:
    found = words(text)
    return {hash(tuple(found[i:i + SHINGLE])) for i in range(max(1, len(found) - SHINGLE + 1))}, len(found)


def near_identical(a: str | None, b: str | None) -> bool:
    """Similar length (in words) and most word shingles shared (Jaccard)."""
    if not a or not b:
        return False
    (sa, na), (sb, nb) = _shingles(a), _shingles(b)
    if min(na, nb) < NEAR_LENGTH * max(na, nb):
        return False
    return len(sa & sb) >= NEAR_SHARE * len(sa | sb)


@dataclass
class Copy:
    """A ranked document, one per text hash: the backend's number for it, its file,
    its identity, and the other files of the same text (``also``)."""

    ref: int
    path: str
    identity: str | None
    also: list[str] = field(default_factory=list)


def merge_near(ranked: list[Copy], text_of: Callable[[list[int]], dict[int, str | None]]) -> tuple[list[Copy], int]:
    """The ranked copies with each near-identical to a better-ranked one of the same
    identity folded into it (its files join that one's ``also``), and how many
    copies shared an identity with a better-ranked one (all compared: what
    ``identity_extras`` must equal for a count to be exact). ``text_of`` gives
    the texts of the documents it is asked, read only where identities meet."""
    seen: dict[str, int] = {}
    for copy in ranked:
        if copy.identity:
            seen[copy.identity] = seen.get(copy.identity, 0) + 1
    shared = [c.ref for c in ranked if c.identity and seen[c.identity] > 1]
    texts = text_of(shared) if shared else {}
    kept: list[Copy] = []
    for copy in ranked:
        into = next((k for k in kept if copy.identity and k.identity == copy.identity
                     and near_identical(texts.get(k.ref), texts.get(copy.ref))), None)
        if into is None:
            kept.append(copy)
        else:
            into.also = sorted({*into.also, copy.path, *copy.also})
    return kept, sum(n - 1 for n in seen.values())
