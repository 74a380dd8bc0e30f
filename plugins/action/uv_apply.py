# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""labfleet.uv.uv_apply's controller side: works out from O(host_state) (labfleet.uv.uv_state's result) and
O(sources) which files the host needs from the controller (plugin_utils/_transfers.py), sends them and those of
O(transfers) with the connection's own file transfer (no module run per file), then runs the module once, which
puts them in place with everything else."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.labfleet.uv.plugins.plugin_utils._transfers import TransferError, checked_sources, plan

# the module's options that O(sources) works out
PLANNED = ("uv_archive", "uv_sha256", "python_downloads")


class ActionModule(ActionBase):

    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        transfers = self._given_transfers(args.pop("transfers", None))
        host_state, sources = args.pop("host_state", None), args.pop("sources", None)
        if host_state is not None or sources is not None:
            transfers += self._planned_transfers(args, host_state, sources)
        staged = self._stage(transfers) if transfers and not self._task.check_mode else []
        args["staged"] = staged
        result.update(self._execute_module(module_name="labfleet.uv.uv_apply", module_args=args, task_vars=task_vars))
        # what was (or, in check mode, would be) sent; each file sent is a round trip of its own (bench/run counts)
        result["transfers"] = [dict(src=t["src"], dest=t["dest"]) for t in transfers]
        result["transferred"] = len(staged)
        return result

    def _given_transfers(self, given):
        """O(transfers) checked, each src found as ansible.builtin.copy finds it (files/ of the play or role)."""
        if given is not None and not isinstance(given, list):
            raise AnsibleActionFail("transfers must be a list of {src, dest}, got %r" % (given,))
        transfers = []
        for transfer in given or []:
            if not isinstance(transfer, dict) or not transfer.get("src") or not transfer.get("dest"):
                raise AnsibleActionFail("transfers: each item needs src (on the controller) and dest (on the host), "
                                        "got %r" % (transfer,))
            transfers.append(self._found(transfer, "transfers"))
        return transfers

    def _found(self, transfer, option):
        try:
            src = self._find_needle("files", transfer["src"])
        except AnsibleError as e:
            raise AnsibleActionFail("%s: %s" % (option, e))
        return dict(src=src, dest=transfer["dest"])

    def _planned_transfers(self, args, host_state, sources):
        """The files O(host_state) says the host needs from the controller; sets the module's uv_archive, uv_sha256
        and python_downloads in args."""
        if host_state is None or sources is None:
            raise AnsibleActionFail("host_state and sources go together: sources says where the files come from, "
                                    "host_state (labfleet.uv.uv_state's result) which the host needs")
        given = [name for name in PLANNED if args.get(name) is not None]
        if given:
            raise AnsibleActionFail("%s: worked out from host_state and sources; give either" % ", ".join(given))
        try:
            planned = plan(checked_sources(sources), host_state)
        except TransferError as e:
            raise AnsibleActionFail(str(e))
        args.update((name, planned[name]) for name in PLANNED if planned[name] is not None)
        return [self._found(transfer, "sources") for transfer in planned["transfers"]]

    def _stage(self, transfers):
        """Send each file into the task's temporary directory on the host (removed after the task by
        ActionBase.cleanup): [{src: where it waits on the host, dest}]."""
        shell = self._connection._shell
        if not shell.tmpdir:
            self._make_tmp_path()
        staged = []
        for number, transfer in enumerate(transfers):
            remote = shell.join_path(shell.tmpdir, "transfer-%d-%s" % (number, os.path.basename(transfer["src"])))
            self._transfer_file(transfer["src"], remote)
            staged.append(dict(src=remote, dest=transfer["dest"]))
        self._fixup_perms2([shell.tmpdir] + [s["src"] for s in staged])
        return staged
