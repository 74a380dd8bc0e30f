"""What labfleet.uv.uv_apply sends from the controller, worked out from uv_state's result: pure functions."""
import pytest

from ansible_collections.labfleet.uv.plugins.plugin_utils._transfers import (
    TransferError, batch_lacking, checked_sources, plan,
)

X86 = "/c/cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz"
ARM = "/c/cpython-3.13.1+20241206-aarch64-unknown-linux-gnu-install_only.tar.gz"
ARMV7 = "/c/cpython-3.12.8-linux-armv7-gnueabihf.tar.gz"
DOWNLOADS = "/opt/uv/downloads/python/downloads.json"


def sources(**settings):
    given = dict(uv_source="github", python_source="default", download_dir="/opt/uv/downloads",
                 python_downloads_json=DOWNLOADS, controller_cache_dir="/var/cache/ctl/", uv_version="0.9.5")
    given.update(settings)
    return checked_sources(given)


def state(architecture="x86_64", uv=False, python=False):
    return dict(architecture=architecture, uv_pending=["install uv 0.9.5"] if uv else [],
                python_pending=["install CPython 3.13"] if python else [], python_missing=[])


NOTHING = dict(transfers=[], uv_archive=None, uv_sha256=None, python_downloads=None)


def test_nothing_pending_sends_nothing_even_from_the_controller():
    given = sources(uv_source="controller", uv_controller_file="/c/uv.tar.gz", python_source="controller",
                    python_archives=[X86])
    assert plan(given, state()) == NOTHING


def test_uv_from_the_controller_only_when_uv_is_pending():
    given = sources(uv_source="controller", uv_controller_file="/c/uv-x86_64.tar.gz", uv_sha256="a" * 64)
    assert plan(given, state(uv=True)) == dict(
        NOTHING, transfers=[dict(src="/c/uv-x86_64.tar.gz", dest="/opt/uv/downloads/uv-x86_64.tar.gz")],
        uv_archive="/opt/uv/downloads/uv-x86_64.tar.gz", uv_sha256="a" * 64)
    assert plan(given, state(python=True)) == NOTHING


def test_uv_downloaded_on_the_host_is_installed_from_there_and_not_sent():
    given = sources(uv_source="pypi", uv_host_archive="/opt/uv/downloads/uv.whl", uv_host_sha256="b" * 64)
    assert plan(given, state(uv=True)) == dict(NOTHING, uv_archive="/opt/uv/downloads/uv.whl", uv_sha256="b" * 64)


def test_uv_fetched_on_the_controller_is_the_hosts_machines_from_the_cache():
    fetched = {"x86_64": dict(filename="uv-x86_64-unknown-linux-gnu.tar.gz", sha256=""),
               "aarch64": dict(filename="uv-aarch64-unknown-linux-gnu.tar.gz", sha256="c" * 64)}
    given = sources(fetch_on_controller=True, uv_fetched=fetched)
    cached = "/var/cache/ctl/uv/0.9.5/uv-aarch64-unknown-linux-gnu.tar.gz"
    assert plan(given, state("aarch64", uv=True)) == dict(
        NOTHING, transfers=[dict(src=cached, dest="/opt/uv/downloads/uv-aarch64-unknown-linux-gnu.tar.gz")],
        uv_archive="/opt/uv/downloads/uv-aarch64-unknown-linux-gnu.tar.gz", uv_sha256="c" * 64)
    # no sha256 given and none published with the tarball: the module gets none rather than an empty one
    assert plan(given, state("x86_64", uv=True))["uv_sha256"] is None


def test_uv_not_fetched_for_the_hosts_machine_is_named():
    given = sources(fetch_on_controller=True, uv_fetched={"x86_64": dict(filename="uv.tar.gz")})
    with pytest.raises(TransferError, match="sources.uv_fetched: .* aarch64"):
        plan(given, state("aarch64", uv=True))


def test_cpython_archives_of_the_hosts_family_only_when_an_install_runs():
    given = sources(python_source="controller", python_archives=[X86, ARM, ARMV7])
    assert plan(given, state("x86_64", uv=True, python=False)) == dict(NOTHING, uv_archive=None)
    dest = "/opt/uv/downloads/python/" + ARM.rsplit("/", 1)[1]
    assert plan(given, state("aarch64", python=True)) == dict(
        NOTHING, transfers=[dict(src=ARM, dest=dest)], python_downloads=dict(path=DOWNLOADS, archives=[dest]))
    armv7 = plan(given, state("armv7l", python=True))
    assert [t["src"] for t in armv7["transfers"]] == [ARMV7]


