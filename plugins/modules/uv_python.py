#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_python
short_description: Install shared uv-managed CPython minors and uv's --default python shims
version_added: 0.1.0
description:
  - Installs each CPython minor of O(versions) into O(python_install_dir) with C(uv python install).
  - With O(default), makes C(python), C(python3) and C(pythonX.Y) in O(python_bin_dir) uv's links to that minor
    (C(uv python install --default)).
  - uv itself exits 0 when it refuses to replace a C(python) it does not manage. This module checks the shim
    directory before running uv and fails, naming the foreign executable, unless O(force=true).
  - Unlike M(community.general.uv_python), it installs for the whole machine (shared install and bin directories),
    sets the default, and works offline with whatever download source the uv configuration names
    (C(python-downloads-json-url), C(python-install-mirror)).
extends_documentation_fragment:
  - labfleet.uv.uv
  - labfleet.uv.uv.attributes
options:
  versions:
    description:
      - CPython minors to have installed, such as V(3.13). A patch version is refused, because shared venvs made
        from a minor survive patch upgrades and venvs made from a patch do not.
    type: list
    elements: str
    required: true
  default:
    description:
      - The minor, one of O(versions), that C(python), C(python3) and C(pythonX.Y) in O(python_bin_dir) run.
      - Leave unset to write no shims.
    type: str
  force:
    description:
      - Replace a C(python), C(python3) or C(pythonX.Y) in O(python_bin_dir) that uv does not manage.
    type: bool
    default: false
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Install CPython 3.13 and 3.12 for every user, 3.13 as the default python
  labfleet.uv.uv_python:
    versions: ["3.13", "3.12"]
    default: "3.13"

- name: Take over a bin dir that holds someone's own python symlink
  labfleet.uv.uv_python:
    versions: ["3.13"]
    default: "3.13"
    python_bin_dir: /usr/local/bin
    force: true
"""

RETURN = r"""
installed:
  description: The managed Pythons found in O(python_install_dir) after the run.
  returned: success
  type: list
  elements: dict
  sample: [{key: cpython-3.13.9-linux-x86_64-gnu, version: 3.13.9, minor: "3.13"}]
shims:
  description: Each default executable name in O(python_bin_dir) and where it points (null when absent).
  returned: success
  type: dict
  sample: {python: /opt/uv/python/cpython-3.13-linux-x86_64-gnu/bin/python3.13}
commands:
  description: The uv commands run, read-only queries included; check mode runs only those.
  returned: success
  type: list
  elements: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import (
    UV_COMMON_ARGS, UvRunner, is_minor,
)

NOT_MANAGED = "but is not managed by uv"


class PythonInstaller(object):
    def __init__(self, module):
        self.module = module
        self.uv = UvRunner(module)
        self.versions = module.params["versions"]
        self.default = module.params["default"]
        self.force = module.params["force"]

    def installed(self):
        """Managed installs, from uv's own listing (the install dir as uv sees it)."""
        if not self.uv.available:
            return []
        dummy, out, dummy2 = self.uv.run(["python", "list", "--only-installed", "--managed-python",
                                          "--output-format", "json"])
        result = []
        for entry in json.loads(out or "[]"):
            parts = entry.get("version_parts", {})
            result.append(dict(key=entry["key"], version=entry["version"],
                               minor="%s.%s" % (parts.get("major"), parts.get("minor"))))
        return sorted(result, key=lambda e: e["key"])

    def shim_names(self):
        return ["python", "python3", "python%s" % self.default] if self.default else []

    def shims(self):
        links = {}
        for name in self.shim_names():
            path = os.path.join(self.uv.python_bin_dir, name)
            links[name] = os.readlink(path) if os.path.islink(path) else (path if os.path.lexists(path) else None)
        return links

    def shim_is_ours(self, target):
        """A default shim is uv's link into the install dir for the default minor (minor or patch directory)."""
        prefix = os.path.join(self.uv.python_install_dir, "cpython-%s" % self.default)
        return target is not None and (target.startswith(prefix + "-") or target.startswith(prefix + "."))

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

    def predicted(self, before, missing):
        """What a real run would leave, for check mode."""
        installed = before["installed"] + [dict(key="cpython-%s (to install)" % v, version=None, minor=v)
                                           for v in missing]
        target = os.path.join(self.uv.python_install_dir, "cpython-%s-<platform>" % self.default, "bin",
                              "python%s" % self.default)
        return dict(installed=installed, shims=dict((name, target) for name in before["shims"]))

    def run(self):
        before = self.state()
        have = set(e["minor"] for e in before["installed"])
        missing = [v for v in self.versions if v not in have]
        shims_ok = all(self.shim_is_ours(t) for t in before["shims"].values())
        foreign = self.foreign_shims(before["shims"])
        if foreign and not self.force:
            names = ", ".join(sorted(foreign))
            self.module.fail_json(
                msg="%s in %s: not managed by uv (%s). uv would keep it and still exit 0, so the default would "
                    "not win. Remove it, or set force=true to replace it." % (
                        names, self.uv.python_bin_dir,
                        ", ".join("%s -> %s" % kv for kv in sorted(foreign.items()))),
                foreign=foreign)
        changed = bool(missing) or not shims_ok
        if changed and not self.module.check_mode:
            for version in self.versions:
                if version == self.default and (version in missing or not shims_ok):
                    self.install_default(version)
                elif version in missing:
                    self.uv.run(["python", "install", version])
            after = self.state()
            still_missing = [v for v in self.versions if v not in set(e["minor"] for e in after["installed"])]
            wrong = [n for n, t in after["shims"].items() if not self.shim_is_ours(t)]
            problems = []
            if still_missing:
                problems.append("%s is not installed in %s" % (", ".join(still_missing), self.uv.python_install_dir))
            if wrong:
                problems.append("%s in %s does not point to CPython %s" % (
                    ", ".join(wrong), self.uv.python_bin_dir, self.default))
            if problems:
                self.module.fail_json(msg="uv reported success, but " + "; ".join(problems),
                                      commands=self.uv.commands, shims=after["shims"])
        elif changed:
            after = self.predicted(before, missing)
        else:
            after = before
        self.module.exit_json(changed=changed, installed=after["installed"], shims=after["shims"],
                              commands=self.uv.commands,
                              diff=dict(before=self.describe(before), after=self.describe(after)))

    def install_default(self, version):
        args = ["python", "install", version, "--default", "--preview-features", "python-install-default"]
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


def main():
    argument_spec = dict(UV_COMMON_ARGS)
    argument_spec.update(
        versions=dict(type="list", elements="str", required=True),
        default=dict(type="str"),
        force=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    bad = [v for v in p["versions"] if not is_minor(v)]
    if bad:
        module.fail_json(msg="versions must be CPython minors such as 3.13, not %s" % ", ".join(bad))
    if not p["versions"]:
        module.fail_json(msg="versions must name at least one CPython minor")
    if p["default"] is not None and p["default"] not in p["versions"]:
        module.fail_json(msg="default %r must be one of versions (%s)" % (p["default"], ", ".join(p["versions"])))
    if not module.check_mode:
        UvRunner(module).require()
    PythonInstaller(module).run()


if __name__ == "__main__":
    main()
