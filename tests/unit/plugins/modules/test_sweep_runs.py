"""The sweep as the modules carry it out (uv_state tells it, uv_apply, uv_venv and uv_tool do it), on a temporary
tree as root, with another account's files (uid 65534, nobody): mocked only at run_command (harness.py). The
quarantine is the test's own (the real one is /var/lib/labfleet-uv/quarantine). The sweep's own cases are in
tests/unit/plugins/module_utils/test_sweep.py."""
import os
import stat

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils import _sweep
from ansible_collections.labfleet.uv.plugins.modules import uv_apply, uv_state, uv_tool

from .harness import run_case

NOBODY = 65534
UV_VERSION = {"command": ["{uv}", "--version"], "out": "uv 0.13.9 (x86_64-unknown-linux-gnu)\n"}
ROLE_DIRS = [dict(path="{root}/" + d, owner="root", group="root", mode="0755")
             for d in ("bin", "python", "python-bin", "tool-bin", "tools")]
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sweep judges owners: it runs as root on targets")


@pytest.fixture(autouse=True)
def quarantine_root(tmp_path, monkeypatch):
    root = str(tmp_path / "quarantine")
    monkeypatch.setattr(_sweep, "QUARANTINE_ROOT", root)
    monkeypatch.setattr(_sweep, "_RUN_DIRS", {})
    return root


def put(root, rel, text="#!/bin/sh\n", mode=0o755, uid=None, link=None):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if link:
        os.symlink(link, path)
    else:
        with open(path, "w") as f:
            f.write(text)
    if uid is not None:
        os.lchown(path, uid, -1)
    if not link:
        os.chmod(path, mode)
    return path


def make_env(root, rel, uid=None):
    env = os.path.join(root, rel)
    put(root, rel + "/pyvenv.cfg", "home = %s/python/cpython-3.13-linux-x86_64-gnu/bin\n" % root, 0o644)
    put(root, rel + "/bin/python", link=root + "/python/cpython-3.13-linux-x86_64-gnu/bin/python3.13")
    put(root, rel + "/lib/python3.13/site-packages/pkg/__init__.py", "", 0o644)
    if uid is not None:
        for top, dirs, files in os.walk(env):
            for name in [top] + [os.path.join(top, n) for n in dirs + files]:
                os.lchown(name, uid, -1)
    return env


def hostile_tree(root):
    """What a user left once an admin opened the role's bin dirs (0777) and gave them the venv: their files in
    tool-bin, bin and python-bin, a set-uid file of root's in a CPython, another account's file in the other."""
    put(root, "bin/uv")
    put(root, "bin/uvx")
    put(root, "python/cpython-3.13-linux-x86_64-gnu", link=root + "/python/cpython-3.13.9-linux-x86_64-gnu")
    put(root, "python/cpython-3.13.9-linux-x86_64-gnu/bin/python3.13")
    put(root, "python/cpython-3.13.9-linux-x86_64-gnu/bin/helper", mode=0o4755)
    put(root, "python/cpython-3.12.1-linux-x86_64-gnu/bin/python3.12")
    put(root, "python/cpython-3.12.1-linux-x86_64-gnu/lib/evil.py", uid=NOBODY, mode=0o644)
    put(root, "python/.lock", "", 0o666)
    put(root, "python-bin/python3.13", link=root + "/python/cpython-3.13-linux-x86_64-gnu/bin/python3.13")
    put(root, "python-bin/python3", link=root + "/python/cpython-3.13-linux-x86_64-gnu/bin/python3.13", uid=NOBODY)
    put(root, "tool-bin/sudo", uid=NOBODY, mode=0o4755)
    put(root, "bin/ls", uid=NOBODY)
    os.makedirs(root + "/tools")


