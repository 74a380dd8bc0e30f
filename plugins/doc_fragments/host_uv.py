# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The options of uv_state and uv_apply for uv itself (plugins/module_utils/_host_parts.py, UvPart).
    DOCUMENTATION = r"""
options:
  uv_version:
    description: The uv version wanted at O(uv_path).
    type: str
    required: true
"""
