# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The parts of the host plan (see _host_plan.py), in the order a run carries them out (PARTS). Each part owns its
# options (ARGS: HOST_ARGS is made of them, and the per-part modules take the same specs from the part's own
# module_util), checks them before anything is read (check), says what it would change (pending) and makes it so
# (apply). A part reads what the parts before it found, or did, from the plan it is given.

from __future__ import annotations

import json
import os
import re
import shutil
import stat

from ansible_collections.labfleet.uv.plugins.module_utils._files import replace_atomically, write_atomically
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    GENERATION_ARGS, GENERATION_RE, generations_problem, points_to, retirable, switch_generation,
    venv_generation)
from ansible_collections.labfleet.uv.plugins.module_utils._host_paths import PATHS_ARGS
from ansible_collections.labfleet.uv.plugins.module_utils._python_archives import downloads_entries
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import (
    Sweep, bin_findings, environments_findings, link_into)
from ansible_collections.labfleet.uv.plugins.module_utils._uv import STAGED_RE
from ansible_collections.labfleet.uv.plugins.module_utils._checksums import sha256_file
from ansible_collections.labfleet.uv.plugins.module_utils._uv_binary import install as install_uv
from ansible_collections.labfleet.uv.plugins.module_utils._uv_python import PYTHON_ARGS, PythonInstaller, pythons_problem
from ansible_collections.labfleet.uv.plugins.module_utils._uv_tool import TOOL_ARGS, ToolManager, tools_python_problem
from ansible_collections.labfleet.uv.plugins.module_utils._uv_venv import VENV_ARGS, SharedVenv, venv_problem

# uv's executables of the CPythons in the python bin dir: python, python3 (--default), python3.13 (each minor)
PYTHON_SHIM_RE = re.compile(r"^python(3(\.\d{1,2}t?)?)?\Z")


def place_transferred(src, dest):
    """Put a file the action plugin sent (src, in the task's temporary directory) at dest: root's, 0644."""
    if not os.path.isdir(os.path.dirname(dest)):
        os.makedirs(os.path.dirname(dest), 0o755)
    with open(src, "rb") as source:
        replace_atomically(dest, lambda out: shutil.copyfileobj(source, out, 1 << 20), dict(mode="0644"))
    os.unlink(src)


def write_downloads_list(path, archives):
    """Write uv's CPython download list naming archives (in path's directory, by file:// URL) with the sha256
    each has here. Returns whether the file changed."""
    entries = downloads_entries([(a, sha256_file(a)) for a in archives], "file://" + os.path.dirname(path))
    text = json.dumps(entries, indent=4, sort_keys=True) + "\n"
    try:
        with open(path) as f:
            if f.read() == text:
                return False
    except (IOError, OSError):
        pass
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path), 0o755)
    write_atomically(path, text.encode("utf-8"), dict(mode="0644"))
    return True


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


