# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn labfleet.uv.path_info results into the matrices and text the role and the fleet report show."""

from __future__ import annotations

# Documentation: path_verdict_matrix.yml, path_verdict_lines.yml, path_verdict_fleet.yml and
# path_verdict_fleet_lines.yml beside this file (ansible-doc reads a filter's page from the file named after it).

# Worst first: the status a group of cells shows. "own": lost only by the user's own files, which does not fail the
# verdict (path_info's user_files: warn).
ORDER = ["error", "lost", "own", "ok", "no sudo", "no login", "n/a"]


def _table(heads, rows):
    """Left-aligned text columns, two spaces apart: the header line, then one line per row."""
    widths = [max(len(x) for x in col) for col in zip(heads, *rows)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    return [fmt % tuple(r) for r in [heads] + rows]


def _own(result, user_files):
    """A loss by the user's own files that does not fail the verdict."""
    return result["status"] == "lost" and result.get("fault") == "user" and user_files != "fail"


def _fault_note(result):
    """' [the user's own files: ...]' or ' [the system's: ...]' for a result that says whose fault it is."""
    if not result.get("fault"):
        return ""
    return " [%s: %s]" % ("the user's own files" if result["fault"] == "user" else "the system's",
                          result.get("fault_evidence", ""))


def _cell(results, user_files="warn"):
    """One user's results in one context -> {status, label, reasons}."""
    statuses = set(r["status"] for r in results)
    if "unavailable" in statuses:
        return dict(status="n/a", label="n/a", reasons=[results[0].get("reason", "")])
    if "not_permitted" in statuses:
        return dict(status="no sudo", label="no sudo", reasons=[results[0].get("reason", "")])
    if "no_login" in statuses:
        return dict(status="no login", label="no login", reasons=[results[0].get("reason", "")])
    bad = [r for r in results if r["status"] in ("lost", "error")]
    if any(r["status"] == "error" for r in results):
        return dict(status="error", label="error", reasons=[bad[0].get("reason", "")])
    counted = [r for r in bad if not _own(r, user_files)]
    own = [r for r in bad if _own(r, user_files)]
    reasons = ["%s: %s" % (r["command"], r.get("reason", "")) for r in counted] + \
        ["%s (own files): %s%s" % (r["command"], r.get("reason", ""), _fault_note(r)) for r in own]
    if counted:
        return dict(status="lost", label=_lost_label(results, counted), reasons=reasons)
    if own:
        return dict(status="own", label=_lost_label(results, own, "OWN"), reasons=reasons)
    python = [r for r in results if r["command"] == "python" and r.get("version")]
    return dict(status="ok", label="ok " + python[0]["version"] if python else "ok", reasons=[])


def _lost_label(results, bad, word="LOST"):
    """Short: what `python` runs instead ('LOST distro 3.11.2', 'LOST no python'), else the words that lost; word
    OWN for a loss by the user's own files."""
    python = [r for r in bad if r["command"] == "python"]
    if python:
        r = python[0]
        if r.get("kind") == "not_found":
            return word + " no python"
        return "%s %s%s" % (word, r.get("provider", "?"), " " + r["version"] if r.get("prefix") else "")
    if len(bad) == len(results):
        return word + " all"
    return word + " " + ",".join(r["command"] for r in bad)


def path_verdict_matrix(result):
    """One row per probed user; twins (accounts probed as another, the module's `twins`) are counted in `alike`."""
    results = result.get("results") or []
    summary = result.get("summary") or {}
    twins = result.get("twins") or {}
    twin_names = set(name for members in twins.values() for name in members)
    users = [u for u in summary.get("users") or [] if u not in twin_names]
    contexts = list(summary.get("contexts") or [])
    user_files = summary.get("user_files", "warn")
    by_cell = {}
    for r in results:
        by_cell.setdefault((r["user"], r["context"]), []).append(r)
    cells = {}
    for user in users:
        cells[user] = {}
        for ctx in contexts:
            mine = by_cell.get((user, ctx))
            if mine:
                cells[user][ctx] = _cell(mine, user_files)
    return dict(users=users, contexts=contexts, required=list(summary.get("required_contexts") or contexts),
                verdict=result.get("verdict", "unknown"), cells=cells,
                alike=dict((u, len(twins.get(u) or [])) for u in users))


def path_verdict_lines(result, host="", check_mode=False):
    """A text table, one row per user, then one line per failure (FAIL), then one per loss by a user's own files
    that does not fail the host (OWN), each saying whose fault it is: the role's report for one host."""
    m = path_verdict_matrix(result)
    user_files = (result.get("summary") or {}).get("user_files", "warn")
    own = [r for r in result.get("user_losses") or [] if _own(r, user_files)]
    heads = [c + ("*" if c in m["required"] else "") for c in m["contexts"]]
    rows = [[u + (" (+%d alike)" % m["alike"][u] if m["alike"][u] else "")]
            + [m["cells"][u].get(c, {}).get("label", "") for c in m["contexts"]] for u in m["users"]]
    if m["verdict"] != "pass":
        verdict = "does NOT win everywhere required"
    elif own:
        verdict = "wins, except where users' own files shadow it (OWN: not the system's fault, the host passes)"
    else:
        verdict = "wins"
    lines = ["%s: the managed Python %s (* = required context)%s" % (
        host or "host", verdict, "; check mode, so what this run would install is not there yet" if check_mode else "")]
    if rows:
        lines += _table(["user"] + heads, rows)
    for word, listed in (("FAIL", result.get("failures") or []), ("OWN", own)):
        lines += ["%s %s/%s/%s: %s%s" % (word, r["user"], r["context"], r["command"], r.get("reason", ""),
                                         _fault_note(r)) for r in listed]
    return lines


def path_verdict_fleet(hostvars, hosts, var="shared_python_verdict_result"):
    """Host x context matrix for the fleet report: the worst user cell per context, with who and why."""
    out = dict(hosts=[], contexts=[], required=[], failing=[], missing=[])
    for host in hosts:
        result = (hostvars.get(host) or {}).get(var)
        if not result or "results" not in result:
            out["missing"].append(host)
            out["hosts"].append(dict(name=host, verdict="unreachable", cells={},
                                     message=(result or {}).get("msg", "no verdict (host unreachable or failed)")))
            continue
        m = path_verdict_matrix(result)
        for c in m["contexts"]:
            if c not in out["contexts"]:
                out["contexts"].append(c)
        for c in m["required"]:
            if c not in out["required"]:
                out["required"].append(c)
        cells = {}
        for ctx in m["contexts"]:
            per_user = [(u, m["cells"][u][ctx]) for u in m["users"] if ctx in m["cells"][u]]
            if not per_user:
                continue
            worst = min((cell["status"] for dummy, cell in per_user), key=ORDER.index)
            details = ["%s: %s" % (u, reason) for u, cell in per_user for reason in cell["reasons"]
                       if cell["status"] in ("lost", "error", "own")]
            versions = sorted(set(cell["label"][3:] for dummy, cell in per_user
                                  if cell["status"] == "ok" and cell["label"] != "ok"))
            # a user row stands for itself and its twins
            counts = dict((s, sum(1 + m["alike"][u] for u, cell in per_user if cell["status"] == s)) for s in ORDER)
            cells[ctx] = dict(status=worst, required=ctx in m["required"], details=details, versions=versions,
                              counts=counts, users=sum(1 + m["alike"][u] for u, dummy in per_user))
        out["hosts"].append(dict(name=host, verdict=m["verdict"], cells=cells, message=""))
        if m["verdict"] != "pass":
            out["failing"].append(host)
    return out


def path_verdict_fleet_lines(fleet):
    """Plain-text fleet summary: one row per host, one column per context."""
    heads = ["host"] + [c + ("*" if c in fleet["required"] else "") for c in fleet["contexts"]] + ["verdict"]
    rows = []
    for h in fleet["hosts"]:
        row = [h["name"]]
        for c in fleet["contexts"]:
            cell = h["cells"].get(c)
            row.append(cell["status"] if cell else "-")
        row.append(h["verdict"].upper())
        rows.append(row)
    lines = _table(heads, rows)
    lines.append("%d host(s), %d failing%s (* = required context)" % (
        len(fleet["hosts"]), len(fleet["failing"]) + len(fleet["missing"]),
        ": " + ", ".join(fleet["failing"] + fleet["missing"]) if fleet["failing"] or fleet["missing"] else ""))
    for h in fleet["hosts"]:
        for c in fleet["contexts"]:
            cell = h["cells"].get(c)
            if cell and cell["required"] and cell["status"] in ("lost", "error"):
                lines += ["  %s/%s: %s" % (h["name"], c, d) for d in cell["details"]]
        if h["message"]:
            lines.append("  %s: %s" % (h["name"], h["message"]))
    return lines


class FilterModule(object):
    def filters(self):
        return dict(path_verdict_matrix=path_verdict_matrix, path_verdict_lines=path_verdict_lines,
                    path_verdict_fleet=path_verdict_fleet, path_verdict_fleet_lines=path_verdict_fleet_lines)
