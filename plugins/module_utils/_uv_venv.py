# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The shared venv, for the modules uv_venv and uv_state.

from __future__ import annotations

import os

from ansible_collections.labfleet.uv.plugins.module_utils._command_output import printed
from ansible_collections.labfleet.uv.plugins.module_utils._files import write_atomically
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UvRunner, host_lock
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    looks_like_venv, read_pyvenv_cfg, reclaim_lines, stray_lines)

NO_CHANGES = "Would make no changes"


def package_changes(text):
    """The ' + name==ver' / ' - name==ver' lines of uv pip output."""
    return [line.strip() for line in (text or "").splitlines() if line.startswith((" + ", " - ", " ~ "))]


class SharedVenv(object):
    """The shared venv: whether it must be (re)made or seeded, which packages would change, and doing it."""

    def __init__(self, module, path, python, seed=False, packages=(), requirements=None, files=()):
        self.module = module
        # files written into the venv, paths relative to it (the role's pip guards and pip.conf)
        self.files = list(files)
        self.uv = UvRunner(module)
        self.path = path
        self.minor = python
        self.seed = seed
        self.requirements = list(packages)
        if requirements:
            self.requirements += ["-r", requirements]
        self.python = os.path.join(self.path, "bin", "python")

    def needs_create(self, cfg):
        if cfg is None:
            # an unfinished uv venv (an interrupted run) is rebuilt; anything else is someone's
            if os.path.isdir(self.path) and os.listdir(self.path) and not looks_like_venv(self.path):
                self.module.fail_json(msg="%s exists, is not empty and is not a virtual environment: "
                                          "refusing to replace it (option path)" % self.path)
            return True
        return not self.uv.in_python_dir(cfg.get("home"), self.minor) or not os.path.exists(self.python)

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
        args = ["pip", "install", "--python", self.python] + self.requirements
        if dry_run:
            args.append("--dry-run")
        dummy, out, err = self.uv.run(args, whole=printed if dry_run else None)
        if dry_run and NO_CHANGES in err + out:
            return []
        return package_changes(err + "\n" + out) or (["(changes)"] if dry_run else [])

    def plan(self):
        """(pyvenv.cfg or None, whether to create, whether to reseed, the package changes pending)"""
        cfg = read_pyvenv_cfg(self.path)
        create = self.needs_create(cfg)
        reseed = not create and self.needs_seed()
        if create:
            pending = ["+ %s" % r for r in self.requirements if r != "-r"]
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
            try:
                with open(path) as fh:
                    same = fh.read() == f["content"]
                st = os.stat(path)
                same = same and (st.st_mode & 0o7777) == int(f["mode"], 8) and st.st_uid == os.geteuid()
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
        dummy, create, reseed, packages = self.plan()
        lines = ["create the venv %s on CPython %s" % (self.path, self.minor)] if create else stray_lines(
            self.path, "the venv")
        if reseed:
            lines.append("seed pip into %s" % self.path)
        lines += ["%s in %s" % (change, self.path) for change in packages]
        return lines + ["file %s in %s" % (name, self.path)
                        for name in ([f["path"] for f in self.files] if create else self.files_differing())]

    def run(self):
        with host_lock(self.module):
            result = self.apply()
        self.module.exit_json(**result)

    def apply(self):
        """Carry out the plan (check mode: say what it would do); the caller holds the host lock. Returns the
        module result."""
        cfg, create, reseed, pending = self.plan()
        before = "venv %s\nhome %s\n" % (self.path, cfg.get("home")) if cfg else ""
        files = [f["path"] for f in self.files] if create else self.files_differing()
        reclaimed = [] if create else reclaim_lines(self.module, self.path, "the venv")
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
            diff=dict(before=before,
                      after="venv %s\nhome %s\n%s%s" % (
                          self.path, home, "".join(c + "\n" for c in changes + reclaimed),
                          "".join("file %s\n" % f for f in files))),
        )
