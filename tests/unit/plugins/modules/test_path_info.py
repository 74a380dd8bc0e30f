"""path_info: parsing of each shell's `type` and xtrace output, classification, and whole runs of main()
with only AnsibleModule.run_command faked (it answers as the context's shell would)."""
import json
import os
import pwd
import re
import shutil
import time

import pytest
from ansible.module_utils import basic
from .module_args import patch_module_args

from ansible_collections.labfleet.uv.plugins.module_utils import _path_judge as judge
from ansible_collections.labfleet.uv.plugins.module_utils import _bounded_run, _path_contexts
from ansible_collections.labfleet.uv.plugins.module_utils._bounded_run import MARK
from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import shell_for
from ansible_collections.labfleet.uv.plugins.modules import path_info


@pytest.mark.parametrize("line,rc,kind,value", [
    ("python is aliased to `python3.9'", 0, "alias", "python3.9"),           # bash
    ("python is an alias for python3.9", 0, "alias", "python3.9"),            # dash, zsh
    ("python is a function", 0, "function", ""),                               # bash
    ("python is a shell function", 0, "function", ""),                         # dash
    ("python is a shell function from /home/c/.zshrc", 0, "function", "/home/c/.zshrc"),  # zsh
    ("cd is a shell builtin", 0, "builtin", ""),
    ("exec is a special shell builtin", 0, "builtin", ""),
    ("if is a shell keyword", 0, "keyword", ""),
    ("if is a reserved word", 0, "keyword", ""),
    ("python is hashed (/usr/bin/python)", 0, "hashed", "/usr/bin/python"),
    ("python is /opt/uv/venv/bin/python", 0, "file", "/opt/uv/venv/bin/python"),
    ("bash: type: python: not found", 1, "not_found", ""),
    ("python: not found", 127, "not_found", ""),
    ("python not found", 1, "not_found", ""),
])
def test_parse_type_of_each_shell(line, rc, kind, value):
    assert shell_for("/bin/bash").parse_type([line], rc) == (kind, value)


def test_parse_trace_finds_path_assignments_and_aliases_with_file_and_line():
    probe = "/tmp/x/probe.sh"
    stderr = "\n".join([
        "+/etc/profile:7: PATH=/usr/local/bin:/usr/bin:/bin",
        "+/etc/profile:9: export PATH",
        "++/etc/profile.d/labfleet-uv.sh:24: PATH=/opt/uv/venv/bin:/usr/local/bin:/usr/bin:/bin",
        "++/home/a/.bashrc:114: alias python=python3",
        "++/home/a/.bashrc:78: alias 'ls=ls --color=auto'",
        "++/home/a/.bashrc:116: export PATH=/opt/foreign/bin:/opt/uv/venv/bin:/usr/bin",
        "+/home/c/.zshrc:3> path=( /opt/zz /opt/uv/venv/bin /usr/bin ) ",
        "+/tmp/x/probe.sh:2: PATH=/not/counted",
        "noise from a startup file",
    ])
    assignments, aliases = shell_for("/bin/bash").parse_trace(stderr, probe, "/home/a", "tok")
    assert [w for w, dummy in assignments] == ["/etc/profile:7", "/etc/profile.d/labfleet-uv.sh:24",
                                               "/home/a/.bashrc:116", "/home/c/.zshrc:3"]
    assert assignments[-1][1] == ["/opt/zz", "/opt/uv/venv/bin", "/usr/bin"]
    assert ("/home/a/.bashrc:114", "python", "python3") in aliases
    assert ("/home/a/.bashrc:78", "ls", "ls --color=auto") in aliases
    assert judge.alias_origin(aliases, "python") == "/home/a/.bashrc:114"
    assert judge.shadow_origin(assignments[:3], "/opt/foreign/bin", "/opt/uv/venv/bin") == "/home/a/.bashrc:116"
    # nothing ever put it on PATH: no file took it off; on PATH at the end: none either
    assert judge.path_origin(assignments[:1], "/opt/uv/venv/bin") is None
    assert judge.path_origin(assignments[:2], "/opt/uv/venv/bin") is None