class HostSweep(object):
    """The sweep (see _sweep) of the trees the venv and tools parts do not sweep themselves."""

    def __init__(self, module, paths):
        self.p = module.params
        self.paths = paths

    def bin_directories(self):
        """{bin directory: [(named, shaped)]}: what the plan puts in each (see _sweep.bin_findings): uv and uvx (and
        what an interrupted uv install left) in uv's, uv's links into the CPythons in python_bin_dir, the tools'
        links into tool_dir in tool_bin_dir, and in command_dir when it is the role's own, its files and links."""
        p = self.p
        python_dir, tool_dir = p["python_install_dir"], p["tool_dir"]
        found = {}

        def uv_named(name, path, st):
            return name in ("uv", "uvx") or bool(STAGED_RE.match(name))

        def regular(name, path, st):
            return stat.S_ISREG(st.st_mode)

        def shim_named(name, path, st):
            return bool(PYTHON_SHIM_RE.match(name))

        def into_pythons(name, path, st):
            return link_into(path, st, python_dir)

        def into_tools(name, path, st):
            return link_into(path, st, tool_dir)

        commands = set(item["path"] for item in p["files"] + p["links"])

        def command_named(name, path, st):
            return path in commands

        def any_shape(name, path, st):
            return True  # PathsPart judges the role's files and links

        def add(directory, named, shaped):
            if directory:
                found.setdefault(os.path.normpath(directory), []).append((named, shaped))

        add(os.path.dirname(p["uv_path"]), uv_named, regular)
        add(p["python_bin_dir"], shim_named, into_pythons)
        add(p["tool_bin_dir"], into_tools, into_tools)
        if p["command_dir"] and os.path.normpath(p["command_dir"]) in self.paths.own_directories():
            add(p["command_dir"], command_named, any_shape)
        laid_out = commands | set(os.path.normpath(d["path"]) for d in p["directories"])

        def in_layout(name, path, st):
            return path in laid_out

        for d in p["directories"]:
            if d["exact"]:
                add(d["path"], in_layout, any_shape)
        return found

    def sweep(self, only=None):
        """The sweep (see _sweep) of the trees the venv and tools parts do not sweep themselves: the bin directories
        (bin_directories: whatever is not accounted for goes, where the directory is the role's own), the CPythons
        (each one whole), and tool_dir's own entries (each generation is the tools part's, or retired). A tree that
        goes into the quarantine with a directory of the role's is not swept (see PathsPart.replaced_because); a
        directory of the role's itself is judged by PathsPart. only: that bin directory alone."""
        p = self.p
        own = set(os.path.normpath(d) for d in self.paths.own_directories())
        moving = self.paths.moving_directories()

        def goes(path):
            path = os.path.normpath(path)
            return any(path == m or path.startswith(m + "/") for m in moving)

        found = []
        for directory, specs in sorted(self.bin_directories().items()):
            if (only and directory != os.path.normpath(only)) or goes(directory):
                continue

            def named(name, path, st, specs=specs):
                return any(n(name, path, st) for n, dummy in specs)

            def shaped(name, path, st, specs=specs):
                return any(n(name, path, st) and sh(name, path, st) for n, sh in specs)

            found += bin_findings(directory, named, shaped, strict=directory in own, check_top=directory not in own)
        if only:
            return Sweep(found)
        python_dir = os.path.normpath(p["python_install_dir"])
        if not goes(python_dir):
            found += environments_findings(
                python_dir, lambda name: "the CPython" if name.startswith("cpython-") else None,
                check_top=python_dir not in own)
        tool_dir = os.path.normpath(p["tool_dir"])
        if not goes(tool_dir) and not (p["tools"] and not p["tool_generation"]):

            def generation(name, path, st):
                return bool(p["tools"] and GENERATION_RE.match(name) and stat.S_ISDIR(st.st_mode))

            found += environments_findings(
                tool_dir, lambda name: "the tool generation" if GENERATION_RE.match(name) else "the tool environment",
                skip=generation, check_top=tool_dir not in own)
        return Sweep(found)

    def python_lines(self, swept):
        """The lines of the directories and the sweep that take a CPython or one of uv's python executables away:
        a run then installs (uv python install reads the download list)."""
        p = self.p
        python_dir, bin_dir = os.path.normpath(p["python_install_dir"]), os.path.normpath(p["python_bin_dir"])
        moving = self.paths.moving_directories()
        lines = [self.paths.directory_line(d) for d in self.paths.directories
                 if d["path"].rstrip("/") in moving
                 and any(x == d["path"].rstrip("/") or x.startswith(d["path"].rstrip("/") + "/")
                         for x in (python_dir, bin_dir))]
        return lines + [f.line for f in swept.findings if f.move and (
            f.path.startswith(python_dir + "/")
            or (os.path.dirname(f.path) == bin_dir and PYTHON_SHIM_RE.match(os.path.basename(f.path))))]


class Part(object):
    """One part of the host: its options (ARGS), their checks (check, before anything is read), what a run would
    change (pending: lines) and making it so (apply: (lines done, {name: the part's module result}))."""

    ARGS = {}
    # the option problem checks when it is given (a part sets problem to its own module_util's check)
    OPTION = None

    def __init__(self, plan):
        self.plan = plan
        self.module = plan.module
        self.p = plan.module.params

    @classmethod
    def check(cls, module):
        """Fail the module, naming the option, when this part's options cannot be; nothing has changed yet."""
        value = cls.OPTION and module.params[cls.OPTION]
        cls.refuse(module, value and cls.problem(value, cls.OPTION + "."))

    @staticmethod
    def problem(value, prefix):
        """Why value (of OPTION) cannot be, naming the option after prefix, or None."""
        return None

    @staticmethod
    def refuse(module, problem):
        if problem:
            module.fail_json(msg="%s; nothing was changed" % problem)

    def pending(self):
        return []

    def apply(self):
        return [], {}


