"""Finding the documents under the paths a user names."""
from __future__ import annotations

import os
from typing import Iterable, Iterator

from .readers import SUPPORTED


def _skipped(name: str) -> bool:
    # Hidden files, Office lock files (``~$x.docx``) and editor leftovers.
    return name.startswith((".", "~$", "~")) or name.endswith(("~", ".tmp", ".part"))


def expand_paths(paths: Iterable[str]) -> Iterator[str]:
    """Files as named; folders walked recursively for supported extensions, sorted."""
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not _skipped(name) and os.path.splitext(name)[1].lower() in SUPPORTED:
                        yield os.path.join(root, name)
        else:
            yield path
