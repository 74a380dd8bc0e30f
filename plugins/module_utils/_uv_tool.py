# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The global uv tools, for the modules uv_tool and uv_state.

from __future__ import annotations

import os
import re

from ansible_collections.labfleet.uv.plugins.module_utils._command_output import printed
from ansible_collections.labfleet.uv.plugins.module_utils._files import read_regular_file
from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import requirement_specs
from ansible_collections.labfleet.uv.plugins.module_utils._trust import why_untrusted
from ansible_collections.labfleet.uv.plugins.module_utils._uv_python import base_problem
from ansible_collections.labfleet.uv.plugins.module_utils._uv import LockedPart, UvRunner
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    is_minor, tool_environments, tool_generation)
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import Sweep, environments_findings, link_into, scan

NAME_RE = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[A-Za-z0-9._, -]+\])?\Z")
BARE_VERSION_RE = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?\Z")
SPEC_RE = re.compile(r"^ *(===|==|~=|!=|>=|<=|>|<) *[A-Za-z0-9.*+!_-]+ *\Z")
# pre-commit v4.3.0 [required: ==4.3.0] [CPython 3.11.2]
# error: Executable already exists: pre-commit (use `--force` to overwrite)
EXISTS_RE = re.compile(r"Executables? already exists?: ([^(]+?) \(use")
# entrypoints = [{ name = "pre-commit", install-path = "/opt/uv/tool-bin/pre-commit", from = "pre-commit" }]
INSTALL_PATH_RE = re.compile(r'install-path\s*=\s*"([^"]+)"')
# what uv's listing warns of an environment it cannot use (it asks each environment's python who it is), e.g.
# warning: Failed to query Python interpreter at `/opt/uv/tools/3.11.2/ruff/bin/python` (run `uv tool install ruff
# --reinstall` to reinstall)    [on one line; also "Invalid environment at `...`: missing Python executable ..."]
UNUSABLE_RE = re.compile(r"^warning: (?P<why>.+?) \(run `uv tool install (?P<name>\S+) --reinstall` to reinstall\)",
                         re.M)
# a receipt's first requirement (the tool) and the python it was installed with, read where uv may not be asked
RECEIPT_REQUIREMENT_RE = re.compile(r'^requirements\s*=\s*\[\s*\{(?P<fields>[^}]*)\}', re.M)
RECEIPT_FIELD_RE = re.compile(r'\b(?P<key>name|specifier)\s*=\s*"(?P<value>[^"]*)"')
RECEIPT_PYTHON_RE = re.compile(r'^python\s*=\s*"(?P<python>[^"]+)"', re.M)
RECEIPT_CAP = 65536
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


def parse_unusable(text):
    """{tool key: why} of the environments uv's listing warned it cannot use."""
    return dict((canonical(m.group("name")), "uv cannot use its environment (%s)" % m.group("why"))
                for m in UNUSABLE_RE.finditer(text or ""))


def read_receipt(env):
    """The text of the tool environment's uv-receipt.toml (a regular file, never through a link, up to
    RECEIPT_CAP), or None."""
    data = read_regular_file(os.path.join(env, "uv-receipt.toml"), RECEIPT_CAP)
    return None if data is None else data.decode("utf-8", "replace")


def parse_receipt(text):
    """(name, specifier, python) of a receipt's text (the tool's own requirement, the python it was installed
    with), or None."""
    req = RECEIPT_REQUIREMENT_RE.search(text or "")
    python = RECEIPT_PYTHON_RE.search(text or "")
    fields = dict((m.group("key"), m.group("value")) for m in RECEIPT_FIELD_RE.finditer(req.group("fields"))) \
        if req else {}
    if "name" not in fields or not python:
        return None
    return fields["name"], fields.get("specifier", "").replace(" ", ""), python.group("python")


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


# one wanted tool (the elements of uv_tool's tools, and of uv_state's and uv_apply's)
TOOL_ARGS = dict(
    name=dict(type="str", required=True),
    version=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "latest", "absent"]),
)


