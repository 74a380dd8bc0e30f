# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The whole shared uv setup of one host, for the modules uv_state (what a run would change) and uv_apply (making
# it so): one argument spec, one plan per part, read by both. The parts, in the order a run carries them out:
#
#   directories -> uv -> files marked first (uv's configuration) -> CPythons -> the shared venv's generation ->
#   the tools -> the switch to the new generation, retiring the old -> superseded CPython patches ->
#   the other files, links and blocks (commands, the PATH scripts: they name the venv once it is complete)
#
# Each part decides from the host as it is when its turn comes (the venv's generation depends on the CPython
# patch the install step left), so a run is the plan the state pass reported, carried out in order.

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import re
import shutil
import stat
import tempfile

from ansible_collections.labfleet.uv.plugins.module_utils._files import (
    link_atomically, replace_atomically, set_ownership, write_atomically)
from ansible_collections.labfleet.uv.plugins.module_utils._uv import (
    STAGED_RE, UV_COMMON_ARGS, UvRunner, uv_install_problems)
from ansible_collections.labfleet.uv.plugins.module_utils._uv_binary import install as install_uv, sha256_file
from ansible_collections.labfleet.uv.plugins.module_utils._python_archives import downloads_entries
from ansible_collections.labfleet.uv.plugins.module_utils._uv_python import PythonInstaller
from ansible_collections.labfleet.uv.plugins.module_utils._uv_tool import ToolManager
from ansible_collections.labfleet.uv.plugins.module_utils._uv_venv import SharedVenv
from ansible_collections.labfleet.uv.plugins.module_utils._generations import (
    GENERATION_RE, points_to, retirable, switch_generation, venv_generation)
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import (
    Sweep, bin_findings, environments_findings, link_into, lstat_or_none, owner_name, quarantine, moved_line)

# uv's executables of the CPythons in the python bin dir: python, python3 (--default), python3.13 (each minor)
PYTHON_SHIM_RE = re.compile(r"^python(3(\.\d{1,2}t?)?)?\Z")

OWNED = dict(path=dict(type="path", required=True), owner=dict(type="str"), group=dict(type="str"),
             mode=dict(type="str"))

HOST_ARGS = dict(UV_COMMON_ARGS)
HOST_ARGS.update(
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
        tool_bin_dir=dict(type="path"), retire_grace=dict(type="int", default=10))),
    directories=dict(type="list", elements="dict", default=[], options=OWNED),
    files=dict(type="list", elements="dict", default=[],
               options=dict(OWNED, content=dict(type="str"), sha1=dict(type="str"),
                            first=dict(type="bool", default=False),
                            if_exists=dict(type="list", elements="path", default=[]))),
    links=dict(type="list", elements="dict", default=[],
               options=dict(path=dict(type="path", required=True), src=dict(type="path", required=True))),
    blocks=dict(type="list", elements="dict", default=[],
                options=dict(path=dict(type="path", required=True), text=dict(type="str", required=True),
                             marker=dict(type="str"),
                             if_exists=dict(type="list", elements="path", default=[]))),
    command_dir=dict(type="path"),
    marker=dict(type="str"),
    uv_config=dict(type="path"),
)


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


def with_block(text, block):
    """text with the block's marked lines replaced by (or, when it has none, followed by) the block, as
    blockinfile writes it."""
    lines = text.splitlines(True)
    begin, end = "# BEGIN %s" % block["marker"], "# END %s" % block["marker"]
    stripped = [line.rstrip("\n") for line in lines]
    new = block_text(block) + "\n"
    if begin in stripped and end in stripped[stripped.index(begin):]:
        first = stripped.index(begin)
        last = stripped.index(end, first)
        return "".join(lines[:first]) + new + "".join(lines[last + 1:])
    if text and not text.endswith("\n"):
        text += "\n"
    return text + new


def wanted(item):
    """Whether a file or block is wanted on this host: always, or where one of its if_exists paths exists."""
    return not item["if_exists"] or any(os.path.exists(path) for path in item["if_exists"])


def file_sha1(f):
    """The SHA-1 of a wanted file's content (or the one given instead of the content)."""
    if f["content"] is None:
        return f["sha1"]
    return hashlib.sha1(f["content"].encode("utf-8")).hexdigest()


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


