"""What is Raspberry Pi specific on the converged, booted Pi OS 64-bit stand-in, beyond tests/verify.

Runs after tests/verify in the pios_vm scenario (verifier additional_files_or_dirs), on Debian trixie arm64 shaped like
Pi OS, booted by its own arm64 kernel under qemu-system-aarch64 (TCG): real systemd 257 as PID 1, sshd and cron.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import login, ok  # noqa: E402  pylint: disable=wrong-import-position
from pi_vm import path_verdict  # noqa: E402  pylint: disable=wrong-import-position

VENV = "/opt/uv/venv"
PI_OS_USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
ALL_CONTEXTS = ["login", "interactive", "ssh", "sudo", "sudo_login", "cron", "systemd"]


def test_a_booted_trixie_shaped_like_pi_os_lite_64(host):
    assert ok(host.run("uname -m")) == "aarch64"
    assert ok(host.run(". /etc/os-release && echo $VERSION_CODENAME")) == "trixie"
    assert host.file("/etc/rpi-issue").contains("Raspberry Pi reference")
    # its own kernel, not the workstation's: /proc/cpuinfo describes an ARM CPU, and systemd is PID 1 and running
    assert "CPU implementer" in host.file("/proc/cpuinfo").content_string
    assert ok(host.run("cat /proc/1/comm")) == "systemd"
    assert ok(host.run("systemctl is-system-running")) == "running"
    for unit in ("ssh", "cron"):
        assert ok(host.run("systemctl is-active %s" % unit)) == "active"
    # pi's passwordless sudo as Pi OS grants it, used by pi itself (a booted kernel honours setuid)
    assert ok(login(host, "pi", "sudo -n id -u")) == "0"
    # Pi OS's python -> python3 (python-is-python3) is still the distro's: the role never touches /usr/bin
    assert host.file("/usr/bin/python").linked_to == "/usr/bin/python3.13"


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


def test_path_info_verdict_for_pi_in_every_context(host):
    out = path_verdict({"python_version": "3.11", "users": ["pi"], "contexts": ALL_CONTEXTS,
                        "required_contexts": ["login", "interactive", "sudo_login"], "concurrency": 1})
    assert out["verdict"] == "pass", out.get("failures")
    got = dict(((r["context"], r["command"]), r) for r in out["results"] if r["user"] == "pi")
    assert sorted(set(c for c, dummy in got)) == sorted(ALL_CONTEXTS)
    for context in ("login", "interactive", "sudo_login"):
        assert got[(context, "python")]["won"], got[(context, "python")]
    # Without shared_python_command_dir, what never reads /etc/profile.d gets Pi OS's python, and the
    # verdict says so instead of claiming a win (docs/raspberry-pi.md shows the setting that fixes it).
    for context in ("ssh", "systemd", "cron"):
        assert got[(context, "python")]["status"] == "lost", got[(context, "python")]
    # ...which is the truth on a booted machine: pi's systemd service really runs Pi OS's /usr/bin/python
    really = ok(host.run("systemd-run --quiet --wait --pipe --collect --uid=pi -- "
                         "python -c 'import sys; print(sys.executable)'"))
    assert really == "/usr/bin/python"