class FirstPaths(Part):
    """The directories, and the files marked first (uv's configuration, a requirements file): before uv runs."""

    ARGS = PATHS_ARGS

    def pending(self):
        paths = self.plan.paths
        return paths.directory_lines() + paths.file_lines(paths.first_files)

    def apply(self):
        paths = self.plan.paths
        return paths.put_directories() + paths.put_files(paths.first_files), {}


class SweepPart(Part):
    """What is not accounted for in the role's bin directories, the CPythons and tool_dir (see HostSweep)."""

    def pending(self):
        self.plan.swept = self.plan.sweeper.sweep()
        return self.plan.swept.lines()

    def apply(self):
        done, self.plan.moved = self.plan.sweeper.sweep().carry_out()
        return done, {}


class TransfersPart(Part):
    """The files the action plugin sent (uv_apply's staged) put in place, and uv's CPython download list written
    (uv_apply's python_downloads): apply only, before uv is installed."""

    def apply(self):
        done = []
        for item in self.plan.delivered.get("staged") or ():
            place_transferred(item["src"], item["dest"])
            done.append("transferred %s" % item["dest"])
        downloads = self.plan.delivered.get("python_downloads")
        if downloads and write_downloads_list(downloads["path"], downloads["archives"]):
            done.append("wrote the CPython download list %s" % downloads["path"])
        return done, {}


class UvPart(Part):
    """uv itself at uv_path, installed from uv_apply's uv_archive when missing, another version, or broken."""

    ARGS = dict(uv_version=dict(type="str", required=True))

    def pending(self):
        # a uv that does not run cannot be asked what the CPythons, venv and tools lack; their sweep needs no uv
        broken = ["check the CPythons, the shared venv and the tools once uv is replaced"] if self.plan.uv_broken else []
        return self.plan.uv_problems + broken

    def apply(self):
        plan = self.plan
        if not plan.uv_problems:
            return [], {}
        install_uv(self.module, plan.delivered.get("uv_archive"), os.path.dirname(self.p["uv_path"]),
                   self.p["uv_version"], plan.delivered.get("uv_sha256"))
        plan.installed_uv = self.p["uv_version"]
        return plan.uv_problems, {}


class PythonPart(Part):
    """The CPython minors and uv's default shims (see _uv_python)."""

    ARGS = dict(python=dict(type="dict", options=dict(
        PYTHON_ARGS, offered=dict(type="list", elements="str", default=[]))))
    OPTION, problem = "python", staticmethod(pythons_problem)

    def installer(self):
        py = self.p["python"]
        return self.plan.usable(PythonInstaller(self.module, py["versions"], py["default"], py["force"], py["upgrade"],
                                                py["venvs"], py["offered"], uv=self.plan.runner()))

    def pending(self):
        plan = self.plan
        if not self.p["python"] or plan.uv_broken:
            return []
        plan.pythons = self.installer()
        plan.python_plan = plan.pythons.plan()
        plan.python_missing = plan.pythons.lacking(plan.python_plan)
        plan.python_lines = plan.pythons.pending(plan.python_plan)
        plan.asked.append(plan.pythons)
        return plan.python_lines

    def apply(self):
        return [], (dict(python=self.installer().apply()) if self.p["python"] else {})


