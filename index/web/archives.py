"""The archives the pages read, one request at a time each.

The contract: ``Archives.lend(person)`` is a context manager giving an open
``Archive`` that no other request uses until it is given back. An archive
opened by the server itself (a Whoosh folder, or a PostgreSQL URL naming its
role) is lent from a pool of up to ``size`` open copies, so requests in
parallel never share a searcher or a connection. With ``sign_in``, each person
signs in with their own database role (``sign_in``) and is lent the archive
opened as that role, so row-level security hides from the pages exactly what it
hides from that role's commands. A Whoosh archive refreshes its searcher when an
ingest has committed (``WhooshStore.searcher``), so pages see new documents.
"""
from __future__ import annotations

import queue
import secrets
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..backends import ArchiveUnavailable, open_archive, shown_target

IDLE_SIGN_OUT = 8 * 3600  # seconds a signed-in person's connection is kept without a request


class NotSignedIn(Exception):
    """A page asked for the archive of a person who has not signed in (or whose
    sign-in has expired)."""


@dataclass
class Person:
    """A signed-in person: their role's archive, and a lock so their own requests
    in parallel take turns on its one connection."""

    role: str
    store: object
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: float = field(default_factory=time.monotonic)


# Connection parameters a URL's query may carry that would speak for someone else:
# the server's own credentials must never stand in for a person's.
NOT_FROM_THE_URL = {"user", "password", "passfile", "service", "servicefile", "sslcert", "sslkey",
                    "sslpassword", "krbsrvname", "gssdelegation"}
CONNECT_TIMEOUT = 10  # seconds a sign-in may wait for the server


def url_as(url: str, role: str, password: str) -> str:
    """The archive's URL as this role with this password, and nothing else of the
    URL's that names who connects."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{host}{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in NOT_FROM_THE_URL | {"connect_timeout"}]
    query.append(("connect_timeout", str(CONNECT_TIMEOUT)))
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))


class RefusedSignIn(Exception):
    """The name and password do not open the archive as that person."""


class TooManySignIns(Exception):
    """Too many refused sign-ins lately for this name from this address (or from
    this address at all): tried again only after ``wait`` seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


# Refused sign-ins allowed in FAILURE_WINDOW seconds: for one role from one
# address, and from one address whatever the role (a guess at many names). The
# pair, not the role alone, so nobody can lock a colleague out from elsewhere.
FAILURES_PER_ROLE = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = 15 * 60


MAX_KEYS = 100_000  # names and addresses remembered at most: an attacker with many addresses fills no memory


