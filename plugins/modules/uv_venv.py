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
  generation:
    description:
      - Build the venv as a generation of its path, pinned to the patch its python minor is installed at
        (C(/opt/uv/venv-3.13.15), made with C(uv venv --python 3.13.15)), leaving the path itself alone;
        M(labfleet.uv.uv_generation) then points the path at it in one step. See docs/lifecycle.md.
      - Without it, the venv is the path itself and follows uv's minor link across patch upgrades.
    type: bool
    default: false
  files:
    description:
      - Files to write into the venv (paths relative to it and staying inside it), for example pip guards in
        C(bin/). Written after the packages, before a generation is switched to.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: str, required: true, description: The path relative to the venv.}
      content: {type: str, required: true, description: The file's text.}
      mode: {type: str, default: "0644", description: Its octal mode.}
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

- name: Build the shared venv's generation for the installed CPython 3.13 patch, then switch to it
  labfleet.uv.uv_venv:
    path: /opt/uv/venv
    python: "3.13"
    generation: true
    packages: [requests]

- name: Point /opt/uv/venv at it
  labfleet.uv.uv_generation:
    python: "3.13"
    venv_path: /opt/uv/venv
"""

RETURN = r"""
path:
  description: Where the venv was built (with O(generation), the generation's directory).
  returned: success
  type: str
  sample: /opt/uv/venv-3.13.15
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

from ansible_collections.labfleet.uv.plugins.module_utils._uv import UvRunner, part_module
from ansible_collections.labfleet.uv.plugins.module_utils._uv_venv import VENV_ARGS, SharedVenv, venv_problem
from ansible_collections.labfleet.uv.plugins.module_utils._generations import venv_generation


def main():
    module = part_module(VENV_ARGS, venv_problem)
    p = module.params
    if p["requirements"] and not os.path.isfile(p["requirements"]) and not module.check_mode:
        module.fail_json(msg="requirements file %s does not exist on the target" % p["requirements"])
    if not module.check_mode:
        UvRunner(module).require()
    path, python = p["path"], p["python"]
    if p["generation"]:
        patch = UvRunner(module).installed_patch(p["python"])
        if patch is None and module.check_mode:
            module.exit_json(changed=True, path="%s-%s.*" % (p["path"].rstrip("/"), p["python"]),
                             msg="CPython %s is not installed yet: its venv generation would be built" % p["python"])
        patch = patch or UvRunner(module).required_patch(p["python"])
        path, python = venv_generation(p["path"], patch), patch
    SharedVenv.from_options(module, p, path, python).run()


if __name__ == "__main__":
    main()