def test_path_origin_is_the_assignment_that_took_the_directory_off_path():
    a = [("/etc/profile:7", ["/usr/bin"]), ("/etc/profile.d/uv.sh:2", ["/e", "/usr/bin"]),
         ("/home/m/.bashrc:5", ["/usr/bin", "/bin"]), ("/home/m/.profile:27", ["/home/m/bin", "/usr/bin", "/bin"])]
    assert judge.path_origin(a, "/e") == "/home/m/.bashrc:5"          # not the last one that set PATH
    assert judge.path_origin(a + [("f:1", ["/e"]), ("f:2", ["/x"])], "/e") == "f:2"


def test_shadow_origin_is_the_assignment_that_put_the_entry_ahead():
    a = [("f:1", ["/a", "/e"]), ("f:2", ["/e", "/a"]), ("f:3", ["/s", "/e", "/a"]), ("f:4", ["/s", "/e"])]
    assert judge.shadow_origin(a, "/s", "/e") == "f:3"
    assert judge.shadow_origin(a, "/a", "/e") == "f:1"          # ahead from the start, later fixed
    assert judge.shadow_origin([], "/s", "/e") is None


# ------------------------------------------------------------------------------------------------------------
# main() against a fake run_command: each context's shell answers with what it would print.

def probe_answer(token, path, commands):
    """The marked output the probe script produces; commands: word -> (type line, typerc, run lines, py or None)."""
    m = "@@" + token
    out = ["motd noise", "%s path %s" % (m, ":".join(path))]
    for word, (type_line, rc, run, py) in commands.items():
        out += ["%s cmd %s" % (m, word), type_line, "%s typerc %d" % (m, rc), "%s fn " % m]
        if rc == 0:
            out.append("%s run" % m)
            if py:
                out.append("%s py %s" % (m, "\t".join(py)))
            out += run + ["", "%s runrc 0" % m]
    out.append("%s end" % m)
    return "\n".join(out) + "\n"


@pytest.fixture
def layout(tmp_path):
    root = str(tmp_path)
    venv, inst = os.path.join(root, "venv"), os.path.join(root, "python")
    base = os.path.join(inst, "cpython-3.11.2-linux-x86_64-gnu")
    for d in (venv + "/bin", base + "/bin", root + "/bin", root + "/foreign/bin"):
        os.makedirs(d)
    open(base + "/bin/python3.11", "w").close()
    os.symlink(base + "/bin/python3.11", venv + "/bin/python")
    os.symlink("/usr/bin/python3", root + "/foreign/bin/python")
    for name in ("uv", "uvx"):
        open(os.path.join(root, "bin", name), "w").close()
    # what the venv's python says of itself (executable, prefix, base prefix, version)
    venv_py = (venv + "/bin/python", venv, base, "3.11.2")
    return dict(root=root, venv=venv, base=base, uv=root + "/bin/uv", foreign=root + "/foreign/bin", venv_py=venv_py)


def venv_python(L):
    """A probe's answer for the word python: the venv's, found on PATH."""
    return {"python": ("python is %s/bin/python" % L["venv"], 0, [], L["venv_py"])}


def run_main(monkeypatch, capsys, params, answer):
    """answer(argv, token) -> (rc, stdout, stderr); every call is recorded."""
    calls = []

    def fake_run_command(self, args, **kwargs):
        # every command runs under the bounded runner, within the probe timeout: the fake answers for the command
        limits, args = _bounded_run.unwrap(args)
        assert limits is not None and limits["timeout"] <= params.get("timeout", 300), args
        calls.append(list(args))
        # "$PATH" and crontab values are for the context's shell, not for run_command to expand
        assert kwargs.get("expand_user_and_vars") is False, args
        probe = [a for a in args if a.startswith(". ") or a.endswith("probe.sh'")]
        token = None
        for a in probe:
            m = re.search(r"(/\S+probe\.sh)", a)
            with open(m.group(1)) as f:
                token = re.search(r"@@([0-9a-z]+) ", f.read()).group(1)
        return answer(args, token)

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fake_run_command)
    with patch_module_args(params):
        with pytest.raises(SystemExit):
            path_info.main()
    return json.loads(capsys.readouterr().out), calls


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="path_info refuses to run without root")


