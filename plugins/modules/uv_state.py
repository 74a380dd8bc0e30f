#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_state
short_description: Tell in one pass what a shared uv setup still lacks, changing nothing
version_added: 0.4.0
description:
  - Reads, in one module run, everything the M(labfleet.uv.uv_binary), M(labfleet.uv.uv_python),
    M(labfleet.uv.uv_venv) and M(labfleet.uv.uv_tool) modules and the role's files, directories and links
    decide from, and returns one line per thing a run would change in RV(pending).
  - The uv parts use the same code as those modules (their plans), so RV(pending) is empty exactly when
    they would report no change.
  - Never changes the host, in check mode or not. uv's read-only queries and dry runs are the only commands run.
  - The C(labfleet.uv.shared_python) role runs it first and skips all its other host tasks when nothing
    is pending, so a run on a host that is already right costs one module round trip before the verdict.
extends_documentation_fragment:
  - labfleet.uv.uv
  - labfleet.uv.host
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Read what is missing
  labfleet.uv.uv_state:
    uv_version: "0.13.9"
    python: {versions: ["3.13"], default: "3.13"}
    venv: {path: /opt/uv/venv, python: "3.13", packages: [requests]}
    tools: [{name: pre-commit}]
    tool_python: "3.13"
    files:
      - {path: /etc/profile.d/labfleet-uv.sh, content: "{{ profile_text }}", mode: "0644"}
  register: state

- name: Do the work only when something is pending (labfleet.uv.uv_apply takes the same options)
  ansible.builtin.debug:
    var: state.pending
  when: state.pending | length > 0
"""

RETURN = r"""
pending:
  description: One line per change a run would make; empty when the host is already right.
  returned: always
  type: list
  elements: str
  sample: ["install CPython 3.13", "file /etc/profile.d/labfleet-uv.sh: content differs"]
architecture:
  description:
    - "The machine the host's programs are built for, named as C(uname -m) names it: uv and CPython are chosen by it."
    - The userland decides, not the kernel (read from the ELF header of C(/bin/sh)); a 32-bit ARM hard-float
      userland is C(armv7l) under a 64-bit kernel too (where C(uname -m) says C(aarch64)), C(armv6l) on an ARMv6
      CPU (Raspberry Pi Zero and 1), C(armel) when soft-float.
  returned: always
  type: str
  sample: x86_64
kernel_architecture:
  description: The kernel's machine name (C(uname -m)), as C(ansible_facts.architecture) gives it.
  returned: always
  type: str
  sample: aarch64
  version_added: 0.7.0
not_wanted:
  description:
    - The files and blocks not wanted on this host (none of their O(files[].if_exists) paths exists).
    - Named C(skipped) before 0.7.0, a key Ansible reads as "the task was skipped".
  returned: always
  type: list
  elements: str
  sample: [/etc/fish/conf.d/labfleet-uv.fish]
  version_added: 0.7.0
uv_version:
  description: The version the installed uv reports, or null when there is none.
  returned: always
  type: str
uv_pending:
  description: The lines of RV(pending) about uv itself (its version, uvx beside it, an interrupted install's leftovers).
  returned: always
  type: list
  elements: str
python_missing:
  description:
    - The CPython minors of O(python.versions) not installed yet, or to be installed again (their python does
      not answer as itself, or uv no longer lists what is left of them).
  returned: always
  type: list
  elements: str
python_pending:
  description:
    - The lines of RV(pending) about the CPythons (installs, and uv's default shims to point at O(python.default)).
    - When not empty, C(uv python install) will run and reads uv's download list even for an installed minor.
  returned: always
  type: list
  elements: str
commands:
  description: The uv commands run (read-only queries and dry runs).
  returned: always
  type: list
  elements: str
writable_ancestors:
  description:
    - The directories on the way to the role's directories (O(directories), O(venv.path), the uv locations) that an
      account other than root could write (not root-owned, or writable by group or others, sticky or not), except
      the directories of O(directories) the role owns (with a O(directories[].mode)) and the venv, which a run puts
      right. Root building or running anything below one of them works for whoever controls it.
    - The C(labfleet.uv.shared_python) role stops when it is not empty, before anything changes, naming the
      variable. Whether uv itself may run is decided where it is run (its file and every directory above it).
  returned: always
  type: list
  elements: dict
  sample: [{path: /srv/lab/bin, directory: /srv/lab, reason: "owned by uid 1000, not root"}]
  version_added: 0.7.0
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._host_plan import HOST_ARGS, HostPlan
from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import writable_ancestors
from ansible_collections.labfleet.uv.plugins.module_utils._userland import userland_machine


def main():
    module = AnsibleModule(argument_spec=HOST_ARGS, supports_check_mode=True,
                           required_by=dict(tools=["tool_python"]))
    for f in module.params["files"]:
        if (f["content"] is None) == (f["sha1"] is None):
            module.fail_json(msg="files: %s needs either content or sha1" % f["path"])
    writable = layout_writable_ancestors(module.params)
    plan = HostPlan(module)
    machine, kernel = userland_machine()
    module.exit_json(changed=False, architecture=machine, kernel_architecture=kernel, uv_version=plan.installed_uv,
                     writable_ancestors=writable, **plan.pending())


def layout_writable_ancestors(p):
    """writable_ancestors of the role's directories, the venv and the uv locations; the directories the role owns
    (a mode given) and the venv are put right by a run, so only the directories on the way to them count."""
    venv = [p["venv"]["path"]] if p["venv"] else []
    owned = [d["path"] for d in p["directories"] if d["mode"]] + venv
    paths = [d["path"] for d in p["directories"]] + venv + [os.path.dirname(p["uv_path"])] + [
        p[k] for k in ("python_install_dir", "python_bin_dir", "tool_dir", "tool_bin_dir", "cache_dir", "command_dir")
        if p[k]]
    return writable_ancestors(sorted(set(paths), key=paths.index), owned)


if __name__ == "__main__":
    main()
