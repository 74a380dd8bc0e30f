# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: path_info's judge. From one parsed probe section (what a shell said a word is and what
running it reported) it classifies the provider, decides whether the expected one won, and when it lost, says what
shadows it and where a startup file set that. Not a public API: may change without notice."""

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
    """file:line of the last assignment that left expected_dir off PATH, or None."""
    origin = None
    for where, parts in assignments:
        origin = where if expected_dir not in parts else None
    return origin


def alias_origin(aliases, word):
    found = [where for where, name, dummy in aliases if name == word]
    return found[-1] if found else None


def under(path, directory):
    if not path or not directory:
        return False
    directory = directory.rstrip("/") or "/"
    return path == directory or path.startswith(directory + "/")


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
            msg = "%s is not on PATH%s" % (exp_dir, " (PATH last set by %s)" % origin if origin else "")
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
