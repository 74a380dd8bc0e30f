"""What is Raspberry Pi specific on the converged Pi OS (arm64) container, beyond tests/verify.

Runs after tests/verify in the raspberry_pi scenario (verifier additional_files_or_dirs), on an arm64
container under qemu-user emulation.
"""
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, login, ok, path_verdict, run_playbook  # noqa: E402  pylint: disable=wrong-import-position

NAME = "labfleet-uv-pios"
testinfra_hosts = ["podman://" + NAME]
VENV = "/opt/uv/venv"
PI_OS_USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"


def test_the_target_is_shaped_like_pi_os_lite_64(host):
    assert ok(host.run("uname -m")) == "aarch64"
    assert host.file("/etc/rpi-issue").contains("Raspberry Pi reference")
    assert "sudo" in host.user("pi").groups
    # pi's passwordless sudo as Pi OS grants it (asked as root: qemu-user's binfmt entry has no C flag, so
    # setuid programs such as sudo cannot gain root for pi under emulation; a real Pi has no such limit)
    assert "(ALL) NOPASSWD: ALL" in ok(host.run("sudo -l -U pi"))
    # Pi OS's python -> python3 (python-is-python3) is still the distro's: the role never touches /usr/bin
    assert host.file("/usr/bin/python").linked_to == "/usr/bin/python3.11"
    assert host.package("python-is-python3").is_installed


def test_pi_os_profile_path_then_the_shared_venv_first(host):
    """pi's login PATH: the role's entries first, then exactly Pi OS's own user PATH, in its order."""
    path = ok(login(host, "pi", 'echo "$PATH"')).split(":")
    assert path[:4] == [VENV + "/bin", "/opt/uv/tool-bin", "/opt/uv/python-bin", "/opt/uv/bin"]
    assert ":".join(path[4:]) == PI_OS_USER_PATH


def test_pi_gets_the_managed_aarch64_cpython(host):
    out = ok(login(host, "pi", "python -c 'import platform, sys; print(sys.prefix, platform.machine())'"))
    assert out.split() == [VENV, "aarch64"]
    base = ok(host.run("readlink -f %s/bin/python" % VENV))
    assert base.startswith("/opt/uv/python/cpython-3.11.") and "linux-aarch64-gnu" in base


def test_downloads_json_describes_the_aarch64_archive_only(host):
    entries = json.loads(host.file("/opt/uv/downloads/python/downloads.json").content_string)
    assert entries, "empty downloads.json"
    for key, entry in entries.items():
        assert (entry["arch"]["family"], entry["libc"], entry["os"]) == ("aarch64", "gnu", "linux"), key
        assert key.endswith("-linux-aarch64-gnu") and len(entry["sha256"]) == 64
        archive = entry["url"][len("file://"):]
        assert ok(host.run("sha256sum %s" % archive)).split()[0] == entry["sha256"]


def test_path_info_verdict_for_pi(host):
    out = path_verdict(NAME, {"python_version": "3.11", "users": ["pi"],
                              "contexts": ["login", "interactive", "ssh", "sudo", "sudo_login", "cron", "systemd"],
                              "required_contexts": ["login", "interactive", "sudo_login"],
                              # under emulation, probes side by side compete for the CPU
                              "concurrency": 1})
    assert out["verdict"] == "pass", out.get("failures")
    got = dict(((r["context"], r["command"]), r) for r in out["results"] if r["user"] == "pi")
    for context in ("login", "interactive", "sudo_login"):
        assert got[(context, "python")]["won"], got[(context, "python")]
    # Without shared_python_command_dir, what never reads /etc/profile.d gets Pi OS's python, and the
    # verdict says so instead of claiming a win (docs/raspberry-pi.md shows the setting that fixes it).
    for context in ("ssh", "systemd", "cron"):
        assert got[(context, "python")]["status"] == "lost", got[(context, "python")]
    # ...which is the truth: pi's systemd service really runs Pi OS's /usr/bin/python
    really = ok(host.run("systemd-run --quiet --wait --pipe --collect --uid=pi -- "
                         "python -c 'import sys; print(sys.executable)'"))
    assert really == "/usr/bin/python"


def fake_uv_archive(version):
    """A uv release tarball whose uv aborts the way a jemalloc build for 4K pages does on a 16K-page Pi 5."""
    crash = (b"#!/bin/sh\necho '<jemalloc>: Unsupported system page size' >&2\n"
             b"echo 'memory allocation of 96 bytes failed' >&2\nkill -ABRT $$\n")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name in ("uv", "uvx"):
            info = tarfile.TarInfo("uv-aarch64-unknown-linux-gnu/" + name)
            info.size, info.mode = len(crash), 0o755
            tf.addfile(info, io.BytesIO(crash))
    path = os.path.join(tempfile.mkdtemp(prefix="labfleet-fake-uv-"), "uv-%s-aarch64.tar.gz" % version)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return path, hashlib.sha256(buf.getvalue()).hexdigest()


def test_a_uv_build_that_aborts_on_large_pages_is_refused_and_the_installed_uv_stays(host):
    before = ok(host.run("sha256sum /opt/uv/bin/uv /opt/uv/bin/uvx"))
    archive, sha = fake_uv_archive("0.13.10")
    proc = run_playbook(os.path.join(REPO, "molecule", "default", "converge.yml"), NAME,
                        "-e", json.dumps({"shared_python_uv_version": "0.13.10",
                                          "shared_python_uv_controller_file": archive,
                                          "shared_python_uv_sha256": sha}))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    page_size = ok(host.run("getconf PAGESIZE"))
    assert "aborts on this machine" in out and "%s-byte pages" % page_size in out, out[-3000:]
    assert "shared_python_uv_version" in out
    assert ok(host.run("sha256sum /opt/uv/bin/uv /opt/uv/bin/uvx")) == before
    assert ok(host.run("ls -A /opt/uv/bin")).split() == ["uv", "uvx"]  # nothing staged left behind
    assert ok(login(host, "pi", "uv --version")).startswith("uv 0.13.9")
