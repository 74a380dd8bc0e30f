# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Whether root may run a program: the one place that decides it (uv, the CPythons, the venv's and the tools' pythons).

from __future__ import annotations

import os
import pwd
import stat

# more links than this on the way to a program: refused, as the kernel refuses (ELOOP) past 40
MAX_LINKS = 40


def owner_name(uid):
    try:
        return "%d (%s)" % (uid, pwd.getpwuid(uid).pw_name)
    except KeyError:
        return str(uid)


def why_untrusted(path, directory=False):
    """Why root must not run the program at path (with directory=True: programs from the directory path, as a PATH
    entry), as one sentence; None when it may.

    It may when the file and every directory on the way to it are owned by root (or by the account running this
    check, which is root on a target) and writable by nobody else: no other account can then change what runs.
    Links are followed component by component, each link and the directory it leads to checked like the rest.
    A directory writable by others is refused unless it has the sticky bit (/tmp): there others cannot rename or
    remove the entries root owns, and the next entry is checked to be root's. A POSIX ACL granting write shows as
    group write (its mask), so it is refused too."""
    trusted = (0, os.geteuid())
    if not path or not os.path.isabs(path):
        return "%r is not an absolute path" % (path,)
    todo = [name for name in path.split("/") if name]
    done = []  # the resolved directories so far, none of them a link
    links = 0
    st = os.lstat("/")
    while True:
        here = "/" + "/".join(done)
        problem = entry_problem(here, st, trusted)
        if problem:
            return problem
        if not stat.S_ISDIR(st.st_mode):
            return end_problem(here, st, directory) if not todo else "%s is not a directory" % here
        if not todo:
            return None if directory else "%s is a directory, not a program" % here
        name = todo.pop(0)
        if name == ".":
            continue
        if name == "..":
            if done:
                done.pop()
            st = os.lstat("/" + "/".join(done))
            continue
        candidate = "/" + "/".join(done + [name])
        try:
            st = os.lstat(candidate)
        except OSError as e:
            return "%s cannot be read: %s" % (candidate, e.strerror)
        if stat.S_ISLNK(st.st_mode):
            if st.st_uid not in trusted:
                return "the link %s is owned by uid %s, not root" % (candidate, owner_name(st.st_uid))
            links += 1
            if links > MAX_LINKS:
                return "more than %d links on the way to %s" % (MAX_LINKS, path)
            target = os.readlink(candidate)
            if target.startswith("/"):
                done = []
            todo[:0] = [n for n in target.split("/") if n]
            st = os.lstat("/" + "/".join(done))
            continue
        done.append(name)


def entry_problem(here, st, trusted):
    """What makes an entry on the way (st, lstat's of here) untrusted: an owner not in trusted, or a directory others
    or its group can write without the sticky bit; None when nothing does."""
    if st.st_uid not in trusted:
        return "%s is owned by uid %s, not root" % (here, owner_name(st.st_uid))
    if stat.S_ISDIR(st.st_mode) and not st.st_mode & stat.S_ISVTX:
        if st.st_mode & stat.S_IWOTH:
            return "%s is writable by others (mode %04o)" % (here, stat.S_IMODE(st.st_mode))
        if st.st_mode & stat.S_IWGRP:
            return "%s is writable by its group (mode %04o)" % (here, stat.S_IMODE(st.st_mode))
    return None


def end_problem(here, st, directory):
    """What is wrong with the entry that is not a directory at the end of the way: it must be a program (a regular
    file nobody else can write), and it is none where a directory was asked for; None when it may run."""
    if directory:
        return "%s is not a directory" % here
    if not stat.S_ISREG(st.st_mode):
        return "%s is not a regular file" % here
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "%s is writable by %s (mode %04o)" % (
            here, "others" if st.st_mode & stat.S_IWOTH else "its group", stat.S_IMODE(st.st_mode))
    return None
