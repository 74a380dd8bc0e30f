"""which-python: the engine's files read from the collection (one copy), laid out by host_layout, the login
environment a user can make, the usual fix for each kind of shadow, and a real run as the tester's own account."""
import json
import os
import pwd

import pytest

from ansible_collections.labfleet.uv.plugins.filter.host_layout import host_layout
from ansible_collections.labfleet.uv.plugins.lookup.which_python_engine import MODULE_UTILS, engine_sources
from ansible_collections.labfleet.uv.plugins.module_utils import _which_python as wp
from ansible_collections.labfleet.uv.tests.unit.plugins.filter.test_host_layout import SETTINGS as HOST_LAYOUT_SETTINGS

SETTINGS = dict(venv_path="/opt/uv/venv", expect="venv", uv_path="/opt/uv/bin/uv", python_install_dir="/opt/uv/python",
                python_bin_dir="/opt/uv/python-bin")
# host_layout's test settings, without the optional shell files and pip guards
LAYOUT = dict(HOST_LAYOUT_SETTINGS, pip_guard=False, fish_profile=False, nu_profile=False, zsh_profile=False,
              csh_profile=False)
TEXTS = dict(uv_toml="toml", pip_conf="pipconf", pip_guard=[], shared_python_venv="spv", python_launcher=["a", "b", "c"],
             profile_sh="sh", profile_fish="fish", profile_nu="nu", profile_csh="csh", requirements=None,
             which_python=dict(command="#!cmd", engine={"_which_python": "w", "_path_judge": "j"}))
ENGINE = "/opt/uv/lib/which-python/ansible_collections/labfleet/uv/plugins/module_utils"
PW = pwd.struct_passwd(("alice", "x", 1000, 1000, "", "/home/alice", "/bin/bash"))


def test_the_engine_is_the_collections_own_files_and_everything_they_import():
    found = engine_sources()
    assert {"_which_python", "_path_contexts", "_path_shells", "_path_judge", "_path_twins", "_bounded_run",
            "_command_output"} <= set(found)
    for name, text in found.items():
        with open(os.path.join(MODULE_UTILS, name + ".py")) as f:
            assert f.read() == text
        for imported in wp.re.findall(r"module_utils\.(\w+) import", text):
            assert imported in found, (name, imported)
    # nothing on the hosts imports what the command does not need (the module's own argument helpers)
    assert "_uv" not in found and "_host_plan" not in found


def test_the_command_goes_first_on_path_and_the_engine_under_the_root():
    got = host_layout(LAYOUT, TEXTS)
    assert ("bin/which-python", "#!cmd", "0755") in [(f["path"], f["content"], f["mode"]) for f in got["venv_files"]]
    engine = [(f["path"], f["content"], f["mode"], f["owner"]) for f in got["files"] if "/lib/" in f["path"]]
    assert engine == [(ENGINE + "/_path_judge.py", "j", "0644", "root"), (ENGINE + "/_which_python.py", "w", "0644", "root")]
    dirs = [d["path"] for d in got["directories"] if d["path"].startswith("/opt/uv/lib")]
    assert dirs[0] == "/opt/uv/lib" and dirs[-1] == ENGINE
    assert all(d.get("owner") == "root" and d["mode"] == "0755" for d in got["directories"] if d["path"] in dirs)


def test_without_a_venv_the_command_is_in_the_command_dir_and_without_either_nowhere():
    got = host_layout(dict(LAYOUT, venv_enabled=False, command_dir="/usr/local/bin"), TEXTS)
    assert "/usr/local/bin/which-python" in [f["path"] for f in got["files"]]
    assert not [f for f in got["venv_files"] if f["path"] == "bin/which-python"]
    got = host_layout(dict(LAYOUT, venv_enabled=False), TEXTS)
    assert not [f for f in got["files"] if "which-python" in f["path"]]
    # the command dir gets the venv's commands too: the command is there once
    got = host_layout(dict(LAYOUT, command_dir="/usr/local/bin"), TEXTS)
    assert [f["path"] for f in got["files"]].count("/usr/local/bin/which-python") == 1


