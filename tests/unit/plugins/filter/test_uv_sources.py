"""The filters that pick uv and CPython artifacts: pure functions, no mocks."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.labfleet.uv.plugins.filter.uv_sources import (
    pypi_uv_wheel, python_archive_info, python_archive_versions, python_fetch_list,
    uv_asset, uv_platform,
)


@pytest.mark.parametrize("machine,triple,family,libc", [
    ("x86_64", "x86_64-unknown-linux-gnu", "x86_64", "gnu"),
    ("amd64", "x86_64-unknown-linux-gnu", "x86_64", "gnu"),
    ("aarch64", "aarch64-unknown-linux-gnu", "aarch64", "gnu"),
    ("arm64", "aarch64-unknown-linux-gnu", "aarch64", "gnu"),
    ("armv7l", "armv7-unknown-linux-gnueabihf", "armv7", "gnueabihf"),
])
def test_uv_platform(machine, triple, family, libc):
    p = uv_platform(machine)
    assert (p["triple"], p["family"], p["libc"]) == (triple, family, libc)


def test_uv_platform_armv7_wheel_is_the_glibc_one():
    assert uv_platform("armv7l")["wheel_tag"] == "manylinux_2_17_armv7l.manylinux2014_armv7l"


def test_uv_platform_aarch64_wheel_is_the_static_musl_one():
    assert uv_platform("aarch64")["wheel_tag"].endswith("musllinux_1_1_aarch64")


@pytest.mark.parametrize("machine", ["ppc64le", "i686", "riscv64", ""])
def test_uv_platform_refuses_unknown_arch(machine):
    with pytest.raises(AnsibleFilterError, match="unsupported architecture"):
        uv_platform(machine)


@pytest.mark.parametrize("name,key,family,libc,build,series", [
    ("cpython-3.11.2-linux-x86_64-gnu.tar.gz", "cpython-3.11.2-linux-x86_64-gnu", "x86_64", "gnu", None, "3.11"),
    ("/srv/a/cpython-3.11.2-linux-aarch64-gnu.tar.gz", "cpython-3.11.2-linux-aarch64-gnu", "aarch64", "gnu", None,
     "3.11"),
    ("cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz", "cpython-3.13.1-linux-x86_64-gnu",
     "x86_64", "gnu", "20241206", "3.13"),
    ("cpython-3.13.1+20241206-armv7-unknown-linux-gnueabihf-install_only_stripped.tar.gz",
     "cpython-3.13.1-linux-armv7-gnueabihf", "armv7", "gnueabihf", "20241206", "3.13"),
    ("cpython-3.14.0rc2-linux-x86_64-gnu.tar.gz", "cpython-3.14.0rc2-linux-x86_64-gnu", "x86_64", "gnu", None, "3.14"),
])
def test_python_archive_info(name, key, family, libc, build, series):
    info = python_archive_info(name)
    assert (info["key"], info["family"], info["libc"], info["build"], info["series"]) == (
        key, family, libc, build, series)


@pytest.mark.parametrize("name", ["python-3.11.tar.gz", "cpython-3.11-linux-x86_64-gnu.tar.gz", "cpython.zip"])
def test_python_archive_info_refuses_other_names(name):
    with pytest.raises(AnsibleFilterError, match="not a CPython archive name"):
        python_archive_info(name)


INDEX = {"info": {"version": "0.13.9"}, "releases": {"0.13.9": [
    {"filename": "uv-0.13.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     "url": "../../packages/3d/aa/uv-x86.whl", "digests": {"sha256": "1" * 64}},
    {"filename": "uv-0.13.9-py3-none-manylinux_2_17_armv7l.manylinux2014_armv7l.whl",
     "url": "https://files.example.org/uv-armv7.whl", "digests": {"sha256": "2" * 64}},
]}}


def test_pypi_uv_wheel_resolves_relative_urls_against_the_json_url():
    wheel = pypi_uv_wheel(INDEX, "0.13.9", "x86_64", "https://pypi.example.org/pypi/uv/json")
    assert wheel == {"filename": "uv-0.13.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                     "url": "https://pypi.example.org/packages/3d/aa/uv-x86.whl", "sha256": "1" * 64}


def test_pypi_uv_wheel_armv7():
    assert pypi_uv_wheel(INDEX, "0.13.9", "armv7l", "https://pypi.org/pypi/uv/json")["sha256"] == "2" * 64


def test_pypi_uv_wheel_missing_version_or_arch():
    with pytest.raises(AnsibleFilterError, match="is not listed"):
        pypi_uv_wheel(INDEX, "0.1.0", "x86_64", "https://pypi.org/pypi/uv/json")
    with pytest.raises(AnsibleFilterError, match="no wheel"):
        pypi_uv_wheel(INDEX, "0.13.9", "aarch64", "https://pypi.org/pypi/uv/json")


def test_uv_asset_github_uses_the_release_checksum_file():
    a = uv_asset("aarch64", "github", "0.13.9", "https://mirror.example/uv/releases/download/")
    assert a["url"] == "https://mirror.example/uv/releases/download/0.13.9/uv-aarch64-unknown-linux-gnu.tar.gz"
    assert a["checksum"] == "sha256:" + a["url"] + ".sha256"
    assert a["filename"] == "uv-aarch64-unknown-linux-gnu.tar.gz"


def test_uv_asset_pypi_takes_the_index_sha256_unless_given():
    index = {"releases": {"0.13.9": [{
        "filename": "uv-0.13.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "url": "../files/uv.whl", "digests": {"sha256": "a" * 64}}]}}
    a = uv_asset("x86_64", "pypi", "0.13.9", index_json=index, index_url="https://pypi.example/pypi/uv/json")
    assert (a["url"], a["checksum"]) == ("https://pypi.example/pypi/files/uv.whl", "sha256:" + "a" * 64)
    assert uv_asset("x86_64", "pypi", "0.13.9", index_json=index, index_url="https://x/pypi/uv/json",
                    sha256="b" * 64)["checksum"] == "sha256:" + "b" * 64


def test_uv_asset_refuses_another_source():
    with pytest.raises(AnsibleFilterError, match="github or pypi"):
        uv_asset("x86_64", "controller", "0.13.9")


def metadata_entry(minor, patch, arch, libc="gnu", prerelease="", variant=None, sha="c" * 64):
    url = ("https://github.com/astral-sh/python-build-standalone/releases/download/20251014/"
           "cpython-3.%d.%d%%2B20251014-%s-unknown-linux-%s-install_only_stripped.tar.gz" % (minor, patch, arch, libc))
    return {"name": "cpython", "arch": arch, "os": "linux", "libc": libc, "major": 3, "minor": minor,
            "patch": patch, "prerelease": prerelease, "url": url, "sha256": sha, "variant": variant}


def test_python_fetch_list_picks_the_newest_patch_per_minor_and_platform():
    meta = dict(("k%d" % i, e) for i, e in enumerate([
        metadata_entry(13, 8, "x86_64"), metadata_entry(13, 9, "x86_64"), metadata_entry(14, 0, "x86_64", prerelease="rc1"),
        metadata_entry(13, 10, "x86_64", variant="freethreaded"), metadata_entry(13, 11, "x86_64", libc="musl"),
        metadata_entry(13, 9, "aarch64"), dict(metadata_entry(13, 7, "aarch64"), arch={"family": "aarch64", "variant": None}),
    ]))
    got = python_fetch_list(meta, ["3.13"], ["x86_64", "aarch64", "x86_64"])
    assert [(g["family"], g["filename"]) for g in got] == [
        ("aarch64", "cpython-3.13.9+20251014-aarch64-unknown-linux-gnu-install_only_stripped.tar.gz"),
        ("x86_64", "cpython-3.13.9+20251014-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz")]
    assert all(python_archive_info(g["filename"])["series"] == "3.13" for g in got)


def test_python_fetch_list_rewrites_to_the_mirror():
    got = python_fetch_list({"k": metadata_entry(12, 3, "x86_64")}, ["3.12"], ["x86_64"], "https://m.example/pbs/")
    assert got[0]["url"].startswith("https://m.example/pbs/20251014/cpython-3.12.3%2B")


def test_python_fetch_list_names_what_is_missing():
    with pytest.raises(AnsibleFilterError, match="no 3.12 for aarch64-gnu"):
        python_fetch_list({"k": metadata_entry(12, 3, "x86_64")}, ["3.12"], ["aarch64"])
    with pytest.raises(AnsibleFilterError, match="with a sha256"):
        python_fetch_list({"k": metadata_entry(12, 3, "x86_64", sha=None)}, ["3.12"], ["x86_64"])


def test_python_archive_versions_once_each_with_prerelease():
    assert python_archive_versions([
        "/c/cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz",
        "/c/cpython-3.13.1+20241206-aarch64-unknown-linux-gnu-install_only.tar.gz",
        "cpython-3.14.0rc2-linux-x86_64-gnu.tar.gz",
    ]) == ["3.13.1", "3.14.0rc2"]


def test_uv_platform_explains_an_armv6_pi():
    with pytest.raises(AnsibleFilterError, match=r"armv6l, an ARMv6 CPU \(Raspberry Pi Zero.*no managed CPython.*"
                                                 r"Nothing was changed"):
        uv_platform("armv6l")
