# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The global uv tools, for the modules uv_tool and uv_state.

from __future__ import annotations

import os
import re

from ansible_collections.labfleet.uv.plugins.module_utils._command_output import printed
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UvRunner, host_lock
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    reclaim_lines, stray_lines, tool_generation)

NAME_RE = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[A-Za-z0-9._,\s-]+\])?$")
BARE_VERSION_RE = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?$")
SPEC_RE = re.compile(r"^\s*(===|==|~=|!=|>=|<=|>|<)\s*[A-Za-z0-9.*+!_-]+\s*$")
# pre-commit v4.3.0 [required: ==4.3.0] [CPython 3.11.2]
# error: Executable already exists: pre-commit (use `--force` to overwrite)
EXISTS_RE = re.compile(r"Executables? already exists?: ([^(]+?) \(use")
# entrypoints = [{ name = "pre-commit", install-path = "/opt/uv/tool-bin/pre-commit", from = "pre-commit" }]
INSTALL_PATH_RE = re.compile(r'install-path\s*=\s*"([^"]+)"')
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
    """The global uv tools: what is installed, what a run would do, and doing it."""

    def __init__(self, module, tools, python, generation=False, patch=None):
        """generation: install into tool_dir's generation of the patch `python` is installed at (or `patch`,
        the one it will be at), pinned to that patch (see _generations)."""
        self.module = module
        self.uv = UvRunner(module)
        self.python = python
        if generation:
            patch = patch or self.uv.installed_patch(python)
            # unknown before the minor is installed (check mode, or the state check on a fresh host)
            self.python = patch or python
            self.uv.tool_dir = tool_generation(self.uv.tool_dir, self.python)
            self.uv.env["UV_TOOL_DIR"] = self.uv.tool_dir
        self.wanted = []
        for tool in tools:
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
        dummy, out, dummy2 = self.uv.run(["tool", "list", "--show-version-specifiers", "--show-python"], whole=printed)
        return parse_tool_list(out)

    def would_upgrade(self, tool):
        """Dry-run the upgrade in the tool's own environment (check mode for state=latest)."""
        env_python = os.path.join(self.uv.tool_dir, tool["key"], "bin", "python")
        dummy, out, err = self.uv.run(["pip", "install", "--python", env_python, "--dry-run",
                                       "--upgrade-package", tool["key"], tool["requirement"]], whole=printed)
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
            elif (have["python"] if self.python.count(".") == 2 else minor_of(have["python"])) != self.python:
                actions.append(("reinstall", tool))
            elif tool["spec"] != have["specifier"]:
                actions.append(("install", tool))
            elif self.missing_commands(tool["key"]):
                # a command deleted from the tool bin dir: uv install says "already installed" and leaves it gone
                actions.append(("reinstall", tool))
            elif tool["state"] == "latest":
                actions.append(("upgrade", tool))
        return actions

    def missing_commands(self, key):
        """The commands uv's receipt of the tool key names that are gone from the tool bin dir (or lead nowhere)."""
        try:
            with open(os.path.join(self.uv.tool_dir, key, "uv-receipt.toml")) as f:
                text = f.read()
        except (IOError, OSError):
            return []
        return [path for path in INSTALL_PATH_RE.findall(text) if not os.path.exists(path)]

    def pending(self):
        """What a run would change, one line each (read-only; state=latest is dry-run)."""
        lines = stray_lines(self.uv.tool_dir, "the tool environments")
        for action, tool in self.plan(self.installed()):
            if action == "upgrade" and not self.would_upgrade(tool):
                continue
            lines.append("%s tool %s" % (action, tool["requirement"] if action != "uninstall" else tool["key"]))
        return lines

    def carry_out(self, action, tool):
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
        # the version with UV_LIBC set (UvRunner), as for uv venv (see _uv_venv.SharedVenv.create)
        args = ["tool", "install", tool["requirement"], "--python", self.python]
        if action == "reinstall":
            args.append("--reinstall")
            for path in self.missing_commands(tool["key"]):
                if os.path.islink(path):  # leads nowhere: uv would call it someone's
                    os.unlink(path)
        rc, out, err = self.uv.run(args, check=False)
        taken = EXISTS_RE.search(err or "")
        if rc != 0 and taken and all(self.from_other_generation(n) for n in re.split(r",\s*|\s+and\s+", taken.group(1))):
            # the commands of this tool built for another CPython patch (tool_dir's sibling generation):
            # uv replaces each link in place, so the command never goes missing
            rc, out, err = self.uv.run(args + ["--force"], check=False)
        if rc != 0:
            self.module.fail_json(msg="uv failed (rc=%d): %s" % (rc, (err or out).strip()), cmd=args, rc=rc,
                                  stdout=out, stderr=err)
        return True

    def from_other_generation(self, name):
        """Whether the command name in the tool bin dir is a link into another generation of the tool dir (or
        into a tool environment made before generations): ours to replace. Anything else is someone's."""
        link = os.path.join(self.uv.tool_bin_dir, name.strip().strip("`'\""))
        if not os.path.islink(link):
            return False
        target = os.path.join(self.uv.tool_bin_dir, os.readlink(link))
        parent = os.path.dirname(self.uv.tool_dir.rstrip("/"))
        rest = os.path.relpath(target, parent).split(os.sep)
        own = os.path.basename(self.uv.tool_dir.rstrip("/"))
        return not rest[0].startswith("..") and rest[0] != own and len(rest) > 2 and (
            os.path.isfile(os.path.join(parent, rest[0], "uv-receipt.toml"))
            or os.path.isfile(os.path.join(parent, rest[0], rest[1], "uv-receipt.toml")))

    def run(self):
        with host_lock(self.module):
            result = self.apply()
        self.module.exit_json(**result)

    def apply(self):
        """Carry out the plan (check mode: say what it would do); the caller holds the host lock. Returns the
        module result."""
        before = self.installed()
        done = reclaim_lines(self.module, self.uv.tool_dir, "the tool environments")
        for action, tool in self.plan(before):
            if self.carry_out(action, tool):
                done.append("%s %s" % (action, tool["requirement"] if action != "uninstall" else tool["key"]))
        after = self.installed() if done and not self.module.check_mode else before
        return dict(changed=bool(done), tools=after, actions=done, commands=self.uv.commands,
                    diff=dict(before=self.describe(before),
                              after=self.describe(after) if not self.module.check_mode
                              else "".join(a + "\n" for a in done)))

    @staticmethod
    def describe(tools):
        return "".join("%s %s%s\n" % (name, t["version"], " (%s)" % t["specifier"] if t["specifier"] else "")
                       for name, t in sorted(tools.items()))
