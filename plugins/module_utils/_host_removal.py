# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Removing what the shared uv setup added to a host (labfleet.uv.uv_apply state=absent), from the same layout the
# plan reads (module params: directories, files, links, blocks, marker, uv_path, venv, uv_config):
#
#   - the role's own directories (those given an owner: its root and what is under it) go whole;
#   - outside them only what is surely the role's: a regular file of root's carrying the marker line (the layout's
#     files, and any in the system directories the role writes commands into), a link there into the role's tree or
#     the layout's link where it points as the layout says, uv's own binaries in a uv bin dir out there, the marked
#     blocks in other files (the rest of each file kept), the venv and its generations where the venv lives outside,
#     uv's configuration directory once empty, and the host lock;
#   - nothing is followed: entries are judged by lstat, files read O_NOFOLLOW and bounded, trees removed by
#     shutil.rmtree (which never follows a link out of the tree) or, where a link stands, the link alone.
#
# The plan is worked out first and reported item by item; check mode reports it and changes nothing.

from __future__ import annotations

import collections
import errno
import os
import shutil
import stat

from ansible_collections.labfleet.uv.plugins.module_utils._files import read_regular_file, write_atomically
from ansible_collections.labfleet.uv.plugins.module_utils._generations import GENERATION_RE
from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import SYSTEM_DIRS
from ansible_collections.labfleet.uv.plugins.module_utils._uv import LOCK_PATH, host_lock
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import lstat_or_none

# how much of a file is read for the marker line (the role's files carry it in their first lines), and the most of
# a shell's startup file read to take the role's block out of it
MARKER_CAP = 65536
BLOCK_FILE_CAP = 1 << 20
# never removed whole, whatever the options say

# one thing the removal takes away. kind: file (a file or a link, unlinked), tree (a directory removed whole, or the
# link standing there), block (the role's marked lines taken out of the file), directory (an empty one, rmdir)
Removal = collections.namedtuple("Removal", "kind path why")


def inside(path, directory):
    """Whether path is directory or lies under it (both normalised, no link resolved)."""
    path, directory = os.path.normpath(path), os.path.normpath(directory)
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def carries_marker(path, marker):
    """Whether path is a regular file of root's (never through a link) with a line starting '# <marker>' in its first
    MARKER_CAP bytes: a file the role wrote. A marked block ('# BEGIN <marker>') is not the mark of a whole file."""
    st = lstat_or_none(path)
    if not marker or st is None or not stat.S_ISREG(st.st_mode) or st.st_uid != 0:
        return False
    data = read_regular_file(path, MARKER_CAP)
    if data is None:
        return False
    line = "# " + marker
    return any(text.startswith(line) for text in data.decode("utf-8", "replace").splitlines())


def link_target(path):
    """Where the link at path points: its target read from path's directory, normalised (no link resolved)."""
    return os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))


def block_span(lines, marker):
    """(first, last) index of the role's marked block in lines (without their newlines), or None."""
    begin, end = "# BEGIN %s" % marker, "# END %s" % marker
    if begin not in lines:
        return None
    first = lines.index(begin)
    if end not in lines[first:]:
        return None
    return first, lines.index(end, first)


def block_file(path):
    """The file a block lives in (a system file that is a link stays one, as the plan writes it)."""
    return os.path.realpath(path)


def read_block_file(path):
    """The text of the file a block lives in, or None where there is no regular file or it is over BLOCK_FILE_CAP."""
    data = read_regular_file(path, BLOCK_FILE_CAP + 1)
    if data is None or len(data) > BLOCK_FILE_CAP:
        return None
    return data.decode("utf-8", "surrogateescape")


def without_block(text, marker):
    """text without the role's marked block (the BEGIN and END lines and those between), or None when it has none."""
    lines = text.splitlines(True)
    span = block_span([line.rstrip("\n") for line in lines], marker)
    if span is None:
        return None
    return "".join(lines[:span[0]] + lines[span[1] + 1:])


