# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared_python role's checks of its settings that its argument spec cannot express, in one pass on the
controller before anything changes: one message per problem, each naming the variable that is wrong.

Every pattern matches the whole value (re.fullmatch: `$` would let a trailing newline through). No setting may
hold a control character (they are written into shell, TOML and ini text); no package reaches uv as an option;
no directory of the role lies where an account other than root can write, or holds what a shell would expand.
What only the host can tell (the owners and modes of the directories on the way) is checked after the read-only
state pass (shared_python_host_problems, tasks/validate_host.yml)."""

from __future__ import annotations

import os
import posixpath
import re

from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import SYSTEM_DIRS, control_character, spec_problem
from ansible_collections.labfleet.uv.plugins.plugin_utils._paths import inside, norm
from ansible_collections.labfleet.uv.plugins.plugin_utils._tool_checks import tool_problems

P = "shared_python_"
DISTRO_BIN_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin")
# directories holding trees the role manages: apart from every other directory
TREE_DIRS = ("python_install_dir", "tool_dir", "download_dir", "venv_path")
# directories of commands: they may be one directory (e.g. /usr/local/bin), never nested
BIN_DIRS = ("uv_bin_dir", "python_bin_dir", "tool_bin_dir", "command_dir")
# every directory (and file) of the role on the host: where root builds, and what every user's PATH names
PLACES = ("root",) + TREE_DIRS + BIN_DIRS + ("uv_config_path",)
# what a path may be made of: nothing a shell expands or splits (`$`, backquote, `~`, globs, braces, quotes, blanks,
# `!`), and no `:`, which splits PATH
PATH_RE = re.compile(r"/[A-Za-z0-9/._+@-]*")
# directories where an account other than root can make or replace names (a sticky bit only keeps others' files),
# and why a tree of the role does not belong there
NOT_ROOTS_OWN = (
    ("/tmp", "every account can write it"), ("/var/tmp", "every account can write it"),
    ("/dev/shm", "every account can write it"), ("/run/shm", "every account can write it"),
    ("/run/lock", "every account can write it"), ("/var/lock", "every account can write it"),
    ("/var/crash", "every account can write it"), ("/home", "it holds the users' homes, theirs to write"),
    ("/run/user", "it holds the users' runtime directories, theirs to write"),
    ("/media", "it holds the media users mount"), ("/run/media", "it holds the media users mount"),
    ("/root", "it is root's home (0700): no other account could run what is built there"),
)


def check_uv(s):
    problems = []
    version, sha256 = s[P + "uv_version"], s[P + "uv_sha256"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", version) or not re.fullmatch(r"([0-9a-fA-F]{64})?", sha256):
        problems.append("shared_python_uv_version must be X.Y.Z (got %r) and shared_python_uv_sha256 empty or 64 hex "
                        "digits (got %d characters)." % (version, len(sha256)))
    archive = s[P + "uv_controller_file"]
    if s[P + "uv_source"] == "controller" and not (archive and os.path.isfile(archive)):
        problems.append("shared_python_uv_source is controller, so shared_python_uv_controller_file must name a file "
                        "on the controller (got %r)." % archive)
    return problems


def check_python(s):
    problems = []
    versions, default = s[P + "versions"], s[P + "default_version"]
    if not versions or any(not re.fullmatch(r"3\.\d{1,2}", v) for v in versions) or default not in versions:
        problems.append('shared_python_versions must list CPython minors such as "3.13", never a patch (got %r), '
                        "and shared_python_default_version (%r) must be one of them." % (versions, default))
    source = s[P + "python_source"]
    needs = dict(mirror="python_install_mirror", json_url="python_downloads_json_url", controller="python_archives")
    if source in needs and not s[P + needs[source]]:
        problems.append("shared_python_python_source %s needs its setting: shared_python_%s." % (source, needs[source]))
    if source == "controller":
        problems += ["shared_python_python_archives: %s is not a file on the controller" % a
                     for a in s[P + "python_archives"] if not os.path.isfile(a)]
    return problems


def check_directories(s):
    trees = [(P + k, s[P + k]) for k in TREE_DIRS]
    bins = [(P + k, s[P + k]) for k in BIN_DIRS if s[P + k]]
    problems = ["%s must be an absolute path, got %r" % (k, v)
                for k, v in trees + bins + [(P + "root", s[P + "root"]), (P + "uv_config_path", s[P + "uv_config_path"])]
                if not (v.startswith("/") and len(v) > 1)]
    problems += [problem for key in PLACES for problem in place_problems(P + key, s[P + key])]
    if problems:
        return problems
    if norm(s[P + "root"]) in SYSTEM_DIRS:
        problems.append("shared_python_root is %s, a directory of the system: the role owns its root (makes it "
                        "root-owned 0755, and removes it whole with shared_python_state=absent). Use a directory of "
                        "its own such as /opt/uv." % s[P + "root"])
    for i, (key, path) in enumerate(trees):
        problems += ["%s (%s) overlaps %s (%s)" % (key, path, other_key, other)
                     for other_key, other in trees[i + 1:] + bins if inside(path, other) or inside(other, path)]
    for key, path in bins:
        problems += ["%s (%s) lies inside %s (%s)" % (key, path, other_key, other) for other_key, other in bins
                     if other_key != key and norm(path) != norm(other) and inside(path, other)]
        if norm(path) in DISTRO_BIN_DIRS:
            problems.append("%s is %s, which belongs to the distribution's packages; use /usr/local/bin or a "
                            "directory of your own" % (key, path))
    command_dir = s[P + "command_dir"]
    if command_dir and norm(command_dir) == norm(s[P + "python_bin_dir"]):
        problems.append("shared_python_command_dir and shared_python_python_bin_dir are both %s: uv writes its "
                        "pythonX.Y shims to shared_python_python_bin_dir, the role its launchers of the shared venv to "
                        "shared_python_command_dir. Keep shared_python_python_bin_dir under shared_python_root."
                        % command_dir)
    return problems


def place_problems(variable, path):
    """What is wrong with an absolute path of the role's (empty: nothing; relative: told by the caller)."""
    if not path.startswith("/") or len(path) < 2:
        return []
    if not PATH_RE.fullmatch(path):
        return ["%s (%r) may hold only letters, digits and / . _ + @ - : a shell would expand or split anything else "
                "(blanks, $, `, ~, globs, quotes, !), and ':' splits PATH" % (variable, path)]
    if ".." in path.split("/"):
        return ["%s (%s) climbs with '..': give the path itself" % (variable, path)]
    return ["%s (%s) lies under %s, where an account other than root can write: %s. Use a directory only root can "
            "write, such as /opt/uv" % (variable, path, top, why) for top, why in NOT_ROOTS_OWN if inside(path, top)]


