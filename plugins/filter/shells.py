# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that quote a word for the fish, csh and nushell startup files the role writes (sh uses Ansible's `quote`), with
the same rules path_info's probes use (module_utils/_path_shells)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import CshShell, FishShell, NuShell


def _quoter(shell):
    def quote(word):
        try:
            return shell.quote(str(word))
        except ValueError as e:
            raise AnsibleFilterError(str(e))
    return quote


class FilterModule(object):
    def filters(self):
        return dict(fish_quote=_quoter(FishShell), csh_quote=_quoter(CshShell), nu_quote=_quoter(NuShell))
