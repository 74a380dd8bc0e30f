# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The sweep of the trees root's uv setup is made of (uv's bin dir, the CPythons, uv's default shims, the tools'
# commands and environments, the shared venv's generations), for _host_plan.py, _uv_venv.py and _uv_tool.py.
#
# Root never adopts what a user left: what another account owns in a managed tree, what group or others may
# write (a file a user may have changed; uv's own `.lock` files excepted), a link where a directory belongs, and in a
# bin directory of the role's anything the plan does not account for, is moved into a root-only quarantine
# (QUARANTINE_ROOT/<run time>/<its path>), never chowned into root's name. Where it sits in an environment (a venv,
# a tool environment, a CPython), the whole environment goes, and is built again: nothing of it can be trusted.
# What root owns keeps its place, without set-id bits (and its directories not writable by group or others, where
# they are not an environment's). Nothing is done through a link: entries are judged by lstat, fixed through a
# descriptor opened with O_NOFOLLOW on the very inode judged, and moved by rename(2), which moves a link itself.
#
# Cost: one lstat per entry (os.scandir), nothing read, nothing run; an environment already found untrusted is not
# walked further.

from __future__ import annotations

import errno
import grp
import os
import pwd
import shutil
import stat
import time

QUARANTINE_ROOT = "/var/lib/labfleet-uv/quarantine"
SET_ID = stat.S_ISUID | stat.S_ISGID
LOOSE = stat.S_IWGRP | stat.S_IWOTH
# the mode bits that make root's own entry worth a second look
NOTABLE = SET_ID | LOOSE
# uv makes its lock files writable by everyone and only locks them (see docs/lifecycle.md)
LOCK_NAME = ".lock"
# the quarantine directory of this run, made on first use: {QUARANTINE_ROOT: path}
_RUN_DIRS = {}


def owner_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def lstat_or_none(path):
    try:
        return os.lstat(path)
    except OSError:
        return None


def distrust(name, st):
    """Why root cannot trust the entry name (lstat st) as its own, or None. A link is judged by its owner only
    (its mode means nothing); uv's .lock files may be written by all."""
    if st.st_uid != os.geteuid():
        return "owned by %s" % owner_name(st.st_uid)
    mode = st.st_mode
    if stat.S_ISLNK(mode) or not mode & LOOSE or (stat.S_ISREG(mode) and name == LOCK_NAME):
        return None
    return "writable by group or others (mode %04o)" % stat.S_IMODE(mode)


def wanted_mode(st, fix_loose_dir):
    """The mode a trusted entry keeps: no set-id bit (a directory's setgid included: the role sets none), and for
    a directory with fix_loose_dir, no write bit for group or others."""
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISDIR(st.st_mode) and fix_loose_dir:
        return mode & ~SET_ID & ~LOOSE
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return mode & ~SET_ID
    return mode


class Finding(object):
    """One thing the sweep does: move path into the quarantine (mode None), or give the entry root's group and
    mode (a file or a directory of root's, never through a link). st: the entry as it was judged."""

    def __init__(self, path, st, line, mode=None, gid=None, move=False, given_away=False):
        self.path, self.st, self.line = path, st, line
        self.mode, self.gid, self.move = mode, gid, move
        # moved because another account owns (part of) it: the inodes may be uv's cache's too (see cache_findings)
        self.given_away = given_away
        # the mode of the empty directory made again where this one was moved from (None: none made)
        self.remake = None


def move_finding(path, st, why, what=None, given_away=False):
    """The finding that moves path (lstat st) into the quarantine; what: the environment it is ('the venv')."""
    if what:
        line = "move %s %s into quarantine and build it again (%s)" % (what, path, why)
    else:
        line = "move %s into quarantine (%s)" % (path, why)
    return Finding(path, st, line, move=True, given_away=given_away)


def foreign(st):
    return st.st_uid != os.geteuid()


