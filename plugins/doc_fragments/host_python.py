# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The options of uv_state and uv_apply for the CPythons (plugins/module_utils/_host_parts.py, PythonPart; the options of _uv_python.PYTHON_ARGS).
    DOCUMENTATION = r"""
options:
  python:
    description: The CPython minors wanted (as M(labfleet.uv.uv_python) takes them); omit to skip.
    type: dict
    suboptions:
      versions: {type: list, elements: str, required: true, description: CPython minors.}
      default: {type: str, description: The minor uv's default shims point at.}
      force: {type: bool, default: false, description: As M(labfleet.uv.uv_python)'s O(labfleet.uv.uv_python#module:force).}
      upgrade: {type: bool, default: false, description: As M(labfleet.uv.uv_python)'s O(labfleet.uv.uv_python#module:upgrade).}
      venvs: {type: list, elements: path, default: [], description: As M(labfleet.uv.uv_python)'s O(labfleet.uv.uv_python#module:venvs).}
      offered:
        type: list
        elements: str
        default: []
        description:
          - Patch versions the source offers that uv's download list on the host may not name yet (the controller's
            archives, listed on the host only when a run installs), for O(python.upgrade).
"""
