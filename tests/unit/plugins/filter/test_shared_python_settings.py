"""The role's checks of its settings (filter labfleet.uv.shared_python_problems): every bad input the role must
refuse before any change, each message naming the variable that is wrong. Pure function, no mocks; the files it
looks for are made in a temporary directory. tests/bad_input runs a few of these through the role end to end."""
import pytest

from ansible_collections.labfleet.uv.plugins.filter.shared_python_settings import shared_python_problems

# the role's defaults (roles/shared_python/defaults/main.yml), expanded, with the default scenario's sources
DEFAULTS = dict(
    shared_python_state="present", shared_python_uv_version="0.13.9", shared_python_uv_source="controller",
    shared_python_uv_controller_file="{tmp}/uv.whl", shared_python_uv_sha256="",
    shared_python_fetch_on_controller=False, shared_python_controller_cache_dir="/root/.cache/labfleet-uv",
    shared_python_root="/opt/uv", shared_python_uv_bin_dir="/opt/uv/bin", shared_python_python_install_dir="/opt/uv/python",
    shared_python_python_bin_dir="/opt/uv/python-bin", shared_python_tool_dir="/opt/uv/tools",
    shared_python_tool_bin_dir="/opt/uv/tool-bin", shared_python_download_dir="/opt/uv/downloads",
    shared_python_venv_path="/opt/uv/venv", shared_python_versions=["3.11"], shared_python_default_version="3.11",
    shared_python_python_source="controller", shared_python_python_install_mirror="",
    shared_python_python_downloads_json_url="", shared_python_python_archives=["{tmp}/cpython-3.11.2-linux-x86_64-gnu.tar.gz"],
    shared_python_venv_requirements_file="", shared_python_tools=[{"name": "pre-commit", "version": "==4.3.0"}],
    shared_python_retire_grace=10, shared_python_uv_config_path="/etc/uv/uv.toml", shared_python_command_dir="",
    shared_python_profile_name="labfleet-uv", shared_python_verdict="fail",
    shared_python_verdict_required_contexts=["login", "interactive"],
    shared_python_verdict_contexts=["login", "interactive", "ssh", "sudo", "sudo_login", "cron", "systemd"],
    shared_python_verdict_concurrency=4,
)

