# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The shared venv, for the modules uv_venv and uv_state.

from __future__ import annotations

import os
import stat

from ansible_collections.labfleet.uv.plugins.module_utils._command_output import printed
from ansible_collections.labfleet.uv.plugins.module_utils._files import write_atomically
from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import requirement_specs
from ansible_collections.labfleet.uv.plugins.module_utils._uv import LockedPart, UvRunner
from ansible_collections.labfleet.uv.plugins.module_utils._uv_python import base_problem, python_answer_problem
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    is_minor, looks_like_venv, read_pyvenv_cfg)
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import Sweep, environment_findings

NO_CHANGES = "Would make no changes"

# the shared venv wanted (the options of uv_venv, and uv_state's and uv_apply's venv)
VENV_ARGS = dict(
    path=dict(type="path", required=True),
    python=dict(type="str", required=True),
    seed=dict(type="bool", default=False),
    packages=dict(type="list", elements="str", default=[]),
    requirements=dict(type="path"),
    generation=dict(type="bool", default=False),
    files=dict(type="list", elements="dict", default=[], options=dict(
        path=dict(type="str", required=True), content=dict(type="str", required=True),
        mode=dict(type="str", default="0644"))),
)


def venv_problem(v, prefix=""):
    """Why the venv wanted (VENV_ARGS' values) cannot be, naming the option (after prefix), or None: its python a
    patch, its path relative, or one of its files outside it."""
    if not is_minor(v["python"]):
        return ("%spython must be a CPython minor such as 3.13, not %r: a venv made from a patch version breaks when "
                "that patch is upgraded" % (prefix, v["python"]))
    if not os.path.isabs(v["path"]):
        return "%spath must be absolute, got %r" % (prefix, v["path"])
    bad = [f["path"] for f in v["files"] if os.path.isabs(f["path"]) or ".." in f["path"].split("/")]
    if bad:
        return "%sfiles: paths must be relative to the venv and stay inside it, got %s" % (prefix, ", ".join(bad))
    return None


def package_changes(text):
    """The ' + name==ver' / ' - name==ver' lines of uv pip output."""
    return [line.strip() for line in (text or "").splitlines() if line.startswith((" + ", " - ", " ~ "))]


