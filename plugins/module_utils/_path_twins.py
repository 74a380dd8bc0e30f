# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: path_info's twins. Accounts whose answers cannot differ are probed once and the
others get the probed account's answer (as_twin). Not a public API: may change without notice."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import re
import stat

from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import all_families

# Twins: accounts that cannot differ in any answer are probed once (a teaching room of 500 accounts made from
# /etc/skel). Everything that can change what a user's shells put on PATH is part of the fingerprint: the startup
# files, what they source and name (recursively), the directories they put on PATH. Anything unknown, and anything
# root would have to read beyond the bounds below, keeps the user apart: probed on their own (KeptApart's reason).

# startup files and environment a user's home can hold, for every shell path_info knows and for PAM and sshd
HOME_STARTUP = sorted(set(
    [name for shell in all_families() for name in shell.home_files]
    + [".config/fish", ".config/nushell", ".pam_environment", ".ssh/environment", ".ssh/rc", ".config/environment.d"]))
# the startup file names a shell looks for in a directory (zsh's $ZDOTDIR): looked for in every home directory
# that a startup file names
STARTUP_NAMES = sorted(set(os.path.basename(name) for shell in all_families() for name in shell.home_files
                           if "/" not in name))
# system files that shape a session, read to find users and home directories they single out
SYSTEM_STARTUP = ["/etc/profile", "/etc/profile.d", "/etc/bash.bashrc", "/etc/environment", "/etc/zsh", "/etc/fish",
                  "/etc/csh.cshrc", "/etc/csh.login", "/etc/csh", "/usr/share/nushell", "/usr/local/share/nushell",
                  "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d",
                  "/etc/security/pam_env.conf", "/etc/sudoers", "/etc/sudoers.d", "/etc/login.defs"]
# home directories that Debian's /etc/skel/.profile puts on PATH when they exist
SKEL_PATH_DIRS = ["bin", ".local/bin"]
# ~/X, $HOME/X, ${HOME}/X, "$HOME"/X: a file or directory of the home that a startup file names
HOME_REF_RE = re.compile(r"(?:\$HOME|\$\{HOME\}|~)[\"']?/([A-Za-z0-9._/-]+)")
# one shell word, quotes included ("$HOME/my file", '~/x')
WORD = r"""((?:"[^"\n]*"|'[^'\n]*'|[^\s;&|()<>"'])+)"""
# a file a shell reads because a startup file says so: `. file`, `source file` (sh, bash, zsh, csh, fish), and the
# variables that name a startup file or directory (sh's ENV, bash's BASH_ENV, zsh's ZDOTDIR), however set
SOURCE_RE = re.compile(r"(?:^|[\s;&|({}`])(?:\.|source)[ \t]+" + WORD
                       + r"|(?<![\w$])(?:ENV|BASH_ENV|ZDOTDIR)=" + WORD
                       + r"|(?:setenv|set(?:[ \t]+-\w+)*)[ \t]+(?:ENV|BASH_ENV|ZDOTDIR)[ \t]+" + WORD, re.M)
# nushell's own ways of reading another file
NU_SOURCE_RE = re.compile(r"(?:^|[\s;|({])(?:source-env|use)[ \t]+" + WORD, re.M)
# what a shell writes in the home (its history) and never reads as startup: kept out of the fingerprint
HISTORY_FILES = frozenset([".bash_history", ".zsh_history", ".zhistory", ".histfile", ".sh_history", ".history",
                           ".python_history", ".lesshst", "fish_history", "history.txt", "history.sqlite3",
                           "history.sqlite3-shm", "history.sqlite3-wal"])
CRON_SPOOLS = ["/var/spool/cron/crontabs", "/var/spool/cron/tabs", "/var/spool/cron"]
WORD_IN_TEXT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")

# bounds of what root reads: a user's file, the files and directories looked at in one home (each file, directory
# and link found counts), the links followed to reach one file, how deep a startup directory is walked; a system file
# (root's), the files under one system directory
FILE_CAP = 256 * 1024
FILES_PER_ACCOUNT = 100
LOOKUPS_PER_ACCOUNT = 2000
LINK_HOPS = 16
WALK_DEPTH = 6
SYSTEM_FILE_CAP = 1024 * 1024
SYSTEM_FILES_CAP = 1000
NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
               (stat.S_ISBLK, "a device"))