def value_problems(variable, value):
    """A control character anywhere in a setting's strings (lists and their dicts searched): each is written into
    shell, TOML or ini text, where one could end a line and start another."""
    if isinstance(value, str):
        bad = control_character(value)
        return ["%s holds the control character %s (%r): it could end a line of the files the role writes"
                % (variable, bad, value)] if bad else []
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in value_problems("%s[%d]" % (variable, i), v)]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in value_problems("%s.%s" % (variable, k), v)]
    return []


def check_values(s):
    """Control characters in every setting that is a string or a list (the role's registered results, dicts, are
    not settings); packages that uv would read as options; what pip.conf cannot hold."""
    problems = [p for key in sorted(s) if key.startswith(P) and isinstance(s[key], (str, list))
                for p in value_problems(key, s[key])]
    packages = s.get(P + "venv_packages") or []
    problems += ["%s[%d]: %s" % (P + "venv_packages", i, spec_problem(spec)) for i, spec in enumerate(packages)
                 if spec_problem(spec) and not value_problems("", spec)]
    urls = [(P + "index_url", s.get(P + "index_url") or "")] + [
        ("%s[%d]" % (P + "find_links", i), v) for i, v in enumerate(s.get(P + "find_links") or [])]
    problems += ["%s (%r) holds a blank: pip.conf cannot hold it (find-links are split at blanks; a URL has none, "
                 "write %%20)" % (k, v) for k, v in urls if isinstance(v, str) and re.search(r"\s", v)
                 and not control_character(v)]
    return problems


