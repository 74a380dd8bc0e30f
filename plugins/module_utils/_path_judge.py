# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: path_info's judge. From one parsed probe section (what a shell said a word is and what
running it reported) it classifies the provider, decides whether the expected one won, and when it lost, says what
shadows it, where a startup file set that, and whose fault the loss is (the user's own files or the system's).
Not a public API: may change without notice."""

from __future__ import annotations

import os
import re

from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import PYTHON_WORD_RE


def shadow_origin(assignments, shadow_dir, expected_dir):
    """file:line of the assignment that put shadow_dir ahead of expected_dir (or dropped it), or None."""
    def bad(parts):
        if shadow_dir not in parts:
            return False
        return expected_dir not in parts or parts.index(shadow_dir) < parts.index(expected_dir)

    origin, was_bad = None, None
    for where, parts in assignments:
        now_bad = bad(parts)
        if now_bad and not was_bad:
            origin = where
        was_bad = now_bad
    return origin


def path_origin(assignments, expected_dir):
    """file:line of the assignment that took expected_dir off PATH (the first one without it after the last one
    with it), or None: it is on PATH at the end, or no traced assignment ever had it (nothing put it there)."""
    origin, had = None, False
    for where, parts in assignments:
        if expected_dir in parts:
            origin, had = None, True
        elif had and origin is None:
            origin = where
    return origin


def origin_file(origin):
    """The file of a `file:line` origin (a function's origin may be a file alone)."""
    if not origin:
        return None
    name, sep, line = origin.rpartition(":")
    return name if sep and line.isdigit() else origin


def alias_origin(aliases, word):
    found = [where for where, name, dummy in aliases if name == word]
    return found[-1] if found else None


def under(path, directory):
    if not path or not directory:
        return False
    directory = directory.rstrip("/") or "/"
    return path == directory or path.startswith(directory + "/")


def lstat_owner(path):
    """The uid that owns path itself (a link is not followed), or None when it is not there."""
    try:
        return os.lstat(path).st_uid
    except OSError:
        return None


def stat_owner(path):
    """The uid that owns path (a home from passwd: its link is followed), or None when it is not there."""
    try:
        return os.stat(path).st_uid
    except OSError:
        return None


# what a shadow of these kinds says about the system: a managed piece is missing or broken, or the shell itself
# the contexts whose shell reads files of the user's (startup files; cron: the crontab's variables, SHELL included)
USER_STARTUP_CONTEXTS = ("login", "interactive", "ssh", "cron")
SYSTEM_SHADOWS = {
    "missing": "the managed executable is missing",
    "broken": "the managed executable is there but does not run as itself",
    "builtin": "the shell itself answers for the word",
}


# ---------------------------------------------------------------------------------------------------------------

class Judge(object):
    """Classifies what ran and decides whether the expected provider won."""

    def __init__(self, params, realpath=os.path.realpath, exists=os.path.exists):
        self.p = params
        self.realpath = realpath
        self.exists = exists
        self.venv = params["venv_path"].rstrip("/")
        self.install_dir = params["python_install_dir"].rstrip("/")
        self.shim_dir = params["python_bin_dir"].rstrip("/")
        self.uv_dir = os.path.dirname(params["uv_path"])

    def expected(self, word):
        if word in ("uv", "uvx"):
            return os.path.join(self.uv_dir, word)
        expect = self.p["expect"]
        if expect == "venv":
            return os.path.join(self.venv, "bin", word)
        if expect == "shim":
            return os.path.join(self.shim_dir, word)
        return os.path.join(self.p["expect_path"], word)

    def provider(self, path, real, py, home):
        """Provider category of a hit: path as PATH gave it, real its realpath, py what the interpreter said.

        A Python that ran is classified by what it is (its prefixes), not by where the word was found: a
        ~/.local/bin/python symlink to /usr/bin/python3 runs the distro's Python."""
        home_ok = home and home != "/"
        if py:
            prefix, base = self.realpath(py["prefix"]), self.realpath(py["base_prefix"])
            if prefix == self.realpath(self.venv):
                return "shared_venv"
            if path and os.path.dirname(path) == self.shim_dir and under(base, self.install_dir):
                return "uv_shim"
            if under(base, self.install_dir):
                return "uv_managed"
            if home_ok and under(base, home):
                return "user_local"
            if (under(base, "/usr") and not under(base, "/usr/local")) or base == "/":
                return "distro"
            return "other"
        if under(path, self.venv + "/bin"):
            return "shared_venv"
        if path and os.path.dirname(path) == self.shim_dir and under(real, self.install_dir):
            return "uv_shim"
        if under(real, self.install_dir):
            return "uv_managed"
        if real and real in (self.realpath(self.p["uv_path"]), self.realpath(os.path.join(self.uv_dir, "uvx"))):
            return "uv"
        if home_ok and (under(path, home) or under(real, home)):
            return "user_local"
        if (under(real, "/usr") and not under(real, "/usr/local")) or under(real, "/bin") or under(real, "/sbin"):
            return "distro"
        return "other"

    def runs_expected(self, word, expected, kind, resolved, info):
        """Whether what really runs is the expected provider; the interpreter's own report decides for Pythons."""
        py = info.get("py")
        if PYTHON_WORD_RE.match(word):
            if not py:
                return False
            if self.p["expect"] == "venv":
                return self.realpath(py["prefix"]) == self.realpath(self.venv)
            if not self.exists(expected):
                return False
            exp_real = self.realpath(expected)
            return self.realpath(py["executable"]) == exp_real or (
                self.realpath(py["prefix"]) == self.realpath(os.path.dirname(os.path.dirname(exp_real))))
        if word == "pip" or word.startswith("pip3"):
            text = " ".join(info.get("run_lines", []))
            m = re.search(r" from (\S+)", text)
            if not m:
                return False
            if self.p["expect"] == "venv":
                return under(m.group(1), self.venv)
            return kind in ("file", "hashed") and resolved == expected
        # uv, uvx and anything else: the file PATH gives must be the expected one
        if kind not in ("file", "hashed"):
            return False
        return self.exists(expected) and self.realpath(resolved) == self.realpath(expected)

    def judge(self, word, info, path_entries, home, trace, shell, note=""):
        """One result dict (without user/context) from one parsed command section.

        shell: the Shell that answered (how its answer reads); note: what to say when no origin is known."""
        expected = self.expected(word)
        res = dict(command=word, expected=expected)
        kind, value = shell.parse_type(info["type_lines"], info["typerc"])
        res["kind"] = kind
        res["resolved"] = value
        real = None
        if kind in ("file", "hashed"):
            real = self.realpath(value)
            res["realpath"] = real
        py = info.get("py")
        if py:
            res["runs"] = py["executable"]
            res["prefix"] = py["prefix"]
            res["version"] = py["version"]
        elif info.get("run_lines"):
            first = info["run_lines"][0].strip()
            res["version"] = first
            m = re.search(r" from (\S+)", first)
            if m:
                res["runs"] = m.group(1)
        if kind == "not_found":
            res["provider"] = "none"
        elif kind in ("file", "hashed") or py:
            res["provider"] = self.provider(value if kind in ("file", "hashed") else None, real, py, home)
        else:
            res["provider"] = kind
        won = self.runs_expected(word, expected, kind, value, info)
        res["won"] = won
        res["status"] = "won" if won else "lost"
        if not won:
            res["shadow"], res["reason"] = self.explain(word, expected, kind, value, res, info, path_entries, trace,
                                                        shell)
            if note and res["shadow"]["kind"] in ("path_entry", "not_on_path", "alias", "function") \
                    and not res["shadow"]["origin"]:
                res["reason"] += "; %s" % note
        return res

    def explain(self, word, expected, kind, value, res, info, path_entries, trace, shell):
        assignments, aliases = trace
        exp_dir = os.path.dirname(expected)
        what = value
        if res.get("provider") not in (None, "none", "alias", "function", "builtin", "keyword"):
            what = "%s (%s%s)" % (value or res.get("runs"), res["provider"],
                                  ", Python %s" % res["version"] if res.get("prefix") else "")
        if kind == "alias":
            origin = alias_origin(aliases, word)
            return (dict(kind="alias", value=value, origin=origin),
                    "%s is an alias for '%s'%s, which shadows %s" % (
                        word, value, " set at %s" % origin if origin else "", expected))
        if kind == "function":
            fn = shell.function_origin(info, value)
            where = " defined at %s" % fn if fn else ""
            return (dict(kind="function", value=word, origin=fn),
                    "%s is a shell function%s, which shadows %s" % (word, where, expected))
        if kind in ("builtin", "keyword"):
            return dict(kind="builtin", value=word, origin=None), "%s is a shell %s" % (word, kind)
        if not self.exists(expected):
            return (dict(kind="missing", value=expected, origin=None),
                    "%s does not exist%s" % (expected, "; %s runs instead" % what if kind != "not_found" else ""))
        if exp_dir not in (path_entries or []):
            origin = path_origin(assignments, exp_dir)
            if origin:
                why = " (taken off PATH by %s)" % origin
            elif assignments:
                why = " (no startup file put it there; PATH last set by %s)" % assignments[-1][0]
            else:
                why = ""
            msg = "%s is not on PATH%s" % (exp_dir, why)
            if kind == "not_found":
                msg = "%s: command not found; %s" % (word, msg)
            else:
                msg = "%s runs; %s" % (what, msg)
            return dict(kind="not_on_path", value=exp_dir, origin=origin), msg
        if kind in ("file", "hashed") and value != expected:
            entry = os.path.dirname(value)
            origin = shadow_origin(assignments, entry, exp_dir)
            return (dict(kind="path_entry", value=entry, origin=origin),
                    "%s shadows %s: PATH entry %s comes before %s%s" % (
                        what, expected, entry, exp_dir, ", set by %s" % origin if origin else ""))
        return (dict(kind="broken", value=value, origin=None),
                "%s resolves to the expected file but runs %s" % (word, res.get("runs") or "nothing (it failed)"))


# -- whose fault a loss is: the user's own files' or the system's ---------------------------------------------
def users_own(pw, path):
    """Whether path is pw's own: inside a home that pw owns, or a file (or directory) pw owns itself. Only
    owners are looked at (lstat, stat of the home), never what a file holds."""
    if not path or not path.startswith("/"):
        return False
    path = os.path.normpath(path)
    home = os.path.normpath(pw.pw_dir or "/")
    if home != "/" and under(path, home) and stat_owner(home) == pw.pw_uid:
        return True
    return lstat_owner(path) == pw.pw_uid


def loss_fault(res, pw, path=None, default_path=None):
    """(fault, evidence) of a lost result: "user" when the user's own files made it lose (a startup file in
    their home or of their own set what shadows it, or what runs instead is theirs: ~/bin, ~/.local/bin, a
    file they own, first on PATH; their crontab's PATH), else "system" (system startup files, a missing or
    broken managed piece, a PATH from /etc or sudo's secure_path, a foreign python in a system directory, and
    whatever nothing ties to the user's files). root's files are the system's.

    path: the PATH the context had; default_path: the PATH the context has when no file of the user's sets
    one (cron's), so a different one came from the user's crontab. Evidence names files, never the user, so
    a twin's copy (its home swapped in) reads right."""
    shadow = res.get("shadow") or {}
    kind, value, origin = shadow.get("kind"), shadow.get("value"), shadow.get("origin")
    if pw.pw_uid == 0:
        return "system", "root's startup files are the system's"
    if kind in SYSTEM_SHADOWS:
        return "system", SYSTEM_SHADOWS[kind]
    where = origin_file(origin)
    if where and users_own(pw, where):
        return "user", "set at %s, a file of the user's own" % origin
    if kind == "path_entry":
        for path_of, what in ((value, "the PATH entry %s"), (res.get("resolved"), "%s")):
            if users_own(pw, path_of):
                return "user", (what + ", first on PATH, is the user's own%s") % (
                    path_of, " (put first by %s)" % origin if origin else "")
    if where:
        return "system", "set at %s, a file of the system's" % origin
    if default_path is not None and path is not None:
        if list(path) != list(default_path):
            return "user", "PATH %s set by the user's crontab" % ":".join(path)
        return "system", "the context's own PATH %s, which no file of the user's set" % ":".join(path)
    return "system", "nothing ties it to a file of the user's own"


def faults(results, contexts, accounts, default_paths):
    """Each lost result gets `fault` and `fault_evidence` (loss_fault()). contexts: the probed contexts (their PATH);
    accounts: the passwd entries of the results' users; default_paths: context -> the PATH it has when no file of
    the user's sets one (cron's own)."""
    paths = dict(((c["user"], c["context"]), c.get("path")) for c in contexts)
    traced = dict(((c["user"], c["context"]), c["traced_path"]) for c in contexts if "traced_path" in c)
    by_name = dict((pw.pw_name, pw) for pw in accounts)
    for r in results:
        where = (r["user"], r["context"])
        if r["status"] == "lost" and where in traced and by_name[r["user"]].pw_uid != 0:
            # the system's files are root's and the same in both runs: what made another PATH when traced is
            # the account's own
            r["fault"], r["fault_evidence"] = "user", (
                "the account's startup files made another PATH when traced (%s) than when not (%s)" % (
                    ":".join(traced[where]), ":".join(paths.get(where) or [])))
        elif r["status"] == "lost":
            r["fault"], r["fault_evidence"] = loss_fault(r, by_name[r["user"]], paths.get(where),
                                                         default_paths.get(r["context"]))
        elif r["status"] == "error":
            r["fault"], r["fault_evidence"] = error_fault(r, by_name[r["user"]], contexts)
    return results


def error_fault(result, pw, contexts):
    """(fault, evidence) of a probe that gave no answer (timed out, over the output cap, kept writing): the user's when
    the context reads the user's own startup files and another account's probe with the same shell finished in the
    same context (so the system's startup files of that shell finish); the system's otherwise (root's own, a context
    that reads no file of the user's, or nobody to compare with)."""
    if pw.pw_uid == 0 or result["context"] not in USER_STARTUP_CONTEXTS:
        return "system", "the probe gave no answer where no file of the user's is read"
    mine = [c for c in contexts if c["user"] == result["user"] and c["context"] == result["context"]]
    shell = mine[0].get("shell") if mine else None
    others = sorted(c["user"] for c in contexts if c["context"] == result["context"] and c["user"] != result["user"]
                    and c.get("status") == "probed" and c.get("shell") == shell)
    if shell and others:
        return "user", ("the probe gave no answer, while %s's with the same shell (%s) finished in this context: what "
                        "kept it from finishing is in the account's own startup files" % (others[0], shell))
    return "system", "the probe gave no answer and no other account with the same shell was probed to compare"


def counts_against(result, user_files):
    """Whether a result fails the verdict: in a required context, an error or a loss that is the system's fault (or
    the user's own, when user_files is "fail")."""
    if not result["required"] or result["status"] not in ("lost", "error"):
        return False
    return user_files == "fail" or result.get("fault") != "user"
