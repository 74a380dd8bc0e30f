# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE plugin_util of the labfleet.uv collection: not a public API, it may change without notice.
"""A list of uv tools checked on the controller with the same rules as labfleet.uv.uv_tool (filter
shared_python_problems)."""

from __future__ import annotations

from ansible_collections.labfleet.uv.plugins.module_utils._uv_tool import NAME_RE, normalize_spec

STATES = ("present", "latest", "absent")


def tool_problems(tools, variable="shared_python_tools"):
    """One message per entry of tools that uv_tool would refuse (empty when all are tools)."""
    problems = []
    if not isinstance(tools, list):
        return ["%s must be a list of {name, version, state}, not %r" % (variable, tools)]
    for i, tool in enumerate(tools):
        where = "%s[%d]" % (variable, i)
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            problems.append("%s: %r is not {name, version, state}" % (where, tool))
            continue
        unknown = sorted(set(tool) - set(["name", "version", "state"]))
        if unknown:
            problems.append("%s: unknown key(s) %s (name, version and state are known)" % (where, ", ".join(unknown)))
        if not NAME_RE.match(tool["name"]):
            problems.append("%s: %r is not a package name (optionally with [extras])" % (where, tool["name"]))
        try:
            normalize_spec(None if tool.get("version") is None else str(tool["version"]))
        except (ValueError, AttributeError):
            problems.append("%s: version %r of %s is not a version specifier such as ==4.3.0 or >=4,<5"
                            % (where, tool.get("version"), tool["name"]))
        if (tool.get("state") or "present") not in STATES:
            problems.append("%s: state %r of %s is not one of %s" % (where, tool.get("state"), tool["name"],
                                                                     ", ".join(STATES)))
    return problems
