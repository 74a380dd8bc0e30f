"""The generation switch on a real temporary tree (no command runs: nothing to mock)."""
import os

from ansible_collections.labfleet.uv.plugins.module_utils import _generations as g


def make_venv(path, minor, packages=("requests",)):
    site = os.path.join(path, "lib", "python%s" % minor, "site-packages")
    os.makedirs(os.path.join(path, "bin"))
    os.makedirs(site)
    for name in packages:
        os.makedirs(os.path.join(site, name))
    with open(os.path.join(path, "pyvenv.cfg"), "w") as f:
        f.write("home = /opt/uv/python/cpython-%s-linux-x86_64-gnu/bin\n" % minor)


def test_first_switch_makes_a_relative_link(tmp_path):
    venv = str(tmp_path / "venv")
    make_venv(venv + "-3.11.2", "3.11")
    assert not g.points_to(venv, venv + "-3.11.2")
    g.switch(venv, venv + "-3.11.2")
    assert os.readlink(venv) == "venv-3.11.2"
    assert g.points_to(venv, venv + "-3.11.2")
    assert g.retirable(venv, None, None, "3.11.2") == ([], [])


def test_change_of_minor_keeps_old_packages_reachable_until_retired(tmp_path):
    venv = str(tmp_path / "venv")
    make_venv(venv + "-3.11.2", "3.11")
    make_venv(venv + "-3.13.15", "3.13")
    g.switch(venv, venv + "-3.11.2")
    g.switch(venv, venv + "-3.13.15")
    assert os.readlink(venv) == "venv-3.13.15"
    # a python started from 3.11 through the stable path still finds its packages
    assert os.path.isdir(os.path.join(venv, "lib", "python3.11", "site-packages", "requests"))
    paths, links = g.retirable(venv, None, None, "3.13.15")
    assert sorted(paths) == sorted([venv + "-3.11.2", os.path.join(venv + "-3.13.15", "lib", "python3.11")])
    g.retire(paths, links, 0)
    assert sorted(os.listdir(str(tmp_path))) == ["venv", "venv-3.13.15"]
    assert os.listdir(os.path.join(venv, "lib")) == ["python3.13"]


def test_a_venv_made_before_generations_is_exchanged_for_the_link(tmp_path):
    venv = str(tmp_path / "venv")
    make_venv(venv, "3.11")
    make_venv(venv + "-3.11.2", "3.11")
    g.switch(venv, venv + "-3.11.2")
    assert os.readlink(venv) == "venv-3.11.2"
    assert os.path.isfile(os.path.join(venv + g.SWAP_SUFFIX, "pyvenv.cfg"))
    paths, dummy = g.retirable(venv, None, None, "3.11.2")
    assert venv + g.SWAP_SUFFIX in paths


def test_tool_generations_and_their_commands_are_retired(tmp_path):
    tools, bins = str(tmp_path / "tools"), str(tmp_path / "tool-bin")
    for minor in ("3.11.2", "3.13.15"):
        env = os.path.join(tools, minor, "pre-commit")
        os.makedirs(os.path.join(env, "bin"))
        open(os.path.join(env, "uv-receipt.toml"), "w").close()
    os.makedirs(bins)
    os.symlink(os.path.join(tools, "3.13.15", "pre-commit", "bin", "pre-commit"), os.path.join(bins, "pre-commit"))
    os.symlink(os.path.join(tools, "3.11.2", "pre-commit", "bin", "old-only"), os.path.join(bins, "old-only"))
    os.symlink("/usr/bin/true", os.path.join(bins, "someone-elses"))
    paths, links = g.retirable(None, tools, bins, "3.13.15")
    assert paths == [os.path.join(tools, "3.11.2")]
    assert links == [os.path.join(bins, "old-only")]
    g.retire(paths, links, 0)
    assert sorted(os.listdir(bins)) == ["pre-commit", "someone-elses"]


def test_the_installed_patch_is_read_from_uvs_minor_link(tmp_path):
    install = tmp_path / "python"
    (install / "cpython-3.13.15-linux-x86_64-gnu").mkdir(parents=True)
    (install / "cpython-3.13-linux-x86_64-gnu").symlink_to(install / "cpython-3.13.15-linux-x86_64-gnu")
    assert g.installed_patch(str(install), "3.13") == "3.13.15"
    assert g.installed_patch(str(install), "3.12") is None
    assert g.installed_patch(str(tmp_path / "missing"), "3.13") is None


def test_the_installed_patch_is_the_one_of_the_hosts_platform(tmp_path):
    # an aarch64 CPython left in the directory of an armhf userland (sorted first) is not this host's
    install = tmp_path / "python"
    for name, patch in (("cpython-3.11-linux-aarch64-gnu", "3.11.14"), ("cpython-3.11-linux-armv7-gnueabihf", "3.11.2")):
        target = install / name.replace("3.11", patch)
        target.mkdir(parents=True)
        (install / name).symlink_to(target)
    assert g.installed_patch(str(install), "3.11", "linux-armv7-gnueabihf") == "3.11.2"
    assert g.installed_patch(str(install), "3.11", "linux-aarch64-gnu") == "3.11.14"
    assert g.installed_patch(str(install), "3.11", "linux-x86_64-gnu") is None


def test_an_unfinished_venv_is_recognised_and_someones_directory_is_not(tmp_path):
    partial = tmp_path / "venv-3.13.15"
    (partial / "bin").mkdir(parents=True)
    (partial / "lib").mkdir()
    assert g.looks_like_venv(str(partial))
    (partial / "notes.txt").write_text("mine")
    assert not g.looks_like_venv(str(partial))
