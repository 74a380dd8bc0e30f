"""What an ordinary user of a converged machine gets, checked in real login shells.

Run by Molecule's testinfra verifier against every instance of a scenario. The expectations are the
role's defaults under /opt/uv plus what the scenarios' converge.yml configures (CPython 3.11 from the
offline archives, requests in the shared venv, pre-commit 4.3.0 as a global tool, or LABFLEET_VERIFY_TOOL).
"""
import os
import shlex

import pytest

ROOT = "/opt/uv"
VENV = ROOT + "/venv"
MINOR = os.environ.get("LABFLEET_VERIFY_MINOR", "3.11")
# ordinary users to log in as; the first is also checked in bash and sh, the second makes its own venv in sh
USERS = os.environ.get("LABFLEET_VERIFY_USERS", "alice,bob,carol").split(",")
FIRST, SECOND = USERS[0], USERS[1 % len(USERS)]
# the global tool a scenario installs, as name==version (32-bit Pi OS: ruff, since pre-commit's PyYAML has no armv7l
# wheel on PyPI)
TOOL, TOOL_VERSION = os.environ.get("LABFLEET_VERIFY_TOOL", "pre-commit==4.3.0").split("==")
PACKAGE = "requests"
# what a user's own uv commands are prefixed with: the 32-bit Pi image is checked under qemu-arm, where uv reads the
# workstation's /proc/cpuinfo, takes the ARM userland for soft-float and would look past the armhf CPythons (a
# real Pi says vfp, and uv >= 0.10.12 reads it right under a 64-bit kernel too): there, UV_LIBC=gnueabihf
UV = os.environ.get("LABFLEET_VERIFY_UV_ENV", "") + "uv"


def login(host, user, cmd, shell=None):
    """Run cmd in a login shell of user, as a fresh login would: a clean environment.

    shell=None uses the user's own shell from passwd (su -l); otherwise `<shell> -l -c cmd`.
    """
    if shell is None:
        argv = "su -l %s -c %s" % (user, shlex.quote(cmd))
    else:
        home = host.user(user).home
        argv = "runuser -u %s -- env -i HOME=%s USER=%s LOGNAME=%s PATH=/usr/bin:/bin %s -l -c %s" % (
            user, home, user, user, shell, shlex.quote(cmd))
    return host.run(argv)


def ok(result):
    assert result.rc == 0, "rc=%d\nstdout: %s\nstderr: %s" % (result.rc, result.stdout, result.stderr)
    return result.stdout.strip()


# the shells the first user is also checked in beside each user's own login (a scenario whose shell files another
# scenario checks, such as the booted Pi VMs beside the default one, sets none: LABFLEET_VERIFY_SHELLS="")
SHELLS = [s for s in os.environ.get("LABFLEET_VERIFY_SHELLS", "bash,sh").split(",") if s]
CONTEXTS = [(FIRST, shell) for shell in SHELLS] + [(u, None) for u in USERS]


@pytest.mark.parametrize("user,shell", CONTEXTS)
def test_python_resolves_into_shared_venv(host, user, shell):
    for word in ("python", "python3"):
        assert ok(login(host, user, "command -v %s" % word, shell)) == "%s/bin/%s" % (VENV, word)


@pytest.mark.parametrize("user,shell", CONTEXTS)
def test_venv_base_is_managed_cpython(host, user, shell):
    code = "import os, sys; print(sys.prefix); print(os.path.realpath(sys.base_prefix)); print('%d.%d' % sys.version_info[:2])"
    out = ok(login(host, user, 'python -c "%s"' % code, shell))
    prefix, base, minor = out.splitlines()
    assert prefix == VENV
    assert base.startswith(ROOT + "/python/cpython-%s." % MINOR), base
    assert minor == MINOR


@pytest.mark.parametrize("user,shell", CONTEXTS)
def test_configured_package_imports(host, user, shell):
    out = ok(login(host, user, "python -c 'import %s; print(%s.__file__)'" % (PACKAGE, PACKAGE), shell))
    assert out.startswith(VENV + "/lib/python%s/site-packages/" % MINOR)


@pytest.mark.parametrize("user,shell", CONTEXTS)
def test_global_tool_runs(host, user, shell):
    assert ok(login(host, user, "command -v %s" % TOOL, shell)) == ROOT + "/tool-bin/" + TOOL
    assert ok(login(host, user, "%s --version" % TOOL, shell)) == "%s %s" % (TOOL, TOOL_VERSION)


@pytest.mark.parametrize("user,shell", CONTEXTS)
def test_uv_on_path(host, user, shell):
    assert ok(login(host, user, "command -v uv", shell)) == ROOT + "/bin/uv"
    assert ok(login(host, user, "command -v uvx", shell)) == ROOT + "/bin/uvx"


@pytest.mark.parametrize("user,shell", [(FIRST, "bash"), (SECOND, "sh")])
def test_user_venv_uses_shared_python_without_download(host, user, shell):
    res = login(host, user, "rm -rf ~/v && %s venv ~/v --python %s && ~/v/bin/python -c "
                            "'import os, sys; print(os.path.realpath(sys.base_prefix))'" % (UV, MINOR), shell)
    out = ok(res)
    assert "Downloading" not in res.stderr + res.stdout
    assert out.splitlines()[-1].startswith(ROOT + "/python/cpython-%s." % MINOR)


def test_user_cannot_download_other_pythons(host):
    res = login(host, FIRST, "%s python install 3.10" % UV, "bash")
    assert res.rc != 0
    assert "Downloading" not in res.stderr + res.stdout


