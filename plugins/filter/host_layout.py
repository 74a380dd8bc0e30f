# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the shared_python role lays out on a host, from its settings and its rendered texts: the directories,
files, links and marked blocks that labfleet.uv.uv_state compares with the host and labfleet.uv.uv_apply makes so.

The role passes plain variables (its settings) and the templates it rendered on the controller; every list is
built here, once, so the role's YAML holds no Jinja programs.
"""

from __future__ import annotations

import posixpath
import shlex

from ansible.errors import AnsibleFilterError
from ansible_collections.labfleet.uv.plugins.plugin_utils._paths import inside

ROOT_OWNED = dict(owner="root", group="root")
# a shell's startup file is written only where that shell is installed (any of these paths)
FISH_PATHS = ["/usr/bin/fish", "/bin/fish"]
NU_PATHS = ["/usr/bin/nu", "/usr/local/bin/nu", "/bin/nu"]
CSH_PATHS = ["/usr/bin/tcsh", "/bin/tcsh", "/usr/bin/csh", "/bin/csh", "/usr/bin/bsd-csh", "/bin/bsd-csh"]
SETTINGS = ("root", "uv_bin_dir", "download_dir", "python_install_dir", "python_bin_dir", "tool_dir",
            "tool_bin_dir", "command_dir", "cache_dir", "uv_config_path", "venv_enabled", "venv_path", "pip_guard",
            "default_version", "profile_path", "profile_name", "fish_profile", "nu_profile", "zsh_profile",
            "csh_profile", "requirements_path", "marker")
TEXTS = ("uv_toml", "pip_conf", "pip_guard", "shared_python_venv", "python_launcher", "profile_sh", "profile_fish",
         "profile_nu", "profile_csh", "requirements")


def words(kind, version):
    """The commands of one kind the role writes: python, python3, python3.X (or pip's); texts.pip_guard and
    texts.python_launcher are rendered for them in this order."""
    return [kind, kind + "3", kind + str(version)]


def file(path, content, mode="0644", **extra):
    return dict(path=path, content=content, mode=mode, **extra)


def venv_files(s, t):
    """The files labfleet.uv.uv_venv writes into each venv generation (paths relative to the venv)."""
    if not s["venv_enabled"]:
        return []
    guards = []
    if s["pip_guard"]:
        guards = [file("bin/" + w, text, "0755") for w, text in zip(words("pip", s["default_version"]), t["pip_guard"])]
    return ([file("pip.conf", t["pip_conf"])] + guards
            + [file("bin/shared-python-venv", t["shared_python_venv"], "0755")])


WHICH_PYTHON_ENGINE = "lib/which-python/ansible_collections/labfleet/uv/plugins/module_utils"


def which_python_command(s, t):
    """The which-python command (texts.which_python.command), where users find it first on PATH: in the shared venv's
    bin directory (a venv file), else in shared_python_command_dir; (venv files, host files)."""
    w = t.get("which_python")
    if not w:
        return [], []
    if s["venv_enabled"]:
        return [file("bin/which-python", w["command"], "0755")], []
    if s["command_dir"]:
        return [], [file(s["command_dir"].rstrip("/") + "/which-python", w["command"], "0755")]
    return [], []


def which_python_engine(s, t):
    """The directories and files of path_info's engine that which-python imports (texts.which_python.engine: module
    name -> text, read from the collection by the lookup labfleet.uv.which_python_engine), under the role's root."""
    w = t.get("which_python")
    if not w:
        return [], []
    parts = WHICH_PYTHON_ENGINE.split("/")
    dirs = [posixpath.join(s["root"], *parts[:i]) for i in range(1, len(parts) + 1)]
    here = dirs[-1] + "/"
    # exact: whatever else appears in them (a module of someone's, a __pycache__) is swept out: users run this code
    return ([dict(path=d, mode="0755", exact=True, **ROOT_OWNED) for d in dirs],
            [file(here + name + ".py", text) for name, text in sorted(w["engine"].items())])


