"""_python_archives: CPython archive names and uv's python-downloads list of them (pure functions, no mocks)."""
import pytest

from ansible_collections.labfleet.uv.plugins.module_utils._python_archives import downloads_entries


def test_downloads_entries_for_both_namings():
    sha = "a" * 64
    entries = downloads_entries(
        [("/d/cpython-3.11.2-linux-x86_64-gnu.tar.gz", sha),
         ("cpython-3.13.1+20241206-armv7-unknown-linux-gnueabihf-install_only.tar.gz", sha)],
        "file:///opt/uv/downloads/python/")
    assert entries["cpython-3.11.2-linux-x86_64-gnu"] == {
        "name": "cpython", "arch": {"family": "x86_64", "variant": None}, "os": "linux", "libc": "gnu",
        "major": 3, "minor": 11, "patch": 2, "prerelease": "", "variant": None, "sha256": sha,
        "url": "file:///opt/uv/downloads/python/cpython-3.11.2-linux-x86_64-gnu.tar.gz"}
    armv7 = entries["cpython-3.13.1-linux-armv7-gnueabihf"]
    assert (armv7["arch"]["family"], armv7["libc"], armv7["build"]) == ("armv7", "gnueabihf", "20241206")
    assert "version" not in entries  # uv rejects a top-level "version" key


def test_downloads_entries_need_a_sha256():
    with pytest.raises(ValueError, match="no sha256"):
        downloads_entries([("cpython-3.11.2-linux-x86_64-gnu.tar.gz", "abc")], "file:///x")
