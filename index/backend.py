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
        try:
            return PgStore(target, folder=work_folder, create=create, migrate=migrate)
        except (FileNotFoundError, SchemaMismatch) as exc:
            raise ArchiveUnavailable(str(exc)) from None
        except psycopg.Error as exc:
            raise ArchiveUnavailable(f"cannot use the archive at {_shown(target)}: {plain_error(exc, target)}") from None
    from .store import IndexTooOld, WhooshStore
    try:
        return WhooshStore(target, create=create)
    except (FileNotFoundError, IndexTooOld) as exc:
        raise ArchiveUnavailable(str(exc)) from None
