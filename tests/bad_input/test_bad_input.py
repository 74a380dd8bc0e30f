"""Bad input is refused before anything changes on the host, with a message naming the variable that is wrong.

Runs after molecule/default converged: each case re-runs that scenario's converge with one variable made wrong
(extra vars), expects the run to fail with a message naming that variable, and then checks that no file on the
host changed (nothing newer than a marker written just before, outside what the kernel and Ansible's own temporary
directory touch).
"""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import run_playbook  # noqa: E402  pylint: disable=wrong-import-position

HOST = os.environ.get("LABFLEET_BAD_INPUT_HOST", "labfleet-uv-debian12")
MARKER = "/root/.labfleet-bad-input-marker"
# what changes on a live host without the role: kernel and runtime trees, logs, Ansible's own temporary files
NOT_THE_ROLES = ["/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log", "/var/lib/systemd", "/root/.ansible"]

CASES = [
    ("uv_version_not_xyz", {"shared_python_uv_version": "0.13"}, "shared_python_uv_version"),
    ("uv_checksum_wrong_length", {"shared_python_uv_sha256": "abc123"}, "shared_python_uv_sha256"),
    ("uv_file_missing_on_controller", {"shared_python_uv_controller_file": "/nonexistent/uv.whl"},
     "shared_python_uv_controller_file"),
    ("python_patch_where_minor_required", {"shared_python_versions": ["3.11.2"]}, "shared_python_versions"),
    ("python_version_not_a_version", {"shared_python_versions": ["three"]}, "shared_python_versions"),
    ("two_defaults", {"shared_python_default_version": ["3.11", "3.12"]}, "shared_python_default_version"),
    ("default_not_installed", {"shared_python_default_version": "3.12"}, "shared_python_default_version"),
    ("no_archive_for_the_version", {"shared_python_versions": ["3.12"], "shared_python_default_version": "3.12"},
     "shared_python_python_archives"),
    ("relative_root", {"shared_python_root": "opt/uv"}, "shared_python_root"),
    ("relative_venv", {"shared_python_venv_path": "venv"}, "shared_python_venv_path"),
    ("overlapping_dirs", {"shared_python_venv_path": "/opt/uv/python/venv"}, "shared_python_venv_path"),
    ("command_dir_is_the_distributions", {"shared_python_command_dir": "/usr/bin"}, "shared_python_command_dir"),
    ("tool_name_not_a_package", {"shared_python_tools": [{"name": "pre commit!"}]}, "shared_python_tools[0]"),
    ("tool_version_not_a_specifier", {"shared_python_tools": [{"name": "ruff", "version": "latest"}]},
     "shared_python_tools[0]"),
    ("unknown_python_source", {"shared_python_python_source": "internet"}, "shared_python_python_source"),
    ("mirror_source_without_mirror", {"shared_python_python_source": "mirror"}, "shared_python_python_install_mirror"),
    ("offline_source_unreachable", {"shared_python_python_source": "controller",
                                    "shared_python_python_archives": ["/nonexistent/cpython-3.11.2-linux-x86_64-gnu.tar.gz"]},
     "shared_python_python_archives"),
    ("fan_out_cache_relative", {"shared_python_fetch_on_controller": True,
                                "shared_python_controller_cache_dir": "cache"}, "shared_python_controller_cache_dir"),
    ("required_context_not_probed", {"shared_python_verdict_contexts": ["login"]},
     "shared_python_verdict_required_contexts"),
    ("requirements_file_missing", {"shared_python_venv_requirements_file": "/nonexistent/requirements.txt"},
     "shared_python_venv_requirements_file"),
    # names that become paths, numbers with a range
    ("profile_name_climbs_out", {"shared_python_profile_name": "../../etc/passwd"}, "shared_python_profile_name"),
    ("profile_name_with_a_slash", {"shared_python_profile_name": "a/b"}, "shared_python_profile_name"),
    ("profile_name_empty", {"shared_python_profile_name": ""}, "shared_python_profile_name"),
    ("retire_grace_negative", {"shared_python_retire_grace": -5}, "shared_python_retire_grace"),
    ("verdict_concurrency_zero", {"shared_python_verdict_concurrency": 0}, "shared_python_verdict_concurrency"),
    ("venv_path_csh_cannot_quote", {"shared_python_venv_path": "/opt/uv/venv!"}, "shared_python_venv_path"),
]


def changed_since_marker():
    prune = " -o ".join("-path %s" % p for p in NOT_THE_ROLES)
    proc = subprocess.run(["podman", "exec", HOST, "sh", "-c",
                           "find / -xdev \\( %s \\) -prune -o -newer %s -print" % (prune, MARKER)],
                          capture_output=True, text=True, check=True)
    return sorted(line for line in proc.stdout.splitlines() if line != MARKER)


@pytest.mark.parametrize("wrong,variable", [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_bad_input_is_refused_before_any_change(wrong, variable):
    subprocess.run(["podman", "exec", HOST, "sh", "-c", "touch %s && sleep 1" % MARKER], check=True)
    proc = run_playbook("molecule/default/converge.yml", HOST, "-e", json.dumps(wrong))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    failed = [line for line in output.splitlines() if "fatal:" in line or "FAILED!" in line or "msg" in line]
    assert any(variable in line for line in failed), "%s not named in:\n%s" % (variable, "\n".join(failed)[-3000:])
    assert changed_since_marker() == []
