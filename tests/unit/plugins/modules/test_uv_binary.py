"""uv_binary with real archives (a release tarball and a wheel built in tmp), mocked only at run_command."""
import hashlib
import io
import json
import os
import tarfile
import zipfile

import pytest
from ansible.module_utils import basic
from .module_args import patch_module_args

from ansible_collections.labfleet.uv.plugins.modules import uv_binary

UV = b"#!/bin/sh\necho 'uv 0.13.9 (x86_64-unknown-linux-gnu)'\n"
UVX = b"#!/bin/sh\necho 'uvx 0.13.9'\n"


def make_tarball(path, triple="x86_64-unknown-linux-gnu"):
    with tarfile.open(path, "w:gz") as tf:
        for name, data in (("uv", UV), ("uvx", UVX)):
            info = tarfile.TarInfo("uv-%s/%s" % (triple, name))
            info.size, info.mode = len(data), 0o755
            tf.addfile(info, io.BytesIO(data))
    return path


def make_wheel(path, members=("uv", "uvx")):
    with zipfile.ZipFile(path, "w") as zf:
        for name in members:
            zf.writestr("uv-0.13.9.data/scripts/" + name, {"uv": UV, "uvx": UVX}[name])
        zf.writestr("uv-0.13.9.dist-info/METADATA", "Name: uv\n")
    return path