@needs_root
def test_foreign_python_earlier_on_path_loses_with_the_line_that_put_it_there(layout, monkeypatch, capsys):
    L = layout
    foreign_py = ("/usr/bin/python3", "/usr", "/usr", "3.11.2")

    def answer(argv, token):
        if "-x" in argv:           # the traced re-run for the origin
            trace = ("+/etc/profile:7: PATH=/usr/bin:/bin\n"
                     "++/etc/profile.d/labfleet-uv.sh:24: PATH=%s/bin:/usr/bin:/bin\n"
                     "++/root/.bashrc:3: export PATH=%s:%s/bin:/usr/bin:/bin\n")
            return 0, "", trace % (L["venv"], L["foreign"], L["venv"])
        login = "-i" in argv and "-c" in argv and "exec" not in argv[-1]
        path = [L["venv"] + "/bin", L["root"] + "/bin", "/usr/bin"]
        cmds = {"uv": ("uv is %s/bin/uv" % L["root"], 0, ["uv 0.13.9"], None)}
        if login:
            cmds.update(venv_python(L))
        else:
            path = [L["foreign"]] + path
            cmds["python"] = ("python is %s/python" % L["foreign"], 0, [], foreign_py)
        return 0, probe_answer(token, path, cmds), "bash: no job control in this shell\n"

    result, calls = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], commands=["python", "uv"], venv_path=L["venv"],
        python_install_dir=L["root"] + "/python", python_bin_dir=L["root"] + "/python-bin", uv_path=L["uv"]), answer)

    assert result["changed"] is False
    assert result["verdict"] == "fail"
    by = dict(((r["context"], r["command"]), r) for r in result["results"])
    assert by["login", "python"]["status"] == "won"
    assert by["login", "python"]["provider"] == "shared_venv"
    assert by["login", "uv"]["status"] == "won"
    lost = by["interactive", "python"]
    assert lost["status"] == "lost"
    assert lost["provider"] == "distro"
    assert lost["shadow"] == dict(kind="path_entry", value=L["foreign"], origin="/root/.bashrc:3")
    assert "comes before %s/bin" % L["venv"] in lost["reason"]
    assert [(f["context"], f["command"]) for f in result["failures"]] == [("interactive", "python")]
    assert result["summary"]["won"] == 3 and result["summary"]["lost"] == 1
    # root's startup files are the system's: the loss fails the verdict even with user_files: warn (the default)
    assert (lost["fault"], result["user_losses"], result["summary"]["user_files"]) == ("system", [], "warn")
    # su -l as root, the user's shell as an interactive login shell; then the traced re-run of the lost context
    assert calls[0][:5] == ["su", "-l", "root", "-s", "/usr/bin/env"]
    assert any("-x" in c for c in calls)


@needs_root
def test_the_python_that_runs_decides_not_the_path_that_resolves(layout, monkeypatch, capsys):
    """A ~/.local/bin/python symlink to the venv's python does not run the venv (no pyvenv.cfg beside it)."""
    L = layout
    home_link = "/root/.local/bin/python"

    def answer(argv, token):
        if "-x" in argv:
            return 0, "", ""
        py = (home_link, L["base"], L["base"], "3.11.2")
        return 0, probe_answer(token, ["/root/.local/bin", L["venv"] + "/bin"],
                               {"python": ("python is " + home_link, 0, [], py)}), ""

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login"], commands=["python"], venv_path=L["venv"],
        python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    r = result["results"][0]
    assert (r["status"], r["provider"], r["won"]) == ("lost", "uv_managed", False)
    assert r["shadow"]["kind"] == "path_entry" and r["shadow"]["value"] == "/root/.local/bin"


