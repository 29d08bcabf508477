"""Who may write an index folder: its owner alone.

An index folder is trusted data, like a database's data directory: Whoosh keeps
its table of contents and segment descriptions as pickles, which run code when
loaded, and the parsed-record cache beside them decides what each document
says (its clearance included). So vanban opens a folder only when nobody but
its owner can change it:

- the folder, each entry in it and each entry of its subfolders (``records/``,
  ``postings/``, ``ocr/``, Whoosh's temporary folders), one level down, is
  writable by neither group nor others (an ACL granting anyone write shows as the
  group write bit, so it is refused too). The record and OCR files below that
  level are checked as they are read (``cache.RecordCache``);
- group write is allowed for a user's private group (a group whose only member,
  as primary group or listed, is the owner: the Debian/Fedora "user private
  group" scheme, where umask 002 is common), as Debian's OpenSSH allows it;
- the folders above it cannot be changed by others either (else they could move
  the folder away and put their own in its place), except where the sticky bit
  keeps others from renaming what is not theirs (``/tmp``); there, the first
  folder below must be ours or root's (a folder someone else made in ``/tmp``
  beforehand is not opened);
- the owner may be another user: a colleague reading the archivist's folder
  trusts the archivist, as they would trust the archive's database owner.

The one check, ``check_folder``, runs at every open of an index folder and of a
PostgreSQL archive's work folder; ``private_umask`` makes what an ingest writes
(the folder, Whoosh's files, the arrays, the caches) writable by its owner only,
whatever the user's umask, while keeping it readable where the umask says so.
"""
from __future__ import annotations

import functools
import grp
import os
import pwd
import stat

OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH


class UnsafeFolder(PermissionError):
    """Someone other than the owner can write the index folder (or a folder above it)."""


def private_umask() -> None:
    """From now on this process creates nothing group- or world-writable."""
    os.umask(os.umask(0) | 0o022)


def _private_group(info: os.stat_result) -> bool:
    return _is_private_group(info.st_gid, info.st_uid)


@functools.lru_cache(maxsize=64)
def _is_private_group(gid: int, uid: int) -> bool:
    """Whether the group holds the owner and nobody else (as primary group or listed
    member): then group write is the owner's own."""
    try:
        group = grp.getgrgid(gid)
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        return False
    members = set(group.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return members == {owner}


def writable_by_others(info: os.stat_result) -> bool:
    if info.st_mode & stat.S_IWOTH:
        return True
    return bool(info.st_mode & stat.S_IWGRP) and not _private_group(info)


def _refuse(folder: str, what: str, path: str, fix: str) -> UnsafeFolder:
    return UnsafeFolder(f"refusing to open the folder {folder}: {what} {path} can be written by other "
                        f"users, who could make vanban run code of theirs or change its records; {fix}")


def _check_ancestors(real: str, folder: str) -> None:
    child = real
    while os.path.dirname(child) != child:
        parent = os.path.dirname(child)
        info = os.stat(parent)
        if info.st_mode & stat.S_ISVTX and writable_by_others(info):
            if os.stat(child).st_uid not in (0, os.geteuid()):  # someone else's, made in /tmp or the like
                raise UnsafeFolder(f"refusing to open the folder {folder}: {child} belongs to another "
                                   f"user in the shared folder {parent}; use a folder of your own")
        elif writable_by_others(info):
            raise _refuse(folder, "the folder above it,", parent, f"run 'chmod go-w {parent}' or move the index")
        child = parent


def _entries_writable_by_others(path: str):
    """The first entry of ``path`` (a folder) that others can write, or None."""
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                if writable_by_others(entry.stat()):
                    return entry
            except FileNotFoundError:  # a dangling link, or a temporary file just removed
                continue
    return None


def check_folder(folder: str) -> None:
    """Raise ``UnsafeFolder`` (one line, with the fix) unless only the folder's owner
    can change it or anything an open reads; a folder that does not exist passes."""
    real = os.path.realpath(folder)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return
    fix = f"run 'chmod -R go-w {folder}' if you trust what is in it"
    if writable_by_others(info):
        raise _refuse(folder, "the folder", folder, f"run 'chmod go-w {folder}' if you trust what is in it")
    _check_ancestors(real, folder)
    found = _entries_writable_by_others(real)
    if found is not None:
        raise _refuse(folder, "the entry", found.path, fix)
    with os.scandir(real) as entries:
        subfolders = [entry.path for entry in entries if entry.is_dir()]
    for path in subfolders:
        try:
            found = _entries_writable_by_others(path)
        except FileNotFoundError:  # Whoosh's temporary folder of an ingest, just removed
            continue
        if found is not None:
            raise _refuse(folder, "the entry", found.path, fix)


def make_private_folder(folder: str, mode: int = 0o755) -> None:
    """Create ``folder`` (and missing parents) writable by its owner only, and take
    group and world write off it where we own it: a folder an ingest just made under a
    umask of 002, with only the ingest's lock file in it yet."""
    private_umask()
    os.makedirs(folder, mode=mode, exist_ok=True)
    for path in (folder, os.path.join(folder, "ingest.lock")):
        try:
            info = os.stat(path)
        except FileNotFoundError:
            continue
        if info.st_uid == os.geteuid() and info.st_mode & OTHERS_WRITE:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~OTHERS_WRITE)
