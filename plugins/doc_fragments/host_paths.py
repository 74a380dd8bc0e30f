# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # The options of uv_state and uv_apply for the directories, files, links and blocks (plugins/module_utils/_host_paths.py, PATHS_ARGS).
    DOCUMENTATION = r"""
options:
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
