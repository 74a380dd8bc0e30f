#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_venv
short_description: A shared virtual environment on a uv-managed CPython minor, with its packages
version_added: 0.1.0
description:
  - Creates the virtual environment O(path) with C(uv venv --python X.Y) from the managed CPython minor O(python).
    A minor, never a patch, so the venv follows C(uv python install X.Y --upgrade).
  - Recreates it when it was made from another minor, then installs O(packages) and O(requirements) into it with
    C(uv pip install). What would change is decided by uv's own C(--dry-run).
  - This is the supported way to give every user packages on a uv-managed Python. uv marks its Pythons
    externally managed, so C(uv pip install --system) into them is refused by design.
extends_documentation_fragment:
  - labfleet.uv.uv
  - labfleet.uv.uv.attributes
options:
  path:
    description:
      - Absolute path of the virtual environment.
    type: path
    required: true
  python:
    description:
      - The managed CPython minor to build the venv from, for example V(3.13). Patch versions are refused.
    type: str
    required: true
  seed:
    description:
      - Install pip (and, before Python 3.12, setuptools and wheel) into the venv (C(uv venv --seed)).
    type: bool
    default: false
  packages:
    description:
      - Requirement specifiers to install, for example V(requests) or V(numpy>=2).
    type: list
    elements: str
    default: []
  requirements:
    description:
      - Path on the target of a requirements file to install.
    type: path
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Shared venv on CPython 3.13 with two packages for every user
  labfleet.uv.uv_venv:
    path: /opt/uv/venv
    python: "3.13"
    packages:
      - requests
      - numpy>=2

- name: Shared venv with pip inside and a requirements file
  labfleet.uv.uv_venv:
    path: /opt/uv/venv
    python: "3.13"
    seed: true
    requirements: /opt/uv/requirements.txt
"""

RETURN = r"""
python:
  description: The venv's python executable.
  returned: success
  type: str
  sample: /opt/uv/venv/bin/python
home:
  description: The base interpreter directory the venv points at (C(home) in C(pyvenv.cfg)).
  returned: success
  type: str
  sample: /opt/uv/python/cpython-3.13-linux-x86_64-gnu/bin
created:
  description: Whether the venv was (or in check mode would be) created or recreated.
  returned: success
  type: bool
package_changes:
  description: uv's list of package changes, C(+ name==version) for installs and C(- name==version) for removals.
  returned: success
  type: list
  elements: str
  sample: ["+ requests==2.32.5", "+ idna==3.10"]
commands:
  description: The uv commands run, read-only queries and dry runs included.
  returned: success
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS, UvRunner, is_minor

NO_CHANGES = "Would make no changes"


def read_pyvenv_cfg(path):
    cfg = {}
    try:
        with open(os.path.join(path, "pyvenv.cfg")) as f:
            for line in f:
                key, sep, value = line.partition("=")
                if sep:
                    cfg[key.strip()] = value.strip()
    except (IOError, OSError):
        return None
    return cfg


def package_changes(text):
    """The ' + name==ver' / ' - name==ver' lines of uv pip output."""
    return [line.strip() for line in (text or "").splitlines() if line.startswith((" + ", " - ", " ~ "))]


class SharedVenv(object):
    def __init__(self, module):
        self.module = module
        self.uv = UvRunner(module)
        p = module.params
        self.path = p["path"]
        self.minor = p["python"]
        self.seed = p["seed"]
        self.requirements = list(p["packages"])
        if p["requirements"]:
            self.requirements += ["-r", p["requirements"]]
        self.python = os.path.join(self.path, "bin", "python")

    def home_prefix(self):
        return os.path.join(self.uv.python_install_dir, "cpython-%s-" % self.minor)

    def needs_create(self, cfg):
        if cfg is None:
            if os.path.isdir(self.path) and os.listdir(self.path):
                self.module.fail_json(msg="%s exists, is not empty and is not a virtual environment: "
                                          "refusing to replace it (option path)" % self.path)
            return True
        return not cfg.get("home", "").startswith(self.home_prefix()) or not os.path.exists(self.python)

    def needs_seed(self):
        return self.seed and not os.path.exists(os.path.join(self.path, "bin", "pip"))

    def create(self, clear):
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
        dummy, out, err = self.uv.run(args)
        if dry_run and NO_CHANGES in err + out:
            return []
        return package_changes(err + "\n" + out) or (["(changes)"] if dry_run else [])

    def run(self):
        cfg = read_pyvenv_cfg(self.path)
        before = "venv %s\nhome %s\n" % (self.path, cfg.get("home")) if cfg else ""
        create = self.needs_create(cfg)
        reseed = not create and self.needs_seed()
        if create:
            pending = ["+ %s" % r for r in self.requirements if r != "-r"]
        elif self.uv.available:
            pending = self.pip_install(dry_run=True)
        else:  # check mode on a host where uv is not installed yet
            pending = ["(uv is not installed yet: packages will be checked)"]
        changed = create or reseed or bool(pending)
        changes = pending
        home = cfg.get("home") if cfg else None
        if changed and self.module.check_mode:
            if create:
                home = self.home_prefix() + "<platform>/bin"
        elif changed:
            if create or reseed:
                self.create(clear=cfg is not None and create)
            changes = self.pip_install(dry_run=False) if (create or pending) else []
            home = (read_pyvenv_cfg(self.path) or {}).get("home")
        self.module.exit_json(
            changed=changed, created=create, python=self.python, home=home,
            package_changes=changes, commands=self.uv.commands,
            diff=dict(before=before,
                      after="venv %s\nhome %s\n%s" % (self.path, home, "".join(c + "\n" for c in changes))),
        )


def main():
    argument_spec = dict(UV_COMMON_ARGS)
    argument_spec.update(
        path=dict(type="path", required=True),
        python=dict(type="str", required=True),
        seed=dict(type="bool", default=False),
        packages=dict(type="list", elements="str", default=[]),
        requirements=dict(type="path"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    if not is_minor(p["python"]):
        module.fail_json(msg="python must be a CPython minor such as 3.13, not %r: a venv made from a patch "
                             "version breaks when that patch is upgraded" % p["python"])
    if not os.path.isabs(p["path"]):
        module.fail_json(msg="path must be absolute, got %r" % p["path"])
    if p["requirements"] and not os.path.isfile(p["requirements"]) and not module.check_mode:
        module.fail_json(msg="requirements file %s does not exist on the target" % p["requirements"])
    if not module.check_mode:
        UvRunner(module).require()
    SharedVenv(module).run()


if __name__ == "__main__":
    main()
