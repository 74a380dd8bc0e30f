# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: which_python_engine
short_description: The source files of path_info's engine, for the which-python command on the hosts
version_added: 0.2.0
description:
  - Reads, from this collection's own C(plugins/module_utils), the module_utils file that holds the C(which-python)
    command (C(_which_python.py)) and every module_utils file of this collection it imports, directly or not
    (path_info's contexts, shells, judge, twins and bounded runner).
  - The shared_python role lays them out on each host (filter labfleet.uv.host_layout), so the command a user runs
    and the module an admin runs are one copy of the same code.
options: {}
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: The engine's files, by module name
  ansible.builtin.debug:
    msg: "{{ lookup('labfleet.uv.which_python_engine').keys() | list }}"
"""

RETURN = r"""
_raw:
  description: One mapping, module name (without C(.py)) to the file's text.
  type: list
  elements: dict
"""

import os
import re

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

MODULE_UTILS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils")
ENTRY = "_which_python"
IMPORT_RE = re.compile(r"^from ansible_collections\.labfleet\.uv\.plugins\.module_utils\.(\w+) import", re.M)


def engine_sources(directory=MODULE_UTILS, entry=ENTRY):
    """{module name: text} of entry and every module_utils module of the collection it imports, directly or not."""
    found, todo = {}, [entry]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = os.path.join(directory, name + ".py")
        try:
            with open(path) as f:
                found[name] = f.read()
        except (IOError, OSError) as e:
            raise AnsibleLookupError("which_python_engine: cannot read %s: %s" % (path, e))
        todo += IMPORT_RE.findall(found[name])
    return found


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        return [engine_sources()]
