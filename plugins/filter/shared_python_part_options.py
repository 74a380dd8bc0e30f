# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: shared_python_part_options
short_description: A host part's options from the shared_python role's settings, by the part's own spec
version_added: 0.7.0
description:
  - Builds the options of one part of the host's plan (as M(labfleet.uv.uv_state) and M(labfleet.uv.uv_apply) take
    them) from the role's settings. Each option named in the part's argument spec comes from the setting
    C(shared_python_<part>_<option>), unless the role gives it (O(given)). So a new option of the part reaches the
    modules with its role variable alone.
  - Part V(venv) - the options of M(labfleet.uv.uv_venv), from C(shared_python_venv_*).
positional: _input, part, given
options:
  _input:
    description: The role's settings, full name to value.
    type: dict
    required: true
  part:
    description: Which part.
    type: str
    choices: [venv]
    required: true
  given:
    description: Options the role works out itself, by option name; they win over settings.
    type: dict
    default: {}
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: The shared venv's options, the files and the Python given
  ansible.builtin.debug:
    msg: "{{ shared_python__settings | labfleet.uv.shared_python_part_options('venv', {'python': '3.13'}) }}"
"""

RETURN = r"""
_value:
  description: The part's options, by name.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.labfleet.uv.plugins.module_utils._uv_venv import VENV_ARGS
from ansible_collections.labfleet.uv.plugins.plugin_utils._role_values import part_options

# each part: its argument spec (the one its modules take) and the prefix of its role settings
PARTS = dict(venv=(VENV_ARGS, "shared_python_venv_"))


def shared_python_part_options(settings, part, given=None):
    """PARTS[part]'s options from the role's settings (plugin_utils/_role_values.py part_options)."""
    if part not in PARTS:
        raise AnsibleFilterError("shared_python_part_options: the part is one of %s, not %r"
                                 % (", ".join(sorted(PARTS)), part))
    spec, prefix = PARTS[part]
    try:
        return part_options(settings, spec, prefix, dict(given or {}))
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return dict(shared_python_part_options=shared_python_part_options)
