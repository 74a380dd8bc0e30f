# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.labfleet.uv.plugins.doc_fragments import (
    host_generations, host_paths, host_python, host_tools, host_uv, host_venv)

# The whole host's options (uv_state and uv_apply): each part's fragment, in the order of _host_parts.PARTS. A new
# part's fragment is one entry here.
PART_FRAGMENTS = (host_uv, host_python, host_venv, host_tools, host_generations, host_paths)


def _options_of(fragment):
    text = fragment.ModuleDocFragment.DOCUMENTATION.strip("\n")
    header = "options:\n"
    if not text.startswith(header):
        raise ValueError("%s: a part's fragment holds options only" % fragment.__name__)
    return text[len(header):] + "\n"


class ModuleDocFragment(object):

    DOCUMENTATION = "options:\n" + "".join(_options_of(f) for f in PART_FRAGMENTS)
