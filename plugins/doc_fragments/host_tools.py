# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The options of uv_state and uv_apply for the global tools (plugins/module_utils/_host_parts.py, ToolsPart; each tool as _uv_tool.TOOL_ARGS).
    DOCUMENTATION = r"""
options:
  tools:
    description: The global tools wanted (as M(labfleet.uv.uv_tool) takes them); omit or empty to skip.
    type: list
    elements: dict
    suboptions:
      name: {type: str, required: true, description: "As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:tools[].name)."}
      version: {type: str, description: "As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:tools[].version)."}
      state:
        type: str
        choices: [present, latest, absent]
        default: present
        description: "As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:tools[].state)."
  tool_python:
    description: The CPython minor the tools run on. Required with O(tools).
    type: str
  tool_generation:
    description: As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:generation).
    type: bool
    default: false
"""
