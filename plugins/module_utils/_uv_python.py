# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The managed CPythons and uv's --default shims, for the modules uv_python and uv_state.

from __future__ import annotations

import json
import os

from ansible_collections.labfleet.uv.plugins.module_utils._command_output import json_printed, read_command
from ansible_collections.labfleet.uv.plugins.module_utils._trust import why_untrusted
from ansible_collections.labfleet.uv.plugins.module_utils._uv import LockedPart, UvRunner
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    MINOR_LINK_RE, PATCH_DIR_RE, children, is_minor, pinned_homes)

NOT_MANAGED = "but is not managed by uv"

# What a python says of itself, in one run: its version, sys.prefix and sys.base_prefix, a line each. -I: no PYTHON*
# variable, no user site, no current directory on sys.path; -S: no site-packages, so no .pth file of a venv runs as
# root. A venv's python then answers with the prefix of its base CPython, which it found through the home of its own
# pyvenv.cfg. Nothing imported: it costs a bare interpreter start.
ANSWER_SCRIPT = "import sys; print(sys.version.split()[0]); print(sys.prefix); print(sys.base_prefix)"
ANSWER_LINES = 3


# the CPythons wanted (the options of uv_python; uv_state's and uv_apply's python adds offered)
PYTHON_ARGS = dict(
    versions=dict(type="list", elements="str", required=True),
    default=dict(type="str"),
    force=dict(type="bool", default=False),
    upgrade=dict(type="bool", default=False),
    venvs=dict(type="list", elements="path", default=[]),
)


def pythons_problem(p, prefix=""):
    """Why the CPythons wanted (PYTHON_ARGS' values) cannot be, naming the option (after prefix), or None."""
    bad = [v for v in p["versions"] if not is_minor(v)]
    if bad:
        return "%sversions must be CPython minors such as 3.13, not %s" % (prefix, ", ".join(bad))
    if not p["versions"]:
        return "%sversions must name at least one CPython minor" % prefix
    if p["default"] is not None and p["default"] not in p["versions"]:
        return "%sdefault %r must be one of %sversions (%s)" % (prefix, p["default"], prefix, ", ".join(p["versions"]))
    return None


def answered(rc, out, err):
    """For read_command: a python that exits 0 says all of ANSWER_SCRIPT's lines (else it is read again)."""
    return rc != 0 or len(out.splitlines()) >= ANSWER_LINES


def python_answer_problem(module, python, version, prefix):
    """Why the python at `python` is not CPython `version` (a minor such as 3.11, or a patch) whose prefix is
    `prefix`, as words that follow its path ("does not run (Exec format error)"); None when it answers as that.
    It is judged by running it (ANSWER_SCRIPT), once root may run it (see _trust): a python that is there but does
    not run, or runs and says nothing (an emptied binary run by a shell), counts as missing."""
    why = why_untrusted(python)
    if why:
        return "may not be run by root: %s" % why
    try:
        rc, out, err, dummy = read_command(module, [python, "-I", "-S", "-c", ANSWER_SCRIPT], answered,
                                           cwd="/", handle_exceptions=False)
    except (IOError, OSError) as e:
        return "does not run (%s)" % (e.strerror or e)
    if rc != 0:
        return "does not run (rc=%d: %s)" % (rc, ((err or out).strip().splitlines() or ["no output"])[-1][:200])
    said = tuple(out.splitlines())
    if len(said) != ANSWER_LINES:
        return "runs but does not answer (rc 0, %s)" % ("no output" if not out.strip() else "printed %r" % out[:80])
    wanted = str(version)
    if not (said[0] == wanted or (wanted.count(".") == 1 and said[0].startswith(wanted + "."))) or any(
            os.path.realpath(p) != os.path.realpath(prefix) for p in said[1:]):
        return "answers as Python %s of %s (base %s), not as CPython %s of %s" % (said + (wanted, prefix))
    return None


def base_problem(module, python, install_dir):
    """When the python at `python` is the very binary of a managed CPython in install_dir (a venv's or a tool
    environment's python is a link to it, as uv makes them), why that CPython does not answer as itself (what the
    binary is, then why); None otherwise. A python that fails on a CPython that answers is its environment's own
    problem."""
    real = os.path.realpath(python)
    parts = os.path.relpath(real, os.path.realpath(install_dir)).split(os.sep)
    m = PATCH_DIR_RE.match(parts[0])
    if len(parts) != 3 or parts[1] != "bin" or not m:
        return None
    why = python_answer_problem(module, real, m.group("patch"), os.path.dirname(os.path.dirname(real)))
    return "the binary %s of CPython %s, which %s" % (real, m.group("patch"), why) if why else None