class SharedVenv(LockedPart):
    """The shared venv: whether it must be (re)made or seeded, which packages would change, and doing it."""

    def __init__(self, module, path, python, seed=False, packages=(), requirements=None, files=(), uv=None):
        self.module = module
        # files written into the venv, paths relative to it (the role's pip guards and pip.conf)
        self.files = list(files)
        self.uv = uv or UvRunner(module)
        self.path = path
        self.minor = python
        self.seed = seed
        self.requirements = requirement_specs(module, "packages", packages)
        if requirements:
            self.requirements += ["-r", requirements]
        self.python = os.path.join(self.path, "bin", "python")
        # why the venv there does not count as present (it is made again), once needs_create has looked; and why it
        # cannot be judged yet: its python is the binary of its CPython, which does not answer (reinstalled first)
        self.broken = self.waiting = None

    @classmethod
    def from_options(cls, module, options, path, python, uv=None):
        """The venv of options (VENV_ARGS' values: uv_venv's, or uv_state's and uv_apply's venv) at path on
        python (options' own, or its generation's: see _generations.venv_generation)."""
        return cls(module, path, python, options["seed"], options["packages"], options["requirements"],
                   options["files"], uv=uv)

    def needs_create(self, cfg):
        if cfg is None:
            # an unfinished uv venv (an interrupted run) is rebuilt; anything else is someone's
            if os.path.isdir(self.path) and os.listdir(self.path) and not looks_like_venv(self.path):
                self.module.fail_json(msg="%s exists, is not empty and is not a virtual environment: "
                                          "refusing to replace it (option path)" % self.path)
            return True
        if not self.uv.in_python_dir(cfg.get("home"), self.minor) or not os.path.exists(self.python):
            return True
        # there only when its python runs and answers as this venv's, on its home's CPython
        why = python_answer_problem(self.module, self.python, self.minor, os.path.dirname(cfg["home"].rstrip("/")))
        self.waiting = why and base_problem(self.module, self.python, self.uv.python_install_dir)
        if self.waiting:
            return False
        self.broken = "its python %s %s" % (self.python, why) if why else None
        return self.broken is not None

    def needs_seed(self):
        return self.seed and not os.path.exists(os.path.join(self.path, "bin", "pip"))

    def create(self, clear):
        # the version, not a platform key: uv 0.13.9 finds no installed armhf CPython for cpython-3.11-linux-armv7-
        # gnueabihf (it lists them as ...-gnu) but does for 3.11 with UV_LIBC set (UvRunner), as it does elsewhere
        args = ["venv", self.path, "--python", self.minor]
        args.append("--clear" if clear else "--allow-existing")
        if self.seed:
            args.append("--seed")
        self.uv.run(args)

    def pip_install(self, dry_run):
        if not self.requirements:
            return []
        # options first, then `--`: the packages are never read as options (requirement_specs refuses them too)
        packages = self.requirements[:len(self.requirements) - 2 * self.requirements.count("-r")]
        args = (["pip", "install", "--python", self.python] + (["--dry-run"] if dry_run else [])
                + self.requirements[len(packages):] + ["--"] + packages)
        dummy, out, err = self.uv.run(args, whole=printed if dry_run else None)
        if dry_run and NO_CHANGES in err + out:
            return []
        return package_changes(err + "\n" + out) or (["(changes)"] if dry_run else [])

    def sweep(self):
        """The venv swept (see _sweep): moved whole into the quarantine, to be built again, when anything in it is
        not root's to trust; root's own files without set-id bits."""
        return Sweep(environment_findings(self.path, "the venv")).with_cache(self.module.params.get("cache_dir"))

    def plan(self, moved=False):
        """(pyvenv.cfg or None, whether to create, whether to reseed, the package changes pending); moved: the venv
        goes into the quarantine first (nothing of it is read, nothing in it run)."""
        cfg = None if moved else read_pyvenv_cfg(self.path)
        create = moved or self.needs_create(cfg)
        reseed = not create and self.needs_seed()
        if create:
            pending = ["+ %s" % r for r in self.requirements if r != "-r"]
        elif self.waiting:
            pending = []  # uv cannot ask a python that does not run
        elif self.uv.available:
            pending = self.pip_install(dry_run=True)
        else:  # check mode on a host where uv is not installed yet
            pending = ["(uv is not installed yet: packages will be checked)"]
        return cfg, create, reseed, pending

    def files_differing(self):
        """The venv's files (relative paths) missing or not as wanted."""
        wrong = []
        for f in self.files:
            path = os.path.join(self.path, f["path"])
            want = f["content"].encode("utf-8")
            try:
                # a regular file of root's of the right size (never read through a link, nor more than that)
                st = os.lstat(path)
                same = (stat.S_ISREG(st.st_mode) and st.st_size == len(want) and st.st_uid == os.geteuid()
                        and (st.st_mode & 0o7777) == int(f["mode"], 8))
                if same:
                    with open(path, "rb") as fh:
                        same = fh.read(len(want) + 1) == want
            except (IOError, OSError):
                same = False
            if not same:
                wrong.append(f["path"])
        return wrong

    def write_files(self, names):
        for f in self.files:
            if f["path"] not in names:
                continue
            write_atomically(os.path.join(self.path, f["path"]), f["content"].encode("utf-8"), want=dict(mode=f["mode"]))

    def pending(self):
        """What a run would change, one line each (read-only)."""
        swept = self.sweep()
        dummy, create, reseed, packages = self.plan(moved=swept.moves(self.path))
        lines = swept.lines() + (["%s the venv %s on CPython %s%s" % (
            "recreate" if self.broken else "create", self.path, self.minor, ": " + self.broken if self.broken else "")]
            if create else [])
        if self.waiting:
            lines.append("check the venv %s once its CPython answers again: its python is %s" % (
                self.path, self.waiting))
        if reseed:
            lines.append("seed pip into %s" % self.path)
        lines += ["%s in %s" % (change, self.path) for change in packages]
        return lines + ["file %s in %s" % (name, self.path)
                        for name in ([f["path"] for f in self.files] if create else self.files_differing())]

    def apply(self):
        """Carry out the plan (check mode: say what it would do); the caller holds the host lock. Returns the
        module result."""
        swept = self.sweep()
        reclaimed, quarantined = swept.lines(), []
        if swept and not self.module.check_mode:
            reclaimed, moved = swept.carry_out()
            quarantined = [dict(path=path, moved_to=dest) for path, dest in moved]
        cfg, create, reseed, pending = self.plan(moved=self.module.check_mode and swept.moves(self.path))
        if self.waiting:
            self.module.fail_json(msg="the venv %s cannot be checked: its python is %s. Install that CPython again "
                                      "first (labfleet.uv.uv_python)"
                                      % (self.path, self.waiting), commands=self.uv.commands)
        before = "venv %s\nhome %s\n" % (self.path, cfg.get("home")) if cfg else ""
        files = [f["path"] for f in self.files] if create else self.files_differing()
        changed = create or reseed or bool(pending) or bool(files) or bool(reclaimed)
        changes = pending
        home = cfg.get("home") if cfg else None
        if changed and self.module.check_mode:
            if create:
                home = os.path.join(self.uv.python_install_dir, self.uv.python_key(self.minor), "bin")
        elif changed:
            if create or reseed:
                self.create(clear=create and os.path.isdir(self.path) and bool(os.listdir(self.path)))
            changes = self.pip_install(dry_run=False) if (create or pending) else []
            self.write_files(files)
            home = (read_pyvenv_cfg(self.path) or {}).get("home")
        return dict(
            changed=changed, created=create, python=self.python, home=home,
            package_changes=changes, files_changed=files, commands=self.uv.commands, path=self.path,
            quarantined=quarantined, swept=reclaimed,
            diff=dict(before=before,
                      after="venv %s\nhome %s\n%s%s" % (
                          self.path, home, "".join(c + "\n" for c in (
                              ["made again: " + self.broken] if create and self.broken else []) + changes + reclaimed),
                          "".join("file %s\n" % f for f in files))),
        )
