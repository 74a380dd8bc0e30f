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

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS, UvRunner, is_minor

NAME_RE = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[A-Za-z0-9._,\s-]+\])?$")
BARE_VERSION_RE = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?$")
SPEC_RE = re.compile(r"^\s*(===|==|~=|!=|>=|<=|>|<)\s*[A-Za-z0-9.*+!_-]+\s*$")
# pre-commit v4.3.0 [required: ==4.3.0] [CPython 3.11.2]
LIST_RE = re.compile(r"^(?P<name>\S+) v(?P<version>\S+)(?: \[required: (?P<spec>[^\]]*)\])?"
                     r"(?: \[(?P<impl>[A-Za-z]+) (?P<python>[0-9.]+)\])?")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_tool_list(text):
    tools = {}
    for line in (text or "").splitlines():
        m = LIST_RE.match(line)
        if m and not line.startswith("- "):
            tools[canonical(m.group("name"))] = dict(
                version=m.group("version"), specifier=(m.group("spec") or "").replace(" ", ""),
                python=m.group("python"))
    return tools


def normalize_spec(version):
    """'4.3.0' -> '==4.3.0'; '>=4, <5' -> '>=4,<5'; None/'' -> ''. Raises ValueError for what isn't one."""
    if not version:
        return ""
    version = version.strip()
    if BARE_VERSION_RE.match(version):
        return "==" + version
    parts = version.split(",")
    if not all(SPEC_RE.match(part) for part in parts):
        raise ValueError(version)
    return ",".join(part.replace(" ", "") for part in parts)


def minor_of(version):
    return ".".join((version or "").split(".")[:2])


class ToolManager(object):
    def __init__(self, module):
        self.module = module
        self.uv = UvRunner(module)
        self.python = module.params["python"]
        self.wanted = []
        for tool in module.params["tools"]:
            m = NAME_RE.match(tool["name"] or "")
            if not m:
                module.fail_json(msg="tools: %r is not a package name (optionally with [extras])" % tool["name"])
            try:
                spec = normalize_spec(tool.get("version"))
            except ValueError:
                module.fail_json(msg="tools: version %r of %s is not a version specifier such as ==4.3.0 or >=4,<5"
                                     % (tool.get("version"), tool["name"]))
            self.wanted.append(dict(requirement=tool["name"] + spec, key=canonical(m.group(1)), spec=spec,
                                    state=tool.get("state") or "present"))

    def installed(self):
        if not self.uv.available:
            return {}
        dummy, out, dummy2 = self.uv.run(["tool", "list", "--show-version-specifiers", "--show-python"])
        return parse_tool_list(out)

    def would_upgrade(self, tool):
        """Dry-run the upgrade in the tool's own environment (check mode for state=latest)."""
        env_python = os.path.join(self.uv.tool_dir, tool["key"], "bin", "python")
        dummy, out, err = self.uv.run(["pip", "install", "--python", env_python, "--dry-run",
                                       "--upgrade-package", tool["key"], tool["requirement"]])
        return "Would make no changes" not in out + err

    def plan(self, installed):
        actions = []
        for tool in self.wanted:
            have = installed.get(tool["key"])
            if tool["state"] == "absent":
                if have:
                    actions.append(("uninstall", tool))
            elif not have:
                actions.append(("install", tool))
            elif minor_of(have["python"]) != self.python:
                actions.append(("reinstall", tool))
            elif tool["spec"] != have["specifier"]:
                actions.append(("install", tool))
            elif tool["state"] == "latest":
                actions.append(("upgrade", tool))
        return actions

    def apply(self, action, tool):
        """Run one action; return whether it changed anything."""
        if action == "uninstall":
            if not self.module.check_mode:
                self.uv.run(["tool", "uninstall", tool["key"]])
            return True
        if action == "upgrade":
            if self.module.check_mode:
                return self.would_upgrade(tool)
            dummy, out, err = self.uv.run(["tool", "upgrade", tool["key"], "--python", self.python])
            return "Nothing to upgrade" not in out + err
        if self.module.check_mode:
            return True
        args = ["tool", "install", tool["requirement"], "--python", self.python]
        if action == "reinstall":
            args.append("--reinstall")
        self.uv.run(args)
        return True

    def run(self):
        before = self.installed()
        done = []
        for action, tool in self.plan(before):
            if self.apply(action, tool):
                done.append("%s %s" % (action, tool["requirement"] if action != "uninstall" else tool["key"]))
        after = self.installed() if done and not self.module.check_mode else before
        self.module.exit_json(changed=bool(done), tools=after, actions=done, commands=self.uv.commands,
                              diff=dict(before=self.describe(before),
                                        after=self.describe(after) if not self.module.check_mode
                                        else "".join(a + "\n" for a in done)))

    @staticmethod
    def describe(tools):
        return "".join("%s %s%s\n" % (name, t["version"], " (%s)" % t["specifier"] if t["specifier"] else "")
                       for name, t in sorted(tools.items()))


def main():
    argument_spec = dict(UV_COMMON_ARGS)
    argument_spec.update(
        tools=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            version=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "latest", "absent"]),
        )),
        python=dict(type="str", required=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not is_minor(module.params["python"]):
        module.fail_json(msg="python must be a CPython minor such as 3.13, not %r" % module.params["python"])
    if not module.check_mode:
        UvRunner(module).require()
    ToolManager(module).run()


if __name__ == "__main__":
    main()
