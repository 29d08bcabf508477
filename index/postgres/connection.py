"""Connections to the archive's server: the settings every connection and
transaction pins, the statement timeout, and errors told in one line with no
password in them.
"""
from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import unquote

from ..archive import ArchiveUnavailable, first_line

DEFAULT_STATEMENT_TIMEOUT = 30.0
CLIENT_CHECK_MS = 1000  # how often a running statement checks that its client is still there


class SchemaMismatch(Exception):
    """The database holds an archive of another vanban version, or none."""


def statement_timeout() -> float:
    """Seconds a statement may run: ``$VANBAN_PG_STATEMENT_TIMEOUT``, else 30 (0: no limit)."""
    text = os.environ.get("VANBAN_PG_STATEMENT_TIMEOUT", "").strip()
    try:
        seconds = float(text) if text else DEFAULT_STATEMENT_TIMEOUT
    except ValueError:
        seconds = -1.0
    if not (0 <= seconds < 10**7):
        raise ArchiveUnavailable(f"VANBAN_PG_STATEMENT_TIMEOUT must be a number of seconds (0: no limit), not {text!r}")
    return seconds


def settings_sql(local: bool = False, timeout: float | None = None) -> str:
    """What every connection of ours runs first (and every transaction again, for
    a pooler that hands transactions to any server connection): names resolve in
    ``pg_catalog`` only, whatever the URL's ``options`` or the role's settings say;
    no JIT (compiling a long query's plan took longer than running it); a
    statement stops after ``timeout`` seconds, and as soon as its client is gone."""
    scope = "SET LOCAL" if local else "SET"
    seconds = statement_timeout() if timeout is None else timeout
    return "; ".join([f"{scope} search_path = pg_catalog, pg_temp", f"{scope} jit = off",
                      f"{scope} statement_timeout = {max(1, round(seconds * 1000)) if seconds else 0}",
                      f"{scope} client_connection_check_interval = {CLIENT_CHECK_MS}"])


def plain_error(exc: Exception, url: str) -> str:
    """The first line of a psycopg error, any password of ``url`` masked (libpq's
    messages may quote the connection string)."""
    text = first_line(exc)
    for secret in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text if len(text) <= 300 else text[:300] + "…"  # a message may quote the whole query


def _passwords(url: str) -> set[str]:
    found = set()
    _, _, rest = url.partition("://")
    credentials = rest.split("/", 1)[0].rpartition("@")[0]
    if ":" in credentials:
        found.add(credentials.split(":", 1)[1])
    found.update(m.group(1) for m in re.finditer(r"[?&]password=([^&]*)", url))
    found |= {unquote(secret) for secret in found}
    return {secret for secret in found if secret}


def shown_url(url: str) -> str:
    """The URL without its password (in its user part or as a parameter), for messages."""
    head, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        rest = credentials.split(":")[0] + "@" + host
    rest = re.sub(r"([?&]password=)[^&]*", r"\1***", rest)
    return head + sep + rest


def default_work_folder(url: str) -> str:
    """This machine's caches for an archive on a server: ``$VANBAN_CACHE`` or
    ``~/.cache/vanban/``, one folder per server and database."""
    base = os.environ.get("VANBAN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "vanban")
    folder = os.path.join(base, "pg-" + hashlib.sha256(shown_url(url).encode()).hexdigest()[:12])
    # Its record cache decides what an ingest indexes (clearance included): ours alone.
    os.makedirs(base, mode=0o700, exist_ok=True)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder
