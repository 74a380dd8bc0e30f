"""Drift in the shells' startup files is repaired: on the converged default-scenario host, each file or block the
role writes for a shell is edited, deleted or given another mode, the state pass reports it, the next run puts it
right, and the run after that changes nothing (a deleted one: tests/repair/test_repair_drifts.py).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import run_playbook  # noqa: E402  pylint: disable=wrong-import-position

HOST = os.environ.get("LABFLEET_BAD_INPUT_HOST", "labfleet-uv-debian13")
FISH = "/etc/fish/conf.d/labfleet-uv.fish"
MARK = "# BEGIN Managed by Ansible: labfleet.uv.shared_python"


def sh(cmd):
    proc = subprocess.run(["podman", "exec", HOST, "sh", "-c", cmd], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "%s: %s%s" % (cmd, proc.stdout, proc.stderr)
    return proc.stdout


def converge(*extra):
    proc = run_playbook("molecule/default/converge.yml", HOST, *extra)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    recap = [line for line in proc.stdout.splitlines() if line.startswith(HOST) and "changed=" in line][-1]
    return proc.stdout, int(recap.split("changed=")[1].split()[0])


def snapshot():
    return sh("stat -c '%%a %%U %%G' %s; sha1sum %s /etc/csh.cshrc /etc/zsh/zprofile" % (FISH, FISH))


def test_edited_deleted_and_loosened_shell_files_are_put_back_then_nothing_changes():
    before = snapshot()
    assert MARK in sh("cat /etc/csh.cshrc") and MARK in sh("cat /etc/zsh/zprofile")
    # an admin edits the fish file and opens its mode, removes the csh block and the zsh hook's lines
    sh("echo 'set -gx PATH /opt/elsewhere/bin $PATH' >> %s && chmod 0666 %s" % (FISH, FISH))
    sh("sed -i '/labfleet.uv.shared_python/,/labfleet.uv.shared_python/d' /etc/csh.cshrc /etc/zsh/zprofile")
    # the verdict (path_info) runs in the repair run only
    out, changed = converge("--check", "--diff", "-e", "shared_python_verdict=skip")
    for line in ("file %s: content, mode differs" % FISH, "file /etc/csh.cshrc: lacks the role's block",
                 "file /etc/zsh/zprofile: lacks the role's block"):
        assert line in out, line
    out, changed = converge()
    assert changed > 0
    assert snapshot() == before
    out, changed = converge("-e", "shared_python_verdict=skip")
    assert changed == 0, out[-4000:]
