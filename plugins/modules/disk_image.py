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

import json
import os
import signal
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._command_output import json_printed, read_command

POLICY_RC = "usr/sbin/policy-rc.d"
POLICY_RC_MARKER = "# written by labfleet.uv.disk_image"
POLICY_RC_TEXT = "#!/bin/sh\n%s: no services start while the image is provisioned\nexit 101\n" % POLICY_RC_MARKER
# partition types: DOS ids and GPT type GUIDs
LINUX_TYPES = {"83", "0fc63daf-8483-4772-8e79-3d69d8477de4", "b921b045-1df0-41c3-af44-4c6f280d3fae"}
BOOT_TYPES = {"b", "c", "e", "ef", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"}
# what makes a chroot usable by Ansible, Python and uv: (type, source, target inside root, options).
# /tmp and /run are fresh tmpfs, as at boot: Ansible's temporary files (and anything a run leaves in /run)
# never land in the image, and a read-only image still has somewhere to write them.
API_FILESYSTEMS = (("proc", "proc", "proc", None), ("sysfs", "sysfs", "sys", None), (None, "/dev", "dev", "bind"),
                   ("tmpfs", "tmpfs", "tmp", "mode=1777"), ("tmpfs", "tmpfs", "run", "mode=0755"))


def within(path, top):
    """Whether path is top or lies under it."""
    return path == top or path.startswith(top.rstrip("/") + "/")


class DiskImage(object):
    def __init__(self, module):
        self.module = module
        p = module.params
        self.image = os.path.realpath(p["image"])
        self.path = os.path.realpath(p["path"])
        self.read_only = p["read_only"]
        self.api_filesystems = p["api_filesystems"]
        self.boot_mount = p["boot_mount"].strip("/")
        # read-only: tmpfs with the root partition (lower), the overlay's writes (upper) and its workdir
        self.scratch = os.path.join(os.path.dirname(self.path), ".%s.read-only" % os.path.basename(self.path))
        self.attached = []  # loop devices attached by this run (undone if mounting fails)
        self.mounted = []  # mount points mounted by this run
        self.wrote_policy = False

    def run(self, args, what, hint="", whole=None):
        """args, failing with what it was for; a query with whole (see _command_output) is read again when cut."""
        if whole:
            rc, out, err, dummy = read_command(self.module, args, whole)
        else:
            rc, out, err = self.module.run_command(args)
        if rc != 0:
            detail = (err or out).strip().rstrip(".")
            if "unknown filesystem type" in err:
                detail += hint
            self.fail("%s failed (rc=%d): %s" % (what, rc, detail), cmd=args)
        return out

    def fail(self, msg, **kwargs):
        self.undo()
        self.module.fail_json(msg=msg, **kwargs)

    # ---- what is there -------------------------------------------------------------------------
    def mounts_under(self):
        """Mount points at or under path, deepest first, then those of the read-only scratch directory: the
        order to unmount them (the overlay on path before the root partition under it)."""
        rc, out, err, dummy = read_command(self.module, ["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"],
                                           json_printed)
        if rc not in (0, 1):  # 1: nothing matched
            self.module.fail_json(msg="findmnt failed (rc=%d): %s" % (rc, err.strip()))
        found = [f["target"] for f in (json.loads(out)["filesystems"] if out.strip() else [])]
        ordered = []
        for top in (self.path, self.scratch):
            targets = [t for t in found if within(t, top)]
            # a target mounted twice is unmounted twice
            ordered += sorted(targets, key=lambda t: t.count("/"), reverse=True)
        return ordered

    def loops_of_image(self):
        out = self.run(["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], "losetup --list")
        devices = json.loads(out)["loopdevices"] if out.strip() else []
        return [d["name"] for d in devices
                if (d.get("back-file") or "").replace(" (deleted)", "") == self.image]

    def partitions(self):
        table = json.loads(self.run(["sfdisk", "--json", self.image], "reading the partition table of %s" % self.image,
                                    whole=json_printed))
        table = table["partitiontable"]
        sector = int(table.get("sectorsize", 512))
        parts = []
        for index, part in enumerate(table.get("partitions", []), 1):
            node = part.get("node", "")
            number = int(node[len(node.rstrip("0123456789")):] or index)
            parts.append(dict(number=number, type=str(part.get("type", "")).lower(),
                              start=int(part["start"]) * sector, size=int(part["size"]) * sector))
        return parts

    def pick(self, parts, wanted, types, last, option):
        if wanted:
            chosen = [part for part in parts if part["number"] == wanted]
            if not chosen:
                self.module.fail_json(msg="%s has no partition %d (option %s); it has %s"
                                          % (self.image, wanted, option, [part["number"] for part in parts]))
            return chosen[0]
        chosen = [part for part in parts if part["type"] in types]
        if not chosen:
            return None
        return chosen[-1] if last else chosen[0]

    # ---- mounting ------------------------------------------------------------------------------
    def attach(self, part):
        args = ["losetup", "--find", "--show", "--offset", str(part["start"]), "--sizelimit", str(part["size"])]
        if self.read_only:
            args.append("--read-only")
        device = self.run(args + [self.image], "attaching partition %d of %s" % (part["number"], self.image)).strip()
        self.attached.append(device)
        return device

    def mount(self, source, target, fstype=None, options=None, hint=""):
        args = ["mount"]
        if fstype:
            args += ["-t", fstype]
        opts = [o for o in (options, "ro" if self.read_only and not fstype and options != "bind" else None) if o]
        if opts:
            args += ["-o", ",".join(opts)]
        self.run(args + [source, target], "mounting %s on %s" % (source, target), hint)
        self.mounted.append(target)

    def undo(self):
        if self.wrote_policy:
            try:
                os.unlink(os.path.join(self.path, POLICY_RC))
            except OSError:
                pass
            self.wrote_policy = False
        for target in reversed(self.mounted):
            self.module.run_command(["umount", target])
        for device in reversed(self.attached):
            self.module.run_command(["losetup", "--detach", device])
        self.mounted, self.attached = [], []
        self.remove_scratch()

    def remove_scratch(self):
        try:
            os.rmdir(self.scratch)  # empty once its tmpfs is unmounted; never removes anything else
        except OSError:
            pass

    def mount_overlay(self, device):
        """The read-only root partition under a memory overlay on path."""
        if not os.path.isdir(self.scratch):
            os.makedirs(self.scratch, 0o700)
        self.mount("tmpfs", self.scratch, "tmpfs", "mode=0700")
        parts = dict((name, os.path.join(self.scratch, name)) for name in ("lower", "upper", "work"))
        for directory in parts.values():
            os.mkdir(directory, 0o755)
        self.mount(device, parts["lower"])
        self.mount("overlay", self.path, "overlay", "lowerdir=%(lower)s,upperdir=%(upper)s,workdir=%(work)s" % parts)

    def ensure_mounted(self):
        if not os.path.isfile(self.image):
            self.module.fail_json(msg="image %s is not a file" % self.image)
        present = self.mounts_under()
        if self.path in present:
            loops = self.loops_of_image()
            if not loops:
                self.module.fail_json(msg="%s is already a mount point, but not of %s: refusing to mount over it"
                                          % (self.path, self.image))
            return dict(changed=False, loop_devices=loops, mounts=sorted(present), partitions={})
        parts = self.partitions()
        root = self.pick(parts, self.module.params["root_partition"], LINUX_TYPES, True, "root_partition")
        if root is None:
            self.module.fail_json(msg="%s has no Linux partition to use as root (set root_partition); partitions: %s"
                                      % (self.image, parts))
        boot = None
        if self.boot_mount:
            boot = self.pick(parts, self.module.params["boot_partition"], BOOT_TYPES, False, "boot_partition")
        found = dict(root=root, boot=boot) if boot else dict(root=root)
        if self.module.check_mode:
            return dict(changed=True, loop_devices=[], mounts=[self.path], partitions=found)
        if not os.path.isdir(self.path):
            os.makedirs(self.path, 0o755)
        if self.read_only:
            self.mount_overlay(self.attach(root))
        else:
            self.mount(self.attach(root), self.path)
        if boot:
            target = os.path.join(self.path, self.boot_mount)
            if not os.path.isdir(target):
                os.makedirs(target, 0o755)
            self.mount(self.attach(boot), target,
                       hint=". This kernel cannot mount the boot partition (no vfat in /proc/filesystems?): set "
                            "boot_mount to an empty string to leave it unmounted; provisioning the root does "
                            "not need it")
        for fstype, source, inside, options in API_FILESYSTEMS if self.api_filesystems else ():
            self.mount(source, os.path.join(self.path, inside), fstype, options)
        policy = os.path.join(self.path, POLICY_RC)
        if self.api_filesystems and not os.path.lexists(policy) and os.path.isdir(os.path.dirname(policy)):
            with open(policy, "w") as f:
                f.write(POLICY_RC_TEXT)
            os.chmod(policy, 0o755)
            self.wrote_policy = True
        result = dict(changed=True, loop_devices=list(self.attached), mounts=list(self.mounted), partitions=found)
        self.mounted, self.attached, self.wrote_policy = [], [], False  # keep them: the run succeeded
        return result

    # ---- unmounting ----------------------------------------------------------------------------
    def processes_inside(self):
        inside = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                root = os.readlink("/proc/%s/root" % pid)
                with open("/proc/%s/comm" % pid) as f:
                    name = f.read().strip()
            except OSError:
                continue
            if within(root, self.path):
                inside.append((int(pid), name))
        return inside

    def stop_processes(self):
        stopped = self.processes_inside()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid, dummy in self.processes_inside():
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            for dummy in range(50):
                if not self.processes_inside():
                    break
                time.sleep(0.1)
        return ["%d %s" % p for p in stopped]

    def ensure_unmounted(self):
        present = self.mounts_under()
        loops = self.loops_of_image() if os.path.exists(self.image) else []
        changed = bool(present or loops)
        result = dict(changed=changed, loop_devices=loops, mounts=present, stopped_processes=[])
        if not changed or self.module.check_mode:
            return result
        if present:
            result["stopped_processes"] = self.stop_processes()
            policy = os.path.join(self.path, POLICY_RC)
            try:
                with open(policy) as f:
                    if POLICY_RC_MARKER in f.read():
                        os.unlink(policy)
            except (OSError, UnicodeDecodeError):
                pass
        for target in present:
            self.run(["umount", target], "unmounting %s" % target)
        for device in loops:
            self.run(["losetup", "--detach", device], "detaching %s" % device)
        self.remove_scratch()
        left = self.mounts_under()
        if left:
            self.module.fail_json(msg="still mounted after unmounting: %s" % left, mounts=left)
        return result


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
