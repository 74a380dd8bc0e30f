# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: path_info's report. From the probed accounts' results it adds the accounts that cannot
log in, says whose fault each loss is, and builds what the module returns: the verdict, the summary (a twin's
results counted as its own), the failures and the user's own losses (one for every account, a twin's with its own
home and name). Not a public API: may change without notice."""

from __future__ import annotations

from ansible_collections.labfleet.uv.plugins.module_utils._path_contexts import CRON_PATH
from ansible_collections.labfleet.uv.plugins.module_utils._path_judge import counts_against, faults
from ansible_collections.labfleet.uv.plugins.module_utils._path_twins import with_twins

STATUSES = ("won", "lost", "unavailable", "not_permitted", "error", "no_login")


def no_login(p, judge, pw, required):
    """(contexts, results) of an account whose shell refuses logins: reported, never probed."""
    reason = "%s's shell is %s: the account cannot log in, so nothing starts a shell as it" % (pw.pw_name, pw.pw_shell)
    contexts, results = [], []
    for ctx in p["contexts"]:
        contexts.append(dict(user=pw.pw_name, context=ctx, status="no_login", method="not probed",
                             shell=pw.pw_shell, required=ctx in required, reason=reason))
        results += [dict(user=pw.pw_name, context=ctx, command=word, status="no_login", won=False,
                         required=ctx in required, expected=judge.expected(word), reason=reason)
                    for word in p["commands"]]
    return contexts, results


def summary(p, results, accounts, cannot_log_in, twins):
    """Counts of the results by status (a twin's counted as its own), every user, the contexts, and how many accounts
    were really probed."""
    weight = dict((rep, 1 + len(members)) for rep, members in twins.items())
    counts = dict((s, 0) for s in STATUSES)
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + weight.get(r["user"], 1)
    users = [pw.pw_name for pw in accounts]
    probed = len(users) - sum(len(m) for m in twins.values()) - len(cannot_log_in)
    return dict(counts, users=users, contexts=list(p["contexts"]),
                required_contexts=list(p["required_contexts"] or p["contexts"]), probed_users=probed,
                user_files=p["user_files"])


def report(p, judge, accounts, cannot_log_in, results, contexts, twins):
    """What path_info returns (without `changed`): verdict, summary, failures, user_losses, contexts, results,
    twins."""
    required = set(p["required_contexts"] or p["contexts"])
    for pw in cannot_log_in:
        more_contexts, more_results = no_login(p, judge, pw, required)
        contexts += more_contexts
        results += more_results
    # whose fault each loss is, the user's own files' or the system's (cron's own PATH is not the user's doing)
    faults(results, contexts, accounts, dict(cron=CRON_PATH.split(":")))
    # twins are reported without repeating their results: counted in the summary, listed in `twins`, and each
    # one's failures spelled out (with their own home and name)
    failures = with_twins([r for r in results if counts_against(r, p["user_files"])], twins)
    user_losses = with_twins([r for r in results if r["required"] and r.get("fault") == "user"], twins)
    return dict(verdict="fail" if failures else "pass", summary=summary(p, results, accounts, cannot_log_in, twins),
                failures=failures, user_losses=user_losses, contexts=contexts, results=results,
                twins=dict((rep, [pw.pw_name for pw in members]) for rep, members in twins.items()))
