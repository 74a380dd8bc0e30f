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
  upgrade:
    description:
      - Move each minor of O(versions) to the newest patch in uv's download list (C(uv python install X.Y --upgrade)),
        then remove the older patches of those minors (C(uv python uninstall)).
      - Venvs made with C(uv venv --python X.Y) point at uv's minor link and follow the upgrade. An old patch that a
        venv of O(venvs) (or one of its generations) or a tool environment in O(tool_dir) names directly is kept;
        run again after retiring those to remove it.
      - Without it, an installed minor is left at its patch.
    type: bool
    default: false
  venvs:
    description:
      - Venvs that may pin an old patch (see O(upgrade)), besides the tool environments in O(tool_dir).
    type: list
    elements: path
    default: []
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

- name: Move CPython 3.13 to its newest patch and remove the old one
  labfleet.uv.uv_python:
    versions: ["3.13"]
    default: "3.13"
    upgrade: true
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

from ansible_collections.labfleet.uv.plugins.module_utils._uv import UvRunner, part_module
from ansible_collections.labfleet.uv.plugins.module_utils._uv_python import PYTHON_ARGS, PythonInstaller, pythons_problem


def main():
    module = part_module(PYTHON_ARGS, pythons_problem)
    p = module.params
    if not module.check_mode:
        UvRunner(module).require()
    PythonInstaller(module, p["versions"], p["default"], p["force"], p["upgrade"], p["venvs"]).run()


if __name__ == "__main__":
    main()