class PathsPart(object):
    """Directories, files, links and blocks: what differs, and putting it right."""

    def __init__(self, module):
        self.module = module
        p = module.params
        self.skipped = [item["path"] for item in p["files"] + p["blocks"] if not wanted(item)]
        self.directories = p["directories"]
        self.files = [f for f in p["files"] if f["path"] not in self.skipped]
        self.links = p["links"]
        self.blocks = [b for b in p["blocks"] if b["path"] not in self.skipped]
        # what apply moved into the quarantine: [(path, where it went or None when removed)]
        self.quarantined = []

    def own_directories(self):
        """The directories the role owns (an owner given: under its root), as opposed to the system's, which only
        have to exist."""
        return [d["path"].rstrip("/") for d in self.directories if d["owner"]]

    @staticmethod
    def replaced_because(d, st):
        """Why the role's own directory d (lstat st) is moved into the quarantine and made again, or None: a link
        (never followed) or anything else where it belongs, or another account's (what is in it is that account's
        to change)."""
        if stat.S_ISLNK(st.st_mode):
            return "a link to %s, not a directory" % os.readlink(d["path"])
        if not stat.S_ISDIR(st.st_mode):
            return "not a directory"
        if d["owner"] and st.st_uid != pwd.getpwnam(d["owner"]).pw_uid:
            return "owned by %s" % owner_name(st.st_uid)
        return None

    def directory_line(self, d):
        st = lstat_or_none(d["path"])
        if st is None:
            return "directory %s: missing" % d["path"]
        if not d["owner"]:
            # the system's directory (a command dir, /etc/uv) only has to exist: a link to one is one (merged /usr)
            return None if os.path.isdir(d["path"]) else "directory %s: missing" % d["path"]
        why = self.replaced_because(d, st)
        if why:
            return "directory %s: %s: move it into quarantine, make it again" % (d["path"], why)
        diffs = ownership_differs(st, d)
        return "directory %s: %s differs" % (d["path"], ", ".join(diffs)) if diffs else None

    def moving_directories(self):
        """The role's own directories that a run moves into the quarantine (see replaced_because)."""
        return [d["path"].rstrip("/") for d in self.directories if d["owner"] and lstat_or_none(d["path"])
                and self.replaced_because(d, os.lstat(d["path"]))]

    @staticmethod
    def foreign_owner(f, st):
        """Another account than the wanted owner (root) owns the file f (lstat st): it is moved into the quarantine
        before the role's is written, never read."""
        want = pwd.getpwnam(f["owner"]).pw_uid if f.get("owner") else os.geteuid()
        return st.st_uid != want

    def file_line(self, f):
        st = lstat_or_none(f["path"])
        if st is None or not stat.S_ISREG(st.st_mode):
            return "file %s: missing" % f["path"]
        if self.foreign_owner(f, st):
            return "file %s: owned by %s: move it into quarantine, write it again" % (f["path"], owner_name(st.st_uid))
        diffs = (["content"] if self.module.sha1(f["path"]) != file_sha1(f) else []) + ownership_differs(st, f)
        return "file %s: %s differs" % (f["path"], ", ".join(diffs)) if diffs else None

    @staticmethod
    def link_line(link):
        if not os.path.islink(link["path"]) or os.readlink(link["path"]) != link["src"]:
            return "link %s: not a link to %s" % (link["path"], link["src"])
        return None

    @staticmethod
    def block_line(block):
        try:
            with open(block["path"]) as f:
                present = block_text(block) in f.read()
        except (IOError, OSError):
            present = False
        return None if present else "file %s: lacks the role's block" % block["path"]

    def pending(self, first=None):
        """The lines of what differs: everything, or (first=True/False) the files marked first / the rest."""
        lines = []
        if first in (None, True):
            lines += [self.directory_line(d) for d in self.directories]
        lines += [self.file_line(f) for f in self.files if first is None or f["first"] == first]
        if first in (None, False):
            lines += [self.link_line(link) for link in self.links]
            lines += [self.block_line(b) for b in self.blocks]
        return [line for line in lines if line]

    def quarantine(self, line, path):
        """Move path into the quarantine; line, with where it went."""
        dest = quarantine(path)
        self.quarantined.append((path, dest))
        return moved_line(line, dest)

    def apply(self, first):
        """Put right the directories and files marked first (first=True), or the other files, links and blocks.
        Returns the lines of what was changed."""
        done = []
        if first:
            for d in self.directories:
                line = self.directory_line(d)
                if line:
                    st = lstat_or_none(d["path"])
                    if st is not None and d["owner"] and self.replaced_because(d, st):
                        line = self.quarantine(line, d["path"])
                    if not os.path.isdir(d["path"]):
                        os.makedirs(d["path"], 0o755)
                    if d["owner"] or d["group"] or d["mode"]:
                        set_ownership(d["path"], d)
                    done.append(line)
        for f in self.files:
            line = self.file_line(f) if f["first"] == first else None
            if line:
                if f["content"] is None:
                    self.module.fail_json(msg="files: %s has no content to write (give content, not sha1)"
                                              % f["path"])
                if not os.path.isdir(os.path.dirname(f["path"])):
                    os.makedirs(os.path.dirname(f["path"]), 0o755)
                st = lstat_or_none(f["path"])
                if st is not None and stat.S_ISREG(st.st_mode) and self.foreign_owner(f, st):
                    line = self.quarantine(line, f["path"])
                write_atomically(f["path"], f["content"].encode("utf-8"), f)
                done.append(line)
        if first:
            return done
        for link in self.links:
            line = self.link_line(link)
            if line:
                link_atomically(link["path"], link["src"])
                done.append(line)
        for block in self.blocks:
            line = self.block_line(block)
            if line:
                path = os.path.realpath(block["path"])  # a system file that is a link stays one
                try:
                    with open(path) as fh:
                        text = fh.read()
                    like = os.stat(path)
                except (IOError, OSError):
                    text, like = "", None
                    if not os.path.isdir(os.path.dirname(path)):
                        os.makedirs(os.path.dirname(path), 0o755)
                write_atomically(path, with_block(text, block).encode("utf-8"),
                                 dict(owner="root", group="root", mode="0644"), like)
                done.append(line)
        return done


