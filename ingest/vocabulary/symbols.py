"""Number-and-symbol parsing and normalisation (``Số: 308/QĐ- UBND`` -> ``308/QĐ-UBND``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.vocabulary import regexes
from ingest.vocabulary.doctypes import TYPE_CODES, canonical_code, type_name
from ingest.vocabulary.textnorm import delatin_cyrillic, nfc

_SPLIT_CODES = re.compile(r"\s*[-_/.]\s*")


@dataclass(frozen=True)
class Symbol:
    symbol: str | None          # normalised; None when the number is blank
    number: str | None
    year: str | None
    type_code: str | None
    codes: list[str]
    as_printed: str


def _prepare(text: str) -> str:
    text = delatin_cyrillic(nfc(text))
    return re.sub("[\u2010-\u2015\u2212]", "-", text)


@lru_cache(maxsize=8192)
def parse_symbol(text: str) -> Symbol | None:
    """The first symbol at the start of ``text`` (leading spaces allowed). The result
    is shared between callers (cached): do not change it."""
    text = _prepare(text)
    stripped = text.lstrip()
    for parse in (_party, _old, _standard):
        found = parse(stripped)
        if found:
            return found
    return None


def _standard(text: str) -> Symbol | None:
    m = regexes.SYMBOL.match(text)
    if not m:
        return None
    codes = [canonical_code(c) for c in _SPLIT_CODES.split(m.group("codes")) if c]
    number, year = m.group("number"), m.group("year")
    first = codes[0]
    is_type = first in TYPE_CODES or (first.startswith("QH") and first[2:].isdigit())
    if year and not is_type and len(codes) > 1 and first in ("TT", "NĐ"):
        is_type = True
    type_code = first if is_type and (len(codes) > 1 or year or first.startswith("QH")) else None
    body = "-".join(codes)
    if year:
        body = f"{year}/{body}"
    return Symbol(
        symbol=f"{number}/{body}" if number else None,
        number=number, year=year, type_code=type_code, codes=codes, as_printed=m.group().strip(),
    )


def _party(text: str) -> Symbol | None:
    m = regexes.PARTY_SYMBOL.match(text)
    if not m:
        return None
    kind = canonical_code(m.group("type"))
    issuers = [canonical_code(c) for c in re.split(r"\s*[-/]\s*", m.group("issuer"))]
    if kind not in TYPE_CODES:
        return None
    return Symbol(f"{m.group('number')}-{kind}/" + "-".join(issuers), m.group("number"), None, kind,
                  [kind, *issuers], m.group())


def _old(text: str) -> Symbol | None:
    m = regexes.OLD_SYMBOL.match(text)
    if not m:
        return None
    codes = [canonical_code(c) for c in re.split(r"\s*/\s*", m.group("codes"))]
    unit = m.group("unit").upper()
    return Symbol(f"{m.group('number')}{unit}/" + "/".join(codes), m.group("number"), None,
                  None, [unit, *codes], m.group())


def normalize_symbol(text: str) -> str | None:
    """Any printed form -> the standard form, or None: ``308 /qđ-ubnd`` -> ``308/QĐ-UBND``."""
    parsed = parse_symbol(text)
    return parsed.symbol if parsed else None


def symbol_type(symbol: Symbol | None) -> str | None:
    return type_name(symbol.type_code) if symbol else None
