"""The role's writers quote what they write (roles/shared_python/templates): each template rendered with hostile
values (what the settings check refuses, so that the writer is shown safe on its own) and read back by the program
that reads it on a host: sh (dash and bash), fish, tcsh and nushell source the PATH scripts and report the
environment they end with; the shell scripts run; uv.toml is parsed as TOML and pip.conf as pip reads it. No command
substitution, glob or line break in a value may do anything but be that value: a canary file shows one that ran.

Rendered with Jinja2 as Ansible's template lookup does (trim_blocks), with Ansible's own `quote` and `basename` and
the collection's filters."""
import configparser
import os
import shutil
import subprocess

import jinja2
import pytest
from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import FilterModule as CoreFilters

from ansible_collections.labfleet.uv.plugins.filter import config_text, shells
from ansible_collections.labfleet.uv.plugins.filter.host_layout import blocks

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "..", "..", "..", "roles", "shared_python", "templates")
MARKER = "Managed by Ansible: labfleet.uv.shared_python"


def environment():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    core = CoreFilters().filters()
    env.filters.update(quote=core["quote"], basename=core["basename"])
    for module in (shells, config_text):
        env.filters.update(("labfleet.uv." + k, v) for k, v in module.FilterModule().filters().items())
    return env


def render(name, **variables):
    return environment().get_template(name).render(shared_python__marker=MARKER, **variables)


def hostile(canary, newline=True, raw_end=True):
    """Directory names a shell would take apart: command substitutions, quotes, blanks, globs, a tilde; a line break
    (not for csh: its quote refuses it) and the end of a nushell raw string (not for nushell, which refuses it)."""
    words = ["$(touch %s)" % canary, "`touch %s`" % canary, "it's \"quoted\" \\ here", "a  b\tc", "*", "~", "$HOME",
             "{a,b}", "#x", "x;touch %s" % canary, "%s" % "é"]
    if raw_end:
        words.append("'#")
    if newline:
        words.append("line\ntouch %s" % canary)
    return ["/opt/%s/%d" % (w, i) for i, w in enumerate(words)]


def env0(text):
    return dict(item.split("=", 1) for item in text.split("\0") if "=" in item)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False, **kw)


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary"
    yield str(path)
    assert not path.exists(), "a value ran as a command"


def path_scripts(canary, newline, raw_end=True):
    prepend = hostile(canary, newline, raw_end)
    install_dir = "/opt/" + "".join(d.split("/")[2] for d in prepend)   # every hostile word in one value
    values = dict(shared_python__path_prepend=prepend, shared_python_python_install_dir=install_dir)
    # the last directory ends up first on PATH, each once
    return values, list(reversed(prepend)), install_dir


@pytest.mark.parametrize("shell", [["dash"], ["bash", "--posix"], ["bash"]])
def test_sh_profile_sets_path_and_the_install_dir_to_the_values_themselves(tmp_path, canary, shell):
    values, first, install_dir = path_scripts(canary, newline=True)
    script = tmp_path / "profile.sh"
    script.write_text(render("profile.sh.j2", **values))
    assert run(shell + ["-n", str(script)]).returncode == 0
    proc = run(["env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent"] + shell + ["-c", '. "$0"; . "$0"; exec env -0',
                                                                                   str(script)])
    assert proc.returncode == 0, proc.stderr
    got = env0(proc.stdout)
    assert got["PATH"].split(":") == [p for d in first for p in d.split(":")] + ["/usr/bin", "/bin"]
    assert got["UV_PYTHON_INSTALL_DIR"] == install_dir


def test_fish_profile_sets_path_and_the_install_dir_to_the_values_themselves(tmp_path, canary):
    values, first, install_dir = path_scripts(canary, newline=True)
    script = tmp_path / "profile.fish"
    script.write_text(render("profile.fish.j2", **values))
    assert run(["fish", "--no-config", "-n", str(script)]).returncode == 0
    proc = run(["env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent", "SCRIPT=%s" % script, "fish", "--no-config",
                "-c", "source $SCRIPT; source $SCRIPT; printf '%s\\0' $PATH; exec env -0"])
    assert proc.returncode == 0, proc.stderr
    listed, dummy, environ = proc.stdout.partition("\0/usr/bin\0/bin\0")
    assert listed.split("\0") == first
    assert env0(environ)["UV_PYTHON_INSTALL_DIR"] == install_dir


