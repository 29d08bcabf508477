"""Cited documents in the body: find symbols, then resolve type, date, issuer and
subject around each, in the manner of eyecite (find -> resolve -> annotate).

``Quyết định số 308/QĐ- UBND ngày 27/01/2022 của UBND phường Nguyễn Nghiêm về
việc ban hành Kế hoạch cải cách hành chính phường giai đoạn 2021-2030``
"""
from __future__ import annotations

import re

from ingest.extract.parts import part_at
from ingest.models import Citation, Part
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.citekeys import name_key, symbol_key
from ingest.vocabulary.dates import iso_date
from ingest.vocabulary.doctypes import TYPE_CODES, match_type_name, type_name
from ingest.vocabulary.issuers import body_of_symbol, canonical_body, folded_name, issuer_code
from ingest.vocabulary.symbols import parse_symbol
from ingest.vocabulary.textnorm import delatin_cyrillic, squash

LOOKBACK = 120      # characters before a symbol searched for its type
WINDOW = 220        # characters after a symbol searched for date, issuer, subject
SUBJECT_MAX = 300

_ABBREVIATED = {"QĐ": "Quyết định", "NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch",
                "NQ": "Nghị quyết", "CT": "Chỉ thị", "KH": "Kế hoạch", "CV": "Công văn"}
_BACK_REFERENCE = re.compile(r"\b(?:nêu\s+trên|này|trên)\s*$", re.I)


def _type_of(before: str) -> tuple[str | None, str | None, int | None]:
    """(type, law name, where the type word starts in ``before``)."""
    m = rx.NAMED_BEFORE.search(before)
    if m:
        return type_name_of(m.group("type")), squash(f"{m.group('type')} {m.group('name')}"), m.start()
    m = rx.TYPE_BEFORE.search(before)
    if m:
        return type_name_of(m.group("type")), None, m.start()
    return None, None, None


def _typed(text: str, m: re.Match) -> tuple[str | None, str | None, int]:
    """(type, law name, where the citation begins: its type word, else its symbol)."""
    before = text[max(0, m.start() - LOOKBACK):m.start()]
    kind, name, at = _type_of(before)
    return kind, name, m.start() - (len(before) - at) if at is not None else m.start()


def type_name_of(word: str) -> str:
    word = squash(word)
    if word.upper() in _ABBREVIATED:
        return _ABBREVIATED[word.upper()]
    if word.lower() == "văn bản":
        return "Công văn"
    found = match_type_name(word)
    return found[0] if found else word[0].upper() + word[1:].lower()


# Where a citation's subject ends: a semicolon, a full stop before a new sentence,
# a new item or paragraph, or a comma before the subject of the main clause
# (``..., UBND phường Phổ Ninh báo cáo ...``).
_CLAUSE_END = re.compile(
    r";|\.\s+(?=[A-ZĐÀ-Ỹ])|\n\s*[-+•]|\n\s*\d+[.)]|\n\n"
    r"|,\s+(?=(?:UBND|HĐND|Ủy\s+ban|Uỷ\s+ban|Sở|Phòng|Ban|Bộ|Trường|Văn\s+phòng|Chính\s+phủ|Thủ\s+tướng)\s)"
)
_LIST_TAIL = re.compile(r"[\s,;]*(?:\bvà|\bhoặc|\bcác|\bvới)?[\s,;]*$")


def _clause_end(text: str, start: int, limit: int) -> int:
    m = _CLAUSE_END.search(text, start, limit)
    return m.start() if m else limit


def _resolve(text: str, cite: Citation, after: int, limit: int, next_cite: int) -> int:
    """Date, issuer and subject after the symbol; returns where the citation ends."""
    pos = after
    window = text[pos:limit]
    for _ in range(2):  # the date and the issuer come in either order
        m = rx.CITE_DATE.match(window)
        if m and cite.date is None:
            g = m.groupdict()
            cite.date = iso_date(g["y1"] or g["y2"], g["m1"] or g["m2"], g["d1"] or g["d2"])
            pos += m.end()
            window = text[pos:limit]
            continue
        m = rx.CITE_ISSUER.match(window)
        if m and cite.issuer is None:
            cite.issuer = squash(m.group("issuer"))
            pos += m.end()
            window = text[pos:limit]
            continue
        break
    m = re.match(r"^[\s,]*(?=\S)", window)
    lead = m.end() if m else 0
    subject = rx.SUBJECT_MARK.match(window, lead)
    if subject:
        begin = pos + subject.end() if re.match(r"về|v/v", subject.group(), re.I) else pos + subject.start()
        end = _clause_end(text, begin, min(len(text), begin + SUBJECT_MAX, max(begin, next_cite)))
        subject = text[begin:end]
        cite.subject = squash(_LIST_TAIL.sub("", subject) if end == next_cite else subject).strip(" ,:;.") or None
        pos = end
    return pos