def test_the_login_environment_is_the_one_su_l_makes(tmp_path):
    defs = tmp_path / "login.defs"
    defs.write_text("# x\nENV_SUPATH\tPATH=/root/only\nENV_PATH PATH=/usr/local/bin:/usr/bin:/bin\n")
    env_file = tmp_path / "environment"
    env_file.write_text('LANG="C.UTF-8"\nexport EDITOR=vi\n# PATH=/nope\n')
    env = wp.login_environment(PW, [str(env_file), str(tmp_path / "missing")], str(defs))
    assert env == dict(LANG="C.UTF-8", EDITOR="vi", HOME="/home/alice", SHELL="/bin/bash", USER="alice",
                       LOGNAME="alice", PATH="/usr/local/bin:/usr/bin:/bin")
    root = pwd.struct_passwd(("root", "x", 0, 0, "", "/root", "/bin/sh"))
    assert wp.login_path(root, str(defs)) == "/root/only"
    assert wp.login_path(PW, str(tmp_path / "none")) == wp.DEFAULT_PATH
    env_file.write_text("PATH=/from/pam\n")
    assert wp.login_environment(PW, [str(env_file)], str(defs))["PATH"] == "/from/pam"


def lost(kind, value=None, origin=None, context="login", **extra):
    r = dict(command="python", context=context, status="lost", expected="/opt/uv/venv/bin/python", reason="why",
             shadow=dict(kind=kind, value=value, origin=origin))
    r.update(extra)
    return r


FIXES = [
    (lost("path_entry", "/home/alice/miniconda3/bin", "/home/alice/.bashrc:120"), "/bin/bash",
     "conda activates its base environment in every new shell (/home/alice/.bashrc:120): run `conda config --set "
     "auto_activate_base false`"),
    (lost("path_entry", "/home/alice/.pyenv/shims", "/home/alice/.profile:30"), "/bin/bash",
     "pyenv's shims come first (/home/alice/.profile:30, the `pyenv init` line): run `pyenv global system`"),
    (lost("path_entry", "/home/alice/bin", "/home/alice/.profile:27", resolved="/home/alice/bin/python",
          provider="distro"), "/bin/bash",
     "/home/alice/bin/python is your own, and /home/alice/.profile:27 puts /home/alice/bin first on PATH: rename it"),
    (lost("path_entry", "/opt/foreign/bin", "/home/alice/.profile:3", fault="user"), "/usr/bin/fish",
     "/home/alice/.profile:3 puts /opt/foreign/bin before /opt/uv/venv/bin: add it at the end instead "
     "(fish_add_path --append /opt/foreign/bin)"),
    (lost("path_entry", "/opt/foreign/bin", "/etc/profile.d/zz.sh:1", fault="system"), "/bin/bash",
     "/etc/profile.d/zz.sh:1 is the system's: tell your admin"),
    (lost("path_entry", "/opt/foreign/bin", None, fault="system"), "/bin/bash",
     "look in your startup files for the line that puts /opt/foreign/bin on PATH and add it at the end instead "
     '(PATH="$PATH:/opt/foreign/bin"); if none of yours does, tell your admin'),
    (lost("not_on_path", "/opt/uv/venv/bin", None), "/usr/bin/tcsh",
     "a startup file sets PATH without /opt/uv/venv/bin (a PATH reset): add to PATH instead of setting it "
     "(set path = ($path DIR))"),
    (lost("alias", "/usr/bin/python3", "/home/alice/.bashrc:114"), "/bin/bash",
     "delete the alias python at /home/alice/.bashrc:114; until then `command python` runs the shared one"),
    (lost("alias", "/usr/bin/python3", None), "/bin/bash", "delete the alias python where your startup files"),
    (lost("function", "python", "/home/alice/.zshrc"), "/usr/bin/zsh",
     "delete the function python at /home/alice/.zshrc"),
    (lost("not_on_path", "/opt/uv/venv/bin", None, context="cron"), "/bin/sh",
     "cron starts your jobs with PATH=/usr/bin:/bin: put a line PATH=/opt/uv/venv/bin:/opt/uv/bin:/usr/bin:/bin at"),
    (lost("missing", "/opt/uv/venv/bin/python"), "/bin/bash", "the shared environment is not whole here (why)"),
    (dict(lost("none"), status="error", reason="timed out after 9s"), "/bin/bash",
     "the check gave no answer (timed out after 9s): a startup file of yours"),
]