CASES = [
    ("uv_version_not_xyz", {"shared_python_uv_version": "0.13"}, "shared_python_uv_version"),
    ("uv_checksum_wrong_length", {"shared_python_uv_sha256": "abc123"}, "shared_python_uv_sha256"),
    ("uv_file_missing_on_controller", {"shared_python_uv_controller_file": "/nonexistent/uv.whl"},
     "shared_python_uv_controller_file"),
    ("python_patch_where_minor_required", {"shared_python_versions": ["3.11.2"]}, "shared_python_versions"),
    ("python_version_not_a_version", {"shared_python_versions": ["three"]}, "shared_python_versions"),
    ("no_version", {"shared_python_versions": []}, "shared_python_versions"),
    ("default_not_installed", {"shared_python_default_version": "3.12"}, "shared_python_default_version"),
    ("relative_root", {"shared_python_root": "opt/uv"}, "shared_python_root"),
    ("relative_venv", {"shared_python_venv_path": "venv"}, "shared_python_venv_path"),
    ("relative_uv_config", {"shared_python_uv_config_path": "uv.toml"}, "shared_python_uv_config_path"),
    ("root_is_the_systems", {"shared_python_root": "/usr/local/"}, "shared_python_root"),
    ("overlapping_dirs", {"shared_python_venv_path": "/opt/uv/python/venv"}, "shared_python_venv_path"),
    ("tree_is_a_command_dir", {"shared_python_tool_dir": "/opt/uv/bin"}, "shared_python_tool_dir"),
    ("nested_command_dirs", {"shared_python_tool_bin_dir": "/opt/uv/bin/tools"}, "shared_python_tool_bin_dir"),
    ("command_dir_is_the_distributions", {"shared_python_command_dir": "/usr/bin"}, "shared_python_command_dir"),
    ("launchers_beside_uvs_shims", {"shared_python_command_dir": "/opt/uv/python-bin"}, "shared_python_command_dir"),
    ("tool_name_not_a_package", {"shared_python_tools": [{"name": "pre commit!"}]}, "shared_python_tools[0]"),
    ("tool_version_not_a_specifier", {"shared_python_tools": [{"name": "ruff", "version": "latest"}]},
     "shared_python_tools[0]"),
    ("mirror_source_without_mirror", {"shared_python_python_source": "mirror"}, "shared_python_python_install_mirror"),
    ("json_source_without_url", {"shared_python_python_source": "json_url"}, "shared_python_python_downloads_json_url"),
    ("offline_source_unreachable", {"shared_python_python_archives": ["/nonexistent/cpython-3.11.2-linux-x86_64-gnu.tar.gz"]},
     "shared_python_python_archives"),
    ("offline_source_empty", {"shared_python_python_archives": []}, "shared_python_python_archives"),
    ("fan_out_cache_relative", {"shared_python_fetch_on_controller": True,
                                "shared_python_controller_cache_dir": "cache"}, "shared_python_controller_cache_dir"),
    ("required_context_not_probed", {"shared_python_verdict_contexts": ["login"]},
     "shared_python_verdict_required_contexts"),
    ("requirements_file_missing", {"shared_python_venv_requirements_file": "/nonexistent/requirements.txt"},
     "shared_python_venv_requirements_file"),
    ("profile_name_climbs_out", {"shared_python_profile_name": "../../etc/passwd"}, "shared_python_profile_name"),
    ("profile_name_with_a_slash", {"shared_python_profile_name": "a/b"}, "shared_python_profile_name"),
    ("profile_name_empty", {"shared_python_profile_name": ""}, "shared_python_profile_name"),
    ("retire_grace_negative", {"shared_python_retire_grace": -5}, "shared_python_retire_grace"),
    ("retire_grace_a_day_and_more", {"shared_python_retire_grace": 86401}, "shared_python_retire_grace"),
    ("verdict_concurrency_zero", {"shared_python_verdict_concurrency": 0}, "shared_python_verdict_concurrency"),
    ("venv_path_csh_cannot_quote", {"shared_python_venv_path": "/opt/uv/venv!"}, "shared_python_venv_path"),
]


@pytest.fixture
def settings(tmp_path):
    (tmp_path / "uv.whl").write_bytes(b"uv")
    (tmp_path / "cpython-3.11.2-linux-x86_64-gnu.tar.gz").write_bytes(b"python")

    def expand(value):
        if isinstance(value, str):
            return value.replace("{tmp}", str(tmp_path))
        return [expand(v) for v in value] if isinstance(value, list) else value
    return dict((k, expand(v)) for k, v in DEFAULTS.items())


def test_the_defaults_pass(settings):
    assert shared_python_problems(settings) == []


def test_a_command_dir_shared_with_uv_and_a_skipped_verdict_pass(settings):
    settings.update(shared_python_command_dir="/usr/local/bin", shared_python_uv_bin_dir="/usr/local/bin",
                    shared_python_verdict="skip", shared_python_verdict_contexts=["login"])
    assert shared_python_problems(settings) == []


@pytest.mark.parametrize("case,wrong,variable", [pytest.param(*c, id=c[0]) for c in CASES])
def test_each_bad_input_is_named(settings, case, wrong, variable):
    settings.update(wrong)
    problems = shared_python_problems(settings)
    assert problems, case
    assert all(variable in p or p.startswith("shared_python_") for p in problems)
    assert any(variable in p for p in problems), problems


def test_every_problem_is_reported_at_once(settings):
    settings.update(shared_python_profile_name="a/b", shared_python_retire_grace=-1, shared_python_command_dir="/bin")
    problems = shared_python_problems(settings)
    assert len(problems) == 3, problems


def test_an_overlap_is_reported_once(settings):
    settings.update(shared_python_venv_path="/opt/uv/python/venv")
    assert len(shared_python_problems(settings)) == 1