def tools_python_problem(python, option="python"):
    """Why the tools cannot be installed on python (uv_tool's python, uv_state's and uv_apply's tool_python),
    naming option, or None: a patch would leave them on it across upgrades."""
    if python is not None and not is_minor(python):
        return "%s must be a CPython minor such as 3.13, not %r" % (option, python)
    return None


def wanted_tools(module, tools):
    """[{requirement, key, spec, state}] of the tools (TOOL_ARGS), the module failed (before anything changes) for a
    name or version that is not one."""
    wanted = []
    for tool in tools:
        requirement_specs(module, "tools", [tool["name"]] + ([str(tool["version"])] if tool.get("version") else []))
        m = NAME_RE.match(tool["name"] or "")
        if not m:
            module.fail_json(msg="tools: %r is not a package name (optionally with [extras])" % tool["name"])
        try:
            spec = normalize_spec(tool.get("version"))
        except ValueError:
            module.fail_json(msg="tools: version %r of %s is not a version specifier such as ==4.3.0 or >=4,<5"
                                 % (tool.get("version"), tool["name"]))
        wanted.append(dict(requirement=tool["name"] + spec, key=canonical(m.group(1)), spec=spec,
                           state=tool.get("state") or "present"))
    return wanted


class InstalledTools(LockedPart):
    """The global tools' environments in the tool dir as they are: what uv lists (or their receipts show), which do
    not count as present, the commands left of them, and their sweep."""

    def __init__(self, module, uv=None):
        self.module = module
        self.uv = uv or UvRunner(module)
        # {tool key: why} of the environments that do not count as present, and of those that cannot be judged yet
        # (their python is the binary of a CPython that does not answer, reinstalled first)
        self.unusable, self.waiting = {}, {}

    def installed(self):
        """{tool key: version, specifier, python} of the tools installed, as uv lists them. Sets self.unusable:
        {tool key: why} of the environments there that do not count as present: uv's listing asks each one's python
        who it is and warns of those that do not answer; an environment whose python root may not run (see _trust)
        is not run at all: the receipts are read instead of asking uv."""
        self.unusable, self.waiting = {}, {}
        if not self.uv.available:
            return {}
        refused = self.untrusted()
        if refused:
            self.unusable = refused
            return self.receipts()
        dummy, out, err = self.uv.run(["tool", "list", "--show-version-specifiers", "--show-python"], whole=printed)
        for key, why in parse_unusable(err).items():
            base = base_problem(self.module, os.path.join(self.uv.tool_dir, key, "bin", "python"),
                                self.uv.python_install_dir)
            if base:
                self.waiting[key] = "its python is %s" % base
            else:
                self.unusable[key] = why
        return parse_tool_list(out)

    def untrusted(self):
        """{tool key: why} of the environments in the tool dir whose python root may not run (see _trust)."""
        found = {}
        for env in tool_environments(self.uv.tool_dir):
            python = os.path.join(env, "bin", "python")
            why = why_untrusted(python) if os.path.lexists(python) else None  # a missing one: uv says so
            if why:
                found[canonical(os.path.basename(env))] = "its python %s may not be run by root: %s" % (python, why)
        return found

    def receipts(self):
        """The tools as the receipts in the tool dir name them (in place of uv's listing: see installed)."""
        tools = {}
        for env in tool_environments(self.uv.tool_dir):
            found = parse_receipt(read_receipt(env))
            if found:
                tools[canonical(found[0])] = dict(version="unknown (not asked)", specifier=found[1], python=found[2])
        return tools

    def left_commands(self, key):
        """Root's links in the tool bin dir into the environment of the tool key that lead nowhere: what is left of
        an environment that is gone (uv would call them someone's and refuse to install)."""
        env = os.path.join(self.uv.tool_dir, key)
        return [path for dummy, path, st in scan(self.uv.tool_bin_dir)
                if st.st_uid == os.geteuid() and link_into(path, st, env) and not os.path.exists(path)]

    def missing_commands(self, key):
        """The commands uv's receipt of the tool key names that are gone from the tool bin dir (or lead nowhere)."""
        text = read_receipt(os.path.join(self.uv.tool_dir, key))
        return [path for path in INSTALL_PATH_RE.findall(text or "") if not os.path.exists(path)]

    def sweep(self):
        """The tool environments swept (see _sweep): each moved whole into the quarantine, to be installed again,
        when anything in it is not root's to trust; root's own files without set-id bits."""
        return Sweep(environments_findings(self.uv.tool_dir, lambda name: "the tool environment")).with_cache(
            self.module.params.get("cache_dir"))

    def drop_commands_into(self, paths):
        """Remove the commands in the tool bin dir that lead into paths (environments moved into the quarantine):
        uv installs them again (a link left there would be someone's to uv)."""
        for dummy, link, st in scan(self.uv.tool_bin_dir):
            if any(link_into(link, st, path) for path in paths):
                os.unlink(link)

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


