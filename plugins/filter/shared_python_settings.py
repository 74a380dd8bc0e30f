# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared_python role's checks of its settings that its argument spec cannot express, in one pass on the
controller before anything changes: one message per problem, each naming the variable that is wrong."""

from __future__ import annotations

import os
import posixpath
import re

from ansible_collections.labfleet.uv.plugins.filter.shells import shell_word_problems
from ansible_collections.labfleet.uv.plugins.filter.uv_tools import tool_problems

P = "shared_python_"
SYSTEM_DIRS = ("/", "/opt", "/usr", "/usr/local", "/etc", "/home", "/var", "/srv", "/root", "/tmp", "/bin", "/sbin",
               "/lib", "/usr/bin", "/usr/lib", "/usr/local/bin", "/var/lib", "/boot")
DISTRO_BIN_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin")
# directories holding trees the role manages: apart from every other directory
TREE_DIRS = ("python_install_dir", "tool_dir", "download_dir", "venv_path")
# directories of commands: they may be one directory (e.g. /usr/local/bin), never nested
BIN_DIRS = ("uv_bin_dir", "python_bin_dir", "tool_bin_dir", "command_dir")
# the directories the shells' startup files name
STARTUP_DIRS = ("uv_bin_dir", "python_bin_dir", "tool_bin_dir", "venv_path", "python_install_dir")


def norm(path):
    return posixpath.normpath(path)


def inside(inner, outer):
    """inner is outer or lies inside it."""
    return (norm(inner) + "/").startswith(norm(outer).rstrip("/") + "/")


def check_uv(s):
    problems = []
    version, sha256 = s[P + "uv_version"], s[P + "uv_sha256"]
    if not re.match(r"^\d+\.\d+\.\d+$", version) or not re.match(r"^([0-9a-fA-F]{64})?$", sha256):
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
    if not versions or any(not re.match(r"^3\.\d{1,2}$", v) for v in versions) or default not in versions:
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
                if not re.match(r"^/.", v)]
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
    for key in STARTUP_DIRS:
        problems += shell_word_problems(s[P + key], P + key)
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
    if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$", name):
        problems.append("shared_python_profile_name must be a plain file name of letters, digits, '.', '_' and '-' "
                        "(it becomes /etc/profile.d/NAME.sh and /etc/fish/conf.d/NAME.fish; got %r)" % name)
    if not 0 <= int(s[P + "retire_grace"]) <= 86400:
        problems.append("shared_python_retire_grace must be a number of seconds from 0 to 86400 (got %s)"
                        % s[P + "retire_grace"])
    if not 1 <= int(s[P + "verdict_concurrency"]) <= 64:
        problems.append("shared_python_verdict_concurrency must be from 1 to 64 (got %s)" % s[P + "verdict_concurrency"])
    return problems


def shared_python_problems(settings):
    """One message per problem in the role's settings (a dict of the shared_python_* variables); empty when all
    are right. Files named are looked for on the controller, where the filter runs."""
    return check_uv(settings) + check_python(settings) + check_directories(settings) + check_others(settings)


class FilterModule(object):
    def filters(self):
        return dict(shared_python_problems=shared_python_problems)
