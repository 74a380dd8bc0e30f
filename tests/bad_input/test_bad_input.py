"""Bad input is refused before anything changes on the host, with a message naming the variable that is wrong.

Runs after molecule/default converged: each case re-runs that scenario's converge with one variable made wrong
(extra vars), expects the run to fail with a message naming that variable, and then checks that no file on the
host changed (nothing newer than a marker written just before, outside what the kernel and Ansible's own temporary
directory touch). And a uv build that cannot run on the host (it aborts at start) is refused before it replaces the
installed uv.
"""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import fake_uv_archive, run_playbook  # noqa: E402  pylint: disable=wrong-import-position

HOST = os.environ.get("LABFLEET_BAD_INPUT_HOST", "labfleet-uv-debian13")
MARKER = "/root/.labfleet-bad-input-marker"
# what changes on a live host without the role: kernel and runtime trees, logs, Ansible's own temporary files
NOT_THE_ROLES = ["/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log", "/var/lib/systemd", "/root/.ansible"]

# One case per way the role refuses, end to end: its argument spec (type, choice), its settings check (the filter
# labfleet.uv.shared_python_problems, whose every case is a unit test: tests/unit/plugins/filter/
# test_shared_python_settings.py), a file missing on the controller, and the check that needs the host's
# architecture (after the read-only state pass).
CASES = [
    ("two_defaults", {"shared_python_default_version": ["3.11", "3.12"]}, "shared_python_default_version"),
    ("unknown_python_source", {"shared_python_python_source": "internet"}, "shared_python_python_source"),
    # every problem at once, among them issue 26's: a name with a trailing newline, a package that is a uv option
    ("relative_root_a_bad_tool_a_newline_and_an_option",
     {"shared_python_root": "opt/uv", "shared_python_tools": [{"name": "pre commit!"}],
      "shared_python_profile_name": "labfleet-uv\n",
      "shared_python_venv_packages": ["requests", "--index-url=http://127.0.0.1:9/simple"]},
     ("shared_python_uv_bin_dir", "shared_python_tools[0]", "shared_python_profile_name",
      "shared_python_venv_packages[1]")),
    ("uv_file_missing_on_controller", {"shared_python_uv_controller_file": "/nonexistent/uv.whl"},
     "shared_python_uv_controller_file"),
    ("no_archive_for_the_version", {"shared_python_versions": ["3.12"], "shared_python_default_version": "3.12"},
     "shared_python_python_archives"),
]


def on_host(cmd):
    """`cmd` as root on the host (sh -c), which must succeed; its stripped stdout."""
    return subprocess.run(["podman", "exec", HOST, "sh", "-c", cmd], capture_output=True, text=True,
                          check=True).stdout.strip()


def changed_since_marker():
    prune = " -o ".join("-path %s" % p for p in NOT_THE_ROLES)
    out = on_host("find / -xdev \\( %s \\) -prune -o -newer %s -print" % (prune, MARKER))
    return sorted(line for line in out.splitlines() if line != MARKER)


@pytest.mark.parametrize("wrong,variable", [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_bad_input_is_refused_before_any_change(wrong, variable):
    on_host("touch %s && sleep 1" % MARKER)
    proc = run_playbook("molecule/default/converge.yml", HOST, "-e", json.dumps(wrong))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    failed = [line for line in output.splitlines() if "fatal:" in line or "FAILED!" in line or "msg" in line]
    for name in variable if isinstance(variable, tuple) else (variable,):
        assert any(name in line for line in failed), "%s not named in:\n%s" % (name, "\n".join(failed)[-3000:])
    assert changed_since_marker() == []


def test_a_uv_build_that_aborts_here_is_refused_and_the_installed_uv_stays():
    """A uv whose allocator aborts on the host (as a jemalloc build for 4K pages does on a 16K-page Pi 5) is caught by
    running it before it replaces anything: the run fails naming the page size and shared_python_uv_version, and
    the installed uv stays (nothing staged beside it). Native here: the check reads the kernel's page size and uv's
    own output, the same on every machine."""
    before = on_host("sha256sum /opt/uv/bin/uv /opt/uv/bin/uvx")
    archive, sha = fake_uv_archive("0.13.10", on_host("uname -m"))
    proc = run_playbook("molecule/default/converge.yml", HOST, "-e", json.dumps(
        {"shared_python_uv_version": "0.13.10", "shared_python_uv_controller_file": archive,
         "shared_python_uv_sha256": sha}))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    page_size = on_host("getconf PAGESIZE")
    assert "aborts on this machine" in out and "%s-byte pages" % page_size in out, out[-3000:]
    assert "shared_python_uv_version" in out
    assert on_host("sha256sum /opt/uv/bin/uv /opt/uv/bin/uvx") == before
    assert on_host("ls -A /opt/uv/bin").split() == ["uv", "uvx"]
    assert on_host("su - alice -c 'uv --version'").startswith("uv 0.13.9")
