"""The prefetch between the parse workers and the index writer (ingest/batch.py)."""
from __future__ import annotations

import time

import pytest

from ingest.batch import prefetched


def test_order_kept_and_buffer_bounded():
    made = []

    def records():
        for i in range(500):
            made.append(i)
            yield {"text": "x" * 100, "i": i}

    seen = []
    for record in prefetched(records(), max_records=20, max_chars=10**9):
        if record["i"] == 0:
            time.sleep(0.2)  # the writer is busy: the producer may run ahead, but only so far
            assert len(made) <= 20 + 2
        seen.append(record["i"])
    assert seen == list(range(500))


def test_text_size_bounds_the_buffer():
    made = []

    def records():
        for i in range(50):
            made.append(i)
            yield {"text": "x" * 1000, "i": i}

    it = prefetched(records(), max_records=1000, max_chars=5000)
    next(it)
    time.sleep(0.2)
    assert len(made) <= 5 + 2
    assert [r["i"] for r in it] == list(range(1, 50))


def test_a_failure_in_the_workers_reaches_the_writer():
    def records():
        yield {"text": ""}
        raise RuntimeError("supervisor failed")

    it = prefetched(records())
    assert next(it) == {"text": ""}
    with pytest.raises(RuntimeError, match="supervisor failed"):
        next(it)