def version_key(version):
    """'3.13.15' -> (3, 13, 15); a pre-release part sorts as 0."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(version).split("."))


def minor_of(version):
    """'3.13.15' -> '3.13'"""
    return ".".join(str(version).split(".")[:2])


def newest_by_minor(entries):
    """{minor: its newest version} of entries with a minor and a version."""
    newest = {}
    for e in entries:
        if version_key(e["version"]) > version_key(newest.get(e["minor"], "0")):
            newest[e["minor"]] = e["version"]
    return newest


class InstalledPythons(LockedPart):
    """The managed CPythons installed on this host's platform, as uv lists them or the install directories show
    them, and whether each answers as itself."""

    def __init__(self, module, uv=None):
        self.module = module
        self.uv = uv or UvRunner(module)

    def listing(self, installed_only=True):
        """Managed CPythons from uv's own listing: installed (the install dir as uv sees it) or, with
        installed_only=False, also the newest download of each minor in uv's download list."""
        if not self.uv.available:
            return []
        if self.untrusted():
            # uv's listing runs every installed CPython (it asks each who it is): not while root may not run one.
            # What is installed is read from the install directories instead; nothing is learnt of the downloads
            return [dict(key=key, version=patch, installed=True, minor=minor_of(patch))
                    for key, patch in sorted(self.install_dirs().items())]
        args = ["python", "list", "--managed-python", "--output-format", "json"]
        if installed_only:
            args.insert(2, "--only-installed")
        # uv lists its download list only where it may download: python-downloads = "manual" (the role's uv.toml)
        # would hide it. Listing downloads nothing.
        dummy, out, dummy2 = self.uv.run(args, env=None if installed_only else {"UV_PYTHON_DOWNLOADS": "automatic"},
                                         whole=json_printed)
        result = []
        for entry in json.loads(out):
            parts = entry.get("version_parts", {})
            if entry.get("implementation", "cpython") != "cpython" or entry.get("variant", "default") != "default":
                continue
            if not self.uv.on_platform(entry):
                continue
            # the key as the install directory is named (uv lists cpython-3.11.2-linux-armv7-gnu for an armhf build)
            key = self.uv.python_key(entry["version"]) if self.uv.python_platform else entry["key"]
            result.append(dict(key=key, version=entry["version"], installed=bool(entry.get("path")),
                               minor="%s.%s" % (parts.get("major"), parts.get("minor"))))
        return sorted(result, key=lambda e: e["key"])

    def installed(self):
        return [dict((k, e[k]) for k in ("key", "version", "minor")) for e in self.listing()]

    def install_dirs(self, minor=None):
        """{directory name (uv's key): patch} of the CPythons in the install dir for this host's platform (of one
        minor), as the directories show them, without asking uv."""
        found = {}
        for path in children(self.uv.python_install_dir, lambda name, full: (
                PATCH_DIR_RE.match(name) and os.path.isdir(full) and not os.path.islink(full))):
            name = os.path.basename(path)
            patch = PATCH_DIR_RE.match(name).group("patch")
            if self.uv.python_platform and name != "cpython-%s-%s" % (patch, self.uv.python_platform):
                continue
            if minor is None or minor_of(patch) == minor:
                found[name] = patch
        return found

    def executable(self, key, version):
        """The python of the installed CPython `key` (its directory): bin/python3.N."""
        return os.path.join(self.uv.python_install_dir, key, "bin", "python%s" % minor_of(version))

    def untrusted(self):
        """{key: why} of the installed CPythons root may not run (see _trust)."""
        found = {}
        for key, patch in self.install_dirs().items():
            why = why_untrusted(self.executable(key, patch))
            if why:
                found[key] = why
        return found

    def answer_problem(self, key, version):
        """Why the CPython `key` does not count as installed (its python, then words), or None."""
        python = self.executable(key, version)
        why = python_answer_problem(self.module, python, version, os.path.join(self.uv.python_install_dir, key))
        return "its python %s %s" % (python, why) if why else None

    def minor_problem(self, minor, installed):
        """Why the wanted `minor` is to be reinstalled, or None: the python of its newest installed patch does not
        answer as itself, or uv does not list the minor though what is left of it is in the install dir (uv then
        takes it for installed and would not install it again)."""
        listed = [e for e in installed if e["minor"] == minor]
        if listed:
            newest = max(listed, key=lambda e: version_key(e["version"]))
            return self.answer_problem(newest["key"], newest["version"])
        left = self.install_dirs(minor) if self.uv.available else {}
        if left:
            key = max(left, key=lambda k: version_key(left[k]))
            why = self.answer_problem(key, left[key])
            return "uv does not list it, though %s is there%s" % (
                os.path.join(self.uv.python_install_dir, key), ": " + why if why else "")
        link = os.path.join(self.uv.python_install_dir, self.uv.python_key(minor))
        if self.uv.available and self.uv.python_platform and os.path.lexists(link) and MINOR_LINK_RE.match(
                os.path.basename(link)):
            return "uv does not list it, though its link %s is there" % link
        return None


