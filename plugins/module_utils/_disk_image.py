# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# A partitioned disk image (such as a Raspberry Pi OS .img) mounted for a chroot and unmounted again, for the module
# disk_image: what is mounted and attached now (DiskImage), and what one run attaches and mounts, undone when a
# step fails (Mounts).

from __future__ import annotations

import json
import os
import signal
import time

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
# how long a loop device the kernel is already taking down (see DiskImage.detach) may stay listed
DETACH_WAIT = 10.0
BOOT_HINT = (". This kernel cannot mount the boot partition (no vfat in /proc/filesystems?): set boot_mount to an "
             "empty string to leave it unmounted; provisioning the root does not need it")


def within(path, top):
    """Whether path is top or lies under it."""
    return path == top or path.startswith(top.rstrip("/") + "/")


def partitions_of(sfdisk_json):
    """The partitions of `sfdisk --json`'s table: [{number, type, start, size}], start and size in bytes."""
    table = json.loads(sfdisk_json)["partitiontable"]
    sector = int(table.get("sectorsize", 512))
    parts = []
    for index, part in enumerate(table.get("partitions", []), 1):
        node = part.get("node", "")
        number = int(node[len(node.rstrip("0123456789")):] or index)
        parts.append(dict(number=number, type=str(part.get("type", "")).lower(),
                          start=int(part["start"]) * sector, size=int(part["size"]) * sector))
    return parts


def processes_inside(path):
    """(pid, name) of every process (but this one) whose root directory is path or lies under it."""
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
        if within(root, path):
            inside.append((int(pid), name))
    return inside


def stop_processes(path):
    """Stops the processes inside path (SIGTERM, then SIGKILL, 5 s each at most): ["pid name"] of those found."""
    stopped = processes_inside(path)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid, dummy in processes_inside(path):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        for dummy in range(50):
            if not processes_inside(path):
                break
            time.sleep(0.1)
    return ["%d %s" % p for p in stopped]


def remove_our_policy(path):
    """Removes the image's policy-rc.d if this module wrote it (never one the image had)."""
    policy = os.path.join(path, POLICY_RC)
    try:
        with open(policy) as f:
            if POLICY_RC_MARKER in f.read():
                os.unlink(policy)
    except (OSError, UnicodeDecodeError):
        pass


class Mounts(object):
    """The commands of one run on the image, and what they attached, mounted and wrote: undone when a step fails,
    so that mounting half way leaves nothing behind."""

    def __init__(self, module, image, path, read_only):
        self.module, self.image, self.path, self.read_only = module, image, path, read_only
        # read-only: tmpfs with the root partition (lower), the overlay's writes (upper) and its workdir
        self.scratch = os.path.join(os.path.dirname(path), ".%s.read-only" % os.path.basename(path))
        self.attached = []  # loop devices attached by this run
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

    def mount_root(self, device):
        """The root partition on path; read-only, under a memory overlay on path."""
        if not self.read_only:
            self.mount(device, self.path)
            return
        if not os.path.isdir(self.scratch):
            os.makedirs(self.scratch, 0o700)
        self.mount("tmpfs", self.scratch, "tmpfs", "mode=0700")
        parts = dict((name, os.path.join(self.scratch, name)) for name in ("lower", "upper", "work"))
        for directory in parts.values():
            os.mkdir(directory, 0o755)
        self.mount(device, parts["lower"])
        self.mount("overlay", self.path, "overlay", "lowerdir=%(lower)s,upperdir=%(upper)s,workdir=%(work)s" % parts)

    def block_services(self):
        """policy-rc.d refusing to start services, unless the image has one of its own."""
        policy = os.path.join(self.path, POLICY_RC)
        if not os.path.lexists(policy) and os.path.isdir(os.path.dirname(policy)):
            with open(policy, "w") as f:
                f.write(POLICY_RC_TEXT)
            os.chmod(policy, 0o755)
            self.wrote_policy = True

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

    def keep(self):
        """The run succeeded: what it attached and mounted stays ({loop_devices, mounts})."""
        done = dict(loop_devices=list(self.attached), mounts=list(self.mounted))
        self.mounted, self.attached, self.wrote_policy = [], [], False
        return done

    def remove_scratch(self):
        try:
            os.rmdir(self.scratch)  # empty once its tmpfs is unmounted; never removes anything else
        except OSError:
            pass


