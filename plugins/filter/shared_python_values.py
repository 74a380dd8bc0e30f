# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: shared_python_values
short_description: The values the shared_python role works out from its settings
version_added: 0.7.0
description:
  - Takes the C(labfleet.uv.shared_python) role's settings one part needs, by their names without
    C(shared_python_), and returns what the role derives from them, so that its C(vars/main.yml) only names values.
    Each part has its own settings so that a reference to one templates only those.
  - Part V(host) - C(verdict_commands), C(launcher_target_dir), C(path_prepend), C(pinning_venvs),
    C(generations_venv_path), C(requirements_dest), C(requirements_path), C(python_source_on_host).
  - Part V(sources) - C(controller_fetch_uv), C(controller_fetch_python) (downloaded on the controller for the
    fan-out), C(uv_from_controller) (uv's archive copied from the controller), C(python_metadata_url),
    C(python_install_mirror), C(uv_index_json_url), C(controller_uv_dir) and C(controller_python_dir) (where the
    fan-out keeps what it fetched), C(offered_archives) (the archives whose versions the state check is told about).
positional: _input, part
options:
  _input:
    description: The part's settings, name without C(shared_python_) to value (the role's C(vars/main.yml) lists them).
    type: dict
    required: true
  part:
    description: Which values.
    type: str
    choices: [host, sources]
    required: true
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Show which commands the verdict resolves
  ansible.builtin.debug:
    msg: "{{ (shared_python__host_settings | labfleet.uv.shared_python_values('host')).verdict_commands }}"
"""

RETURN = r"""
_value:
  description: The derived values, by name (see the description).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.labfleet.uv.plugins.plugin_utils._role_values import role_values


def shared_python_values(settings, part):
    """The shared_python role's derived values of one part (plugin_utils/_role_values.py)."""
    try:
        return role_values(settings, part)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return dict(shared_python_values=shared_python_values)