class KeptApart(Exception):
    """Why an account is probed on its own. bound: it is so because of a bound on what root reads (a file too large,
    not a regular file, not the user's, a link out of the home...), worth a warning; else an ordinary reason (a
    startup file sources what path_info cannot follow)."""

    def __init__(self, reason, bound=True):
        Exception.__init__(self, reason)
        self.reason = reason
        self.bound = bound


def what_it_is(mode):
    """'a FIFO', 'a socket', 'a device' or 'not a regular file' for a mode that is neither a file nor a directory."""
    return next((name for test, name in NOT_REGULAR if test(mode)), "not a regular file")


def read_regular(name, cap, label, dir_fd=None, follow=True, expect=None):
    """(bytes, fstat) of the regular file `name` (relative to dir_fd), read up to cap bytes; KeptApart naming `label`
    otherwise. Opened O_NONBLOCK (and O_NOFOLLOW unless follow) and checked with fstat before any read: what is not a
    regular file (a FIFO, a socket or a device put in its place since the caller's lstat) is never read. expect: that
    lstat; the file opened must be the one it saw."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as e:
        raise KeptApart("%s cannot be opened (%s)" % (label, e.strerror))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeptApart("%s is %s" % (label, what_it_is(st.st_mode)))
        if expect is not None and (st.st_dev, st.st_ino) != (expect.st_dev, expect.st_ino):
            raise KeptApart("%s changed while it was read" % label)
        too_large = KeptApart("%s is larger than %d KiB" % (label, cap // 1024))
        if st.st_size > cap:
            raise too_large
        chunks, got = [], 0
        while got <= cap:
            chunk = os.read(fd, min(65536, cap + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > cap:
            raise too_large
        return b"".join(chunks), st
    except OSError as e:
        raise KeptApart("%s cannot be read (%s)" % (label, e.strerror))
    finally:
        os.close(fd)


def read_system_file(path, cap=SYSTEM_FILE_CAP):
    """The bytes of root's regular file path (links followed: root's own), up to cap; None when it is missing.
    KeptApart when it is not a regular file, too large or unreadable."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise KeptApart("%s cannot be read (%s)" % (path, e.strerror))
    if not stat.S_ISREG(st.st_mode):
        raise KeptApart("%s is %s" % (path, what_it_is(st.st_mode)))
    return read_regular(path, cap, path, expect=st)[0]


def walk_files(path):
    """(relative path, bytes) of root's file, or of every file under root's directory (sorted, directories walked
    without following links, at most SYSTEM_FILES_CAP files); [] when missing. Each file read within the bounds of
    read_system_file: the bytes are None for one that is not (too large, not a regular file, unreadable)."""
    def bounded(full):
        try:
            return read_system_file(full)
        except KeptApart:
            return None
    if not os.path.isdir(path):
        return [("", bounded(path))] if os.path.exists(path) else []
    out = []
    for base, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(base, name)
            if not os.path.exists(full):        # a dangling link: what sources it skips it
                continue
            if len(out) >= SYSTEM_FILES_CAP:
                return out + [(os.path.relpath(full, path), None)]
            out.append((os.path.relpath(full, path), bounded(full)))
    return out


