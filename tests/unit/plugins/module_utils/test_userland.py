"""The userland's machine (module_utils/_userland.py), decided at the fact boundary: uname's machine and the first
64 bytes of /bin/sh. The headers are those of Debian 12's dash for each architecture."""
import pytest

from ansible_collections.labfleet.uv.plugins.module_utils import _userland

DASH = {
    "amd64": "7f454c4602010100000000000000000003003e00010000006047000000000000400000000000000088e301000000000000000000400038000d0040001d001c00",
    "arm64": "7f454c460201010000000000000000000300b700010000008046000000000000400000000000000048030200000000000000000040003800090040001b001a00",
    "armhf": "7f454c460101010000000000000000000300280001000000f121000034000000a40202000004000534002000090028001c001b0001000070c0150100c0150100",
    "armel": "7f454c460101010000000000000000000300280001000000cc220000340000009c0202000002000534002000090028001c001b00010000701098010010980100",
}


@pytest.mark.parametrize("kernel,userland,machine", [
    ("x86_64", "amd64", "x86_64"),
    ("aarch64", "arm64", "aarch64"),
    # 32-bit Raspberry Pi OS on a 64-bit kernel (Pi 3/4/5's default kernel), and under qemu-arm
    ("aarch64", "armhf", "armv7l"),
    ("armv7l", "armhf", "armv7l"),
    ("armv8l", "armhf", "armv7l"),
    # Pi Zero / Pi 1: an ARMv6 CPU, whatever the userland
    ("armv6l", "armhf", "armv6l"),
    ("armv7l", "armel", "armel"),
])
def test_the_userland_decides_not_the_kernel(kernel, userland, machine):
    assert _userland.machine_of(kernel, bytes.fromhex(DASH[userland])) == machine


@pytest.mark.parametrize("header", [b"", b"#!/bin/sh\n" + b"\0" * 60, bytes.fromhex(DASH["armhf"])[:40]])
def test_an_unreadable_header_leaves_the_kernels_name(header):
    assert _userland.machine_of("aarch64", header) == "aarch64"


def test_userland_machine_reads_the_probe(tmp_path, monkeypatch):
    probe = tmp_path / "sh"
    probe.write_bytes(bytes.fromhex(DASH["armhf"]) + b"rest of the program")
    monkeypatch.setattr(_userland.os, "uname", lambda: ("Linux", "pi", "6.12", "#1", "aarch64"))
    assert _userland.userland_machine(str(probe)) == ("armv7l", "aarch64")
    assert _userland.userland_machine(str(tmp_path / "missing")) == ("aarch64", "aarch64")
