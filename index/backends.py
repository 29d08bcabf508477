"""Which archive a command works on: a Whoosh index in a folder, or the archive on
a PostgreSQL server (``postgresql://user@host/db``). Both implement
``archive.Archive``, so the commands do not know which they have. This module
is the one place that knows both backends; neither knows it.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from .archive import NOTHING_TO_REPAIR, ArchiveUnavailable, is_url
from .trust import UnsafeFolder, check_folder, private_umask

__all__ = ["ArchiveUnavailable", "failure_line", "open_archive", "open_for_writing", "shown_target"]


def shown_target(target: str) -> str:
    """An archive as messages name it: a folder as given, a URL without any password."""
    if not is_url(target):
        return target
    from .postgres.connection import shown_url
    return shown_url(target)


def open_archive(target: str, create: bool = False, work_folder: str | None = None, migrate: bool = False):
    """The archive at ``target``; ``migrate``: bring an archive on PostgreSQL of an
    older schema up to this one (``vanban init``); other commands stop and say so."""
    if is_url(target):
        return _open_postgres(target, create, work_folder, migrate)
    from .whoosh.store import IndexDamaged, IndexTooOld, WhooshStore
    try:
        return WhooshStore(target, create=create)
    except (FileNotFoundError, IndexTooOld, IndexDamaged, UnsafeFolder) as exc:  # damaged: says how to repair it
        raise ArchiveUnavailable(str(exc)) from None


def _open_postgres(url: str, create: bool, work_folder: str | None, migrate: bool):
    import psycopg

    from .postgres.connection import SchemaMismatch, plain_error, shown_url
    from .postgres.store import PgStore
    if create:
        private_umask()  # the work folder's caches: ours alone
    try:
        store = PgStore(url, folder=work_folder, create=create, migrate=migrate)
    except (FileNotFoundError, SchemaMismatch, UnsafeFolder) as exc:
        raise ArchiveUnavailable(str(exc)) from None
    except psycopg.Error as exc:
        raise ArchiveUnavailable(f"cannot use the archive at {shown_url(url)}: {plain_error(exc, url)}") from None
    try:
        check_folder(store.folder)  # this machine's record cache: it decides what an ingest indexes
    except UnsafeFolder as exc:
        store.close()
        raise ArchiveUnavailable(str(exc)) from None
    return store


@contextmanager
def open_for_writing(target: str, wait: bool, report, repair: bool = False):
    """The archive an ingest writes to. A Whoosh index has one writer at a time (its
    lock, which ``wait`` waits for) and may need a rebuild first; the archive on
    PostgreSQL takes many writers at once, each document in a transaction of its
    own, and keeps this machine's caches in a folder of its own."""
    if is_url(target):
        if repair:
            raise ValueError(NOTHING_TO_REPAIR)
        store = open_archive(target, create=True)
        os.makedirs(store.folder, exist_ok=True)
        try:
            yield store
        finally:
            store.close()
        return
    from .whoosh.writing import open_for_writing as open_whoosh
    with open_whoosh(target, wait, report, repair) as store:
        yield store


def failure_line(exc: BaseException, target: str) -> str | None:
    """One line for a failure of the archive at ``target`` met after it opened (a
    server error mid-command), without any password; None for anything else."""
    psycopg = sys.modules.get("psycopg")  # not imported: no server was asked
    if psycopg is None or not isinstance(exc, psycopg.Error) or not is_url(target):
        return None
    from .postgres.connection import plain_error, shown_url
    return f"the archive at {shown_url(target)} failed: {plain_error(exc, target)}"
