# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The options of uv_state and uv_apply for the generations (plugins/module_utils/_host_parts.py, GenerationsPart; _generations.GENERATION_ARGS).
    DOCUMENTATION = r"""
options:
  generations:
    description: The generations wanted (as M(labfleet.uv.uv_generation) takes them); omit to skip.
    type: dict
    suboptions:
      python: {type: str, required: true, description: The minor whose patch's generation is current.}
      venv_path: {type: path, description: The stable path of the shared venv.}
      tool_dir: {type: path, description: The directory holding the tool environments' generations.}
      tool_bin_dir: {type: path, description: The directory of the tools' commands.}
      retire_grace: {type: int, default: 10, description: "Seconds before old generations go (M(labfleet.uv.uv_apply))."}
"""