def split_directories(s):
    """The role's directories: (under its root, outside it)."""
    paths = [s["root"], s["uv_bin_dir"], s["download_dir"], s["python_install_dir"], s["python_bin_dir"],
             s["tool_dir"], s["tool_bin_dir"]] + ([s["command_dir"]] if s["command_dir"] else [])
    own, system = [], []
    for path in paths:
        group = own if inside(path, s["root"]) else system
        if path not in group:
            group.append(path)
    return own, system


def directories(s):
    """Under the role's root the role owns its directories (root, 0755); outside, they are the system's and only
    made to exist. root's uv cache is 0700: uv makes its lock files world-writable."""
    own, system = split_directories(s)
    return ([dict(path=p, mode="0755", **ROOT_OWNED) for p in own]
            + [dict(path=p) for p in system + [posixpath.dirname(s["uv_config_path"])]]
            + [dict(path=s["cache_dir"], mode="0700", **ROOT_OWNED)])


def command_files(s, t, in_venv):
    """shared_python_command_dir: the venv's own commands (not pip.conf) and a launcher per python word."""
    if not s["command_dir"]:
        return []
    here = s["command_dir"].rstrip("/") + "/"
    return ([file(here + posixpath.basename(f["path"]), f["content"], f["mode"]) for f in in_venv
             if f["path"] != "pip.conf"]
            + [file(here + w, text, "0755")
               for w, text in zip(words("python", s["default_version"]), t["python_launcher"])])


def links(s):
    """uv and uvx in shared_python_command_dir, unless uv itself lives there."""
    if not s["command_dir"] or posixpath.normpath(s["uv_bin_dir"]) == posixpath.normpath(s["command_dir"]):
        return []
    return [dict(path=s["command_dir"].rstrip("/") + "/" + w, src=s["uv_bin_dir"].rstrip("/") + "/" + w)
            for w in ("uv", "uvx")]


def profile_files(s, t):
    name = s["profile_name"]
    return ([file(s["profile_path"], t["profile_sh"])]
            + ([file("/etc/fish/conf.d/%s.fish" % name, t["profile_fish"], if_exists=FISH_PATHS)]
               if s["fish_profile"] else [])
            + ([file("/usr/share/nushell/vendor/autoload/%s.nu" % name, t["profile_nu"], if_exists=NU_PATHS)]
               if s["nu_profile"] else []))


def blocks(s, t):
    """Marked blocks in other shells' system startup files (zsh sources the sh script: its path quoted twice, for
    the -c string and in it)."""
    zsh = "emulate sh -c %s" % shlex.quote(". " + shlex.quote(s["profile_path"]))
    return ([dict(path="/etc/zsh/zprofile", if_exists=["/etc/zsh"], marker=s["marker"], text=zsh)]
            if s["zsh_profile"] else []) + (
        [dict(path="/etc/csh.cshrc", if_exists=CSH_PATHS, marker=s["marker"], text=t["profile_csh"].strip())]
        if s["csh_profile"] else [])


def host_layout(settings, texts):
    """{directories, files, links, blocks, venv_files} for uv_state/uv_apply (module options of the same names).

    files: uv's configuration and the requirements file first (first: true, written before uv runs), then the
    commands and the shells' startup files, all root's.
    """
    missing = [k for k in SETTINGS if k not in settings] + [k for k in TEXTS if k not in texts]
    if missing:
        raise AnsibleFilterError("host_layout: missing %s" % ", ".join(missing))
    s, t = settings, texts
    which_in_venv, which_on_host = which_python_command(s, t)
    in_venv = venv_files(s, t) + which_in_venv
    engine_dirs, engine_files = which_python_engine(s, t) if which_in_venv + which_on_host else ([], [])
    first = [file(s["uv_config_path"], t["uv_toml"], first=True)]
    if s["venv_enabled"] and t["requirements"] is not None:
        first.append(file(s["requirements_path"], t["requirements"], first=True))
    files = first + command_files(s, t, in_venv) + which_on_host + engine_files + profile_files(s, t)
    return dict(directories=directories(s) + engine_dirs, files=[dict(f, **ROOT_OWNED) for f in files], links=links(s),
                blocks=blocks(s, t), venv_files=in_venv)


class FilterModule(object):
    def filters(self):
        return dict(host_layout=host_layout)
