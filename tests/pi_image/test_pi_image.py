"""The provisioned Raspberry Pi OS style image, booted as a container, and the workstation it was made on.

Runs in the pi_image scenario after tests/verify (which checks pi's logins in the booted image). The image
is still attached read-only for the booted container (side_effect.yml); the provisioning playbook itself
must have left nothing mounted or attached.
"""
import hashlib
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, ansible_env, ok  # noqa: E402  pylint: disable=wrong-import-position

BOOTED = "labfleet-uv-pi-image-boot"
testinfra_hosts = ["podman://" + BOOTED]
SCENARIO = os.path.join(REPO, "molecule", "pi_image")
with open(os.path.join(SCENARIO, "host_vars", "pi-image-robot-lab.yml")) as f:
    HOST_VARS = yaml.safe_load(f)
IMAGE = HOST_VARS["pi_image_file"]
WORK = os.path.dirname(IMAGE)


def sh(*argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def mounts_under(path):
    found = json.loads(sh("findmnt", "--json", "--list", "--output", "TARGET") or '{"filesystems": []}')
    return [m["target"] for m in found["filesystems"] if m["target"] == path or m["target"].startswith(path + "/")]


def loops_of(image):
    return [line.split(":")[0] for line in sh("losetup", "--associated", image).splitlines()]


def test_the_booted_image_is_the_32_bit_pi_os_stand_in(host):
    assert ok(host.run("uname -m")) == "armv7l"
    assert ok(host.run("dpkg --print-architecture")) == "armhf"
    assert host.file("/etc/rpi-issue").exists
    assert ok(host.run("systemctl is-system-running || true")) in ("running", "degraded")


def test_pi_logs_in_to_the_shared_python_with_the_verdict_the_role_gave(host):
    out = ok(host.run("su -l pi -c 'command -v python; python -c \"import requests, platform; "
                      "print(platform.machine())\"'"))
    assert out.splitlines() == ["/opt/uv/venv/bin/python", "armv7l"]


def test_provisioning_left_nothing_mounted_or_attached_on_the_workstation():
    assert mounts_under(HOST_VARS["ansible_host"]) == []
    # the only loop devices of the image are the read-only ones the booted container uses (root, and boot
    # where this kernel can mount it)
    booted = [line for line in sh("losetup", "--list", "--noheadings", "--output", "NAME,RO,BACK-FILE").splitlines()
              if line.split()[-1] == IMAGE]
    assert len(booted) == (2 if HOST_VARS["pi_image_boot_mount"] else 1), booted
    assert all(line.split()[1] == "1" for line in booted), booted


def partition(image, number):
    table = json.loads(sh("sfdisk", "--json", image))["partitiontable"]
    part = table["partitions"][number - 1]
    return part["start"] * table.get("sectorsize", 512), part["size"] * table.get("sectorsize", 512)


def test_boot_partition_untouched_and_fstab_as_the_image_had_it(host):
    start, size = partition(IMAGE, 1)
    digest = hashlib.sha256()
    with open(IMAGE, "rb") as f:
        f.seek(start)
        for dummy in range(size // (1 << 20)):
            digest.update(f.read(1 << 20))
    with open(IMAGE + ".boot.sha256") as f:
        assert digest.hexdigest() == f.read().strip()
    disk_id = sh("sfdisk", "--disk-id", IMAGE).strip()[2:]
    cmdline = sh("mtype", "-i", "%s@@%d" % (IMAGE, start), "::cmdline.txt")
    assert "root=PARTUUID=%s-02" % disk_id in cmdline
    assert "PARTUUID=%s-01  /boot/firmware" % disk_id in host.file("/etc/fstab").content_string


def test_no_service_block_or_ansible_leftovers_in_the_image(host):
    # policy-rc.d kept services from starting while provisioning; the booted Pi must start them normally
    assert not host.file("/usr/sbin/policy-rc.d").exists
    assert not host.file("/root/.ansible").exists
    assert ok(host.run("find /tmp -mindepth 1 -maxdepth 1 -name '.ansible*' | wc -l")) == "0"


def image_copy(name):
    copy = os.path.join(WORK, name + ".img")
    subprocess.run(["cp", "--sparse=always", IMAGE, copy], check=True)
    inventory = os.path.join(WORK, name + ".yml")
    with open(os.path.join(SCENARIO, "group_vars", "pi_images.yml")) as f:
        group_vars = yaml.safe_load(f)
    host_vars = dict(HOST_VARS, pi_image_file=copy, ansible_host=os.path.join(WORK, name + ".root"))
    with open(inventory, "w") as f:
        yaml.safe_dump({"pi_images": {"hosts": {name: host_vars}, "vars": group_vars}}, f)
    return copy, inventory


def pi_image_playbook(inventory, *extra):
    """playbooks/pi-image.yml with an inventory like the scenario's (inventories/pi-image's shape), started."""
    return subprocess.Popen(["ansible-playbook", "-i", inventory, os.path.join(REPO, "playbooks", "pi-image.yml")]
                            + list(extra), cwd=REPO, env=ansible_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def copy_runs():
    """Two more runs of the playbook on copies of the provisioned image, at the same time (each is minutes of
    emulation): a dry run, and a run made to fail half way. {name: (image copy, its sha256 before, rc, output)}."""
    runs = {}
    dry_copy, dry_inventory = image_copy("dry-run")
    dry_before = sh("sha256sum", dry_copy).split()[0]
    fail_copy, fail_inventory = image_copy("fails-half-way")
    started = {
        "dry-run": (dry_copy, dry_before, pi_image_playbook(dry_inventory, "--check")),
        # the tools step comes after uv, CPython and the venv: a tool no index has fails the role half way
        "fails-half-way": (fail_copy, None, pi_image_playbook(
            fail_inventory, "-v", "-e", json.dumps({"shared_python_tools": [{"name": "no-such-tool-labfleet"}]}))),
    }
    for name, (copy, before, proc) in started.items():
        out, dummy = proc.communicate()
        runs[name] = (copy, before, proc.returncode, out)
    yield runs
    for name, (copy, before, rc, out) in runs.items():
        os.unlink(copy)
        if os.path.isdir(os.path.join(WORK, name + ".root")):
            os.rmdir(os.path.join(WORK, name + ".root"))  # empty unless something is still mounted there


def test_dry_run_of_a_provisioned_image_changes_nothing_and_leaves_it_unmounted(copy_runs):
    copy, before, rc, out = copy_runs["dry-run"]
    assert rc == 0, out[-4000:]
    assert re.search(r"dry-run\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0", out), out[-2000:]
    assert mounts_under(os.path.join(WORK, "dry-run.root")) == [] and loops_of(copy) == []
    assert sh("sha256sum", copy).split()[0] == before  # mounted read-only: not one byte written


def test_a_run_that_fails_half_way_still_unmounts_everything(copy_runs):
    copy, dummy, rc, out = copy_runs["fails-half-way"]
    assert rc != 0, out[-4000:]
    assert "fails-half-way (%s) was not provisioned" % copy in out, out[-4000:]
    assert "no-such-tool-labfleet" in out
    assert mounts_under(os.path.join(WORK, "fails-half-way.root")) == []
    assert loops_of(copy) == []
    # and nothing was left running from the image: the unmount found no process to stop
    assert '"stopped_processes": []' in out, out[-4000:]


def disk_image(**args):
    """The labfleet.uv.disk_image module run on this workstation: (rc, output)."""
    done = subprocess.run(["ansible", "localhost", "-c", "local", "-m", "labfleet.uv.disk_image", "-a", json.dumps(args)],
                          cwd=REPO, env=ansible_env(), capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr


def test_an_image_whose_loop_devices_were_already_told_to_detach_is_unmounted_cleanly():
    # What a run killed half way, or an admin's losetup -d, leaves: the image mounted, its loop devices marked
    # to go when closed. The kernel takes them down as the unmount closes them; the unmount must not fail on that.
    copy, dummy = image_copy("detached-early")
    root = os.path.join(WORK, "detached-early.root")
    try:
        rc, out = disk_image(image=copy, path=root, boot_mount=HOST_VARS["pi_image_boot_mount"], read_only=True)
        assert rc == 0, out
        loops = loops_of(copy)
        assert loops and mounts_under(root), out
        for device in loops:
            sh("losetup", "--detach", device)  # busy: the kernel marks it to detach itself (autoclear)
        assert loops_of(copy) == loops
        rc, out = disk_image(image=copy, path=root, state="unmounted")
        assert rc == 0, out
        assert mounts_under(root) == [] and loops_of(copy) == []
    finally:
        disk_image(image=copy, path=root, state="unmounted")
        os.unlink(copy)
        os.unlink(os.path.join(WORK, "detached-early.yml"))
        if os.path.isdir(root):
            os.rmdir(root)
