"""testcase-004-blog-cli-tool (seed 004, "Externally-managed Python Environments and uv"): a user who wants a CLI
tool system-wide gets it through the role's tool list, and the distro's own Python and its dist-packages are
left untouched: apt still works.
"""
import pytest

from conftest import plain_sh, run_ok
from labfleet_testing import login

NAME = "testcase-004-blog-cli-tool"
testinfra_hosts = ["podman://" + NAME]
SNAPSHOT = ("find /usr/lib/python3 /usr/lib/python3.11 /usr/local/lib -type f -print0 | sort -z "
            "| xargs -0 sha256sum")


@pytest.mark.parametrize("user", ["alice", "root"])
def test_ruff_is_there_for_every_user(host, user):
    assert login(host, user, "ruff --version").stdout.strip() == "ruff 0.17.6"
    assert login(host, user, "command -v ruff").stdout.strip() == "/opt/uv/tool-bin/ruff"


def test_the_distro_python_is_untouched(host):
    assert run_ok(host, "bash -o pipefail -c %r" % SNAPSHOT) == host.file("/root/distro-python.before").content_string
    assert run_ok(host, "dpkg --verify python3 python3-minimal python3.11 python3.11-minimal "
                        "libpython3.11-minimal libpython3.11-stdlib python3-apt") == ""
    assert host.run("/usr/bin/python3 -c 'import ruff'").rc != 0


def test_apt_still_works(host):
    run_ok(host, "/usr/bin/python3 -c 'import apt; apt.Cache()'")
    try:
        res = host.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                       "--no-install-recommends python3-six && /usr/bin/python3 -c 'import six; print(six.__file__)'")
        assert res.rc == 0, res.stderr
        assert res.stdout.split()[-1] == "/usr/lib/python3/dist-packages/six.py"
    finally:
        host.run("DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq python3-six")
    # the distro's python3 is still the distro's in a plain shell
    assert plain_sh(host, "alice", "command -v python3").stdout.strip() == "/usr/bin/python3"