def _issues(subject: str | None) -> list[dict]:
    if not subject:
        return []
    m = rx.ISSUES.search(subject)
    if not m:
        return []
    return [{"type": type_name_of(m.group("type")), "title": squash(m.group("title")).strip(" ,.;") or None}]


def find_citations(text: str, parts: list[Part], own_symbol: str | None = None,
                   own_issuer: str | None = None, own_parent: str | None = None) -> list[Citation]:
    matches = list(rx.CITE_SYMBOL.finditer(delatin_cyrillic(text)))  # same length: offsets hold
    typed = [_typed(text, m) for m in matches]  # each citation's start also bounds the one before
    out: list[Citation] = []
    prev: Citation | None = None
    prev_symbol_end = 0  # where the previous symbol ended: lists share its type
    for i, m in enumerate(matches):
        parsed = parse_symbol(m.group())
        if not parsed or not parsed.symbol:
            continue
        kind, name, start = typed[i]
        listed = prev is not None and rx.LIST_BETWEEN.match(text[prev_symbol_end:m.start()])
        if kind is None and listed:
            kind = prev.type
        if kind is None and not _looks_cited(parsed, text[max(0, m.start() - LOOKBACK):m.start()]):
            continue
        if parsed.symbol == own_symbol:
            continue
        nxt = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        next_cite = typed[i + 1][2] if i + 1 < len(matches) else len(text)
        cite = Citation(type=kind or type_name(parsed.type_code), symbol=parsed.symbol,
                        number=parsed.number, date=None, issuer=None, issuer_key=None, subject=None,
                        text="", start=start, end=m.end(), name=name)
        cite.end = _resolve(text, cite, m.end(), min(nxt, m.end() + WINDOW, len(text)), next_cite)
        if listed and prev is not None and prev.date is None and cite.date:
            prev.date = cite.date  # ``các Quyết định số 12/QĐ-UBND, 13/QĐ-UBND ngày ...``
        out.append(cite)
        prev, prev_symbol_end = cite, m.end()
    out += _laws_by_date(text, out)
    out.sort(key=lambda c: c.start)
    for cite in out:
        _annotate(cite, text, parts, own_symbol, own_issuer, own_parent)
    return out


def _looks_cited(parsed, before: str) -> bool:
    """A symbol with no type word before it still counts when its form says what it is."""
    if _BACK_REFERENCE.search(before):
        return False
    return bool(parsed.type_code or parsed.year or "-" in parsed.symbol.split("/")[0])


def _laws_by_date(text: str, found: list[Citation]) -> list[Citation]:
    taken = [(c.start, c.end) for c in found]
    out = []
    for m in rx.LAW_BY_DATE.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or re.search(r"\bsố\b", m.group("name")):
            continue
        out.append(Citation(type=type_name_of(m.group("type")), symbol=None, number=None,
                            date=iso_date(m.group("y"), m.group("m"), m.group("d")), issuer=None,
                            issuer_key=None, subject=None, text="", start=m.start(), end=m.end(),
                            name=squash(f"{m.group('type')} {m.group('name')}")))
    return out


def _annotate(cite: Citation, text: str, parts: list[Part], own_symbol: str | None,
              own_issuer: str | None, own_parent: str | None = None) -> None:
    """The citation's words, part, issues, issuer and key. An issuer not printed is
    inferred (``issuer_inferred``) from the document's own where the symbol is in
    its series, else from a central body's code (``214/2025/NĐ-CP``: Chính phủ), so
    the key is the one the same citation has with its issuer printed."""
    cite.text = squash(text[cite.start:cite.end])
    cite.part = part_at(parts, cite.start)
    cite.issues = _issues(cite.subject)
    parsed = parse_symbol(cite.symbol) if cite.symbol else None
    code = issuer_code(parsed.codes, parsed.type_code) if parsed else None
    body = canonical_body(cite.issuer, None, code)
    cite.issuer_key = body.key if body else None
    if cite.issuer is None and cite.symbol and own_symbol and own_issuer and _same_series(cite.symbol, own_symbol):
        cite.issuer_inferred = own_issuer
        body = canonical_body(own_issuer, own_parent, code)
    elif cite.issuer is None and parsed:
        central = body_of_symbol(parsed.codes, parsed.type_code)  # ``NĐ-CP``: the Government's
        if central:
            cite.issuer_inferred = central
            body = canonical_body(central)
    cite.issuer_name = body.name if body else None
    year = (parsed.year if parsed else None) or (cite.date[:4] if cite.date else None)
    if cite.symbol:
        cite.key = symbol_key(cite.symbol, body.key if body else None, year)
    elif cite.name:
        cite.key = name_key(folded_name(cite.name), year)


def _same_series(symbol: str, own: str) -> bool:
    """``16/KH-UBND`` is in the series of ``32/BC-UBND``: same issuer code, no year."""
    a, b = parse_symbol(symbol), parse_symbol(own)
    if not a or not b or a.year or b.year:
        return False
    return a.codes[-1] == b.codes[-1] and a.codes[-1] not in TYPE_CODES
