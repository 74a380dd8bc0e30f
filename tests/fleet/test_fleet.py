"""The lab room of molecule/fleet: 8 hosts with no route out, provisioned through the controller (fan-out), and
one host that downloaded directly from the same upstream (scripts/upstream-server, which logs what it served).

tests/verify checks fleet-03 as alice and bob in real login shells; this file checks the fleet as a whole.
"""
import collections
import hashlib
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, ansible_env  # noqa: E402  pylint: disable=wrong-import-position

LAB = ["fleet-%02d" % i for i in range(1, 9)]
DIRECT = "fleet-direct"
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
UPSTREAM = os.path.join(EPHEMERAL, "upstream")
PORT = os.environ.get("LABFLEET_UPSTREAM_PORT", "18461")


def sh(name, script, user=None):
    """script in container name (as root, or in user's real login shell); (rc, stdout, stderr)."""
    argv = ["podman", "exec", name] + (["su", "-l", user, "-c", script] if user else ["sh", "-c", script])
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout.strip(), proc.stderr.strip()


def out(name, script, user=None):
    rc, stdout, stderr = sh(name, script, user)
    assert rc == 0, "%s: %s\nrc=%d\n%s\n%s" % (name, script, rc, stdout, stderr)
    return stdout


def served():
    with open(UPSTREAM + ".log") as f:
        return [json.loads(line) for line in f if line.strip()]


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.mark.parametrize("name", LAB)
def test_lab_host_has_no_route_out(name):
    # the direct host reaches the upstream this way; a lab host cannot reach anything (it fails at once: no route,
    # no name; a wait that ran out would say "timed out", which is not that). The timeout is room for a busy
    # machine: 5 s was once too short for the direct host with the whole suite beside it.
    probe = ("python3 -c \"import urllib.request; urllib.request.urlopen('http://host.containers.internal:%s/', "
             "timeout=60)\"" % PORT)
    rc, dummy, err = sh(name, probe)
    assert rc != 0 and ("unreachable" in err or "Name or service not known" in err or "resolution" in err), err
    assert out(name, "cat /proc/net/route | tail -n +2") == ""
    rc, dummy, err = sh(DIRECT, probe)
    assert rc == 0, err


@pytest.mark.parametrize("name", LAB)
def test_every_lab_user_gets_the_shared_python(name):
    got = out(name, "python -c 'import requests, sys; print(sys.prefix, sys.version_info[:2])' && pre-commit --version",
              user="alice")
    assert got.splitlines() == ["/opt/uv/venv (3, 11)", "pre-commit 4.3.0"]


def test_the_controller_fetched_one_copy_for_the_whole_room():
    from_controller = [r for r in served() if r["client"] == "127.0.0.1"]
    counts = collections.Counter(r["path"] for r in from_controller)
    assert sorted(counts) == sorted([
        "/python/downloads.json",
        "/python/cpython-3.11.2-linux-x86_64-gnu.tar.gz",
        "/uv/releases/download/0.13.9/uv-x86_64-unknown-linux-gnu.tar.gz",
        "/uv/releases/download/0.13.9/uv-x86_64-unknown-linux-gnu.tar.gz.sha256",
    ]), counts
    # once each, for 8 hosts, over converge and the idempotence run
    assert set(counts.values()) == {1}, counts
    archives = [r for r in from_controller if r["path"].endswith(".tar.gz")]
    for r in archives:
        assert r["bytes"] == os.path.getsize(UPSTREAM + r["path"]), r


def test_the_controller_cache_holds_what_was_checked():
    cache = os.path.join(EPHEMERAL, "controller-cache")
    uv = os.path.join(cache, "uv", "0.13.9", "uv-x86_64-unknown-linux-gnu.tar.gz")
    python = os.path.join(cache, "python", "cpython-3.11.2-linux-x86_64-gnu.tar.gz")
    assert sha256_of(uv) == sha256_of(UPSTREAM + "/uv/releases/download/0.13.9/uv-x86_64-unknown-linux-gnu.tar.gz")
    assert sha256_of(python) == sha256_of(UPSTREAM + "/python/cpython-3.11.2-linux-x86_64-gnu.tar.gz")


