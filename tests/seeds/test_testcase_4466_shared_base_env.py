"""testcase-4466-shared-base-env (astral-sh/uv#4466, #2500): a rich shared base environment and many small
per-user or per-test venvs that see it, where installing what the shared environment already satisfies
downloads nothing. The lab's package index here is a local mirror that logs every request.
"""
from conftest import VENV, run_ok
from labfleet_testing import login

NAME = "testcase-4466-shared-base-env"
testinfra_hosts = ["podman://" + NAME]
LOG = "/var/log/lab-index.log"


def index_requests(host):
    return [line for line in host.file(LOG).content_string.splitlines() if '"GET ' in line]


def test_a_users_venv_sees_the_shared_packages(host):
    res = login(host, "alice", "rm -rf ~/venvs && shared-python-venv ~/venvs/t1 && "
                               "~/venvs/t1/bin/python -c 'import sys, requests; print(sys.prefix, requests.__file__)'")
    assert res.rc == 0, res.stderr
    prefix, where = res.stdout.split()[-2:]
    assert prefix == "/home/alice/venvs/t1"
    assert where == VENV + "/lib/python3.11/site-packages/requests/__init__.py"


def test_installing_what_the_shared_environment_has_downloads_nothing(host):
    login(host, "alice", "test -d ~/venvs/t1 || shared-python-venv ~/venvs/t1")
    before = len(index_requests(host))
    res = login(host, "alice", "~/venvs/t1/bin/pip install requests")
    assert res.rc == 0, res.stderr
    assert "Requirement already satisfied: requests in %s" % VENV in res.stdout
    assert len(index_requests(host)) == before, index_requests(host)[before:]
    assert run_ok(host, "find /home/alice/venvs/t1 -name 'requests*' -print") == ""


def test_a_package_it_lacks_comes_from_the_index_into_the_users_venv_only(host):
    login(host, "alice", "test -d ~/venvs/t1 || shared-python-venv ~/venvs/t1")
    before = len(index_requests(host))
    res = login(host, "alice", "~/venvs/t1/bin/pip install cfgv && ~/venvs/t1/bin/python -c 'import cfgv; print(cfgv.__file__)'")
    assert res.rc == 0, res.stderr
    assert res.stdout.split()[-1] == "/home/alice/venvs/t1/lib/python3.11/site-packages/cfgv.py"
    fetched = index_requests(host)[before:]
    assert any("/simple/cfgv/" in line for line in fetched) and any("/files/cfgv-" in line for line in fetched)
    assert not any("requests" in line for line in fetched)
    assert host.run("%s/bin/python -c 'import cfgv'" % VENV).rc != 0


def test_many_per_test_venvs_stay_small(host):
    res = login(host, "alice", "for i in 1 2 3; do shared-python-venv ~/venvs/test$i >/dev/null && "
                               "~/venvs/test$i/bin/pip install -q requests || exit 1; done; du -sk ~/venvs/test1")
    assert res.rc == 0, res.stderr
    assert int(res.stdout.split()[-2]) < 200   # kilobytes: no copy of the shared packages


def test_an_existing_directory_is_never_overwritten(host):
    res = login(host, "alice", "mkdir -p ~/keep && touch ~/keep/mine && shared-python-venv ~/keep; echo rc=$?; ls ~/keep")
    assert "rc=1" in res.stdout and "mine" in res.stdout
