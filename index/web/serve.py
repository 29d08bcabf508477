"""Run the web interface: ``serve(target, host, port)`` opens the archive and
serves its pages under waitress until stopped.

Binds 127.0.0.1 unless told otherwise: an office puts it behind its reverse proxy
(README). Threads: a few more than cores, since a request waits on the disk or
the server as often as it computes.
"""
from __future__ import annotations

import ipaddress
import os

from .app import make_app
from .archives import Archives

DEFAULT_THREADS = 8


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def secret_key() -> bytes | None:
    """``$VANBAN_WEB_SECRET`` (the same on every server behind one proxy, so a
    sign-in and its forms survive a restart), else None: a fresh key each start."""
    value = os.environ.get("VANBAN_WEB_SECRET")
    return value.encode("utf-8") if value else None


def build(target: str, sign_in: bool = False, threads: int = DEFAULT_THREADS, corrections: bool = False):
    """The application and the archives it lends (closed by the caller)."""
    archives = Archives(target, size=threads, sign_in=sign_in)
    return make_app(archives, secret_key=secret_key(), corrections=corrections), archives


def serve(app, host: str, port: int, threads: int = DEFAULT_THREADS) -> None:
    import waitress
    waitress.serve(app, host=host, port=port, threads=threads, ident="vanban",
                   clear_untrusted_proxy_headers=True, channel_timeout=120)
