"""The role's layout on a host (filter labfleet.uv.host_layout): pure function, no mocks."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.labfleet.uv.plugins.filter.host_layout import host_layout

SETTINGS = dict(
    root="/opt/uv", uv_bin_dir="/opt/uv/bin", download_dir="/opt/uv/downloads", python_install_dir="/opt/uv/python",
    python_bin_dir="/opt/uv/python-bin", tool_dir="/opt/uv/tools", tool_bin_dir="/opt/uv/tool-bin", command_dir="",
    cache_dir="/opt/uv/cache", uv_config_path="/etc/uv/uv.toml", venv_enabled=True, venv_path="/opt/uv/venv",
    pip_guard=True, default_version="3.13", profile_path="/etc/profile.d/labfleet-uv.sh", profile_name="labfleet-uv",
    fish_profile=True, nu_profile=True, zsh_profile=True, csh_profile=True,
    requirements_path="/opt/uv/requirements.txt", marker="Managed")
TEXTS = dict(uv_toml="toml", pip_conf="pipconf", pip_guard=["g-pip", "g-pip3", "g-pip3.13"], shared_python_venv="spv",
             python_launcher=["l-python", "l-python3", "l-python3.13"], profile_sh="sh", profile_fish="fish",
             profile_nu="nu", profile_csh="  csh\n", requirements=None)


def layout(**settings):
    texts = dict(TEXTS, **settings.pop("texts", {}))
    return host_layout(dict(SETTINGS, **settings), texts)


def paths(entries):
    return [e["path"] for e in entries]


def test_defaults_own_the_tree_and_write_no_commands():
    got = layout()
    root_owned = dict(owner="root", group="root")
    assert [d for d in got["directories"] if d.get("owner")][0] == dict(root_owned, path="/opt/uv", mode="0755")
    assert got["directories"][-2:] == [dict(path="/etc/uv"), dict(root_owned, path="/opt/uv/cache", mode="0700")]
    # outside the root only uv's configuration directory, made to exist, not taken over
    assert [d["path"] for d in got["directories"] if not d.get("owner")] == ["/etc/uv"] and got["links"] == []
    assert paths(got["files"]) == ["/etc/uv/uv.toml", "/etc/profile.d/labfleet-uv.sh",
                                   "/etc/fish/conf.d/labfleet-uv.fish", "/usr/share/nushell/vendor/autoload/labfleet-uv.nu"]
    assert got["files"][0]["first"] and all(f["owner"] == "root" for f in got["files"])
    assert [(f["path"], f["content"], f["mode"]) for f in got["venv_files"]] == [
        ("pip.conf", "pipconf", "0644"), ("bin/pip", "g-pip", "0755"), ("bin/pip3", "g-pip3", "0755"),
        ("bin/pip3.13", "g-pip3.13", "0755"), ("bin/shared-python-venv", "spv", "0755")]
    assert got["blocks"] == [
        dict(path="/etc/zsh/zprofile", if_exists=["/etc/zsh"], marker="Managed",
             text="emulate sh -c '. /etc/profile.d/labfleet-uv.sh'"),
        dict(path="/etc/csh.cshrc", if_exists=got["blocks"][1]["if_exists"], marker="Managed", text="csh")]


def test_command_dir_gets_the_venvs_commands_launchers_and_uv_links():
    got = layout(command_dir="/usr/local/bin", texts=dict(requirements="x==1\n"))
    assert [d["path"] for d in got["directories"] if not d.get("owner")] == ["/usr/local/bin", "/etc/uv"]
    files = {f["path"]: f for f in got["files"]}
    assert files["/opt/uv/requirements.txt"]["first"] and files["/opt/uv/requirements.txt"]["content"] == "x==1\n"
    assert [p for p in files if p.startswith("/usr/local/bin/")] == [
        "/usr/local/bin/pip", "/usr/local/bin/pip3", "/usr/local/bin/pip3.13", "/usr/local/bin/shared-python-venv",
        "/usr/local/bin/python", "/usr/local/bin/python3", "/usr/local/bin/python3.13"]
    assert files["/usr/local/bin/python3.13"]["content"] == "l-python3.13"
    assert got["links"] == [dict(path="/usr/local/bin/uv", src="/opt/uv/bin/uv"),
                            dict(path="/usr/local/bin/uvx", src="/opt/uv/bin/uvx")]


def test_no_venv_no_guard_uv_in_the_command_dir_and_no_optional_shells():
    got = layout(venv_enabled=False, command_dir="/usr/local/bin/", uv_bin_dir="/usr/local/bin", root="/srv/py/",
                 fish_profile=False, nu_profile=False, zsh_profile=False, csh_profile=False,
                 texts=dict(requirements="ignored without a venv"))
    assert got["venv_files"] == [] and got["links"] == [] and got["blocks"] == []
    assert paths(got["files"]) == ["/etc/uv/uv.toml", "/usr/local/bin/python", "/usr/local/bin/python3",
                                   "/usr/local/bin/python3.13", "/etc/profile.d/labfleet-uv.sh"]
    # /opt/uv/... are outside root /srv/py: the system's, made to exist, not taken over
    assert dict(path="/usr/local/bin") in got["directories"]
    assert not any(d.get("owner") and d["path"].startswith("/opt") for d in got["directories"][:-1])


def test_a_missing_setting_is_named():
    settings = dict(SETTINGS)
    del settings["venv_path"]
    with pytest.raises(AnsibleFilterError, match="venv_path"):
        host_layout(settings, TEXTS)