def test_the_state_pass_tells_the_sweep_and_a_run_carries_it_out(tmp_path, capsys, monkeypatch, quarantine_root):
    root = str(tmp_path)
    hostile_tree(root)
    case = dict(input=dict(uv_version="0.13.9", directories=ROLE_DIRS), run_command=[UV_VERSION])
    cpy12 = root + "/python/cpython-3.12.1-linux-x86_64-gnu"
    helper = root + "/python/cpython-3.13.9-linux-x86_64-gnu/bin/helper"
    lines = ["move %s/bin/ls into quarantine (not the role's, owned by nobody)" % root,
             "move %s/python-bin/python3 into quarantine (owned by nobody)" % root,
             "move %s/tool-bin/sudo into quarantine (not the role's, owned by nobody)" % root,
             "move the CPython %s into quarantine and build it again (%s/lib/evil.py is owned by nobody)"
             % (cpy12, cpy12),
             "fix %s: mode 4755 -> 0755" % helper]
    case["output"] = dict(changed=False, pending=lines, python_pending=[lines[1], lines[3]], uv_pending=[])
    run_case(uv_state, case, tmp_path, capsys, monkeypatch)

    case["output"] = dict(changed=True)
    result = run_case(uv_apply, case, tmp_path, capsys, monkeypatch)
    # root's own fixes first, then the moves, each line naming where it went
    assert result["done"][0] == lines[4]
    moved = dict((q["path"], q["moved_to"]) for q in result["quarantined"])
    assert sorted(moved) == sorted([root + "/bin/ls", root + "/python-bin/python3", root + "/tool-bin/sudo", cpy12])
    for line, path in zip(lines[:4], [root + "/bin/ls", root + "/python-bin/python3", root + "/tool-bin/sudo", cpy12]):
        assert "%s: now %s" % (line, moved[path]) in result["done"]
        assert moved[path].startswith(quarantine_root + "/") and moved[path].endswith(path)
        users = moved[path] + ("/lib/evil.py" if path == cpy12 else "")
        assert os.lstat(users).st_uid == NOBODY and not os.path.lexists(path)
    # never chowned, set-uid bits of the user's kept as evidence in the root-only quarantine
    assert os.lstat(moved[root + "/tool-bin/sudo"]).st_mode & stat.S_ISUID
    assert stat.S_IMODE(os.lstat(helper).st_mode) == 0o755 and os.lstat(helper).st_uid == 0
    assert stat.S_IMODE(os.lstat(root + "/python/.lock").st_mode) == 0o666  # uv's, left as uv made it
    assert sorted(os.listdir(root + "/bin")) == ["uv", "uvx"] and os.listdir(root + "/tool-bin") == []

    case["output"] = dict(changed=False, pending=[])
    run_case(uv_state, case, tmp_path, capsys, monkeypatch)


def test_a_link_where_a_roles_directory_belongs_is_moved_and_the_directory_made_not_followed(tmp_path, capsys,
                                                                                             monkeypatch):
    root = str(tmp_path)
    put(root, "bin/uv")
    put(root, "bin/uvx")
    mallory_bin = root + "/home/mallory/bin"
    put(root, "home/mallory/bin/pre-commit")
    os.chmod(mallory_bin, 0o777)
    os.symlink(mallory_bin, root + "/tool-bin")
    line = ("directory %s/tool-bin: a link to %s, not a directory: move it into quarantine, make it again"
            % (root, mallory_bin))
    case = dict(input=dict(uv_version="0.13.9", directories=ROLE_DIRS[3:4]), run_command=[UV_VERSION],
                output=dict(changed=False, pending=[line]))
    run_case(uv_state, case, tmp_path, capsys, monkeypatch)
    case["output"] = dict(changed=True)
    result = run_case(uv_apply, case, tmp_path, capsys, monkeypatch)
    [moved] = result["quarantined"]
    assert result["done"] == ["%s: now %s" % (line, moved["moved_to"])] and os.path.islink(moved["moved_to"])
    st = os.lstat(root + "/tool-bin")
    assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o755
    # the link's target was neither chmodded nor emptied
    assert stat.S_IMODE(os.lstat(mallory_bin).st_mode) == 0o777 and os.listdir(mallory_bin) == ["pre-commit"]