def fix_finding(path, st, fix_loose_dir=False):
    """The finding that gives root's own entry (lstat st) no set-id bit and root's group, or None when it has
    them."""
    if stat.S_ISLNK(st.st_mode) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        return None
    if stat.S_ISREG(st.st_mode) and os.path.basename(path) == LOCK_NAME:
        return None  # uv's, as uv made it
    mode, gid = wanted_mode(st, fix_loose_dir), os.getegid()
    changes = []
    if mode != stat.S_IMODE(st.st_mode):
        changes.append("mode %04o -> %04o" % (stat.S_IMODE(st.st_mode), mode))
    if st.st_gid != gid:
        changes.append("group %s -> %s" % (group_name(st.st_gid), group_name(gid)))
    if not changes:
        return None
    return Finding(path, st, "fix %s: %s" % (path, ", ".join(changes)), mode=mode, gid=gid)


def scan(directory):
    """[(name, path, lstat)] of the entries of directory, sorted; none when it cannot be read."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    found = []
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            found.append((entry.name, entry.path, entry.stat(follow_symlinks=False)))
        except OSError:
            continue  # gone meanwhile
    return found


def top_findings(path, st, what=None, fix_loose=True):
    """The findings about a managed directory itself (lstat st, not None): a link or anything else where it
    belongs, or another account's, is moved (everything in it goes with it); else root's group and mode.
    Returns (findings, whether it moves)."""
    if stat.S_ISLNK(st.st_mode):
        return [move_finding(path, st, "a link where a directory belongs, to %s" % os.readlink(path), what)], True
    if not stat.S_ISDIR(st.st_mode):
        return [move_finding(path, st, "not a directory", what)], True
    why = distrust(os.path.basename(path), st)
    if why and (foreign(st) or what):
        return [move_finding(path, st, why, what, bool(first_foreign(path, st)))], True
    fix = fix_finding(path, st, fix_loose_dir=fix_loose)
    return [fix] if fix else [], False


def environment_findings(path, what, st=None):
    """An environment uv made (a venv, a tool environment, a CPython) at path: moved whole, to be built again, when
    anything in it is not root's to trust (root's own entries keep their place, without set-id bits)."""
    st = st or lstat_or_none(path)
    if st is None:
        return []
    found, moves = top_findings(path, st, what)
    if moves:
        return found
    uid, gid = os.geteuid(), os.getegid()
    pending = [path]
    while pending:
        for name, child, child_st in scan(pending.pop()):
            mode = child_st.st_mode
            if child_st.st_uid == uid and (stat.S_ISLNK(mode) or (child_st.st_gid == gid and not mode & NOTABLE)):
                if stat.S_ISDIR(mode):
                    pending.append(child)
                continue  # root's, as uv made it: the quiet run's only path
            why = distrust(name, child_st)
            if why:
                # given away (another account's inodes, maybe uv's cache's too) even where what was found first is
                # only open to others
                given_away = foreign(child_st) or bool(first_foreign(path, st))
                return [move_finding(path, st, "%s is %s" % (child, why), what, given_away)]
            fix = fix_finding(child, child_st)
            if fix:
                found.append(fix)
            if stat.S_ISDIR(child_st.st_mode):
                pending.append(child)
    return found


def directory_start(top, check_top):
    """(findings of the directory top itself, whether to walk what it holds): nothing and no walk when it is missing
    or not a directory; with check_top, its own findings, and no walk when it is to be moved whole."""
    st = lstat_or_none(top)
    if st is None:
        return [], False
    if check_top:
        found, moves = top_findings(top, st)
        return found, not moves
    return [], stat.S_ISDIR(st.st_mode)


def environments_findings(top, what, skip=None, check_top=True):
    """A directory holding environments (tool environments, CPythons): each directory in it is judged as one
    environment (environment_findings, what(name) naming it), each other entry on its own (another account's, or
    a file group or others may write, is moved; root's own keeps its place without set-id bits). skip(name, path,
    lstat): entries judged elsewhere. check_top: the directory itself too (not when the role's directories part
    judges it)."""
    found, walk = directory_start(top, check_top)
    if not walk:
        return found
    for name, path, child_st in scan(top):
        if skip and skip(name, path, child_st):
            continue
        if stat.S_ISDIR(child_st.st_mode):
            found += environment_findings(path, what(name), child_st)
            continue
        why = distrust(name, child_st)
        fix = None if why else fix_finding(path, child_st)
        found += [move_finding(path, child_st, why)] if why else [fix] if fix else []
    return found


def bin_findings(top, named, shaped, strict, check_top=True):
    """A bin directory: each entry the plan names there (named(name, path, lstat)) must be root's, else it is
    moved; with strict (a directory of the role's), so is whatever the plan does not account for: not named, or
    not what the plan puts there (shaped(name, path, lstat): uv's file, a link into the CPythons or the tools).
    Nothing is walked below it."""
    found, walk = directory_start(top, check_top)
    if not walk:
        return found
    for name, path, child_st in scan(top):
        ours = named(name, path, child_st)
        why = distrust(name, child_st)
        if ours and why:
            found.append(move_finding(path, child_st, why))
        elif strict and not (ours and shaped(name, path, child_st)):
            found.append(move_finding(path, child_st, "not the role's" + (", %s" % why if why else "")))
        elif ours:
            fix = fix_finding(path, child_st)
            if fix:
                found.append(fix)
    return found


def first_foreign(path, st):
    """(path, lstat) of path itself (lstat st) or of the first entry below it that another account owns, or None."""
    if foreign(st):
        return path, st
    pending = [path] if stat.S_ISDIR(st.st_mode) else []
    while pending:
        for dummy, child, child_st in scan(pending.pop()):
            if foreign(child_st):
                return child, child_st
            if stat.S_ISDIR(child_st.st_mode):
                pending.append(child)
    return None


def cache_findings(cache_dir):
    """uv's cache (root's, 0700) where another account owns anything in it: moved whole and made again, empty, for
    uv to fill again. uv installs packages into a venv or a tool environment as hard links to its cache's files, so
    an environment given to a user (chown -R) gives them the cache's inodes too, and a venv built again from that
    cache would be theirs again; uv's index of the cache names its entries, so they go together. Walked only where an
    environment was given away (Sweep.with_cache), never on a quiet run."""
    st = lstat_or_none(cache_dir)
    owned = st is not None and stat.S_ISDIR(st.st_mode) and first_foreign(cache_dir, st)
    if not owned:
        return []
    why = "owned by %s" % owner_name(owned[1].st_uid)
    why = why if owned[0] == cache_dir else "%s is %s" % (owned[0], why)
    finding = move_finding(cache_dir, st, why, "uv's cache", given_away=True)
    finding.line = "move uv's cache %s into quarantine and make it again, empty (%s)" % (cache_dir, why)
    finding.remake = stat.S_IMODE(st.st_mode) & ~SET_ID & ~LOOSE
    return [finding]


def link_into(path, st, directory):
    """Whether path (lstat st) is a link whose target lies inside directory (a relative target read from
    path's directory)."""
    if not stat.S_ISLNK(st.st_mode):
        return False
    try:
        target = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    except OSError:
        return False
    return target.startswith(directory.rstrip("/") + "/")


class Sweep(object):
    """What a sweep found: its pending lines, which paths it moves, and carrying it out."""

    def __init__(self, findings=()):
        self.findings = [f for f in findings if f]

    def __bool__(self):
        return bool(self.findings)

    def with_cache(self, cache_dir):
        """This sweep, and where it gives an environment away, uv's cache's entries that went with it
        (cache_findings)."""
        if cache_dir and any(f.given_away for f in self.findings):
            return Sweep(self.findings + cache_findings(cache_dir))
        return self

    def lines(self):
        return [f.line for f in self.findings]

    def moved(self):
        return [f.path for f in self.findings if f.move]

    def moves(self, path):
        """Whether path goes into the quarantine (itself, or with a directory above it)."""
        path = path.rstrip("/")
        return any(path == m or path.startswith(m + "/") for m in self.moved())

    def carry_out(self):
        """Give root's entries their group and mode (directories first, as found: top down), then move the rest
        into the quarantine. An entry that is no longer the one judged is left for the next run. Returns
        (done lines, [(path, where it went or None when it was removed)])."""
        done, moved = [], []
        for f in [f for f in self.findings if not f.move] + [f for f in self.findings if f.move]:
            if not same_entry(lstat_or_none(f.path), f.st):
                continue
            if not f.move:
                fix_entry(f)
                done.append(f.line)
                continue
            dest = quarantine(f.path)
            if f.remake is not None:
                os.mkdir(f.path, 0o700)
                os.chmod(f.path, f.remake)
            moved.append((f.path, dest))
            done.append(moved_line(f.line, dest))
        return done, moved


def moved_line(line, dest):
    """The report line of what was moved into the quarantine: its pending line and where it went."""
    if dest:
        return "%s: now %s" % (line, dest)
    return "%s: removed (on another filesystem than %s)" % (line, QUARANTINE_ROOT)


def same_entry(now, then):
    """Whether the lstat results now (None: gone) and then are the same entry: the same inode, kind and owner (an
    inode number is reused at once)."""
    return now is not None and (now.st_dev, now.st_ino, stat.S_IFMT(now.st_mode), now.st_uid) == (
        then.st_dev, then.st_ino, stat.S_IFMT(then.st_mode), then.st_uid)


def fix_entry(finding):
    """Give finding's entry its mode and group through a descriptor on the very inode judged (O_NOFOLLOW: a link
    put there meanwhile is not followed)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    if stat.S_ISDIR(finding.st.st_mode):
        flags |= os.O_DIRECTORY
    fd = os.open(finding.path, flags)
    try:
        if not same_entry(os.fstat(fd), finding.st):
            return
        st = os.fstat(fd)
        if st.st_gid != finding.gid:
            os.fchown(fd, -1, finding.gid)
        os.fchmod(fd, finding.mode)
    finally:
        os.close(fd)


def run_dir():
    """This run's quarantine directory (QUARANTINE_ROOT/<UTC time>, root's, 0700), made on first use."""
    root = QUARANTINE_ROOT
    if root in _RUN_DIRS:
        return _RUN_DIRS[root]
    if not os.path.isdir(root):
        os.makedirs(root, 0o700)
    st = os.lstat(root)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise OSError(errno.EPERM, "the quarantine %s is not a directory of root's" % root)
    if stat.S_IMODE(st.st_mode) != 0o700:
        fix_entry(Finding(root, st, "", mode=0o700, gid=st.st_gid))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1000):
        path = os.path.join(root, stamp if n == 0 else "%s.%d" % (stamp, n))
        try:
            os.mkdir(path, 0o700)
        except OSError as e:
            if e.errno != errno.EEXIST:
                raise
            continue
        _RUN_DIRS[root] = path
        return path
    raise OSError(errno.EEXIST, "no free quarantine directory in %s" % root)


def quarantine_place(path):
    """A free place for path under this run's quarantine directory: the same path, its directories made there
    (0700). A component already taken by something that is not a directory (a link moved before) gets a
    numbered name: nothing in the quarantine is followed."""
    here = run_dir()
    parts = path.strip("/").split("/")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        name, n = part, 0
        while True:
            place = os.path.join(here, name)
            st = lstat_or_none(place)
            if st is None or (not last and stat.S_ISDIR(st.st_mode)):
                break
            n += 1
            name = "%s.%d" % (part, n)
        here = place
        if st is None and not last:
            os.mkdir(here, 0o700)
    return here


def quarantine(path):
    """Move path (a link itself, never followed; a directory with all in it) to the same path under this run's
    quarantine directory. Where the quarantine is on another filesystem, remove it instead. Returns where it went,
    or None when it was removed."""
    dest = quarantine_place(path)
    try:
        os.rename(path, dest)
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        return None
    return dest
