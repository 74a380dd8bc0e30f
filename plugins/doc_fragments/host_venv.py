# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The venv part's options (plugins/module_utils/_uv_venv.py VENV_ARGS) as the suboptions of uv_state's and
    # uv_apply's venv; M(labfleet.uv.uv_venv) documents the same options as its own (ansible-test reads fragments as
    # plain strings, so the two are texts of their own: tests/unit/plugins/test_specs_agree.py holds both to VENV_ARGS).
    DOCUMENTATION = r"""
options:
  venv:
    description:
      - The shared venv wanted (the options of M(labfleet.uv.uv_venv)); omit to skip.
    type: dict
    suboptions:
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
"""