@needs_root
def test_alias_that_still_runs_the_venv_wins_and_one_that_does_not_loses(layout, monkeypatch, capsys):
    L = layout
    venv_py = (L["venv"] + "/bin/python3", L["venv"], L["base"], "3.11.2")
    other_py = ("/usr/bin/python3.9", "/usr", "/usr", "3.9.2")

    def answer(argv, token):
        if "-x" in argv:
            return 0, "", "++/root/.bashrc:9: alias python2=python3.9\n"
        return 0, probe_answer(token, [L["venv"] + "/bin", "/usr/bin"], {
            "python": ("python is aliased to `python3'", 0, [], venv_py),
            "python2": ("python2 is aliased to `python3.9'", 0, [], other_py),
        }), ""

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["interactive"], commands=["python", "python2"], venv_path=L["venv"],
        python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    by = dict((r["command"], r) for r in result["results"])
    assert by["python"]["status"] == "won" and by["python"]["kind"] == "alias"
    assert by["python2"]["status"] == "lost"
    assert by["python2"]["shadow"] == dict(kind="alias", value="python3.9", origin="/root/.bashrc:9")


@needs_root
def test_not_found_and_missing_expected_and_timeouts_are_reported_not_hidden(layout, monkeypatch, capsys):
    L = layout

    def answer(argv, token):
        if "-x" in argv:
            return 0, "", "+/etc/profile:7: PATH=/usr/bin:/bin\n"
        if "exec" in argv[-1]:          # the interactive context hangs
            return 124, "", ""
        return 0, probe_answer(token, ["/usr/bin", "/bin"], {
            "python": ("bash: type: python: not found", 1, [], None),
            "pip": ("pip is /usr/bin/pip", 0, ["pip 23.0.1 from /usr/lib/python3/dist-packages/pip (python 3.11)"],
                    None),
        }), ""

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], required_contexts=["login"], commands=["python", "pip"],
        venv_path=L["venv"], python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    by = dict(((r["context"], r["command"]), r) for r in result["results"])
    assert by["login", "python"]["kind"] == "not_found"
    assert by["login", "python"]["reason"].startswith("python: command not found; %s/bin is not on PATH" % L["venv"])
    # no startup file put the venv on PATH (the reason says which one set PATH last): no origin, the system's
    assert by["login", "python"]["shadow"]["origin"] is None
    assert "(no startup file put it there; PATH last set by /etc/profile:7)" in by["login", "python"]["reason"]
    assert by["login", "python"]["fault"] == "system"
    assert by["login", "pip"]["status"] == "lost"
    assert by["login", "pip"]["shadow"]["kind"] == "missing"      # the venv has no pip (not seeded)
    assert by["login", "pip"]["provider"] == "distro"
    assert by["interactive", "python"]["status"] == "error"
    assert "timed out" in by["interactive", "python"]["reason"]
    assert by["interactive", "python"]["required"] is False
    assert result["verdict"] == "fail"
    assert set((f["context"], f["command"]) for f in result["failures"]) == {("login", "python"), ("login", "pip")}


@needs_root
def test_a_probe_whose_output_came_back_cut_is_read_again_once(layout, monkeypatch, capsys):
    # Ansible's run_command can lose what a command prints just before it exits (ansible/ansible#51393): the
    # login probe's first reading ends early with rc 0, its second is whole; the interactive probe's is cut twice
    L = layout
    readings = {}

    def answer(argv, token):
        ctx = "interactive" if "exec" in argv[-1] else "login"
        readings[ctx] = readings.get(ctx, 0) + 1
        whole = probe_answer(token, [L["venv"] + "/bin", "/usr/bin"], {
            "python": ("python is %s/bin/python" % L["venv"], 0, [],
                       (L["venv"] + "/bin/python", L["venv"], L["base"], "3.11.2"))})
        if ctx == "interactive" or readings[ctx] == 1:
            return 0, whole[:whole.index(" cmd ")], "sh: 0: can't access tty; job control turned off\n"
        return 0, whole, ""

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], required_contexts=["login"], commands=["python"],
        venv_path=L["venv"], python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    by = dict(((r["context"], r["command"]), r) for r in result["results"])
    assert readings == {"login": 2, "interactive": 2}
    assert by["login", "python"]["status"] == "won", by["login", "python"]
    assert by["interactive", "python"]["status"] == "error"
    reason = by["interactive", "python"]["reason"]
    assert reason.startswith("the probe did not finish (rc=0, run 2 times): stderr \"sh: 0: can't access tty")
    assert "stdout ends" in reason and "path" in reason


