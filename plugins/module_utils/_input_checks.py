# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Inputs that reach uv's command line or decide where root builds: the package, requirement and tool specs given to
# uv (for _uv_venv.py and _uv_tool.py, and the role's settings check, filter shared_python_settings), and the
# directories on the way to the role's trees that an account other than root could write (for uv_state).

from __future__ import annotations

import os
import re
import stat

# characters no value written into a shell, TOML or ini file may hold: C0 and C1 controls, DEL, and the line and
# paragraph separators some readers take for a line break
# directories of the system: never the role's root (validated on the controller), never removed whole (state=absent)
SYSTEM_DIRS = frozenset(("/", "/opt", "/usr", "/usr/local", "/usr/local/etc", "/etc", "/home", "/var", "/srv",
                         "/root", "/tmp", "/bin", "/sbin", "/lib", "/usr/bin", "/usr/sbin", "/usr/lib",
                         "/usr/local/bin", "/usr/local/sbin", "/var/lib", "/boot", "/run"))
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(value):
    """The first control character in value, as U+XXXX, or None."""
    m = CONTROL_RE.search(value)
    return "U+%04X" % ord(m.group()) if m else None


def spec_problem(spec):
    """Why spec (a package or requirement, a tool's name or version) cannot be given to uv as one, or None."""
    if not isinstance(spec, str) or not spec.strip():
        return "%r is not a requirement" % (spec,)
    if control_character(spec):
        return "%r holds the control character %s" % (spec, control_character(spec))
    if spec.lstrip().startswith("-"):
        return "%r starts with '-': uv would read it as an option, not a package" % spec
    return None


def requirement_specs(module, option, specs):
    """specs as a list, the module failed (before anything changes) when one of them cannot reach uv as a
    requirement: empty, holding a control character, or starting with '-' (an option such as --index-url)."""
    specs = list(specs or [])
    problems = [spec_problem(spec) for spec in specs]
    problems = [p for p in problems if p]
    if problems:
        module.fail_json(msg="%s: %s; nothing was changed" % (option, "; ".join(problems)))
    return specs


def directories_on_the_way(path, limit=40):
    """Every existing directory the kernel passes through to reach path, links followed (the directory holding each
    link is among them): real paths, in order; path itself when it is an existing directory."""
    seen = []

    def walk(path, hops):
        here = "/"
        if here not in seen:
            seen.append(here)
        for name in path.split("/"):
            if name in ("", "."):
                continue
            if name == "..":
                here = os.path.dirname(here)
                continue
            step = os.path.join(here, name)
            if os.path.islink(step):
                if hops >= limit:
                    return None
                here = walk(os.path.join(here, os.readlink(step)), hops + 1)
                if here is None:
                    return None
            elif os.path.isdir(step):
                here = step
                if here not in seen:
                    seen.append(here)
            else:
                return None
        return here

    walk(path, 0)
    return seen


def others_can_write(directory):
    """Why an account other than root could change what directory holds (owner, group or other write bit; a sticky
    bit does not help: anyone may still create a name there), or None."""
    st = os.stat(directory)
    if st.st_uid != 0:
        return "owned by uid %d, not root" % st.st_uid
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable by %s (mode %04o)" % ("others" if st.st_mode & stat.S_IWOTH else "its group",
                                               stat.S_IMODE(st.st_mode))
    return None


def writable_ancestors(paths, managed=()):
    """[{path, directory, reason}] for each directory on the way to one of paths (path itself included) that an
    account other than root could write, except the directories in managed (the role's own, which it puts right):
    root building or running anything there works for whoever controls that directory."""
    own = set(os.path.realpath(p) for p in managed if os.path.isdir(p))
    found = []
    for path in paths:
        for directory in directories_on_the_way(path):
            reason = None if directory in own else others_can_write(directory)
            if reason:
                found.append(dict(path=path, directory=directory, reason=reason))
    return found