def tree(name):
    """What a host ended up with, in a form two hosts can be compared by."""
    return dict(
        uv=out(name, "sha256sum /opt/uv/bin/uv /opt/uv/bin/uvx | cut -d' ' -f1"),
        python=out(name, "cd /opt/uv/python && find . -path ./.cache -prune -o -type f ! -name '*.pyc' "
                         "! -name .lock -print0 | sort -z | xargs -0 sha256sum"),
        links=out(name, "cd /opt/uv && find python python-bin tool-bin -type l -printf '%p -> %l\\n' | sort"),
        venv=out(name, "/opt/uv/venv/bin/python -c 'import importlib.metadata as m; "
                       "print(sorted((d.name, d.version) for d in m.distributions()))'"),
        tools=out(name, "UV_TOOL_DIR=/opt/uv/tools/3.11.2 /opt/uv/bin/uv tool list --show-version-specifiers"),
    )


def test_fan_out_gives_the_same_result_as_a_direct_download():
    lab, direct = tree("fleet-05"), tree(DIRECT)
    for key in lab:
        assert lab[key] == direct[key], key
    # the direct host fetched from the upstream itself, the lab host only from the controller
    assert any(r["client"] != "127.0.0.1" for r in served())
    uv_toml = out("fleet-05", "cat /etc/uv/uv.toml")
    assert 'python-downloads-json-url = "/opt/uv/downloads/python/downloads.json"' in uv_toml


def rolling(*extra):
    inventory = os.path.join(EPHEMERAL, "inventory")
    return subprocess.run(["ansible-playbook", "-i", inventory, "playbooks/fleet.yml", "-e", "fleet_hosts=lab_room"]
                          + list(extra), cwd=REPO, env=ansible_env(), capture_output=True, text=True, check=False)


def test_rolling_run_stops_at_the_batch_whose_verdict_fails():
    # fleet-02 gets a system file that puts the distribution's python first for everyone: the system's fault; on
    # fleet-01 alice does the same in her own ~/.profile: hers, which does not stop the rollout (docs/security.md)
    out("fleet-02", "printf 'PATH=/usr/bin:$PATH\\n' > /etc/profile.d/zz-site.sh")
    out("fleet-01", "cp -p ~alice/.profile /root/alice.profile && echo 'PATH=/usr/bin:$PATH' >> ~alice/.profile")
    try:
        extra = json.dumps({"shared_python_tools": [{"name": "pre-commit", "version": "==4.3.0"}, {"name": "ruff"}]})
        proc = rolling("-e", "fleet_batch=2", "-e", "fleet_failure_budget_percent=0", "-e", extra)
        assert proc.returncode != 0, proc.stdout
        assert "does not win" in proc.stdout + proc.stderr
        recap = dict((line.split()[0], line) for line in proc.stdout.splitlines() if "failed=" in line)
        assert "failed=0" in recap["fleet-01"] and "failed=0" not in recap["fleet-02"], recap
        assert "/etc/profile.d/zz-site.sh" in proc.stdout
        have_ruff = [name for name in LAB if sh(name, "test -x /opt/uv/tool-bin/ruff")[0] == 0]
        # the first batch ran (fleet-02 got ruff, then failed its verdict); no later batch started
        assert have_ruff == ["fleet-01", "fleet-02"], proc.stdout[-3000:]
    finally:
        out("fleet-02", "rm -f /etc/profile.d/zz-site.sh")
        out("fleet-01", "cp -p /root/alice.profile ~alice/.profile")


def test_a_drifted_host_is_found_in_one_pass_and_put_right():
    uv = "UV_TOOL_DIR=/opt/uv/tools/3.11.2 UV_TOOL_BIN_DIR=/opt/uv/tool-bin /opt/uv/bin/uv"
    out("fleet-04", "%s tool uninstall pre-commit && /opt/uv/bin/uv pip uninstall --python /opt/uv/venv/bin/python "
                    "requests && echo '# edited' >> /etc/profile.d/labfleet-uv.sh && chmod 0775 /opt/uv/tools" % uv)
    first = rolling("--limit", "fleet-04", "-e", "fleet_batch=1")
    assert first.returncode == 0, first.stdout[-3000:]
    for pending in ["install tool pre-commit==4.3.0", "+ requests==2.32.5 in /opt/uv/venv-3.11.2",
                    "file /etc/profile.d/labfleet-uv.sh: content differs", "directory /opt/uv/tools: mode differs"]:
        assert pending in first.stdout, pending
    assert "changed=0" not in first.stdout
    assert out("fleet-04", "python -c 'import requests' && pre-commit --version", user="alice") == "pre-commit 4.3.0"
    second = rolling("--limit", "fleet-04", "-e", "fleet_batch=1")
    assert second.returncode == 0 and "nothing: the host is already right" in second.stdout
    assert "changed=0" in second.stdout