@pytest.mark.parametrize("params,message", [
    (dict(commands=["python; rm -rf /"]), "commands: not a command word"),
    (dict(python_version="3.11.2"), "python_version must be a minor"),
    (dict(contexts=["login"], required_contexts=["cron"]), "required_contexts: not among the probed contexts: cron"),
    (dict(users=["no-such-user-here"]), "users: no such user on this host: no-such-user-here"),
    (dict(expect="path"), "expect_path"),
])
@needs_root
def test_bad_input_is_refused_with_the_option_named(params, message, monkeypatch, capsys):
    def answer(argv, token):
        raise AssertionError("nothing may run on bad input: %r" % argv)

    result, calls = run_main(monkeypatch, capsys, params, answer)
    assert result["failed"] is True
    assert message in result["msg"]
    assert calls == []


@needs_root
def test_only_required_contexts_count_and_an_error_there_fails_the_verdict(layout, monkeypatch, capsys):
    L = layout
    foreign_py = ("/usr/bin/python3", "/usr", "/usr", "3.11.2")

    def answer(argv, token):
        if "-x" in argv:
            return 0, "", ""
        if "exec" in argv[-1]:          # interactive (not required): the foreign python wins there
            return 0, probe_answer(token, [L["foreign"], L["venv"] + "/bin"],
                                   {"python": ("python is %s/python" % L["foreign"], 0, [], foreign_py)}), ""
        return 124, "", ""              # login (required) hangs

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], required_contexts=["login"], commands=["python"],
        venv_path=L["venv"], python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    by = dict((r["context"], r) for r in result["results"])
    assert (by["interactive"]["status"], by["interactive"]["required"]) == ("lost", False)
    assert (by["login"]["status"], by["login"]["required"]) == ("error", True)
    assert [(f["context"], f["status"]) for f in result["failures"]] == [("login", "error")]
    assert result["verdict"] == "fail"


@needs_root
def test_every_context_runs_through_main(layout, monkeypatch, capsys):
    """All seven contexts, each reported as probed or unavailable (what this machine lacks), none crashing."""
    L = layout
    seen = []

    def answer(argv, token):
        seen.append(argv[0])
        if argv[0] == "ssh-keygen":
            key = argv[argv.index("-f") + 1]
            for name in (key, key + ".pub"):
                open(name, "w").close()
            return 0, "", ""
        if "-U" in argv:
            return 0, ("Matching Defaults entries for root on h:\n    env_reset, secure_path=/usr/local/sbin\\:/usr/bin"
                       "\n\nUser root may run the following commands on h:\n    (ALL : ALL) ALL\n"), ""
        if argv[0] == "crontab":
            return 1, "", "no crontab for root\n"
        return 0, probe_answer(token, [L["venv"] + "/bin", "/usr/bin"],
                               venv_python(L)), ""

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], commands=["python"], venv_path=L["venv"], python_install_dir=L["root"] + "/python",
        uv_path=L["uv"]), answer)
    assert "failed" not in result, result.get("msg")
    ctx = dict((c["context"], c) for c in result["contexts"])
    assert sorted(ctx) == sorted(path_info.ALL_CONTEXTS)
    for name, c in ctx.items():
        assert c["status"] in ("probed", "unavailable"), (name, c)
        if c["status"] == "probed":
            assert c["path"] == [L["venv"] + "/bin", "/usr/bin"]
    assert ctx["login"]["status"] == ctx["interactive"]["status"] == "probed"
    if ctx["sudo"]["status"] == "probed":
        assert "secure_path" in ctx["sudo"]["method"]
        assert seen.count("/usr/bin/sudo") + seen.count(shutil.which("sudo") or "") >= 1
    assert all(r["won"] for r in result["results"] if r["status"] == "won")
    assert len(result["results"]) == 7