def foreign_commands(module):
    """The paths in command_dir among the files and links wanted there that hold something the role did not
    write: not a file with the marker line, not uv's --default shim of a managed CPython, not the wanted link."""
    p = module.params
    directory = p["command_dir"]
    if not directory:
        return []
    directory = directory.rstrip("/")
    marker_line = "# %s" % p["marker"] if p["marker"] else None
    foreign = []
    for item in p["files"] + p["links"]:
        path = item["path"]
        st = lstat_or_none(path)
        if os.path.dirname(path.rstrip("/")) != directory or st is None:
            continue
        if st.st_uid != os.geteuid():
            continue  # another account's: moved into the quarantine or replaced (PathsPart), never the admin's
        if os.path.islink(path):
            target = os.readlink(path)
            if target == item.get("src") or target.startswith(p["python_install_dir"].rstrip("/") + "/"):
                continue
        elif os.path.isfile(path) and marker_line:
            try:
                with open(path, "rb") as f:
                    lines = f.read(65536).decode("utf-8", "replace").splitlines()
            except (IOError, OSError):
                lines = []
            if any(line.startswith(marker_line) for line in lines):
                continue
        foreign.append(path)
    return foreign


def target_patch(pythons, plan, minor, uv):
    """The patch a run leaves minor at: what the CPython plan says, else what uv's minor link shows."""
    if pythons is not None:
        return pythons.target_patch(minor, plan)
    return uv.installed_patch(minor)


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


