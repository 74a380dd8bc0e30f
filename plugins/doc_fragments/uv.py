# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):

    # Options every module that runs uv shares (plugins/module_utils/_uv.py, UV_COMMON_ARGS).
    DOCUMENTATION = r"""
options:
  uv_path:
    description:
      - Absolute path of the C(uv) executable to run.
    type: path
    default: /opt/uv/bin/uv
  python_install_dir:
    description:
      - Where uv keeps managed Pythons (C(UV_PYTHON_INSTALL_DIR)).
      - Every uv call that should see the shared Pythons needs the same directory.
    type: path
    default: /opt/uv/python
  python_bin_dir:
    description:
      - Where uv writes the C(--default) executables C(python), C(python3) and C(pythonX.Y) (C(UV_PYTHON_BIN_DIR)).
    type: path
    default: /opt/uv/python-bin
  tool_dir:
    description:
      - Where uv keeps the environments of global tools (C(UV_TOOL_DIR)).
    type: path
    default: /opt/uv/tools
  tool_bin_dir:
    description:
      - Where uv links the executables of global tools (C(UV_TOOL_BIN_DIR)).
    type: path
    default: /opt/uv/tool-bin
  cache_dir:
    description:
      - uv's cache for these operations (C(UV_CACHE_DIR)). uv's lock files in it are world-writable by design,
        so keep the directory private to root (mode 0700).
    type: path
    default: /opt/uv/cache
  config_file:
    description:
      - A C(uv.toml) to use instead of uv's usual discovery (C(UV_CONFIG_FILE)).
      - When unset, uv reads the system configuration, for example C(/etc/uv/uv.toml).
    type: path
  python_platform:
    description:
      - The platform of the CPythons to install and use, as uv names it (C(linux-armv7-gnueabihf)).
        C(uv python install) asks for C(cpython-3.11-linux-armv7-gnueabihf), not C(3.11); every uv call runs with
        C(UV_LIBC) set to its libc, so C(uv venv --python 3.11) and C(uv tool install --python 3.11) find that
        build (uv 0.13.9 finds no installed armhf CPython for a C(cpython-...-gnueabihf) request there).
      - When unset, the platform of the host's userland (the machine C(/bin/sh) is built for, not C(uname -m)), one
        of C(linux-x86_64-gnu), C(linux-aarch64-gnu) or C(linux-armv7-gnueabihf). So a 32-bit Raspberry Pi OS under
        a 64-bit kernel, or under qemu-user emulation where uv reads the workstation's C(/proc/cpuinfo) and would ask
        for a soft-float build that does not exist, still gets the armhf build. On other machines uv chooses.
      - Installed CPythons of another platform are not counted as installed.
    type: str
notes:
  - uv runs with a C(022) umask, so what it installs is readable by every user.
requirements:
  - uv on the target (see M(labfleet.uv.uv_binary)).
"""

    # check_mode and diff support as every uv module here has it.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    support: full
    description: Decides change from what is installed and from uv's own dry runs; changes nothing.
  diff_mode:
    support: full
    description: Shows what is installed before and after.
  idempotent:
    support: full
    description: A second run with the same options reports no change.
"""

    # The desired state of a host, taken by uv_state and uv_apply (plugins/module_utils/_host_plan.py, HOST_ARGS).
    HOST = r"""
options:
  uv_version:
    description: The uv version wanted at O(uv_path).
    type: str
    required: true
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
  venv:
    description: The shared venv wanted (as M(labfleet.uv.uv_venv) takes it); omit to skip.
    type: dict
    suboptions:
      path: {type: path, required: true, description: The venv directory.}
      python: {type: str, required: true, description: Its CPython minor.}
      seed: {type: bool, default: false, description: Whether it has pip.}
      packages: {type: list, elements: str, default: [], description: Requirements installed in it.}
      requirements: {type: path, description: A requirements file on the host.}
      generation: {type: bool, default: false, description: As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:generation).}
      files:
        type: list
        elements: dict
        default: []
        description: As M(labfleet.uv.uv_venv)'s O(labfleet.uv.uv_venv#module:files).
        suboptions:
          path: {type: str, required: true, description: Relative to the venv.}
          content: {type: str, required: true, description: The text.}
          mode: {type: str, default: "0644", description: The octal mode.}
  tools:
    description: The global tools wanted (as M(labfleet.uv.uv_tool) takes them); omit or empty to skip.
    type: list
    elements: dict
  tool_python:
    description: The CPython minor the tools run on. Required with O(tools).
    type: str
  tool_generation:
    description: As M(labfleet.uv.uv_tool)'s O(labfleet.uv.uv_tool#module:generation).
    type: bool
    default: false
  generations:
    description: The generations wanted (as M(labfleet.uv.uv_generation) takes them); omit to skip.
    type: dict
    suboptions:
      python: {type: str, required: true, description: The minor whose patch's generation is current.}
      venv_path: {type: path, description: The stable path of the shared venv.}
      tool_dir: {type: path, description: The directory holding the tool environments' generations.}
      tool_bin_dir: {type: path, description: The directory of the tools' commands.}
      retire_grace: {type: int, default: 10, description: "Seconds before old generations go (M(labfleet.uv.uv_apply))."}
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