class ToolManager(InstalledTools):
    """The global uv tools: what is installed, what a run would do, and doing it."""

    def __init__(self, module, tools, python, generation=False, patch=None, uv=None):
        """generation: install into tool_dir's generation of the patch `python` is installed at (or `patch`,
        the one it will be at), pinned to that patch (see _generations)."""
        InstalledTools.__init__(self, module, uv)
        self.python = python
        if generation:
            patch = patch or self.uv.installed_patch(python)
            # unknown before the minor is installed (check mode, or the state check on a fresh host)
            self.python = patch or python
            self.uv.tool_dir = tool_generation(self.uv.tool_dir, self.python)
            self.uv.env["UV_TOOL_DIR"] = self.uv.tool_dir
        self.wanted = wanted_tools(module, tools)
        # {tool key: why} of the reinstalls over what is left of an environment
        self.reasons = {}

    def would_upgrade(self, tool):
        """Dry-run the upgrade in the tool's own environment (check mode for state=latest)."""
        env_python = os.path.join(self.uv.tool_dir, tool["key"], "bin", "python")
        dummy, out, err = self.uv.run(["pip", "install", "--python", env_python, "--dry-run",
                                       "--upgrade-package", tool["key"], "--", tool["requirement"]], whole=printed)
        return "Would make no changes" not in out + err

    def plan(self, installed):
        """[(action, tool)] for what installed() found; self.reasons: {tool key: why} of the reinstalls over what
        is left of an environment."""
        actions = []
        self.reasons = {}
        for tool in self.wanted:
            have = installed.get(tool["key"])
            left = [] if have else self.left_commands(tool["key"])
            if tool["state"] == "absent":
                if have or tool["key"] in self.unusable or tool["key"] in self.waiting:
                    actions.append(("uninstall", tool))
            elif tool["key"] in self.waiting:
                continue  # pending() and apply() say so
            elif tool["key"] in self.unusable or left:
                # present only when its python answers and its commands lead into it: installed again over what
                # is left of it, which would block uv
                self.reasons[tool["key"]] = self.unusable.get(tool["key"]) or (
                    "its environment %s is gone, and its command %s is left" % (
                        os.path.join(self.uv.tool_dir, tool["key"]), ", ".join(left)))
                actions.append(("reinstall", tool))
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

    def swept_plan(self, swept):
        """(installed, actions, lines) while what swept moves is still there (the read-only pass, check mode): uv is
        not asked (`uv tool list` runs every environment's python), a wanted tool whose environment goes is to be
        installed again, and the others are checked by the run, once it is gone."""
        gone = [t for t in self.wanted if swept.moves(os.path.join(self.uv.tool_dir, t["key"]))]
        actions = [("install", t) for t in gone if t["state"] != "absent"]
        later = ["check tool %s once %s is swept" % (t["key"], self.uv.tool_dir) for t in self.wanted if t not in gone]
        return {}, actions, later

    def pending(self):
        """What a run would change, one line each (read-only; state=latest is dry-run)."""
        swept = self.sweep()
        lines = swept.lines()
        if swept.moved():
            dummy, actions, later = self.swept_plan(swept)
            return lines + ["%s tool %s" % (action, tool["requirement"]) for action, tool in actions] + later
        for action, tool in self.plan(self.installed()):
            if action == "upgrade" and not self.would_upgrade(tool):
                continue
            lines.append("%s tool %s%s" % (action, tool["requirement"] if action != "uninstall" else tool["key"],
                                           ": " + self.reasons[tool["key"]] if tool["key"] in self.reasons else ""))
        return lines + ["check tool %s once its CPython answers again: %s" % (tool["key"], self.waiting[tool["key"]])
                        for tool in self.waiting_wanted()]

    def waiting_wanted(self):
        """The wanted tools (not absent) whose environment cannot be judged yet (see installed)."""
        return [t for t in self.wanted if t["key"] in self.waiting and t["state"] != "absent"]

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
        args = ["tool", "install", "--python", self.python]   # options only: the requirement follows `--`
        if action == "reinstall":
            args.append("--reinstall")
            if tool["key"] in self.unusable:
                # uv replaces an environment whose python does not answer only with --force (--reinstall alone asks
                # that python and fails), and then runs nothing of the old one
                args.append("--force")
            for path in self.missing_commands(tool["key"]) + self.left_commands(tool["key"]):
                if os.path.islink(path):  # leads nowhere: uv would call it someone's
                    os.unlink(path)
        rc, out, err = self.uv.run(args + ["--", tool["requirement"]], check=False)
        taken = EXISTS_RE.search(err or "")
        if rc != 0 and taken and all(self.from_other_generation(n) for n in re.split(r",\s*|\s+and\s+", taken.group(1))):
            # the commands of this tool built for another CPython patch (tool_dir's sibling generation):
            # uv replaces each link in place, so the command never goes missing
            rc, out, err = self.uv.run(args + ["--force", "--", tool["requirement"]], check=False)
        if rc != 0:
            self.module.fail_json(msg="uv failed (rc=%d): %s" % (rc, (err or out).strip()), cmd=args, rc=rc,
                                  stdout=out, stderr=err)
        return True

    def apply(self):
        """Carry out the plan (check mode: say what it would do); the caller holds the host lock. Returns the
        module result."""
        swept = self.sweep()
        done, quarantined, later = swept.lines(), [], []
        swept_done = []
        if self.module.check_mode and swept.moved():
            before, actions, later = self.swept_plan(swept)
        else:
            if swept and not self.module.check_mode:
                done, moved = swept.carry_out()
                swept_done = list(done)
                quarantined = [dict(path=path, moved_to=dest) for path, dest in moved]
                self.drop_commands_into([path for path, dest in moved])
            before = self.installed()
            actions = self.plan(before)
            if self.waiting_wanted():
                self.module.fail_json(msg="%s cannot be checked: %s. Install that CPython again first "
                                          "(labfleet.uv.uv_python)" % (
                                              ", ".join(t["key"] for t in self.waiting_wanted()),
                                              "; ".join(self.waiting[t["key"]] for t in self.waiting_wanted())),
                                      commands=self.uv.commands)
        for action, tool in actions:
            if self.carry_out(action, tool):
                done.append("%s %s%s" % (action, tool["requirement"] if action != "uninstall" else tool["key"],
                                         ": " + self.reasons[tool["key"]] if tool["key"] in self.reasons else ""))
        done += later
        after = self.installed() if done and not self.module.check_mode else before
        return dict(changed=bool(done), tools=after, actions=done, commands=self.uv.commands, quarantined=quarantined,
                    swept=swept_done,
                    diff=dict(before=self.describe(before),
                              after=self.describe(after) if not self.module.check_mode
                              else "".join(a + "\n" for a in done)))

    @staticmethod
    def describe(tools):
        return "".join("%s %s%s\n" % (name, t["version"], " (%s)" % t["specifier"] if t["specifier"] else "")
                       for name, t in sorted(tools.items()))