def test_cpython_fetched_on_the_controller_comes_from_the_cache():
    given = sources(fetch_on_controller=True, python_source="mirror", python_archives=[X86],
                    python_fetched=[dict(filename=ARM.rsplit("/", 1)[1]), dict(filename=X86.rsplit("/", 1)[1])])
    transfers = plan(given, state("x86_64", python=True))["transfers"]
    assert transfers == [dict(src="/var/cache/ctl/python/" + X86.rsplit("/", 1)[1],
                              dest="/opt/uv/downloads/python/" + X86.rsplit("/", 1)[1])]


def test_cpython_downloaded_by_the_host_sends_nothing():
    given = sources(python_source="mirror", python_archives=[X86])
    assert plan(given, state("x86_64", python=True)) == NOTHING


def test_no_archive_of_the_hosts_family_writes_no_download_list():
    given = sources(python_source="controller", python_archives=[ARM])
    assert plan(given, state("x86_64", python=True)) == NOTHING


def test_uv_and_cpython_together_uv_first():
    given = sources(uv_source="controller", uv_controller_file="/c/uv.tar.gz", python_source="controller",
                    python_archives=[X86])
    planned = plan(given, state("x86_64", uv=True, python=True))
    assert [t["src"] for t in planned["transfers"]] == ["/c/uv.tar.gz", X86]


@pytest.mark.parametrize("bad,message", [
    (dict(uv_source="ftp"), "uv_source"),
    (dict(python_source="controller", python_archives="x.tar.gz,y"), None),
    (dict(download_dir=None), "download_dir"),
    (dict(fetch_on_controller="perhaps"), "fetch_on_controller"),
    (dict(typo=1), "typo"),
])
def test_bad_sources_are_refused_naming_the_option(bad, message):
    given = dict(uv_source="github", python_source="default", download_dir="/d", python_downloads_json=DOWNLOADS)
    given.update(bad)
    given = dict((k, v) for k, v in given.items() if v is not None)
    if message is None:
        # a comma-separated string is a list to Ansible's checks: accepted as two names
        assert checked_sources(given)["python_archives"] == ["x.tar.gz", "y"]
        return
    with pytest.raises(TransferError, match=message):
        checked_sources(given)


def test_a_state_that_is_not_uv_states_result_is_refused():
    with pytest.raises(TransferError, match="host_state"):
        plan(sources(), dict(pending=[]))


def test_an_unsupported_machine_is_named_when_cpython_is_sent():
    given = sources(python_source="controller", python_archives=[X86])
    with pytest.raises(TransferError, match="armv6l"):
        plan(given, state("armv6l", python=True))


def test_a_bad_archive_name_is_named():
    given = sources(python_source="controller", python_archives=["/c/python.zip"])
    with pytest.raises(TransferError, match="python.zip"):
        plan(given, state("x86_64", python=True))


def test_batch_lacking_lists_each_machine_and_minor_once():
    states = [dict(architecture="x86_64", uv_pending=["x"], python_missing=["3.13"]),
              dict(architecture="x86_64", uv_pending=["x"], python_missing=["3.12", "3.13"]),
              dict(architecture="aarch64", uv_pending=[], python_missing=["3.12"]),
              dict(architecture="armv7l", uv_pending=["x"], python_missing=[]),
              None]
    assert batch_lacking(states) == dict(uv_machines=["x86_64", "armv7l"], python_minors=["3.13", "3.12"],
                                         python_machines=["x86_64", "aarch64"])


def test_batch_lacking_nothing():
    assert batch_lacking([dict(architecture="x86_64", uv_pending=[], python_missing=[])]) == dict(
        uv_machines=[], python_minors=[], python_machines=[])


def test_the_fan_out_leaves_the_admins_own_files_alone():
    # shared_python_fetch_on_controller with source controller: the admin's files are sent, nothing from the cache
    given = sources(fetch_on_controller=True, uv_source="controller", uv_controller_file="/c/uv.tar.gz",
                    python_source="controller", python_archives=[X86])
    assert [t["src"] for t in plan(given, state("x86_64", uv=True, python=True))["transfers"]] == ["/c/uv.tar.gz", X86]
