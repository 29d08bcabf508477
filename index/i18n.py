"""What people read, in their language: gettext catalogs through Babel.

The contract: messages are written in English in the code (``_("Signer")``) and
translated by the catalogs in ``index/locale/<lang>/LC_MESSAGES/*.po`` (every
``.po`` file of a language is one catalog: ``terminal.po`` for what the commands
print, ``web.po`` for the pages). The catalogs are read as text and compiled in
memory at first use, so no compiled ``.mo`` file can fall out of step with them.

The language is a context variable: the command line takes it from the
environment as gettext does (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``;
Vietnamese for ``vi*``, else English); the web sets it for each request
(``using``). ``_`` translates in the current language; ``N_`` only marks a
message for the catalogs where it is translated later (tables of labels).

This module is a consumer's helper like ``terminal``: the neutral layer of the
index does not use it (it speaks data, not words).
"""
from __future__ import annotations

import contextvars
import functools
import glob
import io
import os
from contextlib import contextmanager

LANGUAGES = ("vi", "en")
DEFAULT_WEB = "vi"  # the pages speak Vietnamese unless a person switches
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")

_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("vanban_language", default=None)


def language_from_env(environ=None) -> str:
    """The language gettext would choose from the environment: the first of
    LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set; 'vi' for Vietnamese, else 'en'."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            first = value.split(":")[0]
            return "vi" if first.lower().startswith("vi") else "en"
    return "en"


def current() -> str:
    """The language of what is being said now."""
    return _language.get() or language_from_env()


@contextmanager
def using(lang: str):
    """Speak ``lang`` (one of LANGUAGES) inside the block."""
    token = _language.set(lang if lang in LANGUAGES else DEFAULT_WEB)
    try:
        yield
    finally:
        _language.reset(token)


def enter(lang: str):
    """Speak ``lang`` until ``leave`` with the token this returns (a web request's
    span, which no ``with`` block encloses)."""
    return _language.set(lang if lang in LANGUAGES else DEFAULT_WEB)


def leave(token) -> None:
    _language.reset(token)


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on in this context (a command's ``--lang``)."""
    _language.set(lang if lang in LANGUAGES else "en")


@functools.lru_cache(maxsize=None)
def translations(lang: str):
    """The catalog of ``lang`` (English: the messages as written)."""
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations
    files = sorted(glob.glob(os.path.join(LOCALE_DIR, lang, "LC_MESSAGES", "*.po")))
    if not files:
        return gettext.NullTranslations()
    merged = None
    for path in files:
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=lang)
        if merged is None:
            merged = catalog
        else:
            for message in catalog:
                if message.id:
                    merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogs; translated where it is shown (``_``)."""
    return message


gettext = _


def shown_date(iso: str | None) -> str:
    """A date as people write it in the current language: Vietnamese as Nghị định
    30/2020 writes it (a day below 10 and the months 1 and 2 with a leading zero:
    ``04/3/2024``, ``15/02/2024``); English as stored (``2024-03-04``). A partial
    date (``2024-03``, ``2024``) is shown as far as it goes; anything else as given."""
    if not iso:
        return ""
    parts = iso.split("-")
    if current() != "vi" or not all(p.isdigit() for p in parts) or len(parts) > 3:
        return iso
    year, *rest = parts
    month = int(rest[0]) if rest else None
    shown_month = f"{month:02d}" if month in (1, 2) else str(month) if month else None
    if len(rest) == 2:
        return f"{int(rest[1]):02d}/{shown_month}/{year}"
    return f"{shown_month}/{year}" if shown_month else year


def plain_number(value: float | int) -> str:
    """A number as a program reads it back: no grouping, a point, never an exponent
    (``1234567``, ``98.6``, ``-3.5``), at most six decimals."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def shown_number(value: float | int | None) -> str:
    """A number with the current language's separators: ``1.250,5`` in Vietnamese,
    ``1,250.5`` in English."""
    if value is None:
        return ""
    from babel.numbers import format_decimal
    return format_decimal(value, locale="vi" if current() == "vi" else "en")
