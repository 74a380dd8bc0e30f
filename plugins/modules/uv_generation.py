#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_generation
short_description: Switch the shared venv to the generation of the installed CPython patch, retire the old ones
version_added: 0.5.0
description:
  - The shared venv of each CPython patch lives beside the stable path, as O(venv_path)C(-3.13.15), and uv's tool
    environments of each patch in O(tool_dir)C(/3.13.15) (M(labfleet.uv.uv_venv) and M(labfleet.uv.uv_tool) with
    O(labfleet.uv.uv_venv#module:generation=true) build them, pinned to the patch). This module makes O(venv_path)
    a symlink to the generation of the patch the minor O(python) is installed at, with one C(rename(2)), so there
    is no moment where a user's C(python) is missing or half-built.
  - A venv made at O(venv_path) itself (labfleet.uv before 0.5) is swapped for the link in one C(renameat2)
    exchange and retired like an old generation.
  - Then, after O(retire_grace) seconds, it removes the other generations of the venv and of the tool environments,
    and the commands in O(tool_bin_dir) that still point into them.
  - Until then, a process started from the old venv through O(venv_path) keeps finding its packages there
    (C(sys.prefix) is the unresolved path), as the new generation holds a link C(lib/python3.OLD) to the old one's.
  - Takes the host lock (C(/run/labfleet-uv.lock)) while it changes anything.
options:
  python:
    description:
      - The CPython minor whose installed patch's generation becomes current, for example V(3.13).
    type: str
    required: true
  python_install_dir:
    description:
      - Where uv keeps the managed CPythons (C(UV_PYTHON_INSTALL_DIR)). Its minor link tells the installed patch.
    type: path
    default: /opt/uv/python
  venv_path:
    description:
      - The stable path of the shared venv (on everyone's C(PATH) as O(venv_path)C(/bin)). The generation of the
        installed patch, O(venv_path)C(-3.13.15), must be a venv already.
      - Leave unset when there is no shared venv. Its old generations are then left alone.
    type: path
  tool_dir:
    description:
      - The directory holding uv's tool environments, one generation per minor (O(tool_dir)C(/3.N)).
    type: path
  tool_bin_dir:
    description:
      - The directory of the tools' commands. Links into a retired generation are removed with it.
    type: path
  retire_grace:
    description:
      - Seconds to wait after the switch before removing the old generations, for what still runs from them.
    type: int
    default: 10
extends_documentation_fragment:
  - labfleet.uv.uv.attributes
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Build the shared venv's generation of the installed CPython 3.13 patch
  labfleet.uv.uv_venv:
    path: /opt/uv/venv
    python: "3.13"
    generation: true
    packages: [requests]

- name: Switch /opt/uv/venv to it and retire the older generations
  labfleet.uv.uv_generation:
    python: "3.13"
    venv_path: /opt/uv/venv
    tool_dir: /opt/uv/tools
    tool_bin_dir: /opt/uv/tool-bin
"""

RETURN = r"""
switched:
  description: Whether O(venv_path) was (or in check mode would be) pointed at another generation.
  returned: always
  type: bool
venv_target:
  description: The generation O(venv_path) points at afterwards.
  returned: when O(venv_path) is set
  type: str
  sample: /opt/uv/venv-3.13.15
retired:
  description: The old generations, compatibility links and tool commands removed (or that would be).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import host_lock
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    GENERATION_ARGS, generations_problem, switch_generation)
from ansible_collections.labfleet.uv.plugins.module_utils._userland import host_python_platform


def main():
    module = AnsibleModule(
        argument_spec=dict(GENERATION_ARGS, python_install_dir=dict(type="path", default="/opt/uv/python")),
        supports_check_mode=True,
    )
    p = module.params
    problem = generations_problem(p)
    if problem:
        module.fail_json(msg=problem)
    with host_lock(module):
        result = switch_generation(module, p["python"], p["python_install_dir"], p["venv_path"], p["tool_dir"],
                                   p["tool_bin_dir"], p["retire_grace"], host_python_platform())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