class HostPlan(object):
    """The shared uv setup of one host (module params: HOST_ARGS): what differs, and making it so."""

    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.paths = PathsPart(module)
        self.installed_uv, self.uv_problems = self.uv_state()
        # the install locations and this host's platform, for what is read without asking uv
        self.uv = UvRunner(module)
        self.foreign = foreign_commands(module)
        self.use_wanted_uv_config()

    def uv_state(self):
        """(the version the installed uv reports, what keeps it from being the wanted uv complete). A uv or uvx
        that goes into the quarantine first (another account's, a link, or in a directory that goes) is not run:
        it is to be replaced."""
        p = self.p
        bin_dir = os.path.dirname(p["uv_path"].rstrip("/"))
        uvx = os.path.join(bin_dir, "uvx")
        moving = self.paths.moving_directories()
        swept = self.sweep(bin_dir)
        if any(p["uv_path"] == m or p["uv_path"].startswith(m + "/") for m in moving) or swept.moves(
                p["uv_path"]) or swept.moves(uvx):
            return None, ["uv %s at %s (found one that goes into quarantine first)" % (p["uv_version"], p["uv_path"])]
        return uv_install_problems(self.module, bin_dir, p["uv_version"])

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

    def use_wanted_uv_config(self):
        """uv reads the wanted configuration even where the file on the host was edited or broken (before a run
        writes it): its queries get a copy of the wanted text (UV_CONFIG_FILE replaces every discovered file)."""
        path = self.p["uv_config"]
        wanted_file = [f for f in self.paths.files if f["path"] == path and f["content"] is not None]
        if not wanted_file or self.paths.file_line(wanted_file[0]) is None:
            return
        fd, copy = tempfile.mkstemp(prefix="uv-", suffix=".toml", dir=self.module.tmpdir)
        with os.fdopen(fd, "w") as f:
            f.write(wanted_file[0]["content"])
        self.p["config_file"] = copy

    def refuse_foreign_commands(self):
        """Fail, before anything changes, when command_dir holds commands the role did not write."""
        if self.foreign:
            self.module.fail_json(
                msg="command_dir (shared_python_command_dir in the role) %s already holds %s, which the role did "
                    "not write. Move them away, or choose another directory; nothing was changed."
                    % (self.p["command_dir"], ", ".join(self.foreign)), foreign=self.foreign)

    def usable(self, part):
        """A part's uv queries run only with a uv that works (an older one is fine: a broken one is replaced first,
        and until then its parts count as not there)."""
        part.uv.usable = self.installed_uv is not None
        return part

    def pythons(self):
        py = self.p["python"]
        if not py:
            return None
        return self.usable(PythonInstaller(self.module, py["versions"], py["default"], py["force"], py["upgrade"],
                                           py["venvs"], py["offered"]))

    def venv(self, patch):
        """The shared venv's part (its generation of patch when generation is on), or None when it waits for a
        CPython that is not installed yet."""
        v = self.p["venv"]
        path, python = v["path"], v["python"]
        if v["generation"]:
            if patch is None:
                return None
            path, python = venv_generation(path, patch), patch
        return self.usable(SharedVenv(self.module, path, python, v["seed"], v["packages"], v["requirements"],
                                      v["files"]))

    def tools(self, patch):
        return self.usable(ToolManager(self.module, self.p["tools"], self.p["tool_python"], self.p["tool_generation"],
                                       patch))

    def environments_swept(self):
        """The sweep lines of the shared venv's and the tools' environments as they are (no uv asked)."""
        p, lines = self.p, []
        v = p["venv"]
        venv = v and self.venv(self.uv.installed_patch(v["python"]) if v["generation"] else None)
        if venv:
            lines += venv.sweep().lines()
        if p["tools"]:
            lines += self.tools(self.uv.installed_patch(p["tool_python"]) if p["tool_generation"] else None
                                ).sweep().lines()
        return lines

    def uv_parts_pending(self):
        """What the CPythons, the shared venv and the tools lack, as uv tells it:
        dict(python=[lines], other=[lines], python_missing, parts, pythons, plan)."""
        p = self.p
        found = dict(python=[], other=[], python_missing=[], parts=[], pythons=None, plan=None)
        if self.installed_uv is None and os.path.lexists(p["uv_path"]):
            # a uv that does not run cannot be asked what the CPythons, venv and tools lack; their sweep needs no uv
            found["other"] += self.environments_swept()
            found["other"].append("check the CPythons, the shared venv and the tools once uv is replaced")
            return found
        pythons = plan = None
        if p["python"]:
            pythons = self.pythons()
            plan = pythons.plan()
            found.update(python_missing=pythons.lacking(plan), python=pythons.pending(plan), pythons=pythons, plan=plan)
            found["parts"].append(pythons)
        v = p["venv"]
        if v and v["requirements"] and not os.path.isfile(v["requirements"]):
            found["other"].append("requirements file %s: missing" % v["requirements"])
        elif v:
            patch = target_patch(pythons, plan, v["python"], self.uv) if v["generation"] else None
            venv = self.venv(patch)
            if venv is None:
                found["other"].append("create the venv %s-%s.* once CPython %s is installed" % (
                    v["path"], v["python"], v["python"]))
            else:
                found["other"] += venv.pending()
                found["parts"].append(venv)
        if p["tools"]:
            patch = target_patch(pythons, plan, p["tool_python"], self.uv) if p["tool_generation"] else None
            tools = self.tools(patch)
            found["other"] += tools.pending()
            found["parts"].append(tools)
        return found

    def pending(self):
        """What a run would change, in the order a run does it: dict(pending=[lines], python_missing,
        python_pending, uv_pending, not_wanted, commands)."""
        p = self.p
        self.refuse_foreign_commands()
        first = self.paths.pending(first=True)
        swept = self.sweep()
        uv_parts = self.uv_parts_pending()
        pending = first + swept.lines() + self.uv_problems + uv_parts["python"] + uv_parts["other"]
        if p["generations"]:
            g = p["generations"]
            pending += generation_lines(g, target_patch(uv_parts["pythons"], uv_parts["plan"], g["python"], self.uv))
        pending += self.paths.pending(first=False)
        # the venv's and the tools' sweeps may both name the same entries of uv's cache
        pending = list(dict.fromkeys(pending))
        return dict(pending=pending, python_missing=uv_parts["python_missing"],
                    python_pending=self.python_lines(swept) + uv_parts["python"],
                    uv_pending=self.uv_problems, not_wanted=self.paths.skipped,
                    commands=[c for part in uv_parts["parts"] for c in part.uv.commands])

    def apply(self, uv_archive=None, uv_sha256=None, staged=(), python_downloads=None):
        """Carry out the plan, part by part in order (the caller holds the host lock; never in check mode), after
        putting the transferred files in place (staged: [{src, dest}]) and writing uv's CPython download list
        (python_downloads: {path, archives}). Returns dict(changed, done=[lines], parts={part: its result}, diff)."""
        p = self.p
        self.refuse_foreign_commands()
        done, parts = [], {}
        done += self.paths.apply(first=True)
        swept, moved = self.sweep().carry_out()
        done += swept
        for item in staged:
            place_transferred(item["src"], item["dest"])
            done.append("transferred %s" % item["dest"])
        if python_downloads and write_downloads_list(python_downloads["path"], python_downloads["archives"]):
            done.append("wrote the CPython download list %s" % python_downloads["path"])
        if self.uv_problems:
            install_uv(self.module, uv_archive, os.path.dirname(p["uv_path"]), p["uv_version"], uv_sha256)
            done += self.uv_problems
            self.installed_uv = p["uv_version"]
        if p["python"]:
            parts["python"] = self.pythons().apply()
        patch = None
        v = p["venv"]
        if v:
            patch = self.uv.installed_patch(v["python"]) if v["generation"] else None
            venv = self.venv(patch)
            if venv is None:
                self.module.fail_json(msg="CPython %s is not installed in %s: the shared venv cannot be made"
                                          % (v["python"], p["python_install_dir"]))
            parts["venv"] = venv.apply()
        if p["tools"]:
            patch = self.uv.installed_patch(p["tool_python"]) if p["tool_generation"] else None
            parts["tools"] = self.tools(patch).apply()
        if p["generations"]:
            g = p["generations"]
            parts["generation"] = switch_generation(self.module, g["python"], p["python_install_dir"], g["venv_path"],
                                                    g["tool_dir"], g["tool_bin_dir"], g["retire_grace"],
                                                    self.uv.python_platform)
            if p["python"] and p["python"]["upgrade"]:
                # the patches the retired generations were pinned to are free now
                parts["python_cleanup"] = self.pythons().apply()
        done += self.paths.apply(first=False)
        changed = bool(done) or any(r.get("changed") for r in parts.values())
        quarantined = [dict(path=path, moved_to=dest) for path, dest in self.paths.quarantined + moved]
        quarantined += [q for r in parts.values() for q in r.get("quarantined", [])]
        # what the venv's and the tools' sweeps did, reported with the rest
        done += [line for r in parts.values() for line in r.get("swept", [])]
        diff = dict(before="".join(r["diff"]["before"] for r in parts.values() if "diff" in r),
                    after="".join(r["diff"]["after"] for r in parts.values() if "diff" in r)
                    + "".join("put right: %s\n" % line for line in done))
        return dict(changed=changed, done=done, parts=parts, diff=diff,
                    quarantined=quarantined)
