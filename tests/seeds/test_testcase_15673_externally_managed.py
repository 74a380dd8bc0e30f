"""testcase-15673-externally-managed (astral-sh/uv#15673): a Debian-based image whose base cannot change.

The admin's requirements must be installed and usable system-wide without deleting Debian's
EXTERNALLY-MANAGED marker and without `--break-system-packages`.
"""
import pytest

from conftest import VENV, WHO, plain_sh, python_identity, run_ok, service
from labfleet_testing import login

NAME = "testcase-15673-externally-managed"
testinfra_hosts = ["podman://" + NAME]
USE = WHO + "; import requests; print(requests.__file__)"


@pytest.mark.parametrize("user", ["root", "alice"])
def test_the_requirements_are_usable_system_wide(host, user):
    # like a Dockerfile RUN: `sh -c` with the image's default PATH, nothing sourced
    for how in (plain_sh, service, login):
        res = how(host, user, "python -c %r" % USE)
        assert res.rc == 0, (how.__name__, res.stderr)
        assert res.stdout.split()[0] == VENV
        assert res.stdout.split()[-1].startswith(VENV + "/lib/python3.11/site-packages/requests/")
    # `pip` on the default PATH is the shared environment's
    assert VENV in plain_sh(host, user, "pip --version").stdout


def test_the_marker_stays_and_still_protects_the_distro_python(host):
    marker = "/usr/lib/python3.11/EXTERNALLY-MANAGED"
    assert host.file(marker).exists
    # dpkg's own checksums: nothing Debian shipped for Python was changed or removed
    assert run_ok(host, "dpkg --verify libpython3.11-stdlib python3.11 python3.11-minimal python3-pip") == ""
    res = host.run("/usr/bin/pip3 install --no-index --find-links /srv/wheelhouse cfgv")
    assert res.rc != 0 and "externally-managed-environment" in res.stdout + res.stderr
    # nothing was installed into the distro's site directories
    assert run_ok(host, "find /usr/local/lib -name '*.dist-info' -print") == ""
    assert host.run("/usr/bin/python3 -c 'import requests'").rc != 0


def test_the_requirements_came_from_the_admins_file(host):
    assert host.file("/opt/uv/requirements.txt").contains("requests==2.32.5")
    prefix, dummy, dummy = python_identity(plain_sh(host, "alice", "python -c %r" % WHO))
    assert prefix == VENV
