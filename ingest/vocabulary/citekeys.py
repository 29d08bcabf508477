"""The citation key: which document a citation names, as one string, built and read
here only.

``<symbol>|<issuer key>|<year>`` for a citation by number and symbol
(``308/QĐ-UBND|uy ban nhan dan phuong nguyen nghiem|2022``; issuer and year empty
where the text does not say them), ``<name key>|<year>`` for one by name alone (a
law: ``luat dat dai|2024``). The index spells the symbol by its own term
(``index.rows.key_term``) and groups ``cites`` answers by key.
"""
from __future__ import annotations

SEPARATOR = "|"


def symbol_key(symbol: str, issuer_key: str | None, year: str | int | None) -> str:
    return f"{symbol}{SEPARATOR}{issuer_key or ''}{SEPARATOR}{year or ''}"


def name_key(name: str | None, year: str | int | None) -> str:
    """``name``: the cited name folded (``issuers.folded_name``)."""
    return f"{name or ''}{SEPARATOR}{year or ''}"


def symbol_prefix(symbol: str) -> str:
    """What every key of this symbol starts with (to look the keys up by prefix)."""
    return symbol + SEPARATOR


def key_parts(key: str) -> tuple[str, str, str]:
    """``symbol|issuer|year`` -> its three parts (missing ones empty)."""
    symbol, issuer, year = (key.split(SEPARATOR) + ["", ""])[:3]
    return symbol, issuer, year


def split_symbol(key: str) -> tuple[str, str]:
    """The key's symbol and the rest after it (``''`` for a key of one part)."""
    symbol, _, rest = key.partition(SEPARATOR)
    return symbol, rest