def test_csh_profile_sets_path_and_the_install_dir_to_the_values_themselves(tmp_path, canary):
    values, first, install_dir = path_scripts(canary, newline=False)
    script = tmp_path / "profile.csh"
    script.write_text(render("profile.csh.j2", **values))
    proc = run(["env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent", "SCRIPT=%s" % script, "tcsh", "-f", "-c",
                'source "$SCRIPT"; source "$SCRIPT"; exec env -0'])
    assert proc.returncode == 0, proc.stderr
    got = env0(proc.stdout)
    assert got["PATH"].split(":") == first + ["/usr/bin", "/bin"]
    assert got["UV_PYTHON_INSTALL_DIR"] == install_dir


def test_csh_profile_refuses_what_csh_cannot_quote():
    with pytest.raises(AnsibleFilterError, match="newline or '!'"):
        render("profile.csh.j2", shared_python__path_prepend=["/opt/a!b"], shared_python_python_install_dir="/opt/p")


@pytest.mark.skipif(not shutil.which("nu"), reason="nushell is not installed")
def test_nu_profile_sets_path_and_the_install_dir_to_the_values_themselves(tmp_path, canary):
    values, first, install_dir = path_scripts(canary, newline=True, raw_end=False)
    script = tmp_path / "profile.nu"
    script.write_text(render("profile.nu.j2", **values))
    proc = run(["env", "-i", "PATH=/usr/bin:/bin", "HOME=%s" % tmp_path, shutil.which("nu"), "-n", "-c",
                "source '%s'; source '%s'; ^env -0" % (script, script)])
    assert proc.returncode == 0, proc.stderr
    got = env0(proc.stdout)
    assert got["PATH"].split(":") == [p for d in first for p in d.split(":")] + ["/usr/bin", "/bin"]
    assert got["UV_PYTHON_INSTALL_DIR"] == install_dir


def test_pip_guard_names_the_shared_environment_as_it_is(tmp_path, canary):
    venv = hostile(canary)[0] + "/" + hostile(canary)[-1]
    script = tmp_path / "pip"
    script.write_text(render("pip-guard.sh.j2", item="pip3.13", shared_python_venv_path=venv,
                             shared_python_default_version="3.13"))
    assert run(["dash", "-n", str(script)]).returncode == 0
    refused = run(["dash", str(script), "install", "requests"])
    assert refused.returncode == 1
    assert refused.stderr.startswith("pip3.13: %s is the Python environment shared by every user" % venv), refused.stderr
    nothing = run(["dash", str(script), "list"])
    assert nothing.returncode == 1
    assert nothing.stderr.startswith("pip3.13: the shared environment %s has no pip" % venv), nothing.stderr


def test_shared_python_venv_names_the_shared_environment_as_it_is(tmp_path, canary):
    venv = hostile(canary)[0] + "/" + hostile(canary)[1]
    script = tmp_path / "shared-python-venv"
    script.write_text(render("shared-python-venv.sh.j2", shared_python_venv_path=venv,
                             shared_python_default_version="3.13", shared_python_python_install_dir=hostile(canary)[2],
                             shared_python_uv_bin_dir=hostile(canary)[3]))
    assert run(["dash", "-n", str(script)]).returncode == 0
    usage = run(["dash", str(script), "--help"])
    assert usage.returncode == 0
    assert "\n  %s; DIR/bin/pip install adds" % venv in usage.stderr, usage.stderr


