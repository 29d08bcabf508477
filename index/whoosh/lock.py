"""One writer at a time on a Whoosh archive: an ingest, or a correction by hand
(``IngestLock``: a lock file the kernel drops if its holder dies)."""
from __future__ import annotations

import datetime as dt
import fcntl
import os
from typing import Self

from ..run import IndexBusy


class IngestLock:
    """An exclusive lock on ``<index>/ingest.lock``; the kernel drops it if we die."""

    def __init__(self, folder: str, wait: bool) -> None:
        self.path = os.path.join(folder, "ingest.lock")
        self.wait = wait
        self.handle = None

    def __enter__(self) -> Self:
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise IndexBusy(f"another ingest is writing to this index ({holder}); "
                            "wait for it to finish or run again with --wait") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        self.handle.truncate(0)
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