class PythonInstaller(InstalledPythons):
    """The managed CPython minors and uv's --default shims: what is there, what is missing, and installing it."""

    def __init__(self, module, versions, default=None, force=False, upgrade=False, venvs=(), offered=(), uv=None):
        InstalledPythons.__init__(self, module, uv)
        self.versions = versions
        self.default = default
        self.force = force
        self.upgrade = upgrade
        # venvs whose base interpreter an old patch may be (besides uv's tool environments)
        self.venvs = list(venvs)
        # patch versions a source offers besides uv's current download list (archives about to be listed)
        self.offered = list(offered)

    def broken(self, installed):
        """{minor: why} of the wanted minors to reinstall (see minor_problem)."""
        found = {}
        for minor in self.versions:
            why = self.minor_problem(minor, installed)
            if why:
                found[minor] = why
        return found

    def lacking(self, plan):
        """The wanted minors a run installs or reinstalls (CPython archives are needed for them)."""
        return [v for v in self.versions if v in plan[1] or v in plan[6]]

    def target_patch(self, minor, plan):
        """The patch a run leaves `minor` at: the upgrade's, else the installed one (None: not installed yet)."""
        upgrades = plan[4]
        if minor in upgrades:
            return upgrades[minor][1]
        if minor in plan[6] and minor not in newest_by_minor(plan[0]["installed"]):
            # to be reinstalled where uv no longer lists it: at the patch of what is left, as far as can be told
            left = self.install_dirs(minor)
            return max(left.values(), key=version_key) if left else None
        return newest_by_minor(plan[0]["installed"]).get(minor)

    def upgrades(self, installed):
        """{minor: (newest installed, newest available)} for the wanted minors a newer patch exists of."""
        if not self.upgrade:
            return {}
        newest = newest_by_minor([e for e in installed if e["minor"] in self.versions])
        found = {}
        offered = [dict(version=v, installed=False, minor=".".join(v.split(".")[:2])) for v in self.offered]
        for e in self.listing(installed_only=False) + offered:
            have = newest.get(e["minor"])
            if have and not e["installed"] and version_key(e["version"]) > version_key(have):
                if version_key(e["version"]) > version_key(found.get(e["minor"], (None, "0"))[1]):
                    found[e["minor"]] = (have, e["version"])
        return found

    def superseded(self, installed, upgrades):
        """Installed patches of the wanted minors older than the newest (after the upgrades): removed when
        upgrading, unless a venv's base interpreter is that very patch (not uv's minor link)."""
        if not self.upgrade:
            return []
        newest = newest_by_minor(installed + [dict(minor=m, version=new) for m, (dummy, new) in upgrades.items()])
        used = pinned_homes(self.venvs, self.uv.tool_dir)
        return [e for e in installed
                if e["minor"] in self.versions and version_key(e["version"]) < version_key(newest[e["minor"]])
                and not any(h.startswith(os.path.join(self.uv.python_install_dir, e["key"]) + os.sep)
                            for h in used)]

    def shim_names(self):
        return ["python", "python3", "python%s" % self.default] if self.default else []

    def shims(self):
        links = {}
        for name in self.shim_names():
            path = os.path.join(self.uv.python_bin_dir, name)
            links[name] = os.readlink(path) if os.path.islink(path) else (path if os.path.lexists(path) else None)
        return links

    def shim_is_ours(self, target):
        """A default shim is uv's link into the install dir for the default minor (minor or patch directory) on this
        host's platform."""
        return self.uv.in_python_dir(target, self.default, patches=True)

    def foreign_shims(self, shims):
        """Default executable names taken by something uv does not manage (uv would not replace them)."""
        foreign = {}
        for name, target in shims.items():
            path = os.path.join(self.uv.python_bin_dir, name)
            if target is None:
                continue
            if os.path.islink(path) and target.startswith(self.uv.python_install_dir + os.sep):
                continue  # uv's own link, maybe to another minor: uv replaces it without --force
            foreign[name] = target
        return foreign

    def state(self):
        return dict(installed=self.installed(), shims=self.shims())

    def predicted(self, before, missing, broken=()):
        """What a real run would leave, for check mode."""
        installed = before["installed"] + [dict(key="cpython-%s (to install)" % v, version=None, minor=v)
                                           for v in missing]
        installed += [dict(key="cpython-%s (to reinstall)" % v, version=None, minor=v) for v in broken]
        target = os.path.join(self.uv.python_install_dir, self.uv.python_key(self.default), "bin",
                              "python%s" % self.default)
        return dict(installed=installed, shims=dict((name, target) for name in before["shims"]))

    def plan(self):
        """(state before, minors missing, whether the default shims are uv's links to the default, foreign shims,
        patch upgrades {minor: (old, new)}, superseded patches to remove, minors to reinstall {minor: why})"""
        before = self.state()
        broken = self.broken(before["installed"])
        have = set(e["minor"] for e in before["installed"])
        missing = [v for v in self.versions if v not in have and v not in broken]
        shims_ok = all(self.shim_is_ours(t) for t in before["shims"].values())
        upgrades = dict((m, u) for m, u in self.upgrades(before["installed"]).items() if m not in broken)
        return (before, missing, shims_ok, self.foreign_shims(before["shims"]), upgrades,
                self.superseded(before["installed"], upgrades), broken)

    def pending(self, plan=None):
        """What a run would change, one line each (read-only); plan: an earlier plan() to reuse."""
        dummy, missing, shims_ok, foreign, upgrades, superseded, broken = plan or self.plan()
        lines = ["install CPython %s" % v for v in missing]
        lines += ["reinstall CPython %s: %s" % (v, why) for v, why in sorted(broken.items())]
        lines += ["upgrade CPython %s from %s to %s" % (m, old, new) for m, (old, new) in sorted(upgrades.items())]
        lines += ["remove CPython %s (superseded)" % e["version"] for e in superseded]
        if not shims_ok:
            lines.append("point python, python3 and python%s in %s at CPython %s%s" % (
                self.default, self.uv.python_bin_dir, self.default,
                " (replacing %s, not uv's)" % ", ".join(sorted(foreign)) if foreign else ""))
        return lines

    def apply(self):
        """Carry out the plan (check mode: say what it would do); the caller holds the host lock. Returns the
        module result."""
        before, missing, shims_ok, foreign, upgrades, superseded, broken = self.plan()
        if foreign and not self.force:
            names = ", ".join(sorted(foreign))
            self.module.fail_json(
                msg="%s in %s: not managed by uv (%s). uv would keep it and still exit 0, so the default would "
                    "not win. Remove it, or set force=true to replace it." % (
                        names, self.uv.python_bin_dir,
                        ", ".join("%s -> %s" % kv for kv in sorted(foreign.items()))),
                foreign=foreign)
        changed = bool(missing) or not shims_ok or bool(upgrades) or bool(superseded) or bool(broken)
        if changed and not self.module.check_mode:
            for version in self.versions:
                # a CPython that does not answer as itself is installed again over what is left of it
                upgrade = ["--upgrade"] if version in upgrades else ["--reinstall"] if version in broken else []
                if version == self.default and (version in missing or not shims_ok or upgrade):
                    self.install_default(version, upgrade)
                elif version in missing or upgrade:
                    self.uv.run(["python", "install", self.uv.python_request(version)] + upgrade)
            # an old patch goes once no generation or venv is pinned to it (after the switch: see uv_generation)
            for e in (self.superseded(self.installed(), {}) if self.upgrade else []):
                self.uv.run(["python", "uninstall", e["key"]])
            after = self.state()
            still_missing = [v for v in self.versions if v not in set(e["minor"] for e in after["installed"])]
            wrong = [n for n, t in after["shims"].items() if not self.shim_is_ours(t)]
            problems = []
            if still_missing:
                problems.append("%s is not installed in %s" % (", ".join(still_missing), self.uv.python_install_dir))
            if wrong:
                problems.append("%s in %s does not point to CPython %s" % (
                    ", ".join(wrong), self.uv.python_bin_dir, self.default))
            for version in broken:
                why = None if version in still_missing else self.minor_problem(version, after["installed"])
                if why:
                    problems.append("CPython %s still does not count as installed: %s" % (version, why))
            if problems:
                self.module.fail_json(msg="uv reported success, but " + "; ".join(problems),
                                      commands=self.uv.commands, shims=after["shims"])
        elif changed:
            after = self.predicted(before, missing, broken)
        else:
            after = before
        return dict(changed=changed, installed=after["installed"], shims=after["shims"], commands=self.uv.commands,
                    diff=dict(before=self.describe(before), after=self.describe(after)))

    def install_default(self, version, extra=()):
        args = ["python", "install", self.uv.python_request(version), "--default", "--preview-features",
                "python-install-default"]
        args += list(extra)
        if self.force:
            args.append("--force")
        dummy, out, err = self.uv.run(args)
        if NOT_MANAGED in err:
            # uv exits 0 here: the shim was not written
            self.module.fail_json(msg="uv left an executable it does not manage in %s: %s" % (
                self.uv.python_bin_dir, err.strip()), commands=self.uv.commands)

    @staticmethod
    def describe(state):
        lines = ["python %s" % e["key"] for e in state["installed"]]
        lines += ["shim %s -> %s" % (name, target) for name, target in sorted(state["shims"].items())]
        return "\n".join(lines) + "\n"
