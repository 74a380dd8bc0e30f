"""The verdict's policy on a converged host: whose fault a loss is.

A student's own files (a ~/bin/python, a conda-style PATH line in ~/.bashrc) make the managed Python lose for that
student only: the default converge (shared_python_verdict: fail) reports it as the student's own, with the file
and line, and still succeeds, so a rolling fleet.yml goes on; the strict gate (shared_python_verdict_user_files:
fail) fails it, naming the student. A system file that puts a foreign python first fails the default converge as
before. Each test undoes its attack."""
import json
import os
import re
import shlex
import subprocess
import tempfile
import time

from hostile import HOST, as_user, converge, sh
from labfleet_testing import REPO, ansible_env, connection, json_printed

VENV_PYTHON = "/opt/uv/venv/bin/python"
CONDA_LINE = 'export PATH="$HOME/miniconda3/bin:$PATH"'


def line_of(user, path, text):
    """The number of the line of user's file (~-relative path) that is text."""
    out = as_user(user, "grep -nxF -e %s %s" % (shlex.quote(text), path))
    return int(out.splitlines()[0].split(":", 1)[0])


def report(stdout):
    """The role's report lines, as the debug task printed them (one JSON string each)."""
    return [json.loads(m) for m in re.findall(r'^\s+("(?:[^"\\]|\\.)*"),?$', stdout, re.M)]


def students_own_files():
    """As mallory: a python of her own in ~/bin (Debian's ~/.profile puts ~/bin first), and conda's init line in
    ~/.bashrc putting ~/miniconda3/bin first; the line numbers that set them."""
    as_user("mallory", "mkdir -p ~/bin ~/miniconda3/bin && ln -sfn /usr/bin/python3 ~/bin/python && "
                       "ln -sfn /usr/bin/python3 ~/miniconda3/bin/python && cp ~/.bashrc ~/.bashrc.before && "
                       "printf '%%s\\n' '# >>> conda initialize >>>' %s '# <<< conda initialize <<<' >> ~/.bashrc"
            % shlex.quote(CONDA_LINE))
    return line_of("mallory", "~/.profile", '    PATH="$HOME/bin:$PATH"'), line_of("mallory", "~/.bashrc", CONDA_LINE)


def undo_students_own_files():
    as_user("mallory", "rm -rf ~/bin ~/miniconda3 && "
                       "if [ -f ~/.bashrc.before ]; then mv ~/.bashrc.before ~/.bashrc; fi")
    assert as_user("mallory", "command -v python").strip() == VENV_PYTHON


def test_a_students_own_files_are_reported_as_hers_and_fail_the_host_only_with_the_strict_gate():
    try:
        profile_line, bashrc_line = students_own_files()
        proc, dummy = converge()
        out = proc.stdout
        assert proc.returncode == 0, out[-6000:] + proc.stderr[-2000:]
        lines = report(out)
        own = dict((line.split(":", 1)[0], line) for line in lines if line.startswith("OWN "))
        assert sorted(own) == ["OWN mallory/interactive/python", "OWN mallory/login/python"], lines
        login, interactive = own["OWN mallory/login/python"], own["OWN mallory/interactive/python"]
        assert login.startswith("OWN mallory/login/python: /home/mallory/bin/python ")
        assert login.endswith("set by /home/mallory/.profile:%d [the user's own files: set at "
                              "/home/mallory/.profile:%d, a file of the user's own]" % (profile_line, profile_line))
        assert interactive.startswith("OWN mallory/interactive/python: /home/mallory/miniconda3/bin/python ")
        assert interactive.endswith("[the user's own files: set at /home/mallory/.bashrc:%d, a file of the user's "
                                    "own]" % bashrc_line)
        assert not [line for line in lines if line.startswith("FAIL ")], lines
        assert [line for line in lines if line.startswith(HOST + ": the managed Python wins, except where users' "
                                                          "own files shadow it")], lines
        assert "WARNING: users' own files shadow the managed Python for mallory" in out

        # the strict gate: the same loss fails the host, naming her; nobody (nologin) is reported, never an error
        proc, dummy = converge("-e", "shared_python_verdict_user_files=fail",
                               "-e", json.dumps({"shared_python_verdict_users": ["alice", "bob", "mallory", "nobody"]}))
        out = proc.stdout
        assert proc.returncode != 0, out[-6000:]
        lines = report(out)
        failed = [line for line in lines if line.startswith("FAIL ")]
        assert sorted(line.split(":", 1)[0] for line in failed) == ["FAIL mallory/interactive/python",
                                                                    "FAIL mallory/login/python"], lines
        assert any(("/home/mallory/.profile:%d" % profile_line) in line for line in failed), failed
        # the fail task's message: on stderr where the Ansible configuration says display_failed_stderr (Molecule's)
        assert re.search(r"The managed Python does not win in [a-z, ]+ for mallory: .*/home/mallory/\.profile:%d"
                         % profile_line, out + proc.stderr), out[-4000:] + proc.stderr[-2000:]
        nobody = [line for line in lines if line.startswith("nobody ")]
        assert nobody and set(re.split(r"\s{2,}", nobody[0].strip())[1:]) == {"no login"}, lines
    finally:
        undo_students_own_files()


