"""Bad input, tried as a careless admin (issue 26, "Inputs"): the role refuses it before anything changes on the host,
each message naming the variable. One converge per check, every bad input of that check at once (the settings check
reports every problem in one message):

- on the controller (filter labfleet.uv.shared_python_problems): a profile name with a trailing newline, a package
  and a tool that are uv options, a root under /tmp, a bin directory in a home, a venv path with a command
  substitution, an index URL with a line break, a find-links entry with a blank;
- on the host, after the read-only state pass (labfleet.uv.uv_state's writable_ancestors): directories that pass
  every rule on the controller but lie where another account can write (a directory of alice's outside /home, a
  world-writable sticky one, a root-owned link into alice's home);
- in the modules themselves (module_utils/_input_checks), for a package list that never went through the role, and
  the real uv on the host reading what follows `--` as a requirement, never as an option.

"Before anything changes": a listing of the role's trees and of the directories the bad input names (path, type,
mode, owner, size, mtime, link target) is the same after the run, and no canary a command substitution would make
exists."""
import json

import pytest

from hostile import HOST, converge, sh
from labfleet_testing import run_module

CANARY = "/root/labfleet-inputs-canary"
# the role's trees and the files it writes outside them
WATCHED = ["/etc/profile.d", "/etc/uv", "/opt/uv", "/etc/fish", "/usr/share/nushell", "/etc/zsh", "/etc/csh.cshrc",
           "/usr/local/bin"]


def listing(*more):
    """Every entry under the watched paths (and more), one line each; paths that do not exist are left out. uv's
    lock files are left out, and a directory's mtime (uv's read-only queries lock the venv, making its .lock anew):
    what a directory holds is listed entry by entry."""
    return sh("find %s -xdev \\( -name .lock -prune \\) -o \\( -type d -printf '%%p %%y %%m %%u\\n' \\)"
              " -o -printf '%%p %%y %%m %%u %%s %%T@ %%l\\n' 2>/dev/null | sort; true" % " ".join(WATCHED + list(more)))


def refused(extra, task, names):
    """A converge with extra vars fails at task, each of names in its failure message; the failure message."""
    proc, dummy = converge("-e", json.dumps(extra))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-4000:]
    failed = [line for line in output.splitlines() if "fatal:" in line or "FAILED!" in line]
    assert failed, output[-4000:]
    assert any(task in line for line in output.splitlines()[-200:] if line.startswith("TASK [")), output[-4000:]
    message = "\n".join(failed)
    missing = [n for n in names if n not in message]
    assert not missing, "%s not named in:\n%s" % (missing, message[-4000:])
    return message


def test_the_careless_admins_inputs_are_refused_on_the_controller_at_once():
    sh("rm -f %s" % CANARY)
    before = listing("/tmp/uv", "/home/alice")
    message = refused({
        "shared_python_profile_name": "labfleet-uv\n",
        "shared_python_venv_packages": ["requests", "--index-url=http://127.0.0.1:9/simple"],
        "shared_python_tools": [{"name": "--index-url=http://127.0.0.1:9/simple"}],
        "shared_python_root": "/tmp/uv",
        "shared_python_tool_bin_dir": "/home/alice/bin",
        "shared_python_venv_path": "/opt/uv/venv$(touch %s)" % CANARY,
        "shared_python_index_url": "https://pypi.example/simple\nno-index = false",
        "shared_python_find_links": ["/srv/wheel house"],
    }, "Check the settings", [
        "shared_python_profile_name holds the control character U+000A",
        "shared_python_venv_packages[1]: '--index-url=http://127.0.0.1:9/simple' starts with '-': uv would read it as "
        "an option",
        "shared_python_tools[0]",
        "shared_python_root (/tmp/uv) lies under /tmp, where an account other than root can write",
        "shared_python_uv_bin_dir (/tmp/uv/bin) lies under /tmp",
        "shared_python_tool_bin_dir (/home/alice/bin) lies under /home",
        "shared_python_venv_path",
        "shared_python_index_url holds the control character U+000A",
        "shared_python_find_links[0]"])
    assert "a shell would expand or split" in message
    assert listing("/tmp/uv", "/home/alice") == before
    assert sh("test -e %s && echo ran || echo not run" % CANARY).strip() == "not run"


@pytest.fixture
def directories_others_can_write():
    """/srv/lab (alice's, outside /home), /opt/share (1777, as /tmp), /opt/uvlink (root's link into alice's home)."""
    sh("mkdir -p /srv/lab /opt/share /home/alice/uvdir && chown alice: /srv/lab /home/alice/uvdir"
       " && chmod 1777 /opt/share && ln -sfn /home/alice/uvdir /opt/uvlink")
    yield
    sh("rm -rf /srv/lab /opt/share /opt/uvlink /home/alice/uvdir")


def test_directories_another_account_can_write_are_refused_after_the_read_only_pass(directories_others_can_write):
    more = ("/srv/lab", "/opt/share", "/home/alice/uvdir")
    before = listing(*more)
    message = refused({
        "shared_python_tool_bin_dir": "/srv/lab/bin",
        "shared_python_command_dir": "/opt/share/bin",
        "shared_python_download_dir": "/opt/uvlink/downloads",
    }, "Check no account other than root can write on the way to the role's directories", [
        "shared_python_tool_bin_dir (/srv/lab/bin): /srv/lab, on the way there, is owned by uid 1000, not root",
        "shared_python_command_dir (/opt/share/bin): /opt/share, on the way there, is writable by others (mode 1777)",
        "shared_python_download_dir (/opt/uvlink/downloads): /home/alice/uvdir, on the way there, is owned by uid "
        "1000, not root"])
    assert "nothing was changed" in message
    assert listing(*more) == before


def test_the_modules_refuse_a_package_that_is_an_option_and_uv_reads_one_after_dashes_as_a_requirement():
    venv = run_module(HOST, "labfleet.uv.uv_venv", {
        "path": "/opt/uv/venv", "python": "3.11", "generation": True,
        "packages": ["requests", "--index-url=http://127.0.0.1:9/simple"]})
    assert venv.get("failed") and "uv would read it as an option" in venv["msg"], venv
    assert "commands" not in venv or not venv["commands"], venv
    tool = run_module(HOST, "labfleet.uv.uv_tool", {
        "python": "3.11", "generation": True, "tools": [{"name": "pre-commit", "version": "==4.3.0\n"}]})
    assert tool.get("failed") and "control character U+000A" in tool["msg"], tool
    # what _uv_venv and _uv_tool rely on: after `--`, the real uv takes an option-like word for a requirement
    out = sh("/opt/uv/bin/uv pip install --python /opt/uv/venv/bin/python --dry-run --offline --no-config"
             " -- --index-url=http://127.0.0.1:9/simple 2>&1; echo rc=$?")
    assert "rc=0" not in out and "--index-url=http:/127.0.0.1:9/simple" in out and "Distribution not found" in out, out
    out = sh("/opt/uv/bin/uv tool install --offline --no-config --python 3.11 -- --index-url=x 2>&1; echo rc=$?")
    assert "rc=0" not in out and "Expected package name starting with an alphanumeric character, found `-`" in out, out
