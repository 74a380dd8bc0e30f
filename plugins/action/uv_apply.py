# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""labfleet.uv.uv_apply's controller side: the files of O(transfers) go to the host with the connection's own file
transfer (no module run per file), then the module runs once and puts them in place with everything else."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):

    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        transfers = []
        for transfer in args.pop("transfers", None) or []:
            if not isinstance(transfer, dict) or not transfer.get("src") or not transfer.get("dest"):
                raise AnsibleActionFail("transfers: each item needs src (on the controller) and dest (on the host), "
                                        "got %r" % (transfer,))
            try:
                src = self._find_needle("files", transfer["src"])
            except AnsibleError as e:
                raise AnsibleActionFail("transfers: %s" % e)
            transfers.append(dict(src=src, dest=transfer["dest"]))
        staged = []
        if transfers and not self._task.check_mode:
            # the task's temporary directory on the host, removed after the task (ActionBase.cleanup)
            if not self._connection._shell.tmpdir:
                self._make_tmp_path()
            for number, transfer in enumerate(transfers):
                remote = self._connection._shell.join_path(
                    self._connection._shell.tmpdir, "transfer-%d-%s" % (number, os.path.basename(transfer["src"])))
                self._transfer_file(transfer["src"], remote)
                staged.append(dict(src=remote, dest=transfer["dest"]))
            self._fixup_perms2([self._connection._shell.tmpdir] + [s["src"] for s in staged])
        args["staged"] = staged
        result.update(self._execute_module(module_name="labfleet.uv.uv_apply", module_args=args, task_vars=task_vars))
        # each file sent is a round trip of its own (bench/run counts them)
        result["transferred"] = len(staged)
        return result