def bin_dir_with(tmp_path, uv, uvx=None):
    """tmp_path/bin holding an installed uv (and uvx when given) with these contents."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_bytes(uv)
    if uvx is not None:
        (bin_dir / "uvx").write_bytes(uvx)
    return bin_dir


def run(monkeypatch, capsys, params, versions):
    """versions: what each successive `<path> --version` prints (None: a failing run; a tuple: rc, out, err)."""
    calls = []

    def fake_run_command(self, args, **kwargs):
        calls.append(args)
        out = versions[len(calls) - 1]
        if isinstance(out, tuple):
            return out
        return (0, out, "") if out is not None else (1, "", "boom")

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fake_run_command)
    with patch_module_args(dict(params, _ansible_diff=True)):
        with pytest.raises(SystemExit):
            uv_binary.main()
    return json.loads(capsys.readouterr().out), calls


@pytest.mark.parametrize("maker", [make_tarball, make_wheel])
def test_installs_from_tarball_and_wheel(tmp_path, monkeypatch, capsys, maker):
    src = maker(str(tmp_path / ("uv.tar.gz" if maker is make_tarball else "uv.whl")))
    sha = hashlib.sha256(open(src, "rb").read()).hexdigest()
    bin_dir = tmp_path / "bin"
    result, calls = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir), src=src, sha256=sha),
                        ["uv 0.13.9 (x86_64-unknown-linux-gnu)"])
    assert result["changed"] is True and result["version"] == "0.13.9" and result["previous_version"] is None
    assert (bin_dir / "uv").read_bytes() == UV and (bin_dir / "uvx").read_bytes() == UVX
    assert os.stat(bin_dir / "uv").st_mode & 0o777 == 0o755
    assert len(calls) == 1 and calls[0][0].startswith(str(bin_dir) + "/.uv.")  # staged binary checked before swap
    assert sorted(os.listdir(bin_dir)) == ["uv", "uvx"]  # nothing staged is left behind


def test_matching_version_is_left_alone_without_src(tmp_path, monkeypatch, capsys):
    bin_dir = bin_dir_with(tmp_path, UV, UVX)
    result, calls = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir)), ["uv 0.13.9 (x)"])
    assert result["changed"] is False and len(calls) == 1


def test_check_mode_reports_upgrade_and_changes_nothing(tmp_path, monkeypatch, capsys):
    bin_dir = bin_dir_with(tmp_path, b"old", b"old")
    result, dummy = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir), _ansible_check_mode=True,
                                                  src=str(tmp_path / "not-yet-downloaded.whl")), ["uv 0.12.1 (x)"])
    assert result["changed"] is True and result["previous_version"] == "0.12.1"
    assert result["diff"] == {"before": "uv 0.12.1\n", "after": "uv 0.13.9\n"}
    assert (bin_dir / "uv").read_bytes() == b"old"


def test_checksum_mismatch_refused_and_old_uv_kept(tmp_path, monkeypatch, capsys):
    src = make_wheel(str(tmp_path / "uv.whl"))
    bin_dir = bin_dir_with(tmp_path, b"old")
    result, dummy = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir), src=src, sha256="0" * 64),
                        ["uv 0.12.1 (x)"])
    assert result["failed"] is True and "refusing to install" in result["msg"]
    assert (bin_dir / "uv").read_bytes() == b"old"


def test_wrong_version_in_archive_refused_and_nothing_left(tmp_path, monkeypatch, capsys):
    src = make_wheel(str(tmp_path / "uv.whl"))
    bin_dir = tmp_path / "bin"
    result, dummy = run(monkeypatch, capsys, dict(version="0.14.0", bin_dir=str(bin_dir), src=src),
                        ["uv 0.13.9 (x)"])
    assert result["failed"] is True and "holds uv 0.13.9, not the requested version 0.14.0" in result["msg"]
    assert os.listdir(bin_dir) == []


def test_archive_without_uvx_refused(tmp_path, monkeypatch, capsys):
    src = make_wheel(str(tmp_path / "uv.whl"), members=("uv",))
    result, dummy = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(tmp_path / "bin"), src=src), [None])
    assert result["failed"] is True and "holds no uvx" in result["msg"]


@pytest.mark.parametrize("sha", ["abc", "g" * 64])
def test_bad_checksum_string_refused(tmp_path, monkeypatch, capsys, sha):
    result, dummy = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(tmp_path), sha256=sha), [])
    assert result["failed"] is True and "sha256 must be 64 hex digits" in result["msg"]


def test_armv7_release_tarball_installs(tmp_path, monkeypatch, capsys):
    src = make_tarball(str(tmp_path / "uv-armv7-unknown-linux-gnueabihf.tar.gz"), "armv7-unknown-linux-gnueabihf")
    bin_dir = tmp_path / "bin"
    result, dummy = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir), src=src),
                        ["uv 0.13.9 (armv7-unknown-linux-gnueabihf)"])
    assert result["changed"] is True and (bin_dir / "uv").read_bytes() == UV


JEMALLOC_ABORT = (134, "", "<jemalloc>: Unsupported system page size\n<jemalloc>: Unsupported system page size\n"
                           "memory allocation of 96 bytes failed\n")


def test_build_that_aborts_on_large_pages_is_refused_and_old_uv_kept(tmp_path, monkeypatch, capsys):
    src = make_wheel(str(tmp_path / "uv.whl"))
    bin_dir = bin_dir_with(tmp_path, b"old uv", b"old uvx")
    result, calls = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir), src=src),
                        ["uv 0.12.1 (aarch64-unknown-linux-musl)", JEMALLOC_ABORT])
    assert result["failed"] is True
    assert "%d-byte pages" % os.sysconf("SC_PAGE_SIZE") in result["msg"]
    assert "astral-sh/uv#10942" in result["msg"] and "Nothing was replaced" in result["msg"]
    assert result["page_size"] == os.sysconf("SC_PAGE_SIZE")
    assert calls[1][0].startswith(str(bin_dir) + "/.uv.")  # the staged build was the one run
    assert (bin_dir / "uv").read_bytes() == b"old uv" and sorted(os.listdir(bin_dir)) == ["uv", "uvx"]


def test_page_size_is_reported(tmp_path, monkeypatch, capsys):
    bin_dir = bin_dir_with(tmp_path, UV, UVX)
    result, dummy = run(monkeypatch, capsys, dict(version="0.13.9", bin_dir=str(bin_dir)), ["uv 0.13.9 (x)"])
    assert result["page_size"] == os.sysconf("SC_PAGE_SIZE")