class FailedSignIns:
    """Times of recent refused sign-ins by key, forgotten after the window:
    a password cannot be guessed through the sign-in page at speed. A role is
    keyed as PostgreSQL reads it (its first 63 bytes)."""

    def __init__(self) -> None:
        self._times: dict[tuple, deque] = {}
        self._lock = threading.Lock()

    def check(self, role: str, address: str) -> None:
        """TooManySignIns when either limit is reached."""
        now = time.monotonic()
        with self._lock:
            for key, most in (((_as_server_reads(role), address), FAILURES_PER_ROLE),
                              ((None, address), FAILURES_PER_ADDRESS)):
                times = self._recent(key, now)
                if len(times) >= most:
                    raise TooManySignIns(int(times[0] + FAILURE_WINDOW - now) + 1)

    def failed(self, role: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._times) >= MAX_KEYS:
                self._forget_old(now)
            for key in ((_as_server_reads(role), address), (None, address)):
                self._times.setdefault(key, deque()).append(now)

    def succeeded(self, role: str, address: str) -> None:
        with self._lock:
            self._times.pop((_as_server_reads(role), address), None)

    def _forget_old(self, now: float) -> None:
        """Every key whose refusals are all past the window; then, if still full,
        the oldest half (their holders start their count again)."""
        for key in [k for k, times in self._times.items() if not times or now - times[-1] > FAILURE_WINDOW]:
            del self._times[key]
        if len(self._times) >= MAX_KEYS:
            for key in sorted(self._times, key=lambda k: self._times[k][-1])[:len(self._times) // 2]:
                del self._times[key]

    def _recent(self, key: tuple, now: float) -> deque:
        times = self._times.get(key, deque())
        while times and now - times[0] > FAILURE_WINDOW:
            times.popleft()
        if not times:
            self._times.pop(key, None)
        return times


def _as_server_reads(role: str) -> str:
    """A role name as PostgreSQL takes it: cut to 63 bytes (NAMEDATALEN - 1)."""
    return role.encode("utf-8")[:63].decode("utf-8", "ignore")


# What a server says when it refuses a person (a wrong password, no such role, not
# allowed in), as against being out of reach or too busy: only these count.
REFUSALS = ("password authentication failed", "authentication failed", "does not exist", "no pg_hba.conf entry",
            "not permitted to log in")


def _refused(exc: Exception) -> bool:
    return any(said in str(exc) for said in REFUSALS)


class Archives:
    def __init__(self, target: str, size: int = 4, sign_in: bool = False, opener=open_archive) -> None:
        self.target, self.sign_in, self._open = target, sign_in, opener
        self._free: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._people: dict[str, Person] = {}
        self._people_lock = threading.Lock()
        self._failures = FailedSignIns()
        if not sign_in:
            self._free.put(opener(target))  # fails now, with its one line, not at the first page

    @property
    def shown(self) -> str:
        """The archive as messages name it: no password."""
        return shown_target(self.target)

    @contextmanager
    def lend(self, token: str | None):
        """The archive for this request: the signed-in person's (``token``), or one
        from the pool."""
        if self.sign_in:
            person = self._person(token)
            with person.lock:
                yield person.store
            return
        with self._slots:
            try:
                store = self._free.get_nowait()
            except queue.Empty:
                store = self._open(self.target)
            try:
                yield store
            finally:
                self._free.put(store)

    def _person(self, token: str | None) -> Person:
        with self._people_lock:
            self._expire()
            person = self._people.get(token or "")
            if person is None:
                raise NotSignedIn()
            person.seen = time.monotonic()
            return person

    def _expire(self) -> None:
        now = time.monotonic()
        for token, person in list(self._people.items()):
            if now - person.seen > IDLE_SIGN_OUT and person.lock.acquire(blocking=False):
                del self._people[token]
                person.store.close()
                person.lock.release()

    def sign_in_as(self, role: str, password: str, replacing: str | None = None, address: str = "") -> str:
        """A token for this person's session once the server has checked their
        password for their role (RefusedSignIn else: an empty password, a role the
        server does not take, or a connection it let in without a password, which
        would be the server's trust and not the person's). ``replacing``: the
        token of the session this sign-in ends. ``address``: where the request
        came from; TooManySignIns, without asking the server, after
        ``FAILURES_PER_ROLE`` refusals of this role from there (or
        ``FAILURES_PER_ADDRESS`` of any) in ``FAILURE_WINDOW`` seconds."""
        self._failures.check(role, address)
        try:
            token = self._signed_in(role, password, replacing)
        except RefusedSignIn:
            self._failures.failed(role, address)
            raise
        # ArchiveUnavailable (the server out of reach or full) is not the person's
        # failure: not counted, said as it is.
        self._failures.succeeded(role, address)
        return token

    def _signed_in(self, role: str, password: str, replacing: str | None) -> str:
        if not role or not password:
            raise RefusedSignIn()
        try:
            store = self._open(url_as(self.target, role, password))
        except ArchiveUnavailable as exc:
            if _refused(exc):
                raise RefusedSignIn() from None
            raise
        conn = getattr(store, "conn", None)
        if conn is None or not conn.pgconn.used_password or conn.info.user != role:
            store.close()
            raise RefusedSignIn()
        self.sign_out(replacing)
        token = secrets.token_urlsafe(32)
        with self._people_lock:
            self._people[token] = Person(role, store)
        return token

    def role_of(self, token: str | None) -> str | None:
        with self._people_lock:
            person = self._people.get(token or "")
            return person.role if person else None

    def sign_out(self, token: str | None) -> None:
        with self._people_lock:
            person = self._people.pop(token or "", None)
        if person is not None:
            with person.lock:
                person.store.close()

    def close(self) -> None:
        while not self._free.empty():
            self._free.get_nowait().close()
        for token in list(self._people):
            self.sign_out(token)


__all__ = ["Archives", "ArchiveUnavailable", "NotSignedIn", "RefusedSignIn", "TooManySignIns", "url_as"]
