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