def test_python_launcher_runs_the_program_named(tmp_path, canary):
    target = tmp_path / "$(touch {0})`touch {0}` it's \"x\" *".format(canary) / "bin"
    target.mkdir(parents=True)
    (target / "python3").write_text('#!/bin/sh\nprintf "%s|" "$0" "$@"\n')
    (target / "python3").chmod(0o755)
    script = tmp_path / "python3"
    script.write_text(render("python-launcher.sh.j2", item="python3", shared_python__launcher_target_dir=str(target)))
    proc = run(["dash", str(script), "a b", "$(id)"])
    assert proc.stdout == "%s/python3|a b|$(id)|" % target, proc.stderr


TOML_HOSTILE = ['https://x.example/"quoted"\\back\\slash', "tab\there", "line\nbreak", "cr\rlf", "del\x7fx",
                "nul\x00x", "bell\x07", "\u00e9t\u00e9 \U0001F600", "sep\u2028x", "'single'", "#hash", "]x["]


@pytest.mark.parametrize("source", ["mirror", "json_url", "controller"])
def test_uv_toml_holds_each_value_as_it_is(source):
    value = "".join(TOML_HOSTILE)
    text = render("uv.toml.j2", shared_python__python_source_on_host=source,
                  shared_python_python_install_mirror=value, shared_python_python_downloads_json_url=value,
                  shared_python__python_downloads_json=value, shared_python_system_certs=True,
                  shared_python_no_index=True, shared_python_find_links=TOML_HOSTILE, shared_python_index_url=value)
    parsed = tomllib.loads(text)
    key = "python-install-mirror" if source == "mirror" else "python-downloads-json-url"
    assert parsed[key] == value
    assert parsed["find-links"] == TOML_HOSTILE
    assert parsed["index"] == [{"url": value, "default": True}]
    assert parsed["no-index"] is True and parsed["python-downloads"] == "manual"


def test_uv_toml_of_ordinary_values_is_what_to_json_wrote():
    """Hosts converged before keep their file: the TOML strings of plain values are the JSON strings."""
    text = render("uv.toml.j2", shared_python__python_source_on_host="controller",
                  shared_python__python_downloads_json="/opt/uv/downloads/python/downloads.json",
                  shared_python_system_certs=False, shared_python_no_index=True,
                  shared_python_find_links=["/srv/wheelhouse", "https://x.example/links/"], shared_python_index_url="")
    assert 'python-downloads-json-url = "/opt/uv/downloads/python/downloads.json"\n' in text
    assert 'find-links = ["/srv/wheelhouse", "https://x.example/links/"]\n' in text


def test_pip_conf_holds_each_value_as_pip_reads_it():
    links = ["/srv/wheelhouse", "https://x.example/links/?a=1&b=%20;#frag", "file:///srv/w%23x"]
    text = render("pip.conf.j2", shared_python_no_index=True, shared_python_index_url="https://x.example/simple;#x",
                  shared_python_find_links=links)
    conf = configparser.RawConfigParser()   # as pip reads its configuration
    conf.read_string(text)
    assert conf.get("global", "index-url") == "https://x.example/simple;#x"
    assert conf.get("global", "find-links").split() == links
    assert conf.get("global", "no-index") == "true"


@pytest.mark.parametrize("value", ["https://x.example/simple\nno-index = false", "a b", "x\r", "", "\u2028"])
def test_pip_conf_refuses_what_it_cannot_hold(value):
    with pytest.raises(AnsibleFilterError, match="cannot be written into pip.conf"):
        render("pip.conf.j2", shared_python_no_index=False, shared_python_index_url="https://x.example/",
               shared_python_find_links=[value])


def test_zsh_block_sources_the_sh_script_named_as_it_is(canary):
    """host_layout's block for /etc/zsh/zprofile: `emulate sh -c STRING`, STRING sourcing the sh script. Read by bash
    here (zsh parses words as sh does): emulate's third word, evaluated as `.` would, is the script's path."""
    path = hostile(canary)[0] + hostile(canary)[2] + "/x.sh"
    block = blocks(dict(marker="M", profile_path=path, zsh_profile=True, csh_profile=False), {})[0]["text"]
    proc = run(["bash", "-c", 'emulate() { eval "set -- ${3#. }"; printf %s "$1"; }; ' + block])
    assert proc.returncode == 0 and proc.stdout == path, (block, proc.stdout, proc.stderr)
