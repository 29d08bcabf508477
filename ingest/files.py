"""Finding the documents under the paths a user names, without reading any of them.

The walk looks at names and at ``stat`` only (which never blocks, not even on a
FIFO); file contents are read by the supervised parse workers alone. Of what
it meets under a named folder:

- a regular file of a type vanban reads is read; one of another type (``.xlsx``,
  ``.zip`` ...) is *skipped* and named in the report; hidden files and folders,
  Office lock files (``~$x.docx``) and editor leftovers are passed over silently;
- a FIFO, a socket or a device is *refused* (an ``error:`` line): reading one
  blocks or never ends;
- a symbolic link is followed only when its target lies inside the folders named
  on the command line (a file named on its own counts its folder), or with
  ``follow_links``; otherwise it is skipped, so a link such as ``notes.txt ->
  /srv/app/settings.conf`` never puts that file in the archive;
- a folder reached a second time (a link cycle) is skipped, once.

A path named on the command line that is not a folder is read as named (the
worker says why if it cannot be).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ingest.paths import stored
from ingest.readers.dispatch import SUPPORTED

OUTSIDE = "a link to outside the named folders (use --follow-links)"


def _skipped(name: str) -> bool:
    # Hidden files, Office lock files (``~$x.docx``) and editor leftovers.
    return name.startswith((".", "~$", "~")) or name.endswith(("~", ".tmp", ".part"))


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a file or folder"


@dataclass
class Intake:
    """What a walk found: ``files`` to read (paths as named, joined with the names
    found), ``skipped`` ({path, reason}: not read, not an error) and ``refused``
    ({path, error}: an error line each). Paths in the two lists are stored forms."""

    files: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append({"path": stored(path), "reason": reason})

    def refuse(self, path: str, error: str) -> None:
        self.refused.append({"path": stored(path), "error": error})


def find_files(paths: Iterable[str], follow_links: bool = False) -> Intake:
    """Walk ``paths`` (files and folders), folders recursively, each level sorted."""
    paths = list(paths)
    roots = [_root_of(p) for p in paths]
    intake, walked = Intake(), {}
    for path in paths:
        if os.path.isdir(path):
            _walk(path, intake, walked, roots, follow_links)
        elif os.path.islink(path) and not follow_links and not _inside(os.path.realpath(path), roots):
            intake.skip(path, OUTSIDE)
        else:
            _named_file(path, intake)
    return intake


def expand_paths(paths: Iterable[str]) -> Iterator[str]:
    """The files to read under ``paths`` (what ``find_files`` finds, no links out)."""
    yield from find_files(paths).files


def _root_of(path: str) -> str:
    """The folder a named path opens: itself, or a named file's folder."""
    path = os.path.abspath(path)
    return os.path.realpath(path if os.path.isdir(path) else os.path.dirname(path))


def _inside(target: str, roots: list[str]) -> bool:
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _named_file(path: str, intake: Intake) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG  # missing or unreadable: the worker says which, in its words
    if stat.S_ISREG(mode):
        intake.files.append(path)
    else:
        intake.refuse(path, f"not a regular file ({kind_of(mode)})")


def _walk(top: str, intake: Intake, walked: dict, roots: list[str], follow_links: bool) -> None:
    """Depth first, files of a folder before its subfolders (the order ``os.walk`` gave)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            key = (info.st_dev, info.st_ino)
            if key in walked:  # a link cycle, a second link to a folder, a folder named twice
                what = "a link to a folder" if os.path.islink(folder) else "a folder"
                intake.skip(folder, f"{what} walked already as {stored(walked[key])}")
                continue
            walked[key] = folder
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            intake.refuse(folder, f"cannot read the folder ({exc.strerror})")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            mode = _mode(entry, intake, roots, follow_links)
            if mode is None:
                continue
            if stat.S_ISDIR(mode):
                subfolders.append(entry.path)
            else:
                _found_file(entry, mode, intake)
        stack.extend(reversed(subfolders))


def _mode(entry: os.DirEntry, intake: Intake, roots: list[str], follow_links: bool) -> int | None:
    """The entry's type (a link's target's), or None when it is skipped or refused here."""
    try:
        if not entry.is_symlink():
            return entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:  # gone since the folder was listed
        intake.refuse(entry.path, f"cannot read it ({exc.strerror})")
        return None
    if not follow_links and not _inside(os.path.realpath(entry.path), roots):
        intake.skip(entry.path, OUTSIDE)
        return None
    try:
        return os.stat(entry.path).st_mode
    except OSError as exc:
        intake.refuse(entry.path, f"a broken link ({exc.strerror})")
        return None


def _found_file(entry: os.DirEntry, mode: int, intake: Intake) -> None:
    if _skipped(entry.name):
        return
    if not stat.S_ISREG(mode):
        intake.refuse(entry.path, f"not a regular file ({kind_of(mode)})")
        return
    ext = os.path.splitext(entry.name)[1].lower()
    if ext in SUPPORTED:
        intake.files.append(entry.path)
    else:
        intake.skip(entry.path, f"type not read ({ext or 'no extension'})")
