"""Run the web interface: ``Serving`` opens the archive and serves its pages
under waitress, in one process per core, until stopped.

Binds 127.0.0.1 unless told otherwise: an office puts it behind its reverse proxy
(README). A page's work is Python under one interpreter lock, so one process
uses one core: the socket is opened once and ``workers`` processes, forked
after it, take turns accepting on it, each with its own archives (opened after
the fork: no connection or searcher is shared between processes) and one secret
key, so a form made by one is taken by another. Signed-in people are held in a
process's memory, so ``--sign-in`` serves from one process.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import socket

from .app import make_app
from .archives import Archives

DEFAULT_THREADS = 4  # a process: enough to overlap the disk and the server, few archives open


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def secret_key() -> bytes:
    """``$VANBAN_WEB_SECRET`` (the same on every server behind one proxy, so a
    sign-in and its forms survive a restart), else a fresh key each start."""
    value = os.environ.get("VANBAN_WEB_SECRET")
    return value.encode("utf-8") if value else secrets.token_bytes(32)


def build(target: str, sign_in: bool = False, threads: int = DEFAULT_THREADS, corrections: bool = False,
          key: bytes | None = None):
    """The application and the archives it lends (closed by the caller)."""
    archives = Archives(target, size=threads, sign_in=sign_in)
    return make_app(archives, secret_key=key or secret_key(), corrections=corrections), archives


def listening(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening (OSError: taken, or not ours)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def serve_forever(sock: socket.socket, make, threads: int, workers: int, proxy: str | None = None) -> None:
    """Serve on ``sock`` in ``workers`` processes, each running ``make()`` (the
    application and its archives, made after the fork) under waitress; with one
    worker, in this process. ``proxy``: the address of the office's reverse proxy,
    whose ``X-Forwarded-For`` names the person's machine (what sign-in limits count
    by); from anyone else the header is dropped."""
    if workers <= 1:
        _serve(sock, make, threads, proxy)
        return
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: its own archives, until the parent stops it
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                _serve(sock, make, threads, proxy)
            finally:
                os._exit(0)
        children.append(pid)
    # Stopped (Ctrl-C, or SIGTERM from a service manager): the workers stop with it.
    signal.signal(signal.SIGTERM, _stop)
    try:
        while children:
            pid, _ = os.wait()
            if pid in children:  # a worker ended: the others go on; all stop with the parent
                children.remove(pid)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def _serve(sock: socket.socket, make, threads: int, proxy: str | None = None) -> None:
    import waitress
    app, archives = make()
    behind = {"trusted_proxy": proxy, "trusted_proxy_headers": {"x-forwarded-for"},
              "trusted_proxy_count": 1} if proxy else {}
    try:
        waitress.serve(app, sockets=[sock], threads=threads, ident="vanban",
                       clear_untrusted_proxy_headers=True, channel_timeout=120, **behind)
    finally:
        archives.close()
