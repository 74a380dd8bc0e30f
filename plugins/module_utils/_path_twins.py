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
# /etc/skel). Everything that can change what a user's shells put on PATH is part of the fingerprint; anything
# unknown keeps the user apart.

# startup files and environment a user's home can hold, for every shell path_info knows and for PAM and sshd
HOME_STARTUP = sorted(set(
    [name for shell in all_families() for name in shell.home_files]
    + [".config/fish", ".config/nushell", ".pam_environment", ".ssh/environment", ".ssh/rc", ".config/environment.d"]))
# system files that shape a session, read to find users and home directories they single out
SYSTEM_STARTUP = ["/etc/profile", "/etc/profile.d", "/etc/bash.bashrc", "/etc/environment", "/etc/zsh", "/etc/fish",
                  "/etc/csh.cshrc", "/etc/csh.login", "/etc/csh", "/usr/share/nushell", "/usr/local/share/nushell",
                  "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d",
                  "/etc/security/pam_env.conf", "/etc/sudoers", "/etc/sudoers.d", "/etc/login.defs"]
# home directories that Debian's /etc/skel/.profile puts on PATH when they exist
SKEL_PATH_DIRS = ["bin", ".local/bin"]
HOME_REF_RE = re.compile(r"(?:\$HOME|\$\{HOME\}|~)/([A-Za-z0-9._/-]+)")
CRON_SPOOLS = ["/var/spool/cron/crontabs", "/var/spool/cron/tabs", "/var/spool/cron"]
WORD_IN_TEXT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


def walk_files(path):
    """(relative path, bytes) of a file, or of every file under a directory, sorted; [] when missing."""
    if os.path.isfile(path):
        try:
            with open(path, "rb") as f:
                return [("", f.read())]
        except (IOError, OSError):
            return [("", b"<unreadable>")]
    out = []
    if os.path.isdir(path):
        for base, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(base, name)
                for dummy, data in walk_files(full):
                    out.append((os.path.relpath(full, path), data))
    return out


def digest(items):
    h = hashlib.sha1()
    for item in items:
        h.update(repr(item).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class Twins(object):
    """Groups users whose answers cannot differ; each group's first user is the one probed."""

    def __init__(self, info):
        self.info = info
        system = b"\n".join(data for path in SYSTEM_STARTUP for dummy, data in walk_files(path))
        self.system_text = system.decode("utf-8", "replace")
        self.named = set(WORD_IN_TEXT_RE.findall(self.system_text))
        # sudoers' #UID, a whole number after a '#' that starts a word
        self.named_uids = set(int(n) for n in re.findall(r"(?<![\w#])#(\d+)(?!\w)", self.system_text))
        self.system_refs = set(HOME_REF_RE.findall(self.system_text))
        self.spool = next((d for d in CRON_SPOOLS if os.path.isdir(d)), None)
        self.sudoers_local = self.sudoers_from_files_only()

    @staticmethod
    def sudoers_from_files_only():
        """Whether sudo's rules are only the files read above (no LDAP or sssd, no netgroups): then sudoers can
        single out a user only by name, #uid or group, which the fingerprint covers, and sudo is asked only for
        the users probed."""
        for dummy, data in walk_files("/etc/nsswitch.conf"):
            for line in data.decode("utf-8", "replace").splitlines():
                words = line.split("#", 1)[0].split()
                if words and words[0] == "sudoers:" and words[1:] != ["files"]:
                    return False
        for dummy, data in walk_files("/etc/sudoers") + walk_files("/etc/sudoers.d"):
            if re.search(r"(^|[\s,=(!])\+\w", data.decode("utf-8", "replace"), re.M):
                return False
        return True

    def groups(self, users):
        out = {}
        for pw in users:
            out.setdefault(self.fingerprint(pw), []).append(pw)
        return list(out.values())

    def fingerprint(self, pw):
        """Everything that can change an answer for pw; a user the system singles out is their own group."""
        p = self.info.p
        home = pw.pw_dir
        if pw.pw_uid == 0 or pw.pw_name in self.named or pw.pw_uid in self.named_uids \
                or not os.path.isdir(home) or (self.spool is None and "cron" in p["contexts"]):
            return ("alone", pw.pw_name)
        st = os.stat(home)
        own_files = [(rel, walk_files(os.path.join(home, rel))) for rel in HOME_STARTUP]
        text = b"\n".join(data for dummy, files in own_files for dummy2, data in files).decode("utf-8", "replace")
        candidates = sorted(set(SKEL_PATH_DIRS) | self.system_refs | set(HOME_REF_RE.findall(text)))
        dirs = [(rel, self.words_in(home, rel)) for rel in candidates]
        groups = sorted(str(g) for g in os.getgrouplist(pw.pw_name, pw.pw_gid) if g != pw.pw_gid)
        try:
            primary = grp.getgrgid(pw.pw_gid).gr_name
        except KeyError:
            primary = str(pw.pw_gid)
        # a group of one's own (Debian's USERGROUPS) is alike for everyone; a shared primary group counts by name
        own = primary == pw.pw_name or pw.pw_gid == pw.pw_uid
        sudo = None if self.sudoers_local else self.info.sudo_policies.get(pw.pw_name, (None, None, None))[:2]
        return (pw.pw_shell, st.st_uid == pw.pw_uid, stat.S_IMODE(st.st_mode),
                "own" if own else primary, tuple(groups), digest(own_files), digest(dirs),
                self.cron_vars(pw), sudo)

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
        if self.spool is None:
            return None
        # only the variables count (cron's environment); no crontab is no variables
        lines = []
        for dummy, data in walk_files(os.path.join(self.spool, pw.pw_name)):
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
