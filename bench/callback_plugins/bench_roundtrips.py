# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Counts module round trips to the hosts (bench/run): one per task result, or per loop item, that ran a
module on a host, plus each file it sent besides (labfleet.uv.uv_apply's "transferred"). Controller-only
actions (set_fact, assert, debug, includes...) and tasks delegated to
localhost are not round trips; skipped ones neither."""

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_roundtrips
type: aggregate
short_description: Count module round trips to the hosts (bench/run)
description: Prints C(ROUNDTRIPS <n>) and the tasks that made them at the end of the run.
requirements: [enable in configuration]
"""

import collections

from ansible.plugins.callback import CallbackBase

CONTROLLER_ONLY = {
    "set_fact", "assert", "debug", "fail", "meta", "include_tasks", "import_tasks", "include_role", "import_role",
    "include_vars", "validate_argument_spec", "add_host", "group_by", "set_stats", "pause", "wait_for_connection",
}


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_roundtrips"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.trips = collections.Counter()

    def _count(self, result):
        task = result._task
        action = task.action.rsplit(".", 1)[-1]
        delegated = result._result.get("_ansible_delegated_vars", {}).get("ansible_host") in ("localhost", "127.0.0.1")
        if action in CONTROLLER_ONLY or delegated or task.delegate_to in ("localhost", "127.0.0.1"):
            return
        # a file a task sent beside its module run (labfleet.uv.uv_apply's transfers) is a round trip too
        self.trips[task.get_name()] += 1 + int(result._result.get("transferred") or 0)

    def v2_runner_on_ok(self, result):
        # a loop's items were counted one by one; a module may return a key "results" of its own
        if not result._task.loop:
            self._count(result)

    v2_runner_on_failed = v2_runner_on_ok

    def v2_runner_item_on_ok(self, result):
        self._count(result)

    v2_runner_item_on_failed = v2_runner_item_on_ok

    def v2_playbook_on_stats(self, stats):
        self._display.display("ROUNDTRIPS %d" % sum(self.trips.values()))
        for name, n in sorted(self.trips.items()):
            self._display.display("ROUNDTRIP %d %s" % (n, name))
