"""disk_image: the losetup/mount/umount sequences it runs, mocked only at run_command."""
import json
import os

import pytest
from ansible.module_utils import basic
from .module_args import patch_module_args

from ansible_collections.labfleet.uv.plugins.module_utils import _disk_image
from ansible_collections.labfleet.uv.plugins.module_utils._disk_image import POLICY_RC_TEXT
from ansible_collections.labfleet.uv.plugins.modules import disk_image

MIB = 1024 * 1024


def sfdisk_json(image, parts, label="dos"):
    return json.dumps({"partitiontable": {
        "label": label, "device": image, "unit": "sectors", "sectorsize": 512,
        "partitions": [{"node": "%s%d" % (image, n), "start": start, "size": size, "type": kind}
                       for n, (start, size, kind) in enumerate(parts, 1)]}})


PI_PARTS = [(8192, 131072, "c"), (139264, 2097152, "83")]  # Pi OS layout: FAT boot at 4 MiB, ext4 root after


def findmnt(*targets):
    return json.dumps({"filesystems": [{"target": t, "source": "/dev/loop9"} for t in targets]})


def losetup_list(image, *devices):
    return json.dumps({"loopdevices": [{"name": d, "back-file": image} for d in devices]})


class Commands(object):
    """Answers run_command from a script of (argv, rc, stdout); records what ran."""

    def __init__(self, script):
        self.script = list(script)
        self.ran = []

    def __call__(self, module, args, **kwargs):
        self.ran.append(list(args))
        assert self.script, "unexpected command %r" % (args,)
        want, rc, out = self.script.pop(0)
        assert list(args) == want, "command %d" % len(self.ran)
        return rc, out, "" if rc == 0 else "mount: %s: unknown filesystem type 'vfat'." % args[-1]


def run(monkeypatch, capsys, params, script, check_mode=False):
    commands = Commands(script)

    def fake_run_command(self, args, **kwargs):
        return commands(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fake_run_command)
    if check_mode:
        params = dict(params, _ansible_check_mode=True)
    with patch_module_args(params):
        with pytest.raises(SystemExit):
            disk_image.main()
    assert not commands.script, "commands not run: %r" % commands.script
    return json.loads(capsys.readouterr().out), commands.ran


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "pi.img"
    path.write_bytes(b"")
    return str(path)


@pytest.fixture
def mnt(tmp_path):
    root = tmp_path / "mnt"
    (root / "usr" / "sbin").mkdir(parents=True)
    (root / "boot" / "firmware").mkdir(parents=True)
    return str(root)


def mount_script(image, mnt, read_only=False):
    ro = ["--read-only"] if read_only else []
    scratch = os.path.join(os.path.dirname(mnt), ".mnt.read-only")
    if read_only:  # the root partition read-only under a memory overlay on mnt
        root = [(["mount", "-t", "tmpfs", "-o", "mode=0700", "tmpfs", scratch], 0, ""),
                (["mount", "-o", "ro", "/dev/loop3", scratch + "/lower"], 0, ""),
                (["mount", "-t", "overlay", "-o", "lowerdir={0}/lower,upperdir={0}/upper,workdir={0}/work".format(scratch),
                  "overlay", mnt], 0, "")]
    else:
        root = [(["mount", "/dev/loop3", mnt], 0, "")]
    return [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/", "/proc")),
        (["sfdisk", "--json", image], 0, sfdisk_json(image, PI_PARTS)),
        (["losetup", "--find", "--show", "--offset", str(139264 * 512), "--sizelimit", str(2097152 * 512)] + ro
         + [image], 0, "/dev/loop3\n"),
    ] + root + [
        (["losetup", "--find", "--show", "--offset", str(4 * MIB), "--sizelimit", str(64 * MIB)] + ro + [image],
         0, "/dev/loop4\n"),
        (["mount"] + (["-o", "ro"] if read_only else []) + ["/dev/loop4", mnt + "/boot/firmware"], 0, ""),
        (["mount", "-t", "proc", "proc", mnt + "/proc"], 0, ""),
        (["mount", "-t", "sysfs", "sysfs", mnt + "/sys"], 0, ""),
        (["mount", "-o", "bind", "/dev", mnt + "/dev"], 0, ""),
        (["mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", mnt + "/tmp"], 0, ""),
        (["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", mnt + "/run"], 0, ""),
    ]