def test_the_cron_fix_puts_the_shared_directories_first_once():
    r = lost("not_on_path", "/opt/uv/bin", None, context="cron")
    fix = wp.advice(r, PW, dict(shell="/bin/sh", path=["/opt/uv/venv/bin", "/usr/bin", "/bin"]),
                    "/opt/uv/venv/bin:/opt/uv/bin")
    assert "put a line PATH=/opt/uv/venv/bin:/opt/uv/bin:/usr/bin:/bin at the top" in fix


@pytest.mark.parametrize("result,shell,fix", FIXES)
def test_the_usual_fix_for_each_kind_of_shadow(result, shell, fix):
    context = dict(shell=shell, path=["/usr/bin", "/bin"])
    assert wp.advice(result, PW, context, "/opt/uv/venv/bin:/opt/uv/bin").startswith(fix)


def test_a_real_run_as_the_testers_own_account_starts_their_shells_without_su(monkeypatch, tmp_path):
    started = []
    run = wp.UserSide.run_command

    def recording(self, argv, **kwargs):
        started.append(argv)
        return run(self, argv, **kwargs)

    monkeypatch.setattr(wp.UserSide, "run_command", recording)
    ans = wp.answer(SETTINGS, 60)
    me = pwd.getpwuid(os.getuid())
    assert ans["user"] == me.pw_name and set(ans["not_probed"]) == {"ssh", "sudo", "sudo_login", "systemd"}
    assert ans["out_of_time"] is False and ans["seconds"] < 60
    status = dict((c["context"], c["status"]) for c in ans["contexts"])
    assert status["login"] == status["interactive"] == "probed", ans["contexts"]
    assert len(ans["results"]) == 3 * len(wp.COMMANDS)
    commands = [argv[argv.index("--") + 1:] if "--" in argv else argv for argv in started]
    assert commands and not [c for c in commands if c[0] in ("su", "runuser", "sudo", "systemd-run")], commands
    # the login context runs the login shell in the login environment, from the home
    login = [c for c in commands if c[:2] == ["env", "-i"] and "-l" in c]
    assert login and login[0][2:4] == ["-C", me.pw_dir if os.path.isdir(me.pw_dir) else "/"]
    assert all(r.get("fix") for r in ans["results"] if r["status"] != "won")


def test_the_command_line(monkeypatch, capsys):
    answers = dict(user="alice", shell="/bin/bash", seconds=0.5, expected=dict(python="/v/bin/python", uv="/u/uv"),
                   contexts=[dict(context="login", status="probed", shell="/bin/bash")], not_probed=wp.ROOT_ONLY,
                   results=[dict(context="login", command="python", status="won", won=True, kind="file",
                                 resolved="/v/bin/python", version="3.13.1", prefix="/v")])
    monkeypatch.setattr(wp, "answer", lambda settings, timeout: answers)
    assert wp.main(SETTINGS, ["--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(answers))
    assert wp.main(SETTINGS, []) == 0
    out = capsys.readouterr().out
    assert "python   /v/bin/python (Python 3.13.1): the shared environment" in out and "only root" in out
    answers["results"][0].update(status="lost", won=False, reason="r", fix="f", fault="user", expected="/v/bin/python")
    assert wp.main(SETTINGS, []) == 1
    out = capsys.readouterr().out
    assert "why: r" in out and "ran out of its time" not in out
    answers.update(out_of_time=True, timeout=30)
    wp.main(SETTINGS, [])
    assert "The check ran out of its time (30s)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        wp.main(SETTINGS, ["--timeout", "1"])


def test_it_refuses_to_run_set_uid(monkeypatch, capsys):
    """Run set-uid (or set-gid... through a wrapper of someone's), it would start shells with another account's
    rights: it stops before probing anything."""
    monkeypatch.setattr(wp.os, "geteuid", lambda: 0)
    monkeypatch.setattr(wp.os, "getuid", lambda: 4242)
    monkeypatch.setattr(wp, "answer", lambda settings, timeout: pytest.fail("probed set-uid"))
    assert wp.main(SETTINGS, []) == 2
    assert "refusing to run set-uid" in capsys.readouterr().err
