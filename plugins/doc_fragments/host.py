# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The options of uv_state and uv_apply: each part's (plugins/module_utils/_host_parts.py, PARTS), in the order a
    # run carries them out. A part that has a module of its own documents its suboptions there and points to it.
    # ansible-test reads fragments as plain text, so this is one literal string; tests/unit/plugins/test_specs_agree.py
    # holds it to HOST_ARGS.
    DOCUMENTATION = r"""
options:
  # uv itself (UvPart)
  uv_version:
    description: The uv version wanted at O(uv_path).
    type: str
    required: true
  # the CPythons (PythonPart: _uv_python.PYTHON_ARGS)
  python:
    description: The CPython minors wanted (as M(labfleet.uv.uv_python) takes them); omit to skip.
    type: dict
    suboptions:
      versions: {type: list, elements: str, required: true, description: CPython minors.}
      default: {type: str, description: The minor uv's default shims point at.}
      force: {type: bool, default: false, description: As M(labfleet.uv.uv_python)'s O(labfleet.uv.uv_python#module:force).}
      upgrade: {type: bool, default: false, description: As M(labfleet.uv.uv_python)'s O(labfleet.uv.uv_python#module:upgrade).}
      venvs: {type: list, elements: path, default: [], description: As M(labfleet.uv.uv_python)'s O(labfleet.uv.uv_python#module:venvs).}
      offered:
        type: list
        elements: str
        default: []
        description:
          - Patch versions the source offers that uv's download list on the host may not name yet (the controller's
            archives, listed on the host only when a run installs), for O(python.upgrade).
  # the shared venv (VenvPart: _uv_venv.VENV_ARGS)
  venv:
    description: The shared venv wanted (as M(labfleet.uv.uv_venv) takes it); omit to skip.
    type: dict
    suboptions:
      path: {type: path, required: true, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:path)."}
      python: {type: str, required: true, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:python)."}
      seed: {type: bool, default: false, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:seed)."}
      packages: {type: list, elements: str, default: [], description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:packages)."}
      requirements: {type: path, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:requirements)."}
      generation: {type: bool, default: false, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:generation)."}
      files:
        type: list
        elements: dict
        default: []
        description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:files)."
        suboptions:
          path: {type: str, required: true, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:files[].path)."}
          content: {type: str, required: true, description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:files[].content)."}
          mode: {type: str, default: "0644", description: "As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:files[].mode)."}
  # the global tools (ToolsPart: each tool as _uv_tool.TOOL_ARGS)
  tools:
    description: The global tools wanted (as M(labfleet.uv.uv_tool) takes them); omit or empty to skip.
    type: list
    elements: dict
    suboptions:
      name: {type: str, required: true, description: "As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:tools[].name)."}
      version: {type: str, description: "As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:tools[].version)."}
      state:
        type: str
        choices: [present, latest, absent]
        default: present
        description: "As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:tools[].state)."
  tool_python:
    description: The CPython minor the tools run on. Required with O(tools).
    type: str
  tool_generation:
    description: As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:generation).
    type: bool
    default: false
  # the generations (GenerationsPart: _generations.GENERATION_ARGS)
  generations:
    description: The generations wanted (as M(labfleet.uv.uv_generation) takes them); omit to skip.
    type: dict
    suboptions:
      python: {type: str, required: true, description: The minor whose patch's generation is current.}
      venv_path: {type: path, description: The stable path of the shared venv.}
      tool_dir: {type: path, description: The directory holding the tool environments' generations.}
      tool_bin_dir: {type: path, description: The directory of the tools' commands.}
      retire_grace: {type: int, default: 10, description: "Seconds before old generations go (M(labfleet.uv.uv_apply))."}
  # the directories, files, links and blocks (PathsPart: _host_paths.PATHS_ARGS)
  directories:
    description: Directories that must exist, with their owner, group and mode when given.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The directory.}
      owner: {type: str, description: Its owner's name.}
      group: {type: str, description: Its group's name.}
      mode: {type: str, description: Its octal mode such as C(0755).}
      exact:
        type: bool
        default: false
        description:
          - The directory holds exactly what these options put in it (its directories, files and links); anything
            else found in it is moved into the quarantine, as in the role's bin directories.
  files:
    description: Regular files that must exist with this content, owner, group and mode.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The file.}
      content: {type: str, description: "The wanted text (M(labfleet.uv.uv_state) takes O(files[].sha1) instead)."}
      sha1: {type: str, description: "SHA-1 of the wanted content, instead of O(files[].content)."}
      first:
        type: bool
        default: false
        description:
          - Written before uv runs (uv's configuration, a requirements file) by M(labfleet.uv.uv_apply); the others
            are written last, once what they name exists.
      owner: {type: str, description: Its owner's name.}
      group: {type: str, description: Its group's name.}
      mode: {type: str, description: Its octal mode such as C(0644).}
      if_exists:
        type: list
        elements: path
        default: []
        description:
          - The file is wanted only where one of these paths exists (a shell's startup file where that shell is
            installed); empty means always. M(labfleet.uv.uv_state) lists a file not wanted here in C(not_wanted).
  links:
    description: Symbolic links that must exist and point at O(links[].src).
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The link.}
      src: {type: path, required: true, description: What it points at.}
  blocks:
    description:
      - Text that a file must hold. M(labfleet.uv.uv_apply) puts it in place of the block's marked lines, or at
        the end of the file; a missing file is created (root, 0644).
    type: list
    elements: dict
    default: []
    suboptions:
      path: {type: path, required: true, description: The file.}
      text: {type: str, required: true, description: The text it must contain.}
      marker:
        type: str
        description:
          - The block's marker, as M(ansible.builtin.blockinfile) writes it with C(marker="# {mark} MARKER"); the file
            must then hold O(blocks[].text) between its C(# BEGIN MARKER) and C(# END MARKER) lines.
      if_exists:
        type: list
        elements: path
        default: []
        description:
          - The block is wanted only where one of these paths exists (C(/etc/zsh/zprofile) only where zsh is
            installed); empty means always. M(labfleet.uv.uv_state) lists a block not wanted here in C(not_wanted).
  command_dir:
    description:
      - A directory of commands on the system's default PATH that the O(files) and O(links) there belong to.
        Anything already at one of those paths that is not a file holding a line starting with C(# )O(marker),
        uv's own C(--default) shim of a managed CPython, or the wanted link, is someone else's, and the module
        fails naming it, before anything changes.
    type: path
  marker:
    description: The line (after C(# )) that marks the files of O(command_dir) as the role's own.
    type: str
  uv_config:
    description:
      - The system-wide uv configuration file among O(files). While it differs from the wanted text (edited, broken,
        not written yet), uv is asked with a copy of the wanted text (C(UV_CONFIG_FILE)), never with what is there.
    type: path
"""
