"""Which archive a command works on: a Whoosh index in a folder, or the archive on
a PostgreSQL server (``postgresql://user@host/db``). Both offer the same store
interface (add or replace, delete, search, lookup by path, symbol and citation
key, records), so commands do not know which they have."""
from __future__ import annotations

from .pgstore import ArchiveUnavailable, is_url

__all__ = ["ArchiveUnavailable", "open_store"]


def open_store(target: str, create: bool = False, work_folder: str | None = None, migrate: bool = False):
    """``migrate``: bring an archive on PostgreSQL of an older schema up to this one
    (``vanban init``); other commands stop and say so."""
    if is_url(target):
        import psycopg

        from .pgstore import PgStore, SchemaMismatch, _shown, plain_error
        from .trust import UnsafeFolder, check_folder, private_umask
        if create:
            private_umask()  # the work folder's caches: ours alone
        try:
            store = PgStore(target, folder=work_folder, create=create, migrate=migrate)
        except (FileNotFoundError, SchemaMismatch, UnsafeFolder) as exc:
            raise ArchiveUnavailable(str(exc)) from None
        except psycopg.Error as exc:
            raise ArchiveUnavailable(f"cannot use the archive at {_shown(target)}: {plain_error(exc, target)}") from None
        try:
            check_folder(store.folder)  # this machine's record cache: it decides what an ingest indexes
        except UnsafeFolder as exc:
            store.close()
            raise ArchiveUnavailable(str(exc)) from None
        return store
    from .store import IndexDamaged, IndexTooOld, WhooshStore
    from .trust import UnsafeFolder
    try:
        return WhooshStore(target, create=create)
    except (FileNotFoundError, IndexTooOld, IndexDamaged, UnsafeFolder) as exc:  # damaged: says how to repair it
        raise ArchiveUnavailable(str(exc)) from None
