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