class RemovalPlan(object):
    """What a removal takes away from this host, worked out from the layout (module params) without changing
    anything. lock_existed: whether the host lock was there before this run (a real run holds it, so makes it)."""

    def __init__(self, params, lock_existed):
        self.p = params
        self.lock_existed = lock_existed
        own = sorted(set(os.path.normpath(d["path"]) for d in params["directories"] if d["owner"]),
                     key=lambda path: (len(path), path))
        # the role's trees: its own directories not under another of them (its root)
        self.roots = []
        for path in own:
            if not any(inside(path, root) for root in self.roots):
                self.roots.append(path)
        self.uv_config_dir = os.path.dirname(os.path.normpath(params["uv_config"])) if params["uv_config"] else None

    def outside(self, path):
        return not any(inside(path, root) for root in self.roots)

    def into_tree(self, path):
        """Whether the link at path points into one of the role's trees as written (never once resolved: a link
        of an admin's through a user's file into the tree is neither the role's nor to be removed)."""
        try:
            target = link_target(path)
        except OSError:
            return False
        return any(inside(target, root) for root in self.roots)

    def system_dirs(self):
        """The directories outside the role's trees it writes commands and links into (not uv's configuration's)."""
        found = []
        for d in self.p["directories"]:
            path = os.path.normpath(d["path"])
            if not d["owner"] and self.outside(path) and path != self.uv_config_dir and path not in found:
                found.append(path)
        return found

    def files_outside(self):
        """The layout's files outside the role's trees, and every entry of the system directories, that are the
        role's: marked files of root's, links into the role's trees."""
        found = []
        candidates = [os.path.normpath(f["path"]) for f in self.p["files"] if self.outside(f["path"])]
        for directory in self.system_dirs():
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            candidates += [os.path.join(directory, name) for name in names]
        for path in candidates:
            st = lstat_or_none(path)
            if st is None:
                continue
            if stat.S_ISLNK(st.st_mode) and self.into_tree(path):
                found.append(Removal("file", path, "a link into %s" % ", ".join(self.roots)))
            elif carries_marker(path, self.p["marker"]):
                found.append(Removal("file", path, "carries the role's marker"))
        return found

    def links_outside(self):
        """The layout's links outside the role's trees that point where the layout says."""
        found = []
        for link in self.p["links"]:
            st = lstat_or_none(link["path"])
            if st is not None and stat.S_ISLNK(st.st_mode) and self.outside(link["path"]) \
                    and os.readlink(link["path"]) == link["src"]:
                found.append(Removal("file", link["path"], "the role's link to %s" % link["src"]))
        return found

    def uv_binaries(self):
        """uv and uvx in a uv bin dir outside the role's trees: root's regular files (or links) only."""
        bin_dir = os.path.dirname(os.path.normpath(self.p["uv_path"]))
        if not self.outside(bin_dir):
            return []
        found = []
        for name in ("uv", "uvx"):
            path = os.path.join(bin_dir, name)
            st = lstat_or_none(path)
            if st is not None and st.st_uid == 0 and (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                found.append(Removal("file", path, "uv's own binary, in a uv bin dir outside the role's tree"))
        return found

    def blocks(self):
        found = []
        for block in self.p["blocks"]:
            if not block["marker"] or not self.outside(block["path"]):
                continue  # a block without a marker cannot be told from the file's own lines
            text = read_block_file(block_file(block["path"]))
            if text is not None and without_block(text, block["marker"]) is not None:
                found.append(Removal("block", block["path"], "the role's block, the rest of the file kept"))
        return found

    def venv_outside(self):
        """The shared venv where it lives outside the role's trees: its path (the link to a generation, or a venv)
        and its generations beside it (path-3.N.P directories)."""
        v = self.p["venv"]
        if not v or not self.outside(v["path"]):
            return []
        path = os.path.normpath(v["path"])
        parent, base = os.path.split(path)
        found = [Removal("tree", path, "the shared venv")] if lstat_or_none(path) else []
        try:
            names = sorted(os.listdir(parent))
        except OSError:
            names = []
        for name in names:
            full = os.path.join(parent, name)
            st = lstat_or_none(full)
            if name.startswith(base + "-") and GENERATION_RE.match(name[len(base) + 1:]) and st is not None \
                    and stat.S_ISDIR(st.st_mode):
                found.append(Removal("tree", full, "a generation of the shared venv"))
        return found

    def trees(self):
        return [Removal("tree", root, "the role's own tree") for root in self.roots if lstat_or_none(root)]

    def emptied_config_dir(self, removed):
        """uv's configuration directory, where nothing but what this removal takes away is left in it."""
        d = self.uv_config_dir
        st = d and lstat_or_none(d)
        if not st or not stat.S_ISDIR(st.st_mode) or d in SYSTEM_DIRS or not self.outside(d):
            return []
        try:
            left = set(os.path.join(d, name) for name in os.listdir(d)) - set(os.path.normpath(r) for r in removed)
        except OSError:
            return []
        return [] if left else [Removal("directory", d, "uv's configuration directory, left empty")]

    def items(self):
        """Everything this removal takes away, in the order a run does it (each path once)."""
        items = self.files_outside() + self.links_outside() + self.uv_binaries() + self.blocks()
        items += self.venv_outside() + self.trees()
        items += self.emptied_config_dir([i.path for i in items if i.kind != "block"])
        if self.lock_existed:
            items.append(Removal("file", LOCK_PATH, "the host lock"))
        unique = collections.OrderedDict()
        for item in items:
            unique.setdefault((item.path, item.kind), item)
        return list(unique.values())


def refusals(items):
    """Why the removal refuses to start: a directory of the system that would go whole."""
    return ["%s is a directory of the system: it is never removed whole" % i.path
            for i in items if i.kind in ("tree", "directory") and os.path.normpath(i.path) in SYSTEM_DIRS]


def line(item):
    if item.kind == "block":
        return "remove the role's block from %s (%s)" % (item.path, item.why)
    if item.kind == "tree":
        return "remove %s and everything under it (%s)" % (item.path, item.why)
    if item.kind == "directory":
        return "remove the empty directory %s (%s)" % (item.path, item.why)
    return "remove %s (%s)" % (item.path, item.why)


def carry_out(item, marker):
    """Take item away. Returns whether it was there to take."""
    if item.kind == "block":
        path = block_file(item.path)
        text = read_block_file(path)
        new = None if text is None else without_block(text, marker)
        if new is None:
            return False
        write_atomically(path, new.encode("utf-8", "surrogateescape"), like=os.lstat(path))
        return True
    st = lstat_or_none(item.path)
    if st is None:
        return False
    if item.kind == "directory":
        os.rmdir(item.path)
    elif item.kind == "tree" and stat.S_ISDIR(st.st_mode):
        shutil.rmtree(item.path)
    else:
        os.unlink(item.path)  # a link is removed itself, never what it points to
    return True


def block_marker(params, path):
    return [b["marker"] for b in params["blocks"] if b["path"] == path][0]


def removal_result(items, done_lines, check_mode):
    lines = [line(i) for i in items]
    result = dict(changed=bool(lines), removed=[dict(path=i.path, kind=i.kind, why=i.why) for i in items],
                  diff=dict(before="".join("%s\n" % text for text in lines), after=""))
    if check_mode:
        result["pending"] = lines
    else:
        result["done"] = done_lines
    return result


def remove(module):
    """labfleet.uv.uv_apply state=absent: work out the removal (under the host lock, as a run decides) and, unless in
    check mode, carry it out item by item. Returns the module's result: removed (each item: path, kind, why), the
    lines in pending (check mode) or done, and the diff (before: those lines; after: nothing)."""
    p = module.params
    lock_existed = os.path.lexists(LOCK_PATH)
    with host_lock(module, LOCK_PATH):
        items = RemovalPlan(p, lock_existed).items()
        refused = refusals(items)
        if refused:
            module.fail_json(msg="refusing to remove, nothing was changed: " + "; ".join(refused))
        if module.check_mode:
            return removal_result(items, [], True)
        done = []
        for item in items:
            if item.path == LOCK_PATH:
                continue  # held until the end
            try:
                if carry_out(item, block_marker(p, item.path) if item.kind == "block" else None):
                    done.append(line(item))
            except (IOError, OSError) as e:
                module.fail_json(msg="removing %s: %s" % (item.path, e), done=done)
        try:
            os.unlink(LOCK_PATH)  # made by this run if it was not there; reported only if it was
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise
        if lock_existed:
            done.append(line(Removal("file", LOCK_PATH, "the host lock")))
    return removal_result(items, done, False)