def test_a_managed_file_another_account_owns_is_moved_not_read_and_written_again(tmp_path, capsys, monkeypatch):
    root = str(tmp_path)
    put(root, "bin/uv")
    put(root, "bin/uvx")
    profile = put(root, "etc/profile.sh", "echo owned\n", 0o644, uid=NOBODY)
    wanted = dict(path=profile, content="PATH=/x:$PATH\n", owner="root", group="root", mode="0644")
    case = dict(input=dict(uv_version="0.13.9", files=[wanted]),
                run_command=[UV_VERSION],
                output=dict(changed=False,
                            pending=["file %s: owned by nobody: move it into quarantine, write it again" % profile]))
    run_case(uv_state, case, tmp_path, capsys, monkeypatch)
    case["output"] = dict(changed=True)
    result = run_case(uv_apply, case, tmp_path, capsys, monkeypatch)
    [moved] = result["quarantined"]
    assert os.lstat(moved["moved_to"]).st_uid == NOBODY
    assert os.lstat(profile).st_uid == 0 and open(profile).read() == "PATH=/x:$PATH\n"


def test_a_venv_and_a_tool_environment_of_another_account_are_rebuilt_not_run(tmp_path, capsys, monkeypatch):
    """The state pass runs nothing in them (no pip dry run in the venv, no `uv tool list`, which runs each tool
    environment's python) and says they are built again."""
    root = str(tmp_path)
    put(root, "bin/uv")
    put(root, "bin/uvx")
    venv = make_env(root, "venv", uid=NOBODY)
    tool_env = make_env(root, "tools/pre-commit")
    put(root, "tools/pre-commit/bin/shadow", link="/etc/shadow", uid=NOBODY)
    case = dict(input=dict(uv_version="0.13.9", venv=dict(path=venv, python="3.13", packages=["requests"]),
                           tools=[dict(name="pre-commit", version="==4.3.0"), dict(name="ruff")],
                           tool_python="3.13"),
                run_command=[UV_VERSION],
                output=dict(changed=False, pending=[
                    "move the venv %s into quarantine and build it again (owned by nobody)" % venv,
                    "create the venv %s on CPython 3.13" % venv,
                    "+ requests in %s" % venv,
                    "move the tool environment %s into quarantine and build it again (%s/bin/shadow is owned by "
                    "nobody)" % (tool_env, tool_env),
                    "install tool pre-commit==4.3.0",
                    "check tool ruff once %s/tools is swept" % root]))
    run_case(uv_state, case, tmp_path, capsys, monkeypatch)


def test_a_tool_whose_environment_goes_is_installed_again_without_its_old_command(tmp_path, capsys, monkeypatch):
    root = str(tmp_path)
    put(root, "bin/uv")
    tool_env = make_env(root, "tools/pre-commit", uid=NOBODY)
    put(root, "tool-bin/pre-commit", link=tool_env + "/bin/pre-commit")
    listed = "pre-commit v4.3.0 [required: ==4.3.0] [CPython 3.13.9]\n- pre-commit\n"
    case = dict(input=dict(python="3.13", tools=[dict(name="pre-commit", version="==4.3.0")]),
                run_command=[
                    # asked only once the environment is gone
                    {"command": ["{uv}", "tool", "list", "--show-version-specifiers", "--show-python"],
                     "err": "No tools installed\n"},
                    {"command": ["{uv}", "tool", "install", "--python", "3.13", "--", "pre-commit==4.3.0"]},
                    {"command": ["{uv}", "tool", "list", "--show-version-specifiers", "--show-python"],
                     "out": listed}],
                output=dict(changed=True))
    result = run_case(uv_tool, case, tmp_path, capsys, monkeypatch)
    [moved] = result["quarantined"]
    assert moved["path"] == tool_env and os.lstat(moved["moved_to"]).st_uid == NOBODY
    assert result["actions"][-1] == "install pre-commit==4.3.0"
    assert not os.path.lexists(root + "/tool-bin/pre-commit")  # uv would call the link left there someone's
