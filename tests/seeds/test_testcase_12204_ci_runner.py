"""testcase-12204-ci-runner (astral-sh/uv#12204, comment by keramblock): a CI runner image.

`shell: python` steps run in a non-login, non-interactive shell (no /etc/profile.d) and need `python` with
pyjwt; dev tools are global uv tools; no venv is forced on the projects that build there.
"""
import base64

from conftest import VENV, WHO, plain_sh, python_identity, run_ok, service
from labfleet_testing import login

NAME = "testcase-12204-ci-runner"
testinfra_hosts = ["podman://" + NAME]
STEP = "import jwt, sys; print(jwt.encode({'build': 1}, 'key', algorithm='HS256').count('.'), sys.prefix)"


def test_a_shell_python_step_has_pyjwt(host):
    # what the runner does with `shell: python`: writes the step to a file and runs `python FILE`
    run_ok(host, "echo %s | base64 -d > /tmp/step.py && chmod 644 /tmp/step.py"
           % base64.b64encode(STEP.encode()).decode())
    for how in (service, plain_sh):
        res = how(host, "runner", "python /tmp/step.py")
        assert res.rc == 0, res.stderr
        assert res.stdout.split() == ["2", VENV]


def test_dev_tools_are_global_uv_tools_on_every_path(host):
    for how in (service, plain_sh):
        res = how(host, "runner", "pre-commit --version && ruff --version && command -v ruff")
        assert res.rc == 0, res.stderr
        out = res.stdout.splitlines()
        assert out[0].startswith("pre-commit ") and out[1] == "ruff 0.17.6" and out[2] == "/usr/local/bin/ruff"
    # uv's tool environment of the CPython patch's generation (docs/lifecycle.md)
    assert run_ok(host, "readlink -f /usr/local/bin/ruff").startswith("/opt/uv/tools/3.11.2/ruff/")


def test_no_venv_is_forced_on_projects(host):
    assert "VIRTUAL_ENV" not in login(host, "runner", "env").stdout
    project = ("rm -rf ~/proj && mkdir ~/proj && cd ~/proj && "
               "printf '[project]\\nname = \"proj\"\\nversion = \"0\"\\nrequires-python = \">=3.11\"\\n"
               "dependencies = [\"cfgv\"]\\n' > pyproject.toml && "
               "uv sync -q && uv run python -c 'import sys, cfgv; print(sys.prefix)' && "
               "python -m venv --without-pip ../own-venv && ../own-venv/bin/python -c 'import jwt' 2>/dev/null; echo own=$?")
    res = login(host, "runner", project)
    assert res.rc == 0, res.stderr
    lines = res.stdout.split()
    assert lines[0] == "/home/runner/proj/.venv"   # the project chose its own venv
    assert lines[1] == "own=1"                      # a project venv does not see the runner's pyjwt
    assert host.run("%s/bin/python -c 'import cfgv'" % VENV).rc != 0  # the shared venv got nothing


def test_the_login_shell_agrees(host):
    prefix, dummy, dummy = python_identity(login(host, "runner", "python -c %r" % WHO))
    assert prefix == VENV