@needs_root
def test_an_account_whose_shell_refuses_logins_is_reported_as_such_and_never_probed(layout, monkeypatch, capsys):
    L = layout
    nobody = pwd.getpwnam("nobody")
    assert os.path.basename(nobody.pw_shell) in ("nologin", "false"), nobody

    def answer(argv, token):
        raise AssertionError("nothing is started for an account that cannot log in: %r" % argv)

    result, calls = run_main(monkeypatch, capsys, dict(
        users=["nobody"], contexts=["login", "cron"], required_contexts=["login"], commands=["python"],
        venv_path=L["venv"], python_install_dir=L["root"] + "/python", uv_path=L["uv"], user_files="fail"), answer)
    assert "failed" not in result, result.get("msg")
    assert calls == []
    assert result["verdict"] == "pass" and result["failures"] == [] and result["user_losses"] == []
    assert [(r["context"], r["status"]) for r in result["results"]] == [("login", "no_login"), ("cron", "no_login")]
    assert all(c["status"] == "no_login" and nobody.pw_shell in c["reason"] for c in result["contexts"])
    assert (result["summary"]["no_login"], result["summary"]["probed_users"], result["summary"]["error"]) == (2, 0, 0)


# ------------------------------------------------------------------------------------------------------------
# Bounded probes: the fake answers as the bounded runner (_bounded_run's RUNNER) does, its outcome on the last line.

def runner_says(status, out="", err="", rc=0, **extra):
    """What run_command returns for a bounded run that ended with `status` (ok, timeout, cap, writing, held)."""
    outcome = dict(status=status, rc=rc, seconds=1.0, timeout=300.0, cap=1048576, grace=2.0, after=0, over=[],
                   killed=[[4242, 0, "sh"]])
    outcome.update(extra)
    return 124 if status == "timeout" else rc, out, err + "\n" + MARK + json.dumps(outcome) + "\n"


@needs_root
def test_what_stopped_a_probe_is_its_reason_and_an_answer_whose_leftover_only_held_the_output_stands(
        layout, monkeypatch, capsys):
    L = layout

    def answer(argv, token):
        whole = probe_answer(token, [L["venv"] + "/bin", "/usr/bin"],
                             venv_python(L))
        if "exec" in argv[-1]:          # interactive: a leftover held the output silently, then was killed
            return runner_says("held", whole)
        return runner_says("writing", whole + ".\n.\n", after=4)

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], commands=["python"], venv_path=L["venv"],
        python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    by = dict((r["context"], r) for r in result["results"])
    assert by["interactive"]["status"] == "won"
    assert by["login"]["status"] == "error"
    assert by["login"]["reason"].startswith("kept writing after its shell exited (4 bytes in the 2s after); killed "
                                            "sh[4242] (root)"), by["login"]["reason"]


@needs_root
def test_output_over_the_cap_is_an_error_naming_the_cap(layout, monkeypatch, capsys):
    result, calls = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login"], commands=["python"], venv_path=layout["venv"]),
        lambda argv, token: runner_says("cap", over=["stdout"]))
    r = result["results"][0]
    assert r["status"] == "error" and r["reason"].startswith("output over the cap of 1 MiB on stdout"), r
    assert len(calls) == 1              # the runner said how it ended: not read again as if its output were cut


@needs_root
def test_an_account_whose_probe_timed_out_costs_no_second_timeout(layout, monkeypatch, capsys):
    L = layout
    calls = []

    def answer(argv, token):
        calls.append(argv)
        return runner_says("timeout")

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], commands=["python"], venv_path=L["venv"], concurrency=1),
        answer)
    by = dict((r["context"], r) for r in result["results"])
    assert len(calls) == 1                                      # the interactive probe never started
    assert by["login"]["reason"].startswith("timed out after 300s; killed sh[4242] (root)"), by["login"]
    assert by["interactive"]["status"] == "error"
    assert by["interactive"]["reason"] == "not started: root's login probe timed out after 300s", by["interactive"]


