#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_binary
short_description: Install the uv and uvx executables from a release archive or a PyPI wheel
version_added: 0.1.0
description:
  - Installs C(uv) and C(uvx) into O(bin_dir) from an archive already on the target, when the
    installed C(uv --version) differs from O(version).
  - Accepts the upstream release tarball (C(uv-<triple>.tar.gz)) and the PyPI wheel (C(uv-<version>-py3-none-<platform>.whl)).
  - The archive's sha256 is checked when O(sha256) is given; the new executable must report O(version)
    before it replaces the old one. The swap is an atomic rename, so C(uv) is never half-written.
  - A uv build whose allocator (jemalloc) was compiled for smaller memory pages than the kernel's aborts
    at start with C(Unsupported system page size), as on Raspberry Pi 5 kernels with 16K pages
    (astral-sh/uv#10942, astral-sh/uv#15401). The new executable is run before the swap, so such a build
    is refused with a message naming the page size, and the uv already installed stays.
  - Fetching the archive is left to M(ansible.builtin.get_url) or M(ansible.builtin.copy), so any
    source (upstream, mirror, PyPI, controller) works the same way.
attributes:
  check_mode:
    support: full
    description: Reports whether uv would be installed or replaced; the archive need not exist yet.
  diff_mode:
    support: full
    description: Shows the uv version before and after.
  idempotent:
    support: full
    description: Nothing is done when the installed uv reports O(version).
options:
  version:
    description:
      - The uv version to have, for example V(0.13.9).
    type: str
    required: true
  bin_dir:
    description:
      - Absolute directory for C(uv) and C(uvx). Created (mode 0755) when missing.
    type: path
    default: /opt/uv/bin
  src:
    description:
      - Path on the target of the release tarball or wheel.
      - Only needed when uv must be installed or replaced.
    type: path
  sha256:
    description:
      - Expected sha256 of O(src), 64 hex digits. Recommended; the install fails on a mismatch.
    type: str
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Fetch the upstream release tarball with its published checksum
  ansible.builtin.get_url:
    url: https://github.com/astral-sh/uv/releases/download/0.13.9/uv-x86_64-unknown-linux-gnu.tar.gz
    checksum: sha256:https://github.com/astral-sh/uv/releases/download/0.13.9/uv-x86_64-unknown-linux-gnu.tar.gz.sha256
    dest: /opt/uv/downloads/uv-x86_64-unknown-linux-gnu.tar.gz
    mode: "0644"

- name: Install uv 0.13.9 into /opt/uv/bin
  labfleet.uv.uv_binary:
    version: 0.13.9
    src: /opt/uv/downloads/uv-x86_64-unknown-linux-gnu.tar.gz
    bin_dir: /opt/uv/bin
"""

RETURN = r"""
version:
  description: The uv version installed after the run.
  returned: success
  type: str
  sample: 0.13.9
previous_version:
  description: The uv version found before the run, or null when there was none.
  returned: success
  type: str
  sample: 0.12.1
page_size:
  description: The target kernel's memory page size in bytes (16384 on a Raspberry Pi 5 with its default kernel).
  returned: always
  type: int
  sample: 4096
executables:
  description: Absolute paths of the installed executables.
  returned: success
  type: list
  elements: str
  sample: [/opt/uv/bin/uv, /opt/uv/bin/uvx]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import host_lock, uv_install_problems
from ansible_collections.labfleet.uv.plugins.module_utils._uv_binary import EXECUTABLES, SHA256_RE, install, page_size


def main():
    module = AnsibleModule(
        argument_spec=dict(
            version=dict(type="str", required=True),
            bin_dir=dict(type="path", default="/opt/uv/bin"),
            src=dict(type="path"),
            sha256=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.isabs(p["bin_dir"]):
        module.fail_json(msg="bin_dir must be an absolute path, got %r" % p["bin_dir"])
    if p["sha256"] and not SHA256_RE.match(p["sha256"]):
        module.fail_json(msg="sha256 must be 64 hex digits, got %r (%d characters)" % (p["sha256"], len(p["sha256"])))
    previous, problems = uv_install_problems(module, p["bin_dir"], p["version"])
    changed = bool(problems)
    if changed and not module.check_mode:
        with host_lock(module):
            install(module, p["src"], p["bin_dir"], p["version"], p["sha256"])
    module.exit_json(
        changed=changed,
        version=p["version"] if changed else previous,
        previous_version=previous,
        page_size=page_size(),
        executables=[os.path.join(p["bin_dir"], name) for name in EXECUTABLES],
        diff=dict(before="uv %s\n" % previous if previous else "", after="uv %s\n" % p["version"]),
    )


if __name__ == "__main__":
    main()