@pytest.mark.parametrize("cmd", [
    "uv pip install --python %s/bin/python six" % VENV,
    "python -m pip install six",
    "touch %s/bin/intruder" % VENV,
])
def test_user_cannot_modify_shared_venv(host, cmd):
    res = login(host, FIRST, cmd, "bash")
    assert res.rc != 0, res.stdout
    assert not host.file(VENV + "/bin/intruder").exists
    assert ok(login(host, FIRST, "python -c 'import six' 2>&1 || echo missing", "bash")).endswith("missing")


def test_users_own_uv_tool_install_still_works(host):
    """The profile exports no UV_TOOL_DIR/UV_TOOL_BIN_DIR, which would point users at root's dirs."""
    out = ok(login(host, FIRST, "%s tool install --force %s==%s >/dev/null 2>&1 && "
                                "ls ~/.local/bin/%s" % (UV, TOOL, TOOL_VERSION, TOOL), "bash"))
    assert out.endswith("/.local/bin/" + TOOL)
    ok(login(host, FIRST, "uv tool uninstall %s" % TOOL, "bash"))


def test_default_shims_point_at_managed_cpython(host):
    for name in ("python", "python3", "python" + MINOR):
        target = host.file(ROOT + "/python-bin/" + name).linked_to
        assert target.startswith(ROOT + "/python/cpython-%s" % MINOR), (name, target)
    out = ok(login(host, FIRST, ROOT + "/python-bin/python -c 'import sys; print(sys.prefix)'", "bash"))
    assert out.startswith(ROOT + "/python/cpython-%s" % MINOR)


def test_path_order_and_no_duplicates_when_sourced_twice(host):
    script = "/etc/profile.d/labfleet-uv.sh"
    out = ok(login(host, SECOND, ". %s; . %s; echo \"$PATH\"" % (script, script), "sh"))
    entries = out.split(":")
    assert entries[:4] == [VENV + "/bin", ROOT + "/tool-bin", ROOT + "/python-bin", ROOT + "/bin"]
    assert len(entries) == len(set(entries)), entries


# fish and tcsh get their own startup files where they are installed, and nothing where they are not
SHELL_FILES = {"fish": ("/etc/fish/conf.d/labfleet-uv.fish", "/usr/bin/fish"),
               "tcsh": ("/etc/csh.cshrc", "/usr/bin/tcsh")}


@pytest.mark.parametrize("shell", sorted(SHELL_FILES))
def test_fish_and_tcsh_get_the_same_path_order_without_duplicates(host, shell):
    path, binary = SHELL_FILES[shell]
    marked = host.file(path).exists and "labfleet.uv.shared_python" in host.file(path).content_string
    if not host.file(binary).exists:
        assert not marked, "%s is written although %s is not installed" % (path, shell)
        return
    assert marked, path
    assert host.file(path).user == "root" and host.file(path).mode == 0o644
    home = host.user(FIRST).home
    # a login fish or a tcsh, then the file sourced again: the same PATH, no duplicate
    cmd = "echo $PATH; source %s; echo $PATH; echo $UV_PYTHON_INSTALL_DIR" % path
    argv = "runuser -u %%s -- env -i HOME=%%s USER=%%s PATH=/usr/bin:/bin %s -c %%s" % (
        "fish -l" if shell == "fish" else "tcsh")
    out = ok(host.run(argv % (FIRST, home, FIRST, shlex.quote(cmd)))).splitlines()
    first, again, install_dir = out[-3], out[-2], out[-1]
    sep = " " if shell == "fish" else ":"
    entries = first.split(sep)
    assert entries[:4] == [VENV + "/bin", ROOT + "/tool-bin", ROOT + "/python-bin", ROOT + "/bin"], first
    assert len(entries) == len(set(entries)) and again == first, (first, again)
    assert install_dir == ROOT + "/python"
    # and the python a user of that shell gets is the shared venv's
    runs = ok(host.run(argv % (FIRST, home, FIRST, shlex.quote("python -c 'import sys; print(sys.prefix)'"))))
    assert runs.splitlines()[-1] == VENV


@pytest.mark.parametrize("shell", ["sh", "bash", "zsh"])
def test_profile_script_is_safe_under_set_u(host, shell):
    script = "/etc/profile.d/labfleet-uv.sh"
    out = ok(host.run("env -i %s -u -c '. %s && echo \"$PATH\"'" % (shell, script)))
    assert out.split(":")[0] == VENV + "/bin"


def test_uv_python_install_dir_exported_but_not_tool_dirs(host):
    out = ok(login(host, FIRST, "env", "bash"))
    assert "UV_PYTHON_INSTALL_DIR=%s/python" % ROOT in out.splitlines()
    assert not [line for line in out.splitlines() if line.startswith(("UV_TOOL_DIR=", "UV_TOOL_BIN_DIR="))]


@pytest.mark.parametrize("user", USERS)
def test_users_can_write_nothing_under_the_root(host, user):
    """Not even uv's lock files (uv makes them 0666; root's runs replace them with root-only ones, docs/security.md):
    a lock a user can open is a lock a user can hold while root's uv waits."""
    writable = ok(login(host, user, "find %s -writable 2>/dev/null; true" % ROOT, "sh")).split()
    assert writable == []
    readable_locks = ok(login(host, user, "find %s -name .lock -readable 2>/dev/null; true" % ROOT, "sh")).split()
    assert readable_locks == []


def test_installs_are_root_owned(host):
    for path in (ROOT + "/bin/uv", VENV, VENV + "/bin/python", ROOT + "/tools", ROOT + "/python"):
        assert host.file(path).user == "root", path