@needs_root
def test_probes_not_started_before_the_deadline_are_errors_that_say_so(layout, monkeypatch, capsys):
    L = layout
    limits = []

    def answer(argv, token):
        time.sleep(1.5)
        return 0, probe_answer(token, [L["venv"] + "/bin"],
                               venv_python(L)), ""

    real_unwrap = _bounded_run.unwrap
    monkeypatch.setattr(_bounded_run, "unwrap", lambda argv: limits.append(real_unwrap(argv)[0]) or
                        real_unwrap(argv))
    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "interactive"], commands=["python"], venv_path=L["venv"],
        python_install_dir=L["root"] + "/python", uv_path=L["uv"], concurrency=1, deadline=2), answer)
    by = dict((r["context"], r) for r in result["results"])
    assert by["login"]["status"] == "won"
    assert by["interactive"]["status"] == "error"
    assert by["interactive"]["reason"] == "not started: the verdict's deadline (2s) had passed"
    assert limits[0]["timeout"] <= 2                           # the first probe's timeout cut short to the deadline


@needs_root
def test_the_sudo_search_runs_as_the_user_with_the_login_path_sudo_keeps(layout, monkeypatch, capsys, tmp_path):
    """Without secure_path sudo keeps the user's login PATH (their ~/bin first, maybe): what sudo would run is
    searched for and run as the user (runuser), never as root; the login probe's PATH is asked once."""
    L = layout
    fake_sudo = str(tmp_path / "sudo")
    open(fake_sudo, "w").close()
    monkeypatch.setattr(_path_contexts.shutil, "which", lambda name: fake_sudo if name == "sudo" else None)
    login_path = ["/root/bin", L["venv"] + "/bin", "/usr/bin"]
    own_py = ("/root/bin/python", "/usr", "/usr", "3.11.2")

    def answer(argv, token):
        if "-U" in argv:             # a drop-in unsets the global secure_path for this user: the last entry wins
            return 0, ("Matching Defaults entries for root on h:\n    env_reset, secure_path=/usr/sbin\\:/usr/bin, "
                       "use_pty, !secure_path\n\nUser root may run the following commands on h:\n    (ALL : ALL) ALL\n"), ""
        if "-x" in argv:
            return 0, "", ""
        return 0, probe_answer(token, login_path, {"python": ("python is /root/bin/python", 0, [], own_py)}), ""

    result, calls = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["login", "sudo"], commands=["python"], venv_path=L["venv"],
        python_install_dir=L["root"] + "/python", uv_path=L["uv"]), answer)
    ctx = dict((c["context"], c) for c in result["contexts"])
    assert ctx["sudo"]["status"] == "probed", ctx["sudo"]
    assert "no secure_path" in ctx["sudo"]["method"] and "PATH search as root" in ctx["sudo"]["method"]
    sudo_probe = [c for c in calls if "PATH=" + ":".join(login_path) in c]
    assert len(sudo_probe) == 1
    assert sudo_probe[0][:6] == ["runuser", "-u", "root", "--", "env", "-i"]
    assert len([c for c in calls if c[:2] == ["su", "-l"] and "-x" not in c]) == 1


@needs_root
def test_root_reads_sudo_l_and_a_users_crontab_only_up_to_the_cap(layout, monkeypatch, capsys, tmp_path):
    fake_sudo = str(tmp_path / "sudo")
    open(fake_sudo, "w").close()
    monkeypatch.setattr(_path_contexts.shutil, "which", lambda name: fake_sudo if name == "sudo" else None)
    real_exists = os.path.exists
    monkeypatch.setattr(_path_contexts.os.path, "exists", lambda p: p == "/usr/sbin/cron" or real_exists(p))

    def answer(argv, token):
        assert argv[:2] in ([fake_sudo, "-n"], ["crontab", "-l"]), argv      # nothing else may start
        return runner_says("cap", over=["stdout"])

    result, dummy = run_main(monkeypatch, capsys, dict(
        users=["root"], contexts=["sudo", "cron"], commands=["python"], venv_path=layout["venv"]), answer)
    ctx = dict((c["context"], c) for c in result["contexts"])
    assert ctx["sudo"]["status"] == "error", ctx["sudo"]
    assert ctx["sudo"]["reason"].startswith("sudo -l -U root: output over the cap of 1 MiB on stdout")
    assert ctx["cron"]["status"] == "error", ctx["cron"]
    assert ctx["cron"]["reason"].startswith("crontab -l -u root: output over the cap of 1 MiB on stdout")
