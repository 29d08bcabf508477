"""A worker's sign of life during long work (OCR of a 100-page scan): the batch
supervisor stops a file only when it has made no progress for its timeout."""
from __future__ import annotations

from collections.abc import Callable

_beat: Callable[[], None] | None = None


def set_heartbeat(beat: Callable[[], None] | None) -> None:
    global _beat
    _beat = beat


def still_working() -> None:
    if _beat is not None:
        _beat()