def test_mounts_root_then_boot_then_api_filesystems_and_blocks_services(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt), mount_script(image, mnt))
    assert result["changed"] is True
    assert result["loop_devices"] == ["/dev/loop3", "/dev/loop4"]
    assert result["mounts"] == [mnt, mnt + "/boot/firmware", mnt + "/proc", mnt + "/sys", mnt + "/dev", mnt + "/tmp",
                                mnt + "/run"]
    assert result["partitions"]["root"]["number"] == 2 and result["partitions"]["boot"]["start"] == 4 * MIB
    policy = os.path.join(mnt, "usr/sbin/policy-rc.d")
    assert "exit 101" in open(policy).read() and os.stat(policy).st_mode & 0o777 == 0o755


def test_read_only_attaches_read_only_under_a_memory_overlay(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, read_only=True),
                        mount_script(image, mnt, read_only=True))
    assert result["changed"] is True
    scratch = os.path.join(os.path.dirname(mnt), ".mnt.read-only")
    assert result["mounts"][:3] == [scratch, scratch + "/lower", mnt]


def test_read_only_unmount_takes_the_overlay_off_before_the_partition_under_it(monkeypatch, capsys, image, mnt):
    scratch = os.path.join(os.path.dirname(mnt), ".mnt.read-only")
    os.mkdir(scratch)
    result, ran = run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0,
         findmnt("/", scratch, scratch + "/lower", mnt, mnt + "/proc")),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image, "/dev/loop3")),
        (["umount", mnt + "/proc"], 0, ""),
        (["umount", mnt], 0, ""),
        (["umount", scratch + "/lower"], 0, ""),
        (["umount", scratch], 0, ""),
        (["losetup", "--detach", "/dev/loop3"], 0, ""),
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
    ])
    assert result["changed"] is True and not os.path.exists(scratch)


def test_only_looking_at_the_files_mounts_no_api_filesystems_and_writes_nothing(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, api_filesystems=False),
                        mount_script(image, mnt)[:6])
    assert result["mounts"] == [mnt, mnt + "/boot/firmware"]
    assert not os.path.exists(os.path.join(mnt, "usr/sbin/policy-rc.d"))


def test_an_image_policy_rc_d_is_never_overwritten(monkeypatch, capsys, image, mnt):
    policy = os.path.join(mnt, "usr/sbin/policy-rc.d")
    with open(policy, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    run(monkeypatch, capsys, dict(image=image, path=mnt), mount_script(image, mnt))
    assert open(policy).read() == "#!/bin/sh\nexit 0\n"


def test_failure_half_way_undoes_what_was_done(monkeypatch, capsys, image, mnt):
    script = mount_script(image, mnt)[:6]
    script[-1] = (script[-1][0], 32, "")  # mounting the boot partition fails
    script += [(["umount", mnt], 0, ""), (["losetup", "--detach", "/dev/loop4"], 0, ""),
               (["losetup", "--detach", "/dev/loop3"], 0, "")]
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt), script)
    assert result["failed"] is True and "mounting /dev/loop4 on %s/boot/firmware failed" % mnt in result["msg"]
    assert "set boot_mount to an empty string" in result["msg"]
    assert not os.path.exists(os.path.join(mnt, "usr/sbin/policy-rc.d"))


def test_without_boot_mount_only_root_is_attached(monkeypatch, capsys, image, mnt):
    script = mount_script(image, mnt)
    del script[4:6]
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, boot_mount=""), script)
    assert result["loop_devices"] == ["/dev/loop3"] and "boot" not in result["partitions"]


def test_already_mounted_image_is_left_alone(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/", mnt, mnt + "/proc")),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image, "/dev/loop3")),
    ])
    assert result["changed"] is False and result["loop_devices"] == ["/dev/loop3"]


def test_path_mounted_by_something_else_is_refused(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt(mnt)),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list("/other.img", "/dev/loop0")),
    ])
    assert result["failed"] is True and "refusing to mount over it" in result["msg"]


def test_check_mode_reads_the_partition_table_and_mounts_nothing(monkeypatch, capsys, image, mnt):
    result, ran = run(monkeypatch, capsys, dict(image=image, path=mnt), mount_script(image, mnt)[:2], check_mode=True)
    assert result["changed"] is True and result["loop_devices"] == []
    assert [cmd[0] for cmd in ran] == ["findmnt", "sfdisk"]


def test_gpt_image_partitions_are_recognised(monkeypatch, capsys, image, mnt):
    gpt = [(2048, 1048576, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"), (1050624, 4194304, "0FC63DAF-8483-4772-8E79-3D69D8477DE4")]
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
        (["sfdisk", "--json", image], 0, sfdisk_json(image, gpt, "gpt")),
    ], check_mode=True)
    assert result["partitions"]["root"]["start"] == 1050624 * 512
    assert result["partitions"]["boot"]["number"] == 1