def test_a_system_file_that_puts_a_foreign_python_first_fails_the_host():
    try:
        sh("mkdir -p /usr/local/foreign/bin && ln -sfn /usr/bin/python3 /usr/local/foreign/bin/python && "
           "printf '%s\\n' 'PATH=/usr/local/foreign/bin:$PATH; export PATH' > /etc/profile.d/zz-foreign.sh")
        proc, dummy = converge()
        out = proc.stdout
        assert proc.returncode != 0, "a system file shadows the managed Python; the converge must fail:\n" + out[-6000:]
        lines = report(out)
        failed = [line for line in lines if line.startswith("FAIL ")]
        assert {"FAIL alice/login/python", "FAIL bob/login/python", "FAIL mallory/login/python"} <= set(
            line.split(":", 1)[0] for line in failed), lines
        for line in failed:
            assert line.endswith("set by /etc/profile.d/zz-foreign.sh:1 [the system's: set at "
                                 "/etc/profile.d/zz-foreign.sh:1, a file of the system's]"), line
        assert not [line for line in lines if line.startswith("OWN ")], lines
        assert re.search(r"The managed Python does not win in [a-z, ]+ for alice, bob, mallory:", out + proc.stderr), \
            out[-4000:] + proc.stderr[-2000:]
    finally:
        sh("rm -rf /etc/profile.d/zz-foreign.sh /usr/local/foreign")
    assert as_user("alice", "command -v python").strip() == VENV_PYTHON


def test_the_verdict_timeout_bounds_what_one_account_costs():
    """shared_python_verdict_timeout reaches path_info: a ~/.profile that hangs costs one short timeout, named."""
    report_dir = tempfile.mkdtemp(prefix="labfleet-verdict-timeout-")
    try:
        as_user("mallory", "cp ~/.profile ~/.profile.before && echo 'sleep 900' >> ~/.profile", check=False)
        start = time.time()
        proc = subprocess.run(["ansible-playbook", "playbooks/path_report.yml"] + connection(HOST) +
                              ["-e", "path_report_dir=" + report_dir, "-e", "shared_python_verdict_timeout=5",
                               "-e", json.dumps({"shared_python_verdict_users": ["alice", "mallory"],
                                                 "shared_python_verdict_contexts": ["login", "interactive"],
                                                 "shared_python_verdict_required_contexts": ["login"]})],
                              cwd=REPO, capture_output=True, text=True, check=False, timeout=600,
                              env=ansible_env(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1"))
        took = time.time() - start
        run = json_printed(proc)
        verdict = [t["hosts"][HOST] for t in run["plays"][0]["tasks"]
                   if t["task"]["name"].endswith("Find which python wins for each user and context")][0]
        by = dict(((r["user"], r["context"]), r) for r in verdict["results"] if r["command"] == "python")
        assert by["mallory", "login"]["status"] == "error", by["mallory", "login"]
        assert "timed out after 5s" in by["mallory", "login"]["reason"], by["mallory", "login"]
        assert by["alice", "login"]["status"] == "won" and by["alice", "interactive"]["status"] == "won"
        # alice's login with the same shell finished: what hangs is mallory's own, and does not fail the host
        assert by["mallory", "login"]["fault"] == "user", by["mallory", "login"]
        assert any(f["user"] == "mallory" for f in verdict["user_losses"])
        assert not any(f["user"] == "mallory" for f in verdict["failures"]), verdict["failures"]
        # (the reason's "5s" says the variable reached path_info; the time is only a hang guard, generous)
        assert took < 600, took
    finally:
        # as root: her login shell would hang on the line
        sh("if [ -f /home/mallory/.profile.before ]; then mv /home/mallory/.profile.before /home/mallory/.profile; fi")
        subprocess.run(["rm", "-rf", report_dir], check=False)
    assert as_user("mallory", "command -v python").strip() == VENV_PYTHON
    assert not os.path.exists(report_dir)