def check_others(s):
    problems = []
    cache = s[P + "controller_cache_dir"]
    if s[P + "fetch_on_controller"] and not str(cache).startswith("/"):
        problems.append("shared_python_controller_cache_dir must be an absolute path on the controller (got %r)."
                        % cache)
    problems += tool_problems(s[P + "tools"])
    requirements = s[P + "venv_requirements_file"]
    if requirements and not os.path.isfile(requirements):
        problems.append("shared_python_venv_requirements_file: %s is not a file on the controller" % requirements)
    required, contexts = s[P + "verdict_required_contexts"], s[P + "verdict_contexts"]
    if s[P + "verdict"] != "skip" and set(required) - set(contexts):
        problems.append("shared_python_verdict_required_contexts (%r) must be among shared_python_verdict_contexts "
                        "(%r)." % (required, contexts))
    name = s[P + "profile_name"]
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}", name):
        problems.append("shared_python_profile_name must be a plain file name of letters, digits, '.', '_' and '-' "
                        "(it becomes /etc/profile.d/NAME.sh and /etc/fish/conf.d/NAME.fish; got %r)" % name)
    if not 0 <= int(s[P + "retire_grace"]) <= 86400:
        problems.append("shared_python_retire_grace must be a number of seconds from 0 to 86400 (got %s)"
                        % s[P + "retire_grace"])
    if not 1 <= int(s[P + "verdict_concurrency"]) <= 64:
        problems.append("shared_python_verdict_concurrency must be from 1 to 64 (got %s)" % s[P + "verdict_concurrency"])
    if not 1 <= int(s[P + "verdict_timeout"]) <= 3600:
        problems.append("shared_python_verdict_timeout must be a number of seconds from 1 to 3600 (got %s)"
                        % s[P + "verdict_timeout"])
    return problems


def shared_python_problems(settings):
    """One message per problem in the role's settings (a dict of the shared_python_* variables); empty when all
    are right. Files named are looked for on the controller, where the filter runs."""
    return (check_values(settings) + check_uv(settings) + check_python(settings) + check_directories(settings)
            + check_others(settings))


def shared_python_host_problems(writable, settings):
    """One message per directory on the host that an account other than root could write on the way to the role's
    directories (writable: labfleet.uv.uv_state's writable_ancestors), naming the variables that lead there."""
    s = settings
    # the variables whose directories uv_state was given: the directory itself, uv's configuration's directory,
    # root's uv cache (under shared_python_root)
    places = [(P + k, s[P + k]) for k in ("root",) + TREE_DIRS + BIN_DIRS if s.get(P + k)]
    places += [(P + "uv_config_path", posixpath.dirname(s[P + "uv_config_path"])),
               (P + "root", posixpath.join(s[P + "root"], "cache"))]
    by_directory = {}
    for found in writable:
        names = ["%s (%s)" % (k, s[k]) for k, path in places if norm(path) == norm(found["path"])] or [
            "the role's directory %s" % found["path"]]
        entry = by_directory.setdefault(found["directory"], dict(reason=found["reason"], names=[]))
        entry["names"] += [n for n in names if n not in entry["names"]]
    return ["%s: %s, on the way there, is %s. Whoever controls it controls what root builds below it and puts on "
            "every user's PATH: make it root's and not writable by group or others, or choose another directory; "
            "nothing was changed." % (", ".join(entry["names"]), directory, entry["reason"])
            for directory, entry in by_directory.items()]


class FilterModule(object):
    def filters(self):
        return dict(shared_python_problems=shared_python_problems, shared_python_host_problems=shared_python_host_problems)
