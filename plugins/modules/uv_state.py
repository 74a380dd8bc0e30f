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
options:
  uv_version:
    description: The uv version wanted at O(uv_path).
    type: str
    required: true
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
  venv:
    description: The shared venv wanted (as M(labfleet.uv.uv_venv) takes it); omit to skip.
    type: dict
    suboptions:
      path: {type: path, required: true, description: The venv directory.}
      python: {type: str, required: true, description: Its CPython minor.}
      seed: {type: bool, default: false, description: Whether it has pip.}
      packages: {type: list, elements: str, default: [], description: Requirements installed in it.}
      requirements: {type: path, description: A requirements file on the host.}
      generation: {type: bool, default: false, description: As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:generation).}
      files:
        type: list
        elements: dict
        default: []
        description: As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:files).
        suboptions:
          path: {type: str, required: true, description: Relative to the venv.}
          content: {type: str, required: true, description: The text.}
          mode: {type: str, default: "0644", description: The octal mode.}
  tools:
    description: The global tools wanted (as M(labfleet.uv.uv_tool) takes them); omit or empty to skip.
    type: list
    elements: dict
  tool_python:
    description: The CPython minor the tools run on. Required with O(tools).
    type: str
  tool_generation:
    description: As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:generation).
    type: bool
    default: false
  generations:
    description: The generations wanted (as M(labfleet.uv.uv_generation) takes them); omit to skip.
    type: dict
    suboptions:
      python: {type: str, required: true, description: The minor whose patch's generation is current.}
      venv_path: {type: path, description: The stable path of the shared venv.}
      tool_dir: {type: path, description: The directory holding the tool environments' generations.}
      tool_bin_dir: {type: path, description: The directory of the tools' commands.}
  directories:
    description: Directories that must exist, with their owner, group and mode when given.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The directory.}
      owner: {type: str, description: Its owner's name.}
      group: {type: str, description: Its group's name.}
      mode: {type: str, description: Its octal mode such as C(0755).}
  files:
    description: Regular files that must exist with this content (its SHA-1), owner, group and mode.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The file.}
      sha1: {type: str, required: true, description: SHA-1 of the wanted content.}
      owner: {type: str, description: Its owner's name.}
      group: {type: str, description: Its group's name.}
      mode: {type: str, description: Its octal mode such as C(0644).}
      if_exists:
        type: list
        elements: path
        default: []
        description:
          - The file is wanted only where one of these paths exists (a shell's startup file where that shell is
            installed); empty means always. A file not wanted here is listed in RV(skipped).
  links:
    description: Symbolic links that must exist and point at O(links[].src).
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The link.}
      src: {type: path, required: true, description: What it points at.}
  blocks:
    description:
      - Text that a file must hold (a marked block another task writes).
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The file.}
      text: {type: str, required: true, description: The text it must contain.}
      marker:
        type: str
        description:
          - The block's marker, as M(ansible.builtin.blockinfile) writes it with C(marker="# {mark} MARKER"); the file
            must then hold O(blocks[].text) between its C(# BEGIN MARKER) and C(# END MARKER) lines.
      if_exists:
        type: list
        elements: path
        default: []
        description:
          - The block is wanted only where one of these paths exists (C(/etc/zsh/zprofile) only where zsh is
            installed); empty means always. A block not wanted here is listed in RV(skipped).
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
      - {path: /etc/profile.d/labfleet-uv.sh, sha1: "{{ profile_text | hash('sha1') }}", mode: "0644"}
  register: state

- name: Do the work only when something is pending
  ansible.builtin.include_tasks: apply.yml
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
  description: The host's machine name (C(uname -m)), as C(ansible_facts.architecture) gives it.
  returned: always
  type: str
  sample: x86_64
skipped:
  description: The files and blocks not wanted on this host (none of their O(files[].if_exists) paths exists).
  returned: always
  type: list
  elements: str
  sample: [/etc/fish/conf.d/labfleet-uv.fish]
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
  description: The CPython minors of O(python.versions) not installed yet.
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
"""

import grp
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS, uv_install_problems
from ansible_collections.labfleet.uv.plugins.module_utils._uv_python import PythonInstaller
from ansible_collections.labfleet.uv.plugins.module_utils._uv_tool import ToolManager
from ansible_collections.labfleet.uv.plugins.module_utils._uv_venv import SharedVenv
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    installed_patch, points_to, retirable, venv_generation)

OWNED = dict(path=dict(type="path", required=True), owner=dict(type="str"), group=dict(type="str"),
             mode=dict(type="str"))


def ownership_differs(st, want):
    """What differs in owner, group and mode from want (names and an octal string), as words."""
    diffs = []
    if want.get("owner") and st.st_uid != pwd.getpwnam(want["owner"]).pw_uid:
        diffs.append("owner")
    if want.get("group") and st.st_gid != grp.getgrnam(want["group"]).gr_gid:
        diffs.append("group")
    if want.get("mode") and stat.S_IMODE(st.st_mode) != int(want["mode"], 8):
        diffs.append("mode")
    return diffs


def block_text(block):
    """What the file must hold: the text, between blockinfile's BEGIN and END lines when the block has a marker."""
    if not block["marker"]:
        return block["text"]
    return "# BEGIN %s\n%s\n# END %s" % (block["marker"], block["text"], block["marker"])


def wanted(item):
    """Whether a file or block is wanted on this host: always, or where one of its if_exists paths exists."""
    return not item["if_exists"] or any(os.path.exists(path) for path in item["if_exists"])


def path_lines(module, skipped):
    """The pending lines for directories, files, links and blocks (those not skipped here)."""
    p = module.params
    lines = []
    for d in p["directories"]:
        st = os.lstat(d["path"]) if os.path.lexists(d["path"]) else None
        if st is None or not stat.S_ISDIR(st.st_mode):
            lines.append("directory %s: missing" % d["path"])
            continue
        diffs = ownership_differs(st, d)
        if diffs:
            lines.append("directory %s: %s differs" % (d["path"], ", ".join(diffs)))
    for f in (f for f in p["files"] if f["path"] not in skipped):
        st = os.lstat(f["path"]) if os.path.lexists(f["path"]) else None
        if st is None or not stat.S_ISREG(st.st_mode):
            lines.append("file %s: missing" % f["path"])
            continue
        diffs = (["content"] if module.sha1(f["path"]) != f["sha1"] else []) + ownership_differs(st, f)
        if diffs:
            lines.append("file %s: %s differs" % (f["path"], ", ".join(diffs)))
    for link in p["links"]:
        if not os.path.islink(link["path"]) or os.readlink(link["path"]) != link["src"]:
            lines.append("link %s: not a link to %s" % (link["path"], link["src"]))
    for block in (b for b in p["blocks"] if b["path"] not in skipped):
        try:
            with open(block["path"]) as f:
                present = block_text(block) in f.read()
        except (IOError, OSError):
            present = False
        if not present:
            lines.append("file %s: lacks the role's block" % block["path"])
    return lines


def generation_lines(g, patch):
    """The pending lines for the switch to the generation of patch and the retirement of the others."""
    if patch is None:
        return ["switch to the generation of CPython %s once it is installed" % g["python"]]
    lines = []
    if g["venv_path"]:
        target = venv_generation(g["venv_path"].rstrip("/"), patch)
        if not points_to(g["venv_path"].rstrip("/"), target):
            lines.append("switch %s to %s" % (g["venv_path"], target))
    paths, links = retirable(g["venv_path"] and g["venv_path"].rstrip("/"), g["tool_dir"], g["tool_bin_dir"], patch)
    return lines + ["retire %s" % path for path in links + paths]


def target_patch(pythons, plan, minor, install_dir):
    """The patch a run leaves minor at: what the CPython plan says, else what uv's minor link shows."""
    if pythons is not None:
        return pythons.target_patch(minor, plan)
    return installed_patch(install_dir, minor)


def main():
    argument_spec = dict(UV_COMMON_ARGS)
    argument_spec.update(
        uv_version=dict(type="str", required=True),
        python=dict(type="dict", options=dict(
            versions=dict(type="list", elements="str", required=True), default=dict(type="str"),
            force=dict(type="bool", default=False), upgrade=dict(type="bool", default=False),
            venvs=dict(type="list", elements="path", default=[]),
            offered=dict(type="list", elements="str", default=[]))),
        venv=dict(type="dict", options=dict(
            path=dict(type="path", required=True), python=dict(type="str", required=True),
            seed=dict(type="bool", default=False), packages=dict(type="list", elements="str", default=[]),
            requirements=dict(type="path"), generation=dict(type="bool", default=False),
            files=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="str", required=True), content=dict(type="str", required=True),
                mode=dict(type="str", default="0644"))))),
        tools=dict(type="list", elements="dict"),
        tool_python=dict(type="str"),
        tool_generation=dict(type="bool", default=False),
        generations=dict(type="dict", options=dict(
            python=dict(type="str", required=True), venv_path=dict(type="path"), tool_dir=dict(type="path"),
            tool_bin_dir=dict(type="path"))),
        directories=dict(type="list", elements="dict", default=[], options=OWNED),
        files=dict(type="list", elements="dict", default=[],
                   options=dict(OWNED, sha1=dict(type="str", required=True),
                                if_exists=dict(type="list", elements="path", default=[]))),
        links=dict(type="list", elements="dict", default=[],
                   options=dict(path=dict(type="path", required=True), src=dict(type="path", required=True))),
        blocks=dict(type="list", elements="dict", default=[],
                    options=dict(path=dict(type="path", required=True), text=dict(type="str", required=True),
                                 marker=dict(type="str"),
                                 if_exists=dict(type="list", elements="path", default=[]))),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_by=dict(tools=["tool_python"]))
    p = module.params
    pending = []
    installed_uv, uv_problems = uv_install_problems(module, os.path.dirname(p["uv_path"]), p["uv_version"])
    pending += uv_problems
    python_missing, python_pending = [], []
    parts = []
    pythons = plan = None
    if p["python"]:
        py = p["python"]
        pythons = PythonInstaller(module, py["versions"], py["default"], py["force"], py["upgrade"], py["venvs"],
                                  py["offered"])
        plan = pythons.plan()
        python_missing = plan[1]
        python_pending = pythons.pending(plan)
        pending += python_pending
        parts.append(pythons)
    v = p["venv"]
    if v and v["requirements"] and not os.path.isfile(v["requirements"]):
        pending.append("requirements file %s: missing" % v["requirements"])
    elif v:
        path, python = v["path"], v["python"]
        patch = target_patch(pythons, plan, v["python"], p["python_install_dir"]) if v["generation"] else None
        if v["generation"] and patch is None:
            pending.append("create the venv %s-%s.* once CPython %s is installed" % (path, python, python))
        else:
            if v["generation"]:
                path, python = venv_generation(path, patch), patch
            venv = SharedVenv(module, path, python, v["seed"], v["packages"], v["requirements"], v["files"])
            pending += venv.pending()
            parts.append(venv)
    if p["tools"]:
        patch = target_patch(pythons, plan, p["tool_python"], p["python_install_dir"]) if p["tool_generation"] else None
        tools = ToolManager(module, p["tools"], p["tool_python"], p["tool_generation"], patch)
        pending += tools.pending()
        parts.append(tools)
    skipped = [item["path"] for item in p["files"] + p["blocks"] if not wanted(item)]
    pending += path_lines(module, skipped)
    if p["generations"]:
        g = p["generations"]
        pending += generation_lines(g, target_patch(pythons, plan, g["python"], p["python_install_dir"]))
    module.exit_json(changed=False, pending=pending, architecture=os.uname()[4], uv_version=installed_uv,
                     skipped=skipped,
                     uv_pending=uv_problems,
                     python_missing=python_missing, python_pending=python_pending,
                     commands=[c for part in parts for c in part.uv.commands])


if __name__ == "__main__":
    main()
