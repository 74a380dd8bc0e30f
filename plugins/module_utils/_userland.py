# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Which machine a host's programs are built for: uv and CPython are chosen by the userland, not the kernel. A
# 32-bit Raspberry Pi OS often runs a 64-bit kernel (uname -m says aarch64) under a 32-bit userland, where an
# aarch64 uv or CPython cannot even start; under qemu-user emulation the kernel is the workstation's.

from __future__ import annotations

import os

# ELF e_machine values
EM_386, EM_ARM, EM_X86_64, EM_AARCH64 = 3, 40, 62, 183
# e_flags of a 32-bit ARM hard-float (armhf) binary
EF_ARM_ABI_FLOAT_HARD = 0x400
PROBE = "/bin/sh"
# The machines labfleet.uv supports: userland machine (`uname -m`) -> how each of its downloads names it. One table
# for the collection and its scripts (scripts/build-artifacts, scripts/upstream-server import it).
#   triple     uv's release tarball (uv-<triple>.tar.gz)
#   wheel_tag  uv's PyPI wheel (uv-<version>-py3-none-<wheel_tag>.whl)
#   family, libc  the managed CPython builds, as uv and python-build-standalone name them
#                 (cpython-3.11.2-linux-armv7-gnueabihf)
#   debian     Debian's architecture (its packages, the test images)
MACHINES = {
    "x86_64": dict(triple="x86_64-unknown-linux-gnu", wheel_tag="manylinux_2_17_x86_64.manylinux2014_x86_64",
                   family="x86_64", libc="gnu", debian="amd64"),
    # the musl-static aarch64 wheel has no glibc coupling; the release tarball is the gnu build
    "aarch64": dict(triple="aarch64-unknown-linux-gnu",
                    wheel_tag="manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
                    family="aarch64", libc="gnu", debian="arm64"),
    # 32-bit Raspberry Pi OS: hard-float. uv guesses the ABI from /proc/cpuinfo, which under qemu-user emulation
    # is the workstation's: it would ask for the soft-float (gnueabi) build, which does not exist
    "armv7l": dict(triple="armv7-unknown-linux-gnueabihf", wheel_tag="manylinux_2_17_armv7l.manylinux2014_armv7l",
                   family="armv7", libc="gnueabihf", debian="armhf"),
}
# userland machine -> (arch family, libc) of the managed CPython builds for it
PYTHON_BUILDS = dict((machine, (build["family"], build["libc"])) for machine, build in MACHINES.items())


def machine_of(kernel_machine, elf_header):
    """The `uname -m` name of the userland: kernel_machine is uname's, elf_header the first 64 bytes of a
    userland program (/bin/sh). An unreadable header leaves the kernel's name.

    32-bit ARM: hard-float -> armv7l, unless the CPU is an ARMv6 one (Pi Zero / Pi 1: armv6l, which no
    managed CPython is built for); soft-float -> armel."""
    header = bytes(elf_header or b"")
    if len(header) < 52 or header[:4] != b"\x7fELF" or header[5] != 1:
        return kernel_machine
    bits64 = header[4] == 2
    machine = int.from_bytes(header[18:20], "little")
    if machine == EM_X86_64 and bits64:
        return "x86_64"
    if machine == EM_AARCH64 and bits64:
        return "aarch64"
    if machine == EM_386:
        return "i686"
    if machine == EM_ARM and not bits64:
        flags = int.from_bytes(header[36:40], "little")
        if not flags & EF_ARM_ABI_FLOAT_HARD:
            return "armel"
        return "armv6l" if str(kernel_machine).startswith("armv6") else "armv7l"
    return kernel_machine


def userland_machine(probe=PROBE):
    """machine_of this host: uname's machine and probe's ELF header."""
    kernel = os.uname()[4]
    try:
        with open(probe, "rb") as f:
            header = f.read(64)
    except (IOError, OSError):
        header = b""
    return machine_of(kernel, header), kernel


def host_python_platform(option=None):
    """The platform of this host's CPython builds: the option when one is given, else its userland's (None where
    there is none)."""
    return option or python_platform(userland_machine()[0])


def python_platform(machine):
    """uv's name of the platform of the managed CPython builds for a userland machine ('linux-armv7-gnueabihf'), or
    None for a machine without one here (uv then chooses by itself)."""
    build = PYTHON_BUILDS.get(machine)
    return "linux-%s-%s" % build if build else None
