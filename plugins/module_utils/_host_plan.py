# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The whole shared uv setup of one host, for the modules uv_state (what a run would change) and uv_apply (making
# it so): one argument spec made of the parts' own (see _host_parts.py), the parts run in one loop, in the order a
# run carries them out:
#
#   directories -> files marked first (uv's configuration) -> the sweep -> files sent from the controller -> uv ->
#   CPythons -> the shared venv's generation -> the tools -> the switch to the new generation, retiring the old ->
#   superseded CPython patches -> the other files, links and blocks (commands, the PATH scripts: they name the venv
#   once it is complete)
#
# Each part decides from the host as it is when its turn comes (the venv's generation depends on the CPython
# patch the install step left), so a run is the plan the state pass reported, carried out in order.

from __future__ import annotations

import os
import tempfile

from ansible_collections.labfleet.uv.plugins.module_utils._host_parts import PARTS, HostSweep
from ansible_collections.labfleet.uv.plugins.module_utils._host_paths import PathsPart, foreign_commands
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS, UvRunner, uv_install_problems


def host_args():
    """The options of uv_state and uv_apply: uv's common ones and each part's."""
    args = dict(UV_COMMON_ARGS)
    for part in PARTS:
        args.update(part.ARGS)
    return args


HOST_ARGS = host_args()


class HostPlan(object):
    """The shared uv setup of one host (module params: HOST_ARGS): what differs, and making it so. What the parts
    find and do on the way is kept here for the parts after them (installed_uv, swept, pythons, ...)."""

    def __init__(self, module):
        self.module = module
        self.p = module.params
        for part in PARTS:
            part.check(module)
        self.paths = PathsPart(module)
        self.sweeper = HostSweep(module, self.paths)
        self.installed_uv, self.uv_problems = self.uv_state()
        # the install locations and this host's platform, for what is read without asking uv
        self.uv = UvRunner(module)
        self.foreign = foreign_commands(module)
        self.config_file = self.wanted_uv_config()
        # what a pass found so far: the sweep, the CPythons' plan, the parts that asked uv; what apply was given
        self.swept, self.moved = None, []
        self.pythons = self.python_plan = None
        self.python_missing, self.python_lines, self.asked = [], [], []
        self.delivered = {}
        self.parts = [part(self) for part in PARTS]

    def uv_state(self):
        """(the version the installed uv reports, what keeps it from being the wanted uv complete). A uv or uvx
        that goes into the quarantine first (another account's, a link, or in a directory that goes) is not run:
        it is to be replaced."""
        p = self.p
        bin_dir = os.path.dirname(p["uv_path"].rstrip("/"))
        uvx = os.path.join(bin_dir, "uvx")
        moving = self.paths.moving_directories()
        swept = self.sweeper.sweep(bin_dir)
        if any(p["uv_path"] == m or p["uv_path"].startswith(m + "/") for m in moving) or swept.moves(
                p["uv_path"]) or swept.moves(uvx):
            return None, ["uv %s at %s (found one that goes into quarantine first)" % (p["uv_version"], p["uv_path"])]
        return uv_install_problems(self.module, bin_dir, p["uv_version"])

    @property
    def uv_broken(self):
        """A uv there that does not run (its queries are not asked until it is replaced)."""
        return self.installed_uv is None and os.path.lexists(self.p["uv_path"])

    def wanted_uv_config(self):
        """uv reads the wanted configuration even where the file on the host was edited or broken (before a run
        writes it): its queries get a copy of the wanted text (UV_CONFIG_FILE replaces every discovered file).
        The copy's path, or None."""
        path = self.p["uv_config"]
        wanted_file = [f for f in self.paths.files if f["path"] == path and f["content"] is not None]
        if not wanted_file or self.paths.file_line(wanted_file[0]) is None:
            return None
        fd, copy = tempfile.mkstemp(prefix="uv-", suffix=".toml", dir=self.module.tmpdir)
        with os.fdopen(fd, "w") as f:
            f.write(wanted_file[0]["content"])
        return copy

    def runner(self):
        """A uv runner for one part (each part sets its own tool dir), reading the wanted uv configuration."""
        return UvRunner(self.module, config_file=self.config_file)

    def usable(self, part):
        """A part's uv queries run only with a uv that works (an older one is fine: a broken one is replaced first,
        and until then its parts count as not there)."""
        part.uv.usable = self.installed_uv is not None
        return part

    def target_patch(self, minor):
        """The patch a run leaves minor at: what the CPython plan says, else what uv's minor link shows."""
        if self.pythons is not None:
            return self.pythons.target_patch(minor, self.python_plan)
        return self.uv.installed_patch(minor)

    def refuse_foreign_commands(self):
        """Fail, before anything changes, when command_dir holds commands the role did not write."""
        if self.foreign:
            self.module.fail_json(
                msg="command_dir (shared_python_command_dir in the role) %s already holds %s, which the role did "
                    "not write. Move them away, or choose another directory; nothing was changed."
                    % (self.p["command_dir"], ", ".join(self.foreign)), foreign=self.foreign)

    def pending(self):
        """What a run would change, in the order a run does it: dict(pending=[lines], python_missing,
        python_pending, uv_pending, not_wanted, commands)."""
        self.refuse_foreign_commands()
        pending = []
        for part in self.parts:
            pending += part.pending()
        # the venv's and the tools' sweeps may both name the same entries of uv's cache
        pending = list(dict.fromkeys(pending))
        return dict(pending=pending, python_missing=self.python_missing,
                    python_pending=self.sweeper.python_lines(self.swept) + self.python_lines,
                    uv_pending=self.uv_problems, not_wanted=self.paths.skipped,
                    commands=[c for part in self.asked for c in part.uv.commands])

    def apply(self, uv_archive=None, uv_sha256=None, staged=(), python_downloads=None):
        """Carry out the plan, part by part in order (the caller holds the host lock; never in check mode), after
        putting the transferred files in place (staged: [{src, dest}]) and writing uv's CPython download list
        (python_downloads: {path, archives}). Returns dict(changed, done=[lines], parts={part: its result}, diff)."""
        self.refuse_foreign_commands()
        self.delivered = dict(uv_archive=uv_archive, uv_sha256=uv_sha256, staged=staged,
                              python_downloads=python_downloads)
        done, parts = [], {}
        for part in self.parts:
            lines, results = part.apply()
            done += lines
            parts.update(results)
        changed = bool(done) or any(r.get("changed") for r in parts.values())
        quarantined = [dict(path=path, moved_to=dest) for path, dest in self.paths.quarantined + self.moved]
        quarantined += [q for r in parts.values() for q in r.get("quarantined", [])]
        # what the venv's and the tools' sweeps did, reported with the rest
        done += [line for r in parts.values() for line in r.get("swept", [])]
        diff = dict(before="".join(r["diff"]["before"] for r in parts.values() if "diff" in r),
                    after="".join(r["diff"]["after"] for r in parts.values() if "diff" in r)
                    + "".join("put right: %s\n" % line for line in done))
        return dict(changed=changed, done=done, parts=parts, diff=diff,
                    quarantined=quarantined)
