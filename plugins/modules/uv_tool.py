#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_tool
short_description: Global command-line tools for every user with uv tool
version_added: 0.1.0
description:
  - Installs, upgrades or removes Python command-line tools with C(uv tool), each in its own environment under
    O(tool_dir), with its executables linked into O(tool_bin_dir) where every user can run them.
  - All tools are handled in one call, from one C(uv tool list).
  - A tool whose environment runs another CPython minor than O(python) is reinstalled on O(python).
extends_documentation_fragment:
  - labfleet.uv.uv
  - labfleet.uv.uv.attributes
options:
  tools:
    description:
      - The tools to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The package name, optionally with extras, for example V(pre-commit) or V(black[jupyter]).
        type: str
        required: true
      version:
        description:
          - A version specifier such as V(==4.3.0), V(>=4,<5), or a bare version V(4.3.0) meaning V(==4.3.0).
        type: str
      state:
        description:
          - V(present) installs the tool (and applies a changed O(tools[].version)).
          - V(latest) also upgrades it as far as O(tools[].version) allows.
          - V(absent) uninstalls it.
        type: str
        choices: [present, latest, absent]
        default: present
  python:
    description:
      - The managed CPython minor the tools run on, for example V(3.13).
    type: str
    required: true
  generation:
    description:
      - Install into O(tool_dir)C(/3.13.15), the generation of the patch O(python) is installed at, pinned to that
        patch (C(--python 3.13.15)). A command in O(tool_bin_dir) that links into another generation is replaced
        in place (C(--force) for that case only), and M(labfleet.uv.uv_generation) retires the old generation.
        See docs/lifecycle.md.
    type: bool
    default: false
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: pre-commit and ruff for every user, on CPython 3.13
  labfleet.uv.uv_tool:
    python: "3.13"
    tools:
      - name: pre-commit
        version: ">=4"
      - name: ruff
        state: latest

- name: Remove a tool nobody should use any more
  labfleet.uv.uv_tool:
    python: "3.13"
    tools:
      - name: black
        state: absent
"""

RETURN = r"""
tools:
  description: The tools installed after the run, by name.
  returned: success
  type: dict
  sample: {pre-commit: {version: 4.3.0, specifier: ">=4", python: 3.13.9}}
actions:
  description: What was (or in check mode would be) done, one line per tool.
  returned: success
  type: list
  elements: str
  sample: ["install pre-commit>=4", "upgrade ruff"]
commands:
  description: The uv commands run, read-only queries and dry runs included.
  returned: success
  type: list
  elements: str
"""

from ansible_collections.labfleet.uv.plugins.module_utils._uv import UvRunner, part_module
from ansible_collections.labfleet.uv.plugins.module_utils._uv_tool import TOOL_ARGS, ToolManager, tools_python_problem


def main():
    module = part_module(dict(
        tools=dict(type="list", elements="dict", required=True, options=TOOL_ARGS),
        python=dict(type="str", required=True),
        generation=dict(type="bool", default=False),
    ), lambda p: tools_python_problem(p["python"]))
    if not module.check_mode:
        uv = UvRunner(module)
        uv.require()
        if module.params["generation"]:
            uv.required_patch(module.params["python"])
    ToolManager(module, module.params["tools"], module.params["python"], module.params["generation"]).run()


if __name__ == "__main__":
    main()
