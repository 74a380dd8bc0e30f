"""The role's checks of its settings (filter labfleet.uv.shared_python_problems): every bad input the role must
refuse before any change, each message naming the variable that is wrong. Pure function, no mocks; the files it
looks for are made in a temporary directory. tests/bad_input runs a few of these through the role end to end."""
import pytest

from ansible_collections.labfleet.uv.plugins.filter.shared_python_settings import (
    shared_python_host_problems, shared_python_problems)

# the role's defaults (roles/shared_python/defaults/main.yml), expanded, with the default scenario's sources
DEFAULTS = dict(
    shared_python_venv_packages=["requests", "numpy>=2"], shared_python_index_url="",
    shared_python_find_links=["/srv/wheelhouse"], shared_python_verdict_users=[],
    shared_python_uv_github_base_url="https://github.com/astral-sh/uv/releases/download",
    shared_python_uv_pypi_url="https://pypi.org",
    # a registered result (not a setting: a dict) may hold anything
    shared_python_host_state={"pending": ["line one\nline two"]},
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
    shared_python_verdict_concurrency=4, shared_python_verdict_timeout=120,
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
    ("verdict_timeout_zero", {"shared_python_verdict_timeout": 0}, "shared_python_verdict_timeout"),
    ("verdict_timeout_over_an_hour", {"shared_python_verdict_timeout": 3601}, "shared_python_verdict_timeout"),
    ("venv_path_csh_cannot_quote", {"shared_python_venv_path": "/opt/uv/venv!"}, "shared_python_venv_path"),
    # whole values only: `$` would have let a trailing newline through
    ("profile_name_trailing_newline", {"shared_python_profile_name": "labfleet-uv\n"}, "shared_python_profile_name"),
    ("uv_version_trailing_newline", {"shared_python_uv_version": "0.13.9\n"}, "shared_python_uv_version"),
    ("uv_checksum_trailing_newline", {"shared_python_uv_sha256": "a" * 64 + "\n"}, "shared_python_uv_sha256"),
    ("python_minor_trailing_newline", {"shared_python_versions": ["3.11\n"], "shared_python_default_version": "3.11\n"},
     "shared_python_versions"),
    ("tool_name_trailing_newline", {"shared_python_tools": [{"name": "ruff\n"}]}, "shared_python_tools[0]"),
    ("tool_version_trailing_newline", {"shared_python_tools": [{"name": "ruff", "version": "==0.17.6\n"}]},
     "shared_python_tools[0]"),
    # no package reaches uv as an option
    ("package_is_an_index_option",
     {"shared_python_venv_packages": ["requests", "--index-url=http://127.0.0.1:9/simple"]},
     "shared_python_venv_packages[1]"),
    ("package_is_an_editable_option", {"shared_python_venv_packages": ["-e", "/srv/src"]},
     "shared_python_venv_packages[0]"),
    ("package_is_an_option_after_a_blank", {"shared_python_venv_packages": [" -r/etc/shadow"]},
     "shared_python_venv_packages[0]"),
    ("package_empty", {"shared_python_venv_packages": [""]}, "shared_python_venv_packages[0]"),
    ("package_with_a_newline", {"shared_python_venv_packages": ["requests\n--index-url=http://127.0.0.1:9/simple"]},
     "shared_python_venv_packages[0]"),
    ("tool_is_an_option", {"shared_python_tools": [{"name": "--index-url=http://127.0.0.1:9/simple"}]},
     "shared_python_tools[0]"),
    # no control character in anything written into shell, TOML or ini text
    ("index_url_with_a_newline", {"shared_python_index_url": "https://pypi.example/simple\nno-index = true"},
     "shared_python_index_url"),
    ("find_links_with_a_carriage_return", {"shared_python_find_links": ["/srv/wheelhouse\r"]},
     "shared_python_find_links[0]"),
    ("mirror_with_a_nul", {"shared_python_python_install_mirror": "https://mirror.example/\x00"},
     "shared_python_python_install_mirror"),
    ("mirror_with_a_line_separator", {"shared_python_python_install_mirror": "https://mirror.example/\u2028x"},
     "shared_python_python_install_mirror"),
    ("tool_name_with_an_escape", {"shared_python_tools": [{"name": "ruff\x1b[2J"}]}, "shared_python_tools[0].name"),
    ("verdict_user_with_a_newline", {"shared_python_verdict_users": ["alice\nbob"]}, "shared_python_verdict_users[0]"),
    ("uv_base_url_with_a_del", {"shared_python_uv_github_base_url": "https://github.com/\x7f"},
     "shared_python_uv_github_base_url"),
    # what pip.conf cannot hold (find-links are split at blanks)
    ("find_links_with_a_blank", {"shared_python_find_links": ["/srv/wheel house"]}, "shared_python_find_links[0]"),
    ("index_url_with_a_blank", {"shared_python_index_url": "https://pypi.example/simple extra"},
     "shared_python_index_url"),
    # no tree of the role where an account other than root can write
    ("root_under_tmp", {"shared_python_root": "/tmp/uv"}, "shared_python_root"),
    ("root_under_var_tmp", {"shared_python_root": "/var/tmp/uv"}, "shared_python_root"),
    ("root_under_dev_shm", {"shared_python_root": "/dev/shm/uv"}, "shared_python_root"),
    ("root_in_a_home", {"shared_python_root": "/home/alice/uv"}, "shared_python_root"),
    ("root_in_roots_home", {"shared_python_root": "/root/uv"}, "shared_python_root"),
    ("tool_bin_in_a_home", {"shared_python_tool_bin_dir": "/home/alice/bin"}, "shared_python_tool_bin_dir"),
    ("command_dir_in_a_runtime_dir", {"shared_python_command_dir": "/run/user/1000/bin"}, "shared_python_command_dir"),
    ("venv_under_tmp_by_another_spelling", {"shared_python_venv_path": "//tmp/./venv"}, "shared_python_venv_path"),
    ("uv_config_under_tmp", {"shared_python_uv_config_path": "/tmp/uv.toml"}, "shared_python_uv_config_path"),
    ("python_dir_on_removable_media", {"shared_python_python_install_dir": "/media/usb/python"},
     "shared_python_python_install_dir"),
    # no path a shell would expand or split
    ("venv_with_a_command_substitution", {"shared_python_venv_path": "/opt/uv/$(id>/tmp/x)"},
     "shared_python_venv_path"),
    ("venv_with_a_backquote", {"shared_python_venv_path": "/opt/uv/`id`"}, "shared_python_venv_path"),
    ("root_with_a_tilde", {"shared_python_root": "/opt/~uv"}, "shared_python_root"),
    ("uv_bin_with_a_glob", {"shared_python_uv_bin_dir": "/opt/uv/b*n"}, "shared_python_uv_bin_dir"),
    ("tool_bin_with_a_bracket", {"shared_python_tool_bin_dir": "/opt/uv/tool-bin[1]"}, "shared_python_tool_bin_dir"),
    ("python_bin_with_a_blank", {"shared_python_python_bin_dir": "/opt/uv/python bin"}, "shared_python_python_bin_dir"),
    ("command_dir_with_a_colon", {"shared_python_command_dir": "/usr/local/bin:/home/alice/bin"},
     "shared_python_command_dir"),
    ("download_dir_with_a_quote", {"shared_python_download_dir": "/opt/uv/down'loads"}, "shared_python_download_dir"),
    ("tool_dir_with_braces", {"shared_python_tool_dir": "/opt/uv/{a,b}"}, "shared_python_tool_dir"),
    ("root_climbs_out", {"shared_python_root": "/opt/../tmp/uv"}, "shared_python_root"),
    ("venv_climbs", {"shared_python_venv_path": "/opt/uv/old/../venv"}, "shared_python_venv_path"),
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


def test_the_careless_admins_inputs_are_reported_at_once_each_by_name(settings):
    """The inputs of issue 26, all in one run: each message names its variable and says why."""
    settings.update(shared_python_profile_name="labfleet-uv\n",
                    shared_python_venv_packages=["--index-url=http://127.0.0.1:9/simple"],
                    shared_python_tool_bin_dir="/home/alice/bin", shared_python_index_url="https://x.example/\nsimple")
    problems = shared_python_problems(settings)
    named = dict((v, [p for p in problems if p.startswith(v)]) for v in (
        "shared_python_profile_name", "shared_python_venv_packages[0]", "shared_python_tool_bin_dir",
        "shared_python_index_url"))
    assert all(named.values()), problems
    assert "control character U+000A" in named["shared_python_profile_name"][0]
    assert "option" in named["shared_python_venv_packages[0]"][0]
    assert "under /home" in named["shared_python_tool_bin_dir"][0]
    assert "control character U+000A" in named["shared_python_index_url"][0]
    # one message each, and the profile name's own check of its characters
    assert len(problems) == 5, problems


def test_a_root_under_tmp_names_every_directory_under_it(settings):
    settings.update(shared_python_root="/tmp/uv", shared_python_uv_bin_dir="/tmp/uv/bin",
                    shared_python_venv_path="/tmp/uv/venv")
    problems = shared_python_problems(settings)
    assert [p.split(" ")[0] for p in problems] == ["shared_python_root", "shared_python_venv_path",
                                                   "shared_python_uv_bin_dir"], problems
    assert all("every account can write it" in p for p in problems)


@pytest.mark.parametrize("path", ["/opt/uv", "/srv/labfleet/uv", "/usr/local/lib/uv-3", "/opt/uv+2", "/opt/uv@lab",
                                  "/opt/tmp/uv", "/opt/homes/uv", "/opt/uv/"])
def test_ordinary_roots_pass(settings, path):
    root = path.rstrip("/")
    settings.update(dict(("shared_python_" + k, root + "/" + v) for k, v in dict(
        uv_bin_dir="bin", python_install_dir="python", python_bin_dir="python-bin", tool_dir="tools",
        tool_bin_dir="tool-bin", download_dir="downloads", venv_path="venv").items()), shared_python_root=path)
    assert shared_python_problems(settings) == []


def test_packages_that_are_requirements_pass(settings):
    settings.update(shared_python_venv_packages=["requests[socks]>=2", "numpy==2.1.*", "pkg @ https://x.example/p.whl",
                                                 "six; python_version < '3.12'", "./local-dir", "thormotion-0.1.0"])
    assert shared_python_problems(settings) == []


HOST_SETTINGS = dict(
    shared_python_root="/srv/lab/uv", shared_python_uv_bin_dir="/srv/lab/uv/bin",
    shared_python_python_install_dir="/srv/lab/uv/python", shared_python_python_bin_dir="/srv/lab/uv/python-bin",
    shared_python_tool_dir="/srv/lab/uv/tools", shared_python_tool_bin_dir="/srv/share/bin",
    shared_python_download_dir="/srv/lab/uv/downloads", shared_python_venv_path="/srv/lab/uv/venv",
    shared_python_command_dir="", shared_python_uv_config_path="/etc/uv/uv.toml")


def test_host_problems_name_every_variable_behind_a_directory_others_can_write():
    writable = [dict(path=p, directory="/srv/lab", reason="owned by uid 1000, not root")
                for p in ("/srv/lab/uv", "/srv/lab/uv/bin", "/srv/lab/uv/cache", "/srv/lab/uv/venv")]
    writable.append(dict(path="/srv/share/bin", directory="/srv/share", reason="writable by others (mode 1777)"))
    problems = shared_python_host_problems(writable, HOST_SETTINGS)
    assert len(problems) == 2, problems
    assert problems[0].startswith("shared_python_root (/srv/lab/uv), shared_python_uv_bin_dir (/srv/lab/uv/bin), "
                                  "shared_python_venv_path (/srv/lab/uv/venv): /srv/lab, on the way there, is owned by "
                                  "uid 1000, not root."), problems[0]
    assert problems[1].startswith("shared_python_tool_bin_dir (/srv/share/bin): /srv/share, on the way there, is "
                                  "writable by others (mode 1777)."), problems[1]
    assert all("nothing was changed" in p for p in problems)


def test_host_problems_name_uvs_configuration_by_its_directory():
    problems = shared_python_host_problems(
        [dict(path="/etc/uv", directory="/etc/uv", reason="owned by uid 1000, not root")], HOST_SETTINGS)
    assert problems and problems[0].startswith("shared_python_uv_config_path (/etc/uv/uv.toml): /etc/uv,"), problems


def test_no_host_problem_when_nothing_is_writable():
    assert shared_python_host_problems([], HOST_SETTINGS) == []


@pytest.mark.parametrize("wrong,own_message", [
    ({"shared_python_uv_version": "0.13.9\n"}, "shared_python_uv_version must be X.Y.Z"),
    ({"shared_python_uv_sha256": "a" * 64 + "\n"}, "shared_python_uv_sha256 empty or 64 hex digits"),
    ({"shared_python_versions": ["3.11\n"], "shared_python_default_version": "3.11\n"}, "must list CPython minors"),
    ({"shared_python_profile_name": "labfleet-uv\n"}, "shared_python_profile_name must be a plain file name"),
    ({"shared_python_tools": [{"name": "ruff\n"}]}, "is not a package name"),
], ids=["uv_version", "uv_sha256", "versions", "profile_name", "tool_name"])
def test_each_pattern_matches_the_whole_value_not_up_to_a_trailing_newline(settings, wrong, own_message):
    """Beside the control character, each value's own pattern refuses it (fullmatch / \\Z, not `$`)."""
    settings.update(wrong)
    assert any(own_message in p for p in shared_python_problems(settings)), shared_python_problems(settings)


@pytest.mark.parametrize("root", ["/usr/local/sbin", "/usr/sbin", "/run", "/usr/local/etc"])
def test_a_directory_the_removal_would_never_take_is_no_root_either(settings, root):
    """One list of the system's directories (_input_checks.SYSTEM_DIRS) for the root's check and the removal's."""
    settings.update(shared_python_root=root)
    assert any(p.startswith("shared_python_root is %s, a directory of the system" % root)
               for p in shared_python_problems(settings))