def digest(items):
    h = hashlib.sha1()
    for item in items:
        h.update(repr(item).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def path_parts(rel):
    return [part for part in rel.split("/") if part not in ("", ".")]


def lstat_or_none(path):
    try:
        return os.lstat(path)
    except OSError:
        return None


class Home(object):
    """A user's home, read by root with the checks reading it as the user would make. A path is resolved one
    component at a time from the home's directory, each opened O_NOFOLLOW: a link is followed by hand, only to a
    place inside the home, at most LINK_HOPS times. Every directory, link and file on the way must be the user's;
    only regular files are opened (never a FIFO, a socket or a device), each read up to FILE_CAP; at most
    FILES_PER_ACCOUNT things found. Anything else raises KeptApart. `read` collects (~/path, bytes) of what was read,
    for the caller to look in."""

    def __init__(self, pw):
        self.pw = pw
        self.home = pw.pw_dir.rstrip("/")
        self.found = 0
        self.lookups = 0
        self.read = []
        # the home's own path is the administrator's (passwd): links in it are theirs
        self.fd = os.open(pw.pw_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        # (path, inode, change time) of the home, of each directory, link and file looked at or read: a file changed
        # and changed back, or made and removed again (its directory's change time), still shows (Twins.changed)
        st = os.fstat(self.fd)
        self.stamps = [("~", st.st_ino, st.st_ctime_ns)]

    def close(self):
        os.close(self.fd)

    def count(self, label):
        self.found += 1
        if self.found > FILES_PER_ACCOUNT:
            raise KeptApart("more than %d startup files and directories to read (at %s)" % (FILES_PER_ACCOUNT, label))

    def users(self, st, label):
        if st.st_uid != self.pw.pw_uid:
            raise KeptApart("%s belongs to uid %d, not to %s" % (label, st.st_uid, self.pw.pw_name))

    def look(self, rel, walk):
        """What ~/rel is, for the fingerprint: None (missing), ("file", mode, sha1 of its bytes), or ("dir", mode,
        [(name, what it is)...]): all of it when walk (a startup directory), else the startup files it holds
        ($ZDOTDIR). Through a link: ("link", where it leads in the home, what that is)."""
        self.lookups += 1
        if self.lookups > LOOKUPS_PER_ACCOUNT:
            raise KeptApart("more than %d startup paths to look up" % LOOKUPS_PER_ACCOUNT)
        label = "~/" + rel
        todo, stack, at, hops = path_parts(rel), [], [], 0     # at: the names of the directories in stack
        try:
            while todo:
                dir_fd = stack[-1] if stack else self.fd
                name = todo.pop(0)
                if name == "..":
                    if not stack:
                        raise KeptApart("%s leads out of the home" % label)
                    os.close(stack.pop())
                    at.pop()
                    continue
                try:
                    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                except (FileNotFoundError, NotADirectoryError):
                    return ("link", "/".join(at + [name] + todo), None) if hops else None
                except OSError as e:
                    raise KeptApart("%s cannot be read (%s)" % (label, e.strerror))
                self.users(st, label)
                self.stamps.append(("/".join(at + [name]), st.st_ino, st.st_ctime_ns))
                if stat.S_ISLNK(st.st_mode):
                    self.count(label)
                    hops += 1
                    if hops > LINK_HOPS:
                        raise KeptApart("%s: more than %d links to follow" % (label, LINK_HOPS))
                    target = os.readlink(name, dir_fd=dir_fd)
                    if target.startswith("/"):
                        if not target.startswith(self.home + "/"):
                            raise KeptApart("%s links out of the home (to %s)" % (label, target))
                        while stack:
                            os.close(stack.pop())
                        at = []
                        target = target[len(self.home) + 1:]
                    todo = path_parts(target) + todo
                    continue
                if not todo:
                    self.count(label)
                    what = self.what(dir_fd, name, st, label, rel, walk)
                    return ("link", "/".join(at + [name]), what) if hops else what
                if not stat.S_ISDIR(st.st_mode):
                    return ("link", "/".join(at + [name] + todo), None) if hops else None
                stack.append(self.open_dir(dir_fd, name, st, label))
                at.append(name)
            return None
        finally:
            for fd in stack:
                os.close(fd)

    def open_dir(self, dir_fd, name, st, label):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError as e:
            raise KeptApart("%s cannot be read (%s)" % (label, e.strerror))
        fst = os.fstat(fd)
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            os.close(fd)
            raise KeptApart("%s changed while it was read" % label)
        return fd

    def what(self, dir_fd, name, st, label, rel, walk, depth=0):
        mode = stat.S_IMODE(st.st_mode) & 0o500          # whether the user's shell can read (and enter) it
        if stat.S_ISREG(st.st_mode):
            data, fst = read_regular(name, FILE_CAP, label, dir_fd=dir_fd, follow=False, expect=st)
            self.read.append((rel, data))
            self.stamps.append((rel, fst.st_ino, fst.st_ctime_ns))
            return ("file", mode, hashlib.sha1(data).hexdigest())
        if not stat.S_ISDIR(st.st_mode):
            raise KeptApart("%s is %s" % (label, what_it_is(st.st_mode)))   # never opened
        if not walk:
            return ("dir", mode, [(n, self.look(rel + "/" + n, False)) for n in STARTUP_NAMES])
        if depth >= WALK_DEPTH:
            raise KeptApart("%s is more than %d directories deep" % (label, WALK_DEPTH))
        fd = self.open_dir(dir_fd, name, st, label)
        try:
            names = []
            with os.scandir(fd) as entries:
                for entry in entries:
                    names.append(entry.name)
                    if len(names) > FILES_PER_ACCOUNT:
                        raise KeptApart("%s holds more than %d entries" % (label, FILES_PER_ACCOUNT))
            out = []
            for n in sorted(names):
                if n in HISTORY_FILES:
                    continue
                try:
                    est = os.stat(n, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                sub_label, sub_rel = label + "/" + n, rel + "/" + n
                self.count(sub_label)
                self.users(est, sub_label)
                if stat.S_ISLNK(est.st_mode):
                    out.append((n, self.look(sub_rel, True)))   # followed by hand, from the home
                else:
                    out.append((n, self.what(fd, n, est, sub_label, sub_rel, True, depth + 1)))
            return ("dir", mode, out)
        finally:
            os.close(fd)


def source_words(text, nu=False):
    """The words naming a file that `text` makes its shell read (`. file`, `source file`, ENV=, BASH_ENV=, ZDOTDIR=;
    nushell's source-env and use), quotes removed."""
    found = [w for groups in SOURCE_RE.findall(text) for w in groups if w]
    if nu:
        found += NU_SOURCE_RE.findall(text)
    return [w.replace('"', "").replace("'", "") for w in found]


def where(word, home):
    """Where a sourced word leads: ("home", path relative to the home), ("relative", path: relative to the shell's
    directory), ("system", absolute path outside the home) or ("unknown", word): what only running the shell would
    tell (a variable, a command, a glob, another user's ~). home: the home's path, None for a system file."""
    prefix = next((p for p in ("~/", "$HOME/", "${HOME}/") if word.startswith(p)), "")
    rest = word[len(prefix):]
    if word in ("~", "$HOME", "${HOME}"):
        return ("home", "")
    if not rest or rest.startswith("-") or re.search(r"[$`*?\[\\~{]", rest):
        return ("unknown", word)
    if prefix:
        return ("home", rest)
    if word.startswith("/"):
        if home and word.startswith(home.rstrip("/") + "/"):
            return ("home", word[len(home.rstrip("/")) + 1:])
        return ("system", word)
    return ("relative", word)


def sudoers_from_files_only():
    """Whether sudo's rules are only the files read above (no LDAP or sssd, no netgroups): then sudoers can
    single out a user only by name, #uid or group, which the fingerprint covers, and sudo is asked only for
    the users probed."""
    for dummy, data in walk_files("/etc/nsswitch.conf"):
        for line in (data or b"").decode("utf-8", "replace").splitlines():
            words = line.split("#", 1)[0].split()
            if words and words[0] == "sudoers:" and words[1:] != ["files"]:
                return False
    for dummy, data in walk_files("/etc/sudoers") + walk_files("/etc/sudoers.d"):
        if data is None or re.search(r"(^|[\s,=(!])\+\w", data.decode("utf-8", "replace"), re.M):
            return False
    return True


class SystemStartupFiles(object):
    """The home paths that the system's startup files name, each file read once."""

    def __init__(self):
        self.sourced = {}

    def refs(self, path):
        """The home paths that a system file sourced at startup names, with those of the system files it sources in
        turn (each read once, within bounds; what it sources through a variable is its own business, the same for
        every account). KeptApart when another account than root can write it or it is out of bounds."""
        cached = self.sourced.get(path)
        if isinstance(cached, KeptApart):
            raise cached
        if cached is not None:
            return cached
        if len(self.sourced) >= SYSTEM_FILES_CAP:
            raise KeptApart("more than %d system files sourced at startup" % SYSTEM_FILES_CAP)
        self.sourced[path] = refs = set()
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return refs                         # `[ -f file ] && . file`
        try:
            if st.st_uid != 0 or st.st_mode & 0o022:
                raise KeptApart("%s, read at startup, can be written by another account than root" % path)
            data = read_system_file(path)
        except KeptApart as e:
            self.sourced[path] = e
            raise
        text = data.decode("utf-8", "replace")
        refs |= set(HOME_REF_RE.findall(text))
        for word in source_words(text, nu=path.endswith(".nu")):
            kind, target = where(word, None)
            if kind == "system":
                refs |= self.refs(target)
        return refs


class Twins(object):
    """Groups users whose answers cannot differ; each group's first user is the one probed. apart: {user: why they
    are probed on their own}, for the users kept apart for a reason of their own (not merely unlike the others);
    those a bound on reading keeps apart are also warned about, by name."""

    def __init__(self, info):
        self.info = info
        self.apart = {}
        # {user: fingerprint} of each group's first user, {user: the change times of the files read for it}
        self.keys = {}
        self.stamps = {}
        self.system_problem = None
        self.system_files = SystemStartupFiles()
        files = [(os.path.join(path, rel) if rel else path, data)
                 for path in SYSTEM_STARTUP for rel, data in walk_files(path)]
        unfit = [path for path, data in files if data is None]
        if unfit:
            self.system_problem = "system startup file %s is not a regular file of at most %d KiB" % (
                unfit[0], SYSTEM_FILE_CAP // 1024)
        system = b"\n".join(data for path, data in files if data is not None)
        self.system_text = system.decode("utf-8", "replace")
        self.named = set(WORD_IN_TEXT_RE.findall(self.system_text))
        # sudoers' #UID, a whole number after a '#' that starts a word
        self.named_uids = set(int(n) for n in re.findall(r"(?<![\w#])#(\d+)(?!\w)", self.system_text))
        self.system_refs = set(HOME_REF_RE.findall(self.system_text))
        for word in source_words(self.system_text):
            kind, path = where(word, None)
            if kind == "system":
                try:
                    self.system_refs |= self.system_files.refs(path)
                except KeptApart as e:
                    self.system_problem = self.system_problem or e.reason
        if self.system_problem:
            self.warn("every account is probed on its own: %s" % self.system_problem)
        self.spool = next((d for d in CRON_SPOOLS if os.path.isdir(d)), None)
        self.sudoers_local = sudoers_from_files_only()

    def warn(self, msg):
        self.info.module.warn("path_info: " + msg)

    def groups(self, users):
        out = {}
        for pw in users:
            key = self.fingerprint(pw)
            if key not in out:
                self.keys[pw.pw_name] = key
            out.setdefault(key, []).append(pw)
        return list(out.values())

    def changed(self, pw):
        """Whether pw, the first user of a group, may have answered otherwise than the others would: its startup files
        or PATH directories differ now from when the group was made, or one was written since (a change time moved,
        even if it was changed back), as a user racing the grouping would do between the grouping and their probe."""
        before = self.stamps.get(pw.pw_name)
        return self.fingerprint(pw) != self.keys.get(pw.pw_name) or self.stamps.get(pw.pw_name) != before

    def fingerprint(self, pw):
        """Everything that can change an answer for pw, or ("alone", name) for a user probed on their own (apart
        says why)."""
        try:
            return self.alike_by(pw)
        except (OSError, ValueError) as e:          # what no check above foresaw: still never an error of the run
            reason, bound = "its home cannot be read (%s)" % (getattr(e, "strerror", None) or e), True
        except KeptApart as e:
            reason, bound = e.reason, e.bound
        self.apart[pw.pw_name] = reason
        if bound:
            self.warn("%s is probed on its own: %s" % (pw.pw_name, reason))
        return ("alone", pw.pw_name)

    def alike_by(self, pw):
        p = self.info.p
        home = pw.pw_dir
        if pw.pw_uid == 0:
            raise KeptApart("root", bound=False)
        if pw.pw_name in self.named or pw.pw_uid in self.named_uids:
            raise KeptApart("a system startup file, sshd's or sudo's configuration names it", bound=False)
        if not os.path.isdir(home):
            raise KeptApart("no home directory", bound=False)
        if self.spool is None and "cron" in p["contexts"]:
            raise KeptApart("no cron spool to read its crontab's variables from", bound=False)
        if self.system_problem:
            raise KeptApart(self.system_problem, bound=False)       # warned once
        st = os.stat(home)
        own_files, mentioned = self.home_files(pw)
        candidates = sorted(set(SKEL_PATH_DIRS) | self.system_refs | mentioned)
        dirs = [(rel, self.words_in(home, rel)) for rel in candidates]
        # a command made in a PATH directory and removed again moves the directory's change time
        dir_stats = [(rel, lstat_or_none(os.path.join(home, rel))) for rel in candidates]
        self.stamps[pw.pw_name] = self.stamps.get(pw.pw_name, []) + [
            (rel + "/", st.st_ino, st.st_ctime_ns) for rel, st in dir_stats if st is not None]
        groups = sorted(str(g) for g in os.getgrouplist(pw.pw_name, pw.pw_gid) if g != pw.pw_gid)
        try:
            primary = grp.getgrgid(pw.pw_gid).gr_name
        except KeyError:
            primary = str(pw.pw_gid)
        # a group of one's own (Debian's USERGROUPS) is alike for everyone; a shared primary group counts by name
        own = primary == pw.pw_name or pw.pw_gid == pw.pw_uid
        sudo = None if self.sudoers_local else self.info.sudo.answers.get(pw.pw_name, (None, None, None))[:2]
        return (pw.pw_shell, st.st_uid == pw.pw_uid, stat.S_IMODE(st.st_mode),
                "own" if own else primary, tuple(groups), own_files, digest(dirs),
                self.cron_vars(pw), sudo)

    def home_files(self, pw):
        """(digest of every file of pw's home that a shell reads at startup, the home paths they name): the startup
        files, and in turn what each sources or names (~/X, $HOME/X, ${HOME}/X, `. file`, `source file`), read within
        Home's bounds. A startup file that reads a file path_info cannot name keeps pw apart."""
        home = Home(pw)
        try:
            seen, mentioned = {}, set()
            todo = [(rel, True) for rel in HOME_STARTUP] + [(rel, False) for rel in sorted(self.system_refs)]
            while todo:
                rel, walk = todo.pop(0)
                rel = "/".join(path_parts(rel))
                if not rel or rel in seen:
                    continue
                seen[rel] = home.look(rel, walk)
                while home.read:
                    path, data = home.read.pop(0)
                    named, sourced = self.named_in(path, data, home.home)
                    mentioned |= named
                    todo += [(r, False) for r in sorted(named | sourced)]
            self.stamps[pw.pw_name] = sorted(home.stamps)
            return digest(sorted(seen.items())), mentioned
        finally:
            home.close()

    def named_in(self, path, data, home):
        """(the home paths ~/path names, the home paths it makes its shell read)."""
        text = data.decode("utf-8", "replace")
        named = set(r for r in HOME_REF_RE.findall(text) if os.path.basename(r.rstrip("/")) not in HISTORY_FILES)
        sourced = set()
        for word in source_words(text, nu=path.endswith(".nu")):
            kind, target = where(word, home)
            if kind == "unknown":
                raise KeptApart("~/%s reads %s, which path_info cannot follow without running it" % (path, word),
                                bound=False)
            if kind == "home":
                sourced.add(target)
            elif kind == "relative":
                # relative to the shell's directory (the home, at login) or to the file (nushell)
                sourced |= set([target, os.path.join(os.path.dirname(path), target)])
            else:
                named |= self.system_files.refs(target)
        return named, sourced

    def words_in(self, home, rel):
        """Whether a home directory that may be on PATH exists, and which probed words it holds (and where they
        lead, relative to the home)."""
        path = os.path.join(home, rel)
        if not os.path.isdir(path):
            return None
        found = []
        for word in self.info.p["commands"]:
            full = os.path.join(path, word)
            if os.path.lexists(full):
                real = os.path.realpath(full)
                found.append((word, os.path.relpath(real, home) if real.startswith(home + "/") else real,
                              os.access(full, os.X_OK)))
        return found

    def cron_vars(self, pw):
        if self.spool is None or "cron" not in self.info.p["contexts"]:
            return None
        # only the variables count (cron's environment); no crontab is no variables
        path = os.path.join(self.spool, pw.pw_name)
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return digest([])
        label = "crontab %s" % path
        if not stat.S_ISREG(st.st_mode):
            raise KeptApart("%s is %s" % (label, what_it_is(st.st_mode)))
        data, dummy = read_regular(path, FILE_CAP, label, follow=False, expect=st)
        lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()
                 if re.match(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=", line)]
        return digest(sorted(lines))


def with_twins(results, twins):
    """results, and for each result of a probed account the same result as each of its twins (as_twin)."""
    out = []
    for r in results:
        out.append(r)
        rep = twins.get(r["user"])
        if rep:
            owner = pwd.getpwnam(r["user"])
            out += [as_twin(r, owner, pw) for pw in rep]
    return out


def as_twin(obj, rep, pw):
    """A copy of rep's meta or result as pw's: rep's home and name become pw's, and it says whom it was probed as."""
    home_re = re.compile(re.escape(rep.pw_dir.rstrip("/")) + r"(?=/|:|,|\)|\s|$)")
    name_re = re.compile(r"(?<![\w.-])" + re.escape(rep.pw_name) + r"(?![\w.-])")

    def swap(value, key=None):
        if isinstance(value, dict):
            return dict((k, swap(v, k)) for k, v in value.items())
        if isinstance(value, list):
            return [swap(v, key) for v in value]
        if isinstance(value, str):
            value = home_re.sub(pw.pw_dir.rstrip("/"), value)
            if key in ("method", "reason"):
                value = name_re.sub(pw.pw_name, value)
        return value

    out = swap(obj)
    out["user"] = pw.pw_name
    out["probed_as"] = rep.pw_name
    return out