def test_image_without_a_linux_partition_names_root_partition(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
        (["sfdisk", "--json", image], 0, sfdisk_json(image, [(8192, 131072, "c")])),
    ])
    assert result["failed"] is True and "root_partition" in result["msg"]


def test_unknown_partition_number_is_refused(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, root_partition=5), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
        (["sfdisk", "--json", image], 0, sfdisk_json(image, PI_PARTS)),
    ])
    assert result["failed"] is True and "no partition 5 (option root_partition)" in result["msg"]


def test_unmount_deepest_first_removes_our_policy_and_detaches_loops(monkeypatch, capsys, image, mnt):
    policy = os.path.join(mnt, "usr/sbin/policy-rc.d")
    with open(policy, "w") as f:
        f.write(POLICY_RC_TEXT)
    mounted = findmnt("/", mnt, mnt + "/boot/firmware", mnt + "/proc", mnt + "/sys", mnt + "/dev")
    result, ran = run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, mounted),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0,
         losetup_list(image, "/dev/loop3", "/dev/loop4")),
        (["umount", mnt + "/boot/firmware"], 0, ""),
        (["umount", mnt + "/proc"], 0, ""),
        (["umount", mnt + "/sys"], 0, ""),
        (["umount", mnt + "/dev"], 0, ""),
        (["umount", mnt], 0, ""),
        (["losetup", "--detach", "/dev/loop3"], 0, ""),
        (["losetup", "--detach", "/dev/loop4"], 0, ""),
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
    ])
    assert result["changed"] is True and result["loop_devices"] == ["/dev/loop3", "/dev/loop4"]
    assert not os.path.exists(policy)
    assert ran[-4][1] == mnt  # the root last


def test_unmount_keeps_a_policy_rc_d_the_image_had(monkeypatch, capsys, image, mnt):
    policy = os.path.join(mnt, "usr/sbin/policy-rc.d")
    with open(policy, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt(mnt)),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image)),
        (["umount", mnt], 0, ""),
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
    ])
    assert os.path.exists(policy)


def test_unmount_of_an_unmounted_image_does_nothing(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image)),
    ])
    assert result["changed"] is False


def test_leftover_loop_devices_are_detached_even_when_nothing_is_mounted(monkeypatch, capsys, image, mnt):
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image, "/dev/loop7")),
        (["losetup", "--detach", "/dev/loop7"], 0, ""),
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
    ])
    assert result["changed"] is True


def test_a_loop_device_the_kernel_took_down_after_the_unmount_is_not_a_failure(monkeypatch, capsys, image, mnt):
    # asked to detach while mounted (a killed run, an admin's losetup -d), the device goes once unmounted:
    # detaching it again fails with ENXIO, and it no longer backs the image
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt(mnt)),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image, "/dev/loop0")),
        (["umount", mnt], 0, ""),
        (["losetup", "--detach", "/dev/loop0"], 1, ""),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image)),
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
    ])
    assert result["changed"] is True and "failed" not in result


def test_a_loop_device_that_stays_attached_after_a_failed_detach_fails_naming_it(monkeypatch, capsys, image, mnt):
    monkeypatch.setattr(_disk_image, "DETACH_WAIT", 0.0)
    result, dummy = run(monkeypatch, capsys, dict(image=image, path=mnt, state="unmounted"), [
        (["findmnt", "--json", "--list", "--output", "TARGET,SOURCE"], 0, findmnt("/")),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image, "/dev/loop7")),
        (["losetup", "--detach", "/dev/loop7"], 1, ""),
        (["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"], 0, losetup_list(image, "/dev/loop7")),
    ])
    assert result["failed"] is True
    assert result["msg"].startswith("detaching /dev/loop7 failed (rc=1)"), result["msg"]


@pytest.mark.parametrize("params,message", [
    (dict(image="pi.img", path="/mnt/x"), "image must be an absolute path"),
    (dict(image="/srv/pi.img", path="mnt"), "path must be an absolute path"),
    (dict(image="/srv/pi.img", path="/"), "path must not be /"),
])
def test_bad_paths_are_refused_before_anything_runs(monkeypatch, capsys, params, message):
    result, dummy = run(monkeypatch, capsys, params, [])
    assert result["failed"] is True and message in result["msg"]
