"""testcase-2059-pre-commit-for-everyone (astral-sh/uv#2059): pre-commit for every user of a machine where
users have no root, so nobody sources an environment to run it (git hooks run from editors too), and a clear
message instead of "Permission denied" when a user tries to install into the shared environment.
"""
import base64

import pytest

from conftest import plain_sh
from labfleet_testing import login

NAME = "testcase-2059-pre-commit-for-everyone"
testinfra_hosts = ["podman://" + NAME]
HOOKS = """repos:
- repo: local
  hooks:
  - id: stamp
    name: stamp
    entry: sh -c 'echo ran > "$HOME/hook-ran"'
    language: system
    pass_filenames: false
    always_run: true
"""


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_every_user_runs_pre_commit_without_sourcing_anything(host, user):
    assert login(host, user, "pre-commit --version").stdout.strip() == "pre-commit 4.3.0"
    assert plain_sh(host, user, "pre-commit --version").stdout.strip() == "pre-commit 4.3.0"
    assert host.run("id -nG %s" % user).stdout.split() == [user]  # no sudo, no admin group


def test_a_git_hook_run_by_an_editor_finds_pre_commit(host):
    setup = ("rm -rf ~/repo ~/hook-ran && git init -q ~/repo && cd ~/repo && "
             "git config user.email bob@lab && git config user.name bob && "
             "echo %s | base64 -d > .pre-commit-config.yaml && pre-commit install && git add -A"
             % base64.b64encode(HOOKS.encode()).decode())
    res = login(host, "bob", setup)
    assert res.rc == 0, res.stderr
    # the commit as an editor makes it: a bare environment with the system's default PATH
    res = plain_sh(host, "bob", "cd ~/repo && git commit -qm first")
    assert res.rc == 0, res.stdout + res.stderr
    assert host.file("/home/bob/hook-ran").content_string == "ran\n"


def test_installing_into_the_shared_environment_gets_a_clear_message(host):
    # (the shared venv's pip is on PATH through /etc/profile.d here: this admin set no shared_python_command_dir)
    for user in ("bob", "alice"):
        res = login(host, user, "pip install --no-index --find-links /srv/wheelhouse cfgv")
        assert res.rc == 1
        assert "Permission denied" not in res.stdout + res.stderr
        assert "shared by every user of this machine" in res.stderr
        assert "uv tool install NAME" in res.stderr and "shared-python-venv" in res.stderr
    # reading the shared environment is fine for users
    assert "pre-commit" not in login(host, "bob", "pip list").stdout
    assert "requests" not in login(host, "bob", "pip freeze").stdout
    assert login(host, "bob", "pip --version").stdout.startswith("pip 25.3 from /opt/uv/venv/")


def test_the_suggested_routes_work(host):
    # a tool for himself, from the same wheelhouse, into his own uv tool directory
    res = login(host, "bob", "uv tool install -q identify && echo x=1 > ~/bob.py && ~/.local/bin/identify-cli ~/bob.py")
    assert res.rc == 0, res.stderr
    assert '"python"' in res.stdout
    assert not host.file("/opt/uv/tools/identify").exists


def test_root_still_gets_the_real_pip(host):
    res = login(host, "root", "pip install --dry-run --no-index --find-links /srv/wheelhouse cfgv")
    assert res.rc == 0, res.stderr
    assert "Would install cfgv" in res.stdout
