"""testcase-12204-pi-lab (astral-sh/uv#12204): a Raspberry Pi robot lab.

The admin wanted the managed Python and the lab's package (`thormotion`) for every user by default, with no
per-user install, `python` being the managed one although Pi OS ships `python` (python-is-python3), and no
`--break-system-packages`. Their layout: uv in /usr/local/bin, Pythons under /opt/uv/python, shims in
/usr/local/bin (the container starts with exactly that: `uv python install --default` put symlinks there).
"""
import pytest

from conftest import VENV, WHO, plain_sh, python_identity, run_ok, run_role, service
from labfleet_testing import login, path_verdict

NAME = "testcase-12204-pi-lab"
testinfra_hosts = ["podman://" + NAME]
USERS = ["pi", "student1", "student2", "alice"]
CHECK = WHO + "; import thormotion; print(thormotion.__file__)"


def test_the_machine_is_shaped_like_pi_os(host):
    assert host.file("/etc/rpi-issue").exists
    assert host.file("/usr/bin/python").linked_to == "/usr/bin/python3.11"
    assert host.user("pi").shell == "/bin/bash"


@pytest.mark.parametrize("user", USERS)
def test_every_users_login_shell_gets_the_managed_python_and_the_lab_package(host, user):
    res = login(host, user, "python --version && python -c %r" % CHECK)
    assert res.rc == 0, res.stderr
    assert res.stdout.startswith("Python 3.11.2")
    lines = res.stdout.splitlines()
    prefix, base = lines[1].split()[:2]
    assert prefix == VENV
    assert base.startswith("/opt/uv/python/cpython-3.11")
    assert lines[2] == VENV + "/lib/python3.11/site-packages/thormotion/__init__.py"


@pytest.mark.parametrize("how", [plain_sh, service])
def test_shells_that_read_no_profile_get_it_too(host, how):
    prefix, base, dummy = python_identity(how(host, "pi", "python -c %r" % WHO))
    assert prefix == VENV and base.startswith("/opt/uv/python/")


def test_sudo_python_is_the_managed_one(host):
    res = login(host, "pi", "sudo -n python -c %r" % CHECK)
    assert res.rc == 0, res.stderr
    assert res.stdout.split()[0] == VENV


def test_the_role_verdict_says_pi_wins_everywhere_a_lab_user_starts_python(host):
    out = path_verdict(NAME, {"python_version": "3.11", "users": ["pi", "student2"],
                              "commands": ["python", "python3", "python3.11", "uv", "uvx"],
                              "uv_path": "/usr/local/bin/uv",
                              "contexts": ["login", "interactive", "ssh", "sudo", "sudo_login", "systemd"],
                              "required_contexts": ["login", "interactive", "ssh", "sudo", "systemd"]})
    assert out["verdict"] == "pass", out.get("failures")
    ssh = [r for r in out["results"] if r["user"] == "pi" and r["context"] == "ssh" and r["command"] == "python"]
    assert ssh and ssh[0]["won"], ssh


def test_no_per_user_install_and_nothing_broke_system_packages(host):
    assert run_ok(host, "find /home /root -name 'thormotion*' -print") == ""
    base = run_ok(host, "readlink -f /opt/uv/python/cpython-3.11-linux-x86_64-gnu").strip()
    # uv's marker on the managed Python is still there, and nothing was installed beside it
    assert host.file(base + "/lib/python3.11/EXTERNALLY-MANAGED").exists
    assert host.run("%s/bin/python3.11 -c 'import thormotion'" % base).rc != 0
    # the distro's python (Pi OS's `python`) was not touched either
    assert host.run("/usr/bin/python -c 'import thormotion'").rc != 0


def test_uv_lives_in_usr_local_bin_and_the_shims_are_the_roles(host):
    assert run_ok(host, "su -l student1 -c 'command -v uv'").strip() == "/usr/local/bin/uv"
    for word in ("python", "python3", "python3.11"):
        launcher = host.file("/usr/local/bin/" + word)
        assert not launcher.is_symlink, "the admin's uv --default shim %s should be the role's launcher now" % word
        assert "exec %s/bin/%s" % (VENV, word) in launcher.content_string


def test_a_command_the_role_did_not_write_is_never_replaced(host):
    run_ok(host, "mv /usr/local/bin/python3.11 /root/python3.11.role && "
                 "printf '#!/bin/sh\\necho the admin\\n' > /usr/local/bin/python3.11 && chmod 755 /usr/local/bin/python3.11")
    try:
        proc = run_role(NAME)
        assert proc.returncode != 0
        out = proc.stdout + proc.stderr
        assert "(shared_python_command_dir in the role) /usr/local/bin already holds /usr/local/bin/python3.11" in out
        # refused by the state pass, before anything changed
        assert "Read what the shared Python setup lacks on the host" in out.split("fatal:")[0].rsplit("TASK [", 1)[1]
        assert host.file("/usr/local/bin/python3.11").content_string == "#!/bin/sh\necho the admin\n"
    finally:
        run_ok(host, "mv /root/python3.11.role /usr/local/bin/python3.11")
