# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Files and links replaced in one step (a temporary beside them renamed over them), with their owner and mode: for
# _host_plan.py (the role's files and links) and _uv_venv.py (the files inside a venv generation).

from __future__ import annotations

import grp
import os
import pwd
import stat
import tempfile


def read_regular_file(path, cap):
    """The first cap bytes of the regular file at path, or None when there is none: never through a link, and never
    a FIFO, a socket or a device put in its place (opened O_NONBLOCK, checked with fstat before any read): what root
    reads in a tree someone else may have written."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, cap)
    except OSError:
        return None
    finally:
        os.close(fd)


def set_fd_ownership(fd, want):
    """Give the open file fd the owner, group and mode of want (those given)."""
    uid = pwd.getpwnam(want["owner"]).pw_uid if want.get("owner") else -1
    gid = grp.getgrnam(want["group"]).gr_gid if want.get("group") else -1
    if uid != -1 or gid != -1:
        os.fchown(fd, uid, gid)
    if want.get("mode"):
        os.fchmod(fd, int(want["mode"], 8))


def set_ownership(path, want):
    """Give path (a file or a directory, never a link: O_NOFOLLOW, and no chmod through one) the owner, group and
    mode of want (those given)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        set_fd_ownership(fd, want)
    finally:
        os.close(fd)


def replace_atomically(path, fill, want=None, like=None):
    """Replace path by a temporary file beside it, filled by fill(binary file object) and renamed over it (a link
    there is replaced, never followed), with the owner, group and mode of want, or those of the stat result like
    (without its set-id bits). Owner and mode are given through the open file, never by its name. A failed fill
    leaves path as it was and no temporary behind."""
    fd, tmp = tempfile.mkstemp(prefix=".labfleet-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
            f.flush()
            if like is not None:
                os.fchown(f.fileno(), like.st_uid, like.st_gid)
                os.fchmod(f.fileno(), stat.S_IMODE(like.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))
            else:
                set_fd_ownership(f.fileno(), dict(want or {}, mode=(want or {}).get("mode") or "0644"))
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomically(path, data, want=None, like=None):
    """replace_atomically with data (bytes) as the new content."""
    replace_atomically(path, lambda f: f.write(data), want, like)


def staged_link(path, src):
    """A symlink to src beside path (path + '.labfleet-new', replacing a leftover one), to be renamed over path."""
    tmp = path + ".labfleet-new"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(src, tmp)
    return tmp


def link_atomically(path, src):
    """Make path a symlink to src through a temporary link renamed over it."""
    os.rename(staged_link(path, src), path)
