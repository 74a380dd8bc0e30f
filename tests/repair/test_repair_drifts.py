"""Drift in what the role manages is repaired: on the converged default-scenario host, each drift an admin or a user
can cause (the shared venv given to a user, a global tool's command deleted, uv's configuration edited and opened
to everyone, a shell's startup file deleted, the role's blocks cut out of the csh and zsh startup files, a shared
directory opened to everyone, and then uv itself replaced by something that no longer is uv, all at once) is
reported by a check run, put right by the next run, and the run after that changes nothing; an ordinary user in a
login shell then gets what they had.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import run_playbook  # noqa: E402  pylint: disable=wrong-import-position

HOST = os.environ.get("LABFLEET_BAD_INPUT_HOST", "labfleet-uv-debian13")
USER = "alice"
NO_VERDICT = ("-e", "shared_python_verdict=skip")
FISH = "/etc/fish/conf.d/labfleet-uv.fish"
MARK = "# BEGIN Managed by Ansible: labfleet.uv.shared_python"


def sh(cmd):
    proc = subprocess.run(["podman", "exec", HOST, "sh", "-c", cmd], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "%s: %s%s" % (cmd, proc.stdout, proc.stderr)
    return proc.stdout


def as_user(cmd):
    """cmd in the user's login shell, as they would type it."""
    return sh("su -l %s -c %s" % (USER, "'" + cmd.replace("'", "'\\''") + "'"))


def converge(*extra):
    proc = run_playbook("molecule/default/converge.yml", HOST, *extra)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    recap = [line for line in proc.stdout.splitlines() if line.startswith(HOST) and "changed=" in line][-1]
    return proc.stdout, int(recap.split("changed=")[1].split()[0])


def reported_by_a_check_run(*lines):
    """A check run (with its diff) reports each line; the verdict (path_info) runs in the repair run only."""
    out, dummy = converge("--check", "--diff", *NO_VERDICT)
    for line in lines:
        assert line in out, "%s not reported:\n%s" % (line, out[-4000:])


def test_drifts_by_a_user_and_an_admin_are_repaired_in_one_run():
    """The shared venv given to a user (chown -R, a group-writable directory), a global tool's command deleted,
    uv's configuration edited and made writable by all, the fish users' startup file deleted, the role's blocks cut
    out of /etc/csh.cshrc and /etc/zsh/zprofile, and a shared directory opened to everyone: a check run reports
    each. Then uv itself replaced by something that prints something else: a check run reports that too (and that
    what uv is asked about waits for a uv that runs). One run repairs them all, and the next changes nothing."""
    files = "/etc/uv/uv.toml %s /etc/csh.cshrc /etc/zsh/zprofile" % FISH
    before = sh("sha1sum %s; stat -c '%%a %%U' /opt/uv/python %s" % (files, files))
    assert MARK in sh("cat /etc/csh.cshrc") and MARK in sh("cat /etc/zsh/zprofile")
    sh("chown -R %s /opt/uv/venv/ && chmod g+w /opt/uv/venv/bin && rm /opt/uv/tool-bin/pre-commit %s"
       " && echo 'python-downloads = \"automatic\"' >> /etc/uv/uv.toml && chmod 0666 /etc/uv/uv.toml"
       " && chmod 0777 /opt/uv/python"
       " && sed -i '/labfleet.uv.shared_python/,/labfleet.uv.shared_python/d' /etc/csh.cshrc /etc/zsh/zprofile"
       % (USER, FISH))
    reported_by_a_check_run(
        "move the venv /opt/uv/venv-", "reinstall tool pre-commit==4.3.0",
        "file /etc/uv/uv.toml: content, mode differs", "directory /opt/uv/python: mode differs",
        "file %s: missing" % FISH, "file /etc/csh.cshrc: lacks the role's block",
        "file /etc/zsh/zprofile: lacks the role's block")
    sh("printf '#!/bin/sh\\necho hello\\n' > /opt/uv/bin/uv")
    reported_by_a_check_run("uv 0.", "(found none)", "check the CPythons, the shared venv and the tools once uv is replaced",
                            "file /etc/uv/uv.toml: content, mode differs")
    out, changed = converge()
    assert changed > 0, out[-4000:]
    out, changed = converge(*NO_VERDICT)
    assert changed == 0, out[-4000:]
    # uv runs again
    assert as_user("uv --version").startswith("uv 0.")
    assert "hello" not in sh("cat /opt/uv/bin/uv | head -c 200 | tr -dc 'a-z'")
    # the venv is root's again, and the user can no longer change what everyone runs
    assert sh("find /opt/uv/venv/ \\( ! -user root -o ! -group root -o \\( -perm /022 ! -type l ! -name .lock \\) "
              "\\) | head -5") == ""
    assert as_user("python -c 'import requests, sys; print(sys.prefix)'").strip() == "/opt/uv/venv"
    proc = subprocess.run(["podman", "exec", HOST, "su", "-l", USER, "-c", "touch /opt/uv/venv/bin/x"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    # the tool's command is back
    assert as_user("pre-commit --version").strip() == "pre-commit 4.3.0"
    # uv's configuration, the shells' startup files and the directory's mode are what they were
    assert sh("sha1sum %s; stat -c '%%a %%U' /opt/uv/python %s" % (files, files)) == before
