"""The 32-bit (armhf) Pi OS userland on the 64-bit kernel, booted (molecule/pios_vm_armhf), beyond tests/verify.

uname -m says aarch64 and so do Ansible's facts and Python's platform.machine(); every program is 32-bit ARM. The role
must have chosen by the userland: uv's armv7 build and the armhf (armv7-gnueabihf) CPython, which pi really runs.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import login, ok  # noqa: E402  pylint: disable=wrong-import-position
from pi_vm import path_verdict  # noqa: E402  pylint: disable=wrong-import-position

VENV = "/opt/uv/venv"
ELF_32, EM_ARM = "01", "28 00"


def elf_class_and_machine(host, path):
    """EI_CLASS (01: 32-bit) and e_machine (28 00: ARM) of an ELF file, as hex bytes."""
    return (ok(host.run("od -An -tx1 -j4 -N1 %s" % path)), ok(host.run("od -An -tx1 -j18 -N2 %s" % path)))


def test_the_trap_a_32_bit_userland_under_the_64_bit_kernel(host):
    assert ok(host.run("uname -m")) == "aarch64"
    assert ok(host.run("dpkg --print-architecture")) == "armhf"
    assert ok(host.run(". /etc/os-release && echo $VERSION_CODENAME")) == "trixie"
    assert host.file("/etc/rpi-issue").contains("armhf")
    assert elf_class_and_machine(host, "/bin/sh") == (ELF_32, EM_ARM)
    # the machine Python itself reports is the kernel's: what installers that chose by it got wrong
    assert ok(host.run("python3 -c 'import platform; print(platform.machine(), platform.architecture()[0])'")) \
        == "aarch64 32bit"
    assert ok(host.run("systemctl is-system-running")) == "running"


def test_uv_is_the_armv7_build(host):
    for path in ("/opt/uv/bin/uv", "/opt/uv/bin/uvx"):
        assert elf_class_and_machine(host, path) == (ELF_32, EM_ARM), path
    assert ok(login(host, "pi", "uv --version")).startswith("uv 0.13.9")


def test_pi_runs_the_armhf_cpython(host):
    code = "import struct, sys; print(sys.prefix, struct.calcsize(chr(80)) * 8)"
    assert ok(login(host, "pi", 'python -c "%s"' % code)).split() == [VENV, "32"]
    base = ok(host.run("readlink -f %s/bin/python" % VENV))
    assert base.startswith("/opt/uv/python/cpython-3.11.") and "linux-armv7-gnueabihf" in base
    assert elf_class_and_machine(host, base) == (ELF_32, EM_ARM)


def test_downloads_json_describes_the_armhf_archive_only(host):
    entries = json.loads(host.file("/opt/uv/downloads/python/downloads.json").content_string)
    assert entries, "empty downloads.json"
    for key, entry in entries.items():
        assert (entry["arch"]["family"], entry["libc"]) == ("armv7", "gnueabihf"), key


def test_path_info_verdict_for_pi(host):
    out = path_verdict({"python_version": "3.11", "users": ["pi"],
                        "contexts": ["login", "interactive", "ssh", "sudo", "sudo_login", "cron", "systemd"],
                        "required_contexts": ["login", "interactive", "sudo_login"], "concurrency": 1})
    assert out["verdict"] == "pass", out.get("failures")
    got = dict(((r["context"], r["command"]), r) for r in out["results"] if r["user"] == "pi")
    for context in ("login", "interactive", "sudo_login"):
        assert got[(context, "python")]["won"], got[(context, "python")]