class DiskImage(object):
    """The image's partitions, mounted at path (state mounted) or not at all (state unmounted)."""

    def __init__(self, module):
        self.module = module
        p = module.params
        self.image = os.path.realpath(p["image"])
        self.path = os.path.realpath(p["path"])
        self.api_filesystems = p["api_filesystems"]
        self.boot_mount = p["boot_mount"].strip("/")
        self.mounts = Mounts(module, self.image, self.path, p["read_only"])

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
        for top in (self.path, self.mounts.scratch):
            targets = [t for t in found if within(t, top)]
            # a target mounted twice is unmounted twice
            ordered += sorted(targets, key=lambda t: t.count("/"), reverse=True)
        return ordered

    def detach(self, device):
        """losetup --detach, where a device that stops backing the image anyway is no failure: one asked to detach
        while it was mounted (a run killed half way, an admin's losetup -d) is marked to go by itself, and the
        kernel takes it down once the unmount closed it, a moment later, so detaching it again says
        "No such device or address"."""
        args = ["losetup", "--detach", device]
        rc, out, err = self.module.run_command(args)
        deadline = time.monotonic() + DETACH_WAIT
        while rc != 0 and device in self.loops_of_image():
            if time.monotonic() >= deadline:
                self.mounts.fail("detaching %s failed (rc=%d): %s" % (device, rc, (err or out).strip()), cmd=args)
            time.sleep(0.2)

    def loops_of_image(self):
        out = self.mounts.run(["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], "losetup --list")
        devices = json.loads(out)["loopdevices"] if out.strip() else []
        return [d["name"] for d in devices
                if (d.get("back-file") or "").replace(" (deleted)", "") == self.image]

    def pick(self, parts, option, types, last):
        """The partition numbered by option, else the last (or first) one of types (None if there is none)."""
        wanted = self.module.params[option]
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

    def root_and_boot(self):
        """{root, boot}: the partitions to mount (no boot without boot_mount, or when the image has none)."""
        parts = partitions_of(self.mounts.run(["sfdisk", "--json", self.image],
                                              "reading the partition table of %s" % self.image, whole=json_printed))
        root = self.pick(parts, "root_partition", LINUX_TYPES, True)
        if root is None:
            self.module.fail_json(msg="%s has no Linux partition to use as root (set root_partition); partitions: %s"
                                      % (self.image, parts))
        boot = self.pick(parts, "boot_partition", BOOT_TYPES, False) if self.boot_mount else None
        return dict(root=root, boot=boot) if boot else dict(root=root)

    # ---- state ---------------------------------------------------------------------------------
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
        found = self.root_and_boot()
        if self.module.check_mode:
            return dict(changed=True, loop_devices=[], mounts=[self.path], partitions=found)
        self.mount_all(found)
        return dict(self.mounts.keep(), changed=True, partitions=found)

    def mount_all(self, found):
        """Root on path, boot inside it, the API filesystems, and no services while it is mounted."""
        m = self.mounts
        if not os.path.isdir(self.path):
            os.makedirs(self.path, 0o755)
        m.mount_root(m.attach(found["root"]))
        if found.get("boot"):
            target = os.path.join(self.path, self.boot_mount)
            if not os.path.isdir(target):
                os.makedirs(target, 0o755)
            m.mount(m.attach(found["boot"]), target, hint=BOOT_HINT)
        if self.api_filesystems:
            for fstype, source, inside, options in API_FILESYSTEMS:
                m.mount(source, os.path.join(self.path, inside), fstype, options)
            m.block_services()

    def ensure_unmounted(self):
        present = self.mounts_under()
        loops = self.loops_of_image() if os.path.exists(self.image) else []
        changed = bool(present or loops)
        result = dict(changed=changed, loop_devices=loops, mounts=present, stopped_processes=[])
        if not changed or self.module.check_mode:
            return result
        if present:
            result["stopped_processes"] = stop_processes(self.path)
            remove_our_policy(self.path)
        for target in present:
            self.mounts.run(["umount", target], "unmounting %s" % target)
        for device in loops:
            self.detach(device)
        self.mounts.remove_scratch()
        left = self.mounts_under()
        if left:
            self.module.fail_json(msg="still mounted after unmounting: %s" % left, mounts=left)
        return result