class VenvPart(Part):
    """The shared venv, or its generation of the CPython patch (see _uv_venv)."""

    ARGS = dict(venv=dict(type="dict", options=VENV_ARGS))
    OPTION, problem = "venv", staticmethod(venv_problem)

    def venv(self, patch):
        """The shared venv's part (its generation of patch when generation is on), or None when it waits for a
        CPython that is not installed yet."""
        v = self.p["venv"]
        path, python = v["path"], v["python"]
        if v["generation"]:
            if patch is None:
                return None
            path, python = venv_generation(path, patch), patch
        return self.plan.usable(SharedVenv.from_options(self.module, v, path, python, uv=self.plan.runner()))

    def pending(self):
        v, plan = self.p["venv"], self.plan
        if not v:
            return []
        if plan.uv_broken:
            venv = self.venv(plan.uv.installed_patch(v["python"]) if v["generation"] else None)
            return venv.sweep().lines() if venv else []
        if v["requirements"] and not os.path.isfile(v["requirements"]):
            return ["requirements file %s: missing" % v["requirements"]]
        venv = self.venv(plan.target_patch(v["python"]) if v["generation"] else None)
        if venv is None:
            return ["create the venv %s-%s.* once CPython %s is installed" % (v["path"], v["python"], v["python"])]
        plan.asked.append(venv)
        return venv.pending()

    def apply(self):
        v = self.p["venv"]
        if not v:
            return [], {}
        venv = self.venv(self.plan.uv.installed_patch(v["python"]) if v["generation"] else None)
        if venv is None:
            self.module.fail_json(msg="CPython %s is not installed in %s: the shared venv cannot be made"
                                      % (v["python"], self.p["python_install_dir"]))
        return [], dict(venv=venv.apply())


class ToolsPart(Part):
    """The global tools, in tool_dir's generation of the CPython patch with tool_generation (see _uv_tool)."""

    ARGS = dict(tools=dict(type="list", elements="dict", options=TOOL_ARGS), tool_python=dict(type="str"),
                tool_generation=dict(type="bool", default=False))

    @classmethod
    def check(cls, module):
        p = module.params
        cls.refuse(module, p["tools"] and tools_python_problem(p["tool_python"], "tool_python"))

    def tools(self, patch):
        return self.plan.usable(ToolManager(self.module, self.p["tools"], self.p["tool_python"],
                                            self.p["tool_generation"], patch, uv=self.plan.runner()))

    def patch(self, find):
        return find(self.p["tool_python"]) if self.p["tool_generation"] else None

    def pending(self):
        plan = self.plan
        if not self.p["tools"]:
            return []
        if plan.uv_broken:
            return self.tools(self.patch(plan.uv.installed_patch)).sweep().lines()
        tools = self.tools(self.patch(plan.target_patch))
        plan.asked.append(tools)
        return tools.pending()

    def apply(self):
        if not self.p["tools"]:
            return [], {}
        return [], dict(tools=self.tools(self.patch(self.plan.uv.installed_patch)).apply())


class GenerationsPart(Part):
    """The switch to the generation of the CPython patch, the retirement of the others, and then (with
    python.upgrade) the removal of the patches they were pinned to (see _generations)."""

    ARGS = dict(generations=dict(type="dict", options=GENERATION_ARGS))
    OPTION, problem = "generations", staticmethod(generations_problem)

    def pending(self):
        g = self.p["generations"]
        return generation_lines(g, self.plan.target_patch(g["python"])) if g else []

    def apply(self):
        g, p = self.p["generations"], self.p
        if not g:
            return [], {}
        results = dict(generation=switch_generation(
            self.module, g["python"], p["python_install_dir"], g["venv_path"], g["tool_dir"], g["tool_bin_dir"],
            g["retire_grace"], self.plan.uv.python_platform))
        if p["python"] and p["python"]["upgrade"]:
            # the patches the retired generations were pinned to are free now
            results["python_cleanup"] = PythonPart(self.plan).installer().apply()
        return [], results


class LastPaths(Part):
    """The other files, links and marked blocks (commands, the PATH scripts): they name what the run made."""

    def pending(self):
        paths = self.plan.paths
        return paths.file_lines(paths.last_files) + paths.link_lines() + paths.block_lines()

    def apply(self):
        paths = self.plan.paths
        return paths.put_files(paths.last_files) + paths.put_links() + paths.put_blocks(), {}


# the parts in the order a run carries them out (and uv_state lists what it would change)
PARTS = (FirstPaths, SweepPart, TransfersPart, UvPart, PythonPart, VenvPart, ToolsPart, GenerationsPart, LastPaths)
