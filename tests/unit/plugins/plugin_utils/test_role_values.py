"""The values the shared_python role derives from its settings (filter labfleet.uv.shared_python_values)."""
import pathlib

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.labfleet.uv.plugins.filter.shared_python_values import shared_python_values

DEFAULTS = pathlib.Path(__file__).parents[4] / "roles/shared_python/defaults/main.yml"
VARS = pathlib.Path(__file__).parents[4] / "roles/shared_python/vars/main.yml"


def settings(part, **changes):
    """The settings vars/main.yml gives the filter for part (shared_python__host_settings or
    shared_python__source_settings), from the role's defaults with the {{ shared_python_root }} references resolved,
    and changes."""
    defaults = yaml.safe_load(DEFAULTS.read_text())
    given = yaml.safe_load(VARS.read_text())["shared_python__%s_settings" % dict(host="host", sources="source")[part]]
    given = dict((name, defaults[value.strip("{} ")]) for name, value in given.items())
    given.update(changes)
    root = defaults["shared_python_root"]
    return dict((name, value.replace("{{ shared_python_root }}", root) if isinstance(value, str) else value)
                for name, value in given.items())


def host(**changes):
    return shared_python_values(settings("host", **changes), "host")


def sources(**changes):
    return shared_python_values(settings("sources", **changes), "sources")


def test_defaults():
    values = host()
    default_version = yaml.safe_load(DEFAULTS.read_text())["shared_python_default_version"]
    assert values["verdict_commands"] == ["python", "python3", "python" + default_version, "uv", "uvx"]
    assert values["launcher_target_dir"] == "/opt/uv/venv/bin"
    assert values["path_prepend"] == ["/opt/uv/bin", "/opt/uv/python-bin", "/opt/uv/tool-bin", "/opt/uv/venv/bin"]
    assert values["pinning_venvs"] == ["/opt/uv/venv"]
    assert values["generations_venv_path"] == "/opt/uv/venv"
    assert (values["requirements_dest"], values["requirements_path"]) == ("/opt/uv/requirements.txt", None)
    assert values["python_source_on_host"] == "default"
    values = sources()
    assert (values["controller_fetch_uv"], values["controller_fetch_python"]) == (False, False)
    assert values["python_install_mirror"] == ""
    assert values["uv_index_json_url"] == "https://pypi.org/pypi/uv/json"
    assert values["offered_archives"] == []
    cache = settings("sources")["controller_cache_dir"].rstrip("/")
    assert (values["controller_uv_dir"], values["controller_python_dir"]) == (
        cache + "/uv/" + settings("sources")["uv_version"], cache + "/python")


def test_without_the_venv_the_launchers_run_uvs_shims_and_no_venv_pins():
    values = host(venv_enabled=False, venv_seed=True)
    assert values["launcher_target_dir"] == "/opt/uv/python-bin"
    assert values["path_prepend"] == ["/opt/uv/bin", "/opt/uv/python-bin", "/opt/uv/tool-bin"]
    assert (values["pinning_venvs"], values["generations_venv_path"]) == ([], None)
    assert "pip" not in values["verdict_commands"]


def test_pip_is_resolved_only_in_a_seeded_venv():
    assert "pip" in host(venv_seed=True)["verdict_commands"]


def test_requirements_path_only_with_a_requirements_file():
    assert host(venv_requirements_file="req.txt")["requirements_path"] == (
        "/opt/uv/requirements.txt")


@pytest.mark.parametrize("fetch,uv,python,fetch_uv,fetch_python,uv_copied,on_host", [
    (False, "github", "default", False, False, False, "default"),
    (True, "github", "mirror", True, True, True, "controller"),
    (True, "controller", "controller", False, False, True, "controller"),
    (True, "pypi", "controller", True, False, True, "controller"),
    (False, "controller", "json_url", False, False, True, "json_url"),
    (False, "pypi", "controller", False, False, False, "controller"),
])
def test_what_the_controller_fetches(fetch, uv, python, fetch_uv, fetch_python, uv_copied, on_host):
    values = sources(fetch_on_controller=fetch, uv_source=uv, python_source=python)
    assert (values["controller_fetch_uv"], values["controller_fetch_python"]) == (fetch_uv, fetch_python)
    assert values["uv_from_controller"] == uv_copied
    assert host(fetch_on_controller=fetch, python_source=python)["python_source_on_host"] == on_host


def test_the_download_list_read_on_the_controller():
    values = sources(uv_version="0.9.5")
    assert values["python_metadata_url"] == (
        "https://raw.githubusercontent.com/astral-sh/uv/0.9.5/crates/uv-python/download-metadata.json")
    values = sources(python_source="json_url", python_downloads_json_url="https://x/d.json")
    assert values["python_metadata_url"] == "https://x/d.json"
    values = sources(python_source="mirror", python_install_mirror="https://m/pbs")
    assert values["python_install_mirror"] == "https://m/pbs"
    assert sources(python_install_mirror="https://m/pbs")["python_install_mirror"] == ""


def test_the_index_url_loses_its_trailing_slashes():
    assert sources(uv_pypi_url="https://idx/simple//")["uv_index_json_url"] == "https://idx/simple/pypi/uv/json"


def test_offered_archives_only_for_controller_archives_with_upgrade():
    archives = ["/c/cpython-3.13.1-linux-x86_64-gnu.tar.gz"]
    assert sources(python_source="controller", python_archives=archives, python_upgrade=True)[
        "offered_archives"] == archives
    assert sources(python_source="controller", python_archives=archives, python_upgrade=False)[
        "offered_archives"] == []
    assert sources(python_source="mirror", python_archives=archives, python_upgrade=True)["offered_archives"] == []


def test_a_missing_setting_or_a_wrong_part_is_named():
    given = settings("host")
    del given["venv_seed"]
    with pytest.raises(AnsibleFilterError, match="shared_python_venv_seed"):
        shared_python_values(given, "host")
    with pytest.raises(AnsibleFilterError, match="dict"):
        shared_python_values(["shared_python_root"], "host")
    with pytest.raises(AnsibleFilterError, match="host, sources, not 'layout'"):
        shared_python_values(settings("host"), "layout")
