#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: disk_image
short_description: Mount a partitioned disk image (such as a Raspberry Pi OS .img) for provisioning through a chroot
version_added: 0.3.0
description:
  - O(state=mounted) attaches the root partition (and the boot partition) of a whole-disk image file to loop
    devices, mounts root on O(path) and boot inside it at O(boot_mount), and mounts C(/proc), C(/sys),
    C(/dev), C(/tmp) and C(/run) into it (O(api_filesystems)), so that a C(community.general.chroot) connection to O(path) can run Ansible modules
    there. On another architecture (an arm64 image on an amd64 workstation) the programs in the image run
    through qemu-user, which binfmt_misc must have registered with its C(F) flag.
  - Partitions are attached by offset (C(losetup --offset --sizelimit)), so it works without udev or
    partition device nodes (containers, build hosts).
  - O(state=unmounted) stops processes still running inside O(path), unmounts everything at or under
    O(path) (deepest first) and detaches every loop device backed by O(image). Use it in an C(always) section;
    it leaves no mount and no loop device behind, whatever state a failed run left.
  - While mounted for a chroot (O(api_filesystems)), C(/usr/sbin/policy-rc.d) in the image refuses to start
    services (exit 101), so packages installed into the image never start daemons on the workstation. It is removed when unmounting,
    and never written over a policy-rc.d the image already had.
  - If mounting fails half way, what was attached or mounted is undone before the module fails.
attributes:
  check_mode:
    support: full
    description: Reports what would be mounted or unmounted; attaches and mounts nothing.
  diff_mode:
    support: none
    description: Mounts are not files; the result lists the mounts and loop devices instead.
  idempotent:
    support: full
    description: A mounted image is left as it is; unmounting an unmounted image does nothing.
options:
  image:
    description:
      - The disk image file on the host running the module (a whole disk with a partition table, DOS or GPT).
    type: path
    required: true
  path:
    description:
      - Where to mount the root partition. Created (mode 0755) when missing.
    type: path
    required: true
  state:
    description:
      - V(mounted) or V(unmounted).
    type: str
    choices: [mounted, unmounted]
    default: mounted
  read_only:
    description:
      - Attach the image read-only (for a dry run of a playbook against the image). The root seen at O(path)
        is then an overlay whose writes go to memory and vanish when unmounting, so programs that must write
        (locks, caches, Ansible's own temporary files) still run, and not one byte of the image changes. The
        overlay's parts live in a hidden directory beside O(path) (C(.<name>.read-only)), removed when unmounting.
    type: bool
    default: false
  boot_mount:
    description:
      - Where the boot partition is mounted, relative to the root partition. Raspberry Pi OS bookworm
        and later use V(boot/firmware); older releases V(boot). Empty to leave the boot partition alone.
    type: str
    default: boot/firmware
  api_filesystems:
    description:
      - Mount C(/proc), C(/sys) and C(/dev) into the image, which a chroot needs to run programs, and fresh
        tmpfs on C(/tmp) and C(/run) (as at boot), so temporary files never land in the image and a
        read-only image still has a writable C(/tmp) for Ansible. Turn off to only look at the files (or to
        hand the root to C(podman run --rootfs)).
    type: bool
    default: true
  root_partition:
    description:
      - Number of the root partition; V(0) picks the last Linux partition.
    type: int
    default: 0
  boot_partition:
    description:
      - Number of the boot partition; V(0) picks the first FAT or EFI partition.
    type: int
    default: 0
author:
  - labfleet.uv developers (@labfleet)
notes:
  - Needs root on the host running it (loop devices and mounts), and C(losetup), C(sfdisk), C(mount) and
    C(findmnt) from util-linux.
"""

EXAMPLES = r"""
- name: Mount the image for the chroot connection
  labfleet.uv.disk_image:
    image: /srv/images/2025-10-01-raspios-trixie-arm64-lite.img
    path: /mnt/pi-image
  delegate_to: localhost

- name: Unmount it again, also after a failed run
  labfleet.uv.disk_image:
    image: /srv/images/2025-10-01-raspios-trixie-arm64-lite.img
    path: /mnt/pi-image
    state: unmounted
  delegate_to: localhost
"""

RETURN = r"""
partitions:
  description: The root and boot partitions found in the image's partition table (start and size in bytes).
  returned: when O(state=mounted)
  type: dict
  sample: {root: {number: 2, start: 545259520, size: 2147483648}, boot: {number: 1, start: 4194304, size: 536870912}}
loop_devices:
  description: Loop devices attached to O(image) (by this run, or found attached).
  returned: always
  type: list
  elements: str
  sample: [/dev/loop0, /dev/loop1]
mounts:
  description: Mount points at or under O(path) after the run (mounted), or that were unmounted (unmounted).
  returned: always
  type: list
  elements: str
  sample: [/mnt/pi-image, /mnt/pi-image/boot/firmware, /mnt/pi-image/proc, /mnt/pi-image/sys, /mnt/pi-image/dev,
           /mnt/pi-image/tmp, /mnt/pi-image/run]
stopped_processes:
  description: Processes that were still running inside O(path) and were stopped before unmounting.
  returned: when O(state=unmounted)
  type: list
  elements: str
  sample: ["1234 gpg-agent"]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._disk_image import DiskImage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            image=dict(type="path", required=True),
            path=dict(type="path", required=True),
            state=dict(type="str", choices=["mounted", "unmounted"], default="mounted"),
            read_only=dict(type="bool", default=False),
            boot_mount=dict(type="str", default="boot/firmware"),
            api_filesystems=dict(type="bool", default=True),
            root_partition=dict(type="int", default=0),
            boot_partition=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    p = module.params
    for option in ("image", "path"):
        if not os.path.isabs(p[option]):
            module.fail_json(msg="%s must be an absolute path, got %r" % (option, p[option]))
    if os.path.realpath(p["path"]) == "/":
        module.fail_json(msg="path must not be /")
    image = DiskImage(module)
    if p["state"] == "mounted":
        module.exit_json(**image.ensure_mounted())
    module.exit_json(**image.ensure_unmounted())


if __name__ == "__main__":
    main()
