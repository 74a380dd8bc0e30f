# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The host plan's directories, files, links and marked blocks (see _host_plan.py): their options, what differs,
# and putting it right. A run puts the directories and the files marked first right before uv runs (uv's
# configuration, a requirements file), the other files, links and blocks last (they name what the run made).

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import stat

from ansible_collections.labfleet.uv.plugins.module_utils._files import (
    link_atomically, set_ownership, write_atomically)
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import lstat_or_none, moved_line, owner_name, quarantine

OWNED = dict(path=dict(type="path", required=True), owner=dict(type="str"), group=dict(type="str"),
             mode=dict(type="str"))

# the options of uv_state and uv_apply this part owns
PATHS_ARGS = dict(
    directories=dict(type="list", elements="dict", default=[],
                     options=dict(OWNED, exact=dict(type="bool", default=False))),
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


class PathsPart(object):
    """Directories, files, links and blocks: what differs, and putting it right. The files are in two groups, those
    marked first and the others (first_files, last_files); each group is put right at its turn in the run."""

    ARGS = PATHS_ARGS

    def __init__(self, module):
        self.module = module
        p = module.params
        self.skipped = [item["path"] for item in p["files"] + p["blocks"] if not wanted(item)]
        self.directories = p["directories"]
        self.files = [f for f in p["files"] if f["path"] not in self.skipped]
        self.first_files = [f for f in self.files if f["first"]]
        self.last_files = [f for f in self.files if not f["first"]]
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

    def directory_lines(self):
        return [line for line in map(self.directory_line, self.directories) if line]

    def file_lines(self, files):
        return [line for line in map(self.file_line, files) if line]

    def link_lines(self):
        return [line for line in map(self.link_line, self.links) if line]

    def block_lines(self):
        return [line for line in map(self.block_line, self.blocks) if line]

    def quarantine(self, line, path):
        """Move path into the quarantine; line, with where it went."""
        dest = quarantine(path)
        self.quarantined.append((path, dest))
        return moved_line(line, dest)

    def put_directories(self):
        """Put the directories right; the lines of what was changed."""
        done = []
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
        return done

    def put_files(self, files):
        """Put files (first_files or last_files) right; the lines of what was changed."""
        done = []
        for f in files:
            line = self.file_line(f)
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
        return done

    def put_links(self):
        done = []
        for link in self.links:
            line = self.link_line(link)
            if line:
                link_atomically(link["path"], link["src"])
                done.append(line)
        return done

    def put_blocks(self):
        done = []
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
