"""labfleet.uv.path_info against the truth, on the two containers of the path_verdict scenario.

For each case the verdict is compared with what really runs when the same user starts `python` the same
way, by an independent route: a real terminal (a pty from `script`, or for nushell a pty that answers its line
editor's questions as terminal emulators do) for login and interactive shells, a real
`ssh user@localhost cmd` with a key, `sudo` as the user, a real systemd service and a real cron job. The
expected outcome of each case is also written down, so a probe and a check that were wrong the same way
would still fail. Then the fleet report is built and rendered in headless Chromium.
"""
import html.parser
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

import pytest
import testinfra

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, ansible_env, connection, json_printed  # noqa: E402  pylint: disable=wrong-import-position

VENV = "/opt/uv/venv"
OK, SHADOWED = "verdict-ok", "verdict-shadowed"
PROBE = "import sys; print('@@PY', sys.prefix, '%d.%d.%d' % sys.version_info[:3])"

# (host, user, context) -> does the shared venv's python really win there?
EXPECTED = {
    (OK, "root", "login"): True, (OK, "alice", "login"): True, (OK, "bob", "login"): True,
    (OK, "carol", "login"): True, (OK, "alice", "interactive"): True, (OK, "bob", "interactive"): True,
    (OK, "carol", "interactive"): True, (OK, "root", "sudo_login"): True,
    (SHADOWED, "alice", "login"): True, (SHADOWED, "alice", "interactive"): True,
    (SHADOWED, "dave", "login"): False, (SHADOWED, "dave", "interactive"): False,
    (SHADOWED, "erin", "login"): False, (SHADOWED, "erin", "interactive"): False,
    (SHADOWED, "frank", "login"): False, (SHADOWED, "gina", "login"): False, (SHADOWED, "gina", "interactive"): False,
    # contexts that do not read /etc/profile.d
    (SHADOWED, "alice", "ssh"): False, (SHADOWED, "erin", "ssh"): False, (SHADOWED, "frank", "sudo"): False,
    (SHADOWED, "alice", "systemd"): False, (SHADOWED, "alice", "cron"): False,
    # ...unless the admin put the venv on cron's PATH in the crontab
    (SHADOWED, "dave", "cron"): True,
    # fish and tcsh read their own system startup files (the role's /etc/fish/conf.d file and /etc/csh.cshrc
    # block), in login and interactive shells, and also for `ssh host cmd` (fish -c, tcsh -c read them too)
    (OK, "fiona", "login"): True, (OK, "fiona", "interactive"): True,
    (OK, "ted", "login"): True, (OK, "ted", "interactive"): True,
    (SHADOWED, "fiona", "ssh"): True, (SHADOWED, "ted", "ssh"): True,
    # nushell: its REPL (login or not) reads the role's vendor autoload file; `nu -c`, which sshd runs, reads none
    (OK, "nina", "login"): True, (OK, "nina", "interactive"): True, (SHADOWED, "nina", "ssh"): False,
    (SHADOWED, "fred", "login"): False, (SHADOWED, "fred", "interactive"): False,
    (SHADOWED, "tina", "login"): False, (SHADOWED, "tina", "interactive"): False,
    # fiona's crontab runs her jobs in fish, which reads the role's conf.d file
    (SHADOWED, "fiona", "cron"): True,
    # amy is alice's twin (probed once for both), hank is not: his ~/bin holds a python
    (OK, "amy", "login"): True, (OK, "amy", "interactive"): True, (OK, "amy", "ssh"): False,
    (SHADOWED, "amy", "login"): True, (SHADOWED, "hank", "login"): False, (SHADOWED, "hank", "interactive"): False,
    (SHADOWED, "eve", "login"): False, (SHADOWED, "eve", "interactive"): False,
}


@pytest.fixture(scope="session")
def report():
    """One run of the fleet report playbook over both hosts: its JSON output, and the directory it wrote.

    The verdicts every test compares with are the ones this run recorded (the role's verdict entry point, as an
    admin runs it), so the hosts are probed once for the verdict tests and the report test alike."""
    out = tempfile.mkdtemp(prefix="labfleet-report-")
    proc = subprocess.run(["ansible-playbook", "playbooks/path_report.yml"] + connection(OK, SHADOWED) +
                          ["-e", "path_report_dir=" + out,
                           # what the inventory's group_vars say for these hosts (as converge.yml set them)
                           "-e", json.dumps({"shared_python_versions": ["3.11"], "shared_python_venv_seed": True})],
                          cwd=REPO, env=ansible_env(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1"),
                          capture_output=True, text=True, check=False)
    return proc.returncode, json_printed(proc), out


def task_results(run, play, name):
    """{host: result} of the task called `name` (a role's task: without its "role : " prefix) in play number
    `play` of a JSON-callback run."""
    found = [t["hosts"] for t in run["plays"][play]["tasks"] if t["task"]["name"].split(" : ")[-1] == name]
    assert len(found) == 1, (name, [t["task"]["name"] for t in run["plays"][play]["tasks"]])
    return found[0]


@pytest.fixture(scope="session")
def verdicts(report):
    dummy, run, dummy = report
    hosts = task_results(run, 0, "Find which python wins for each user and context")
    for name in (OK, SHADOWED):
        assert "results" in hosts[name], hosts[name].get("msg")
    return hosts


def probed_as(verdicts, host, user):
    """The account path_info probed for user: user itself, or the account user is a twin of."""
    return next((rep for rep, twins in verdicts[host]["twins"].items() if user in twins), user)


def result(verdicts, host, user, context, command="python"):
    """user's result: its own, or for a twin, the probed account's (a consumer reads it the same way)."""
    rep = probed_as(verdicts, host, user)
    found = [r for r in verdicts[host]["results"]
             if (r["user"], r["context"], r["command"]) == (rep, context, command)]
    assert len(found) == 1, (host, user, rep, context, command)
    return found[0]


def target(name):
    return testinfra.get_host("podman://" + name)


PY_LINE = re.compile(r"@@PY (\S+) (\d+\.\d+\.\d+)")


def parse_python(text):
    """(ran, prefix, version) from the output of PROBE, or (False, None, None) when python did not run.

    The typed command line echoes back as @@PY' (a quote follows), so only real output matches."""
    m = PY_LINE.search(text or "")
    return (True, m.group(1), m.group(2)) if m else (False, None, None)


def in_terminal(host, command_line, user_cmd):
    """Type user_cmd into a real terminal (a pty from `script`) running command_line; what it printed."""
    typed = "%s\nexit\n" % user_cmd
    r = host.run("printf %%s %s | script -qec %s /dev/null" % (shlex.quote(typed), shlex.quote(command_line)))
    assert "exit" in r.stdout, "the terminal session did not run:\n" + r.stdout + r.stderr
    return r.stdout


# A terminal that answers what nushell's line editor asks it before each prompt (where the cursor is, ESC [6n), as
# every terminal emulator does (`script` passes the question on to a pipe nobody reads): runs a command line in a
# pty, types each line when a prompt asks, and prints what the screen showed. Written here again on purpose, not
# imported from path_info's NU_DRIVER: the check must not share a mistake with what it checks.
ANSWERING_TERMINAL = r"""
import os, pty, select, sys
command_line, typed = sys.argv[1], sys.argv[2].split("\n")
pid, fd = pty.fork()
if pid == 0:
    os.execv("/bin/sh", ["sh", "-c", command_line])
out = b""
while select.select([fd], [], [], 300)[0]:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
    for dummy in range(data.count(b"\x1b[6n")):
        os.write(fd, b"\x1b[1;1R")
        if typed:
            os.write(fd, typed.pop(0).encode() + b"\r")
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
"""


def in_nu_terminal(host, command_line, lines):
    """Type lines into nushell's REPL in an answering terminal running command_line; what it printed."""
    r = host.run("python3 -c %s %s %s" % (shlex.quote(ANSWERING_TERMINAL), shlex.quote(command_line),
                                          shlex.quote("\n".join(lines + ["exit"]))))
    assert r.rc == 0, r.stdout + r.stderr
    return r.stdout


def really_runs(host, user, context):
    """What `python` is when user starts it in context, by a route path_info does not use."""
    cmd = "python -c %s" % shlex.quote(PROBE)
    shell = host.user(user).shell
    if os.path.basename(shell) == "nu" and context in ("login", "interactive"):
        nu_cmd = 'python -c "%s"' % PROBE   # nushell has no '...'"'"'...' quoting
        return parse_python(in_nu_terminal(host, "su -l %s" % user,
                                           (["exec %s -i" % shell] if context == "interactive" else []) + [nu_cmd]))
    if context == "login":
        return parse_python(in_terminal(host, "su -l %s" % user, cmd))
    if context == "interactive":
        # typed into the login shell's terminal: `su -l -c` would start it without a controlling terminal, where
        # fish refuses to be interactive
        return parse_python(in_terminal(host, "su -l %s" % user, "exec %s -i\n%s" % (shell, cmd)))
    if context == "sudo_login":
        assert user == "root"
        return parse_python(in_terminal(host, "sudo -i", cmd))
    if context == "ssh":
        host.run_test("test -f /root/.ssh/verdict || ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/verdict")
        home = host.user(user).home
        host.run_test("install -d -m 700 -o {u} -g {u} {h}/.ssh && install -m 600 -o {u} -g {u} "
                      "/root/.ssh/verdict.pub {h}/.ssh/authorized_keys".format(u=user, h=home))
        r = host.run("ssh -i /root/.ssh/verdict -o BatchMode=yes -o StrictHostKeyChecking=no "
                     "-o UserKnownHostsFile=/dev/null %s@localhost %s" % (user, shlex.quote(cmd)))
        assert "Permission denied" not in r.stderr, r.stderr
        return parse_python(r.stdout)
    if context == "sudo":
        return parse_python(host.run("su -l %s -c %s" % (user, shlex.quote("sudo -n " + cmd))).stdout)
    if context == "systemd":
        unit = "verdict-%s" % user
        host.run_test("printf '%%s\\n' '[Service]' 'Type=oneshot' 'User=%s' %s > /run/systemd/system/%s.service"
                      % (user, shlex.quote("ExecStart=/bin/sh -c '%s > /tmp/%s.out 2>&1'" % (
                          cmd.replace("'", "'\\''"), unit)), unit))
        host.run("systemctl daemon-reload && systemctl start %s" % unit)
        return parse_python(host.run("cat /tmp/%s.out" % unit).stdout)
    raise AssertionError(context)


CASES = sorted(k for k in EXPECTED if k[2] != "cron")


@pytest.mark.parametrize("host_name,user,context", CASES)
def test_verdict_equals_what_really_runs(verdicts, host_name, user, context):
    r = result(verdicts, host_name, user, context)
    ran, prefix, version = really_runs(target(host_name), user, context)
    really_won = ran and prefix == VENV
    assert really_won == EXPECTED[host_name, user, context], (prefix, version)
    assert r["won"] == really_won, r
    if ran:
        assert (r["prefix"], r["version"]) == (prefix, version), r
    else:
        assert r["kind"] == "not_found" or "prefix" not in r, r


def test_cron_verdict_equals_what_a_real_cron_job_runs(verdicts):
    host = target(SHADOWED)
    cmd = ("python -c %s" % shlex.quote(PROBE)).replace("%", "\\%")   # % ends a crontab command line
    cron_users = sorted(u for (h, u, c) in EXPECTED if h == SHADOWED and c == "cron")
    for user in cron_users:
        # the job writes beside and renames: the file appears complete or not at all
        job = "* * * * * %s > /tmp/cron-%s.part 2>&1; mv /tmp/cron-%s.part /tmp/cron-%s.out" % (cmd, user, user, user)
        host.run_test("rm -f /tmp/cron-%s.out; (crontab -u %s -l 2>/dev/null; echo %s) | crontab -u %s -" % (
            user, user, shlex.quote(job), user))
    # cron starts jobs once a minute: the guard is against a cron that never runs them, far above that
    waited = 0
    while not all(host.file("/tmp/cron-%s.out" % u).exists for u in cron_users):
        assert waited < 600, "timed out after 600 s waiting for cron to run the jobs"
        time.sleep(3)
        waited += 3
    for user in cron_users:
        out = host.file("/tmp/cron-%s.out" % user)
        ran, prefix, version = parse_python(out.content_string)
        really_won = ran and prefix == VENV
        assert really_won == EXPECTED[SHADOWED, user, "cron"], out.content_string
        assert result(verdicts, SHADOWED, user, "cron")["won"] == really_won


def test_shadows_are_named_with_the_file_and_line_that_set_them(verdicts):
    dave = result(verdicts, SHADOWED, "dave", "login")
    assert dave["shadow"]["kind"] == "path_entry" and dave["shadow"]["value"] == "/opt/foreign/bin"
    assert dave["shadow"]["origin"].startswith("/home/dave/.profile:"), dave
    assert dave["provider"] == "distro"
    line = int(dave["shadow"]["origin"].rsplit(":", 1)[1])
    assert "/opt/foreign/bin" in target(SHADOWED).file("/home/dave/.profile").content_string.splitlines()[line - 1]

    erin = result(verdicts, SHADOWED, "erin", "interactive")
    assert erin["kind"] == "alias" and erin["shadow"]["kind"] == "alias"
    line = int(erin["shadow"]["origin"].rsplit(":", 1)[1])
    assert erin["shadow"]["origin"].startswith("/home/erin/.bashrc:")
    assert "alias python=" in target(SHADOWED).file("/home/erin/.bashrc").content_string.splitlines()[line - 1]

    frank = result(verdicts, SHADOWED, "frank", "login")
    assert frank["shadow"]["value"] == "/home/frank/.local/bin" and frank["provider"] == "distro"

    gina = result(verdicts, SHADOWED, "gina", "login")
    assert gina["kind"] == "function" and gina["shadow"]["origin"] == "/home/gina/.zshrc"

    # fish tells: a PATH event handler sees which file and line changed PATH (fish_add_path called from line 3)
    for context in ("login", "interactive"):
        fred = result(verdicts, SHADOWED, "fred", context)
        assert fred["shadow"]["kind"] == "path_entry" and fred["shadow"]["value"] == "/opt/foreign/bin", fred
        assert fred["shadow"]["origin"] == "/home/fred/.config/fish/config.fish:3", fred
    line = target(SHADOWED).file("/home/fred/.config/fish/config.fish").content_string.splitlines()[2]
    assert "/opt/foreign/bin" in line

    # tcsh cannot tell: no origin, and the reason says so and where to look
    tina = result(verdicts, SHADOWED, "tina", "login")
    assert tina["shadow"]["kind"] == "not_on_path" and tina["shadow"]["origin"] is None, tina
    assert "tcsh cannot trace" in tina["reason"] and "~/.tcshrc" in tina["reason"], tina["reason"]

    sudo = result(verdicts, SHADOWED, "frank", "sudo")
    assert sudo["kind"] == "not_found" and sudo["shadow"]["kind"] == "not_on_path"
    assert result(verdicts, SHADOWED, "alice", "sudo")["status"] == "not_permitted"


def test_identical_accounts_are_probed_once_and_each_is_reported(verdicts):
    for name in (OK, SHADOWED):
        v = verdicts[name]
        assert "amy" in v["twins"]["alice"] and "amy" in v["summary"]["users"]
        probed = set(r["user"] for r in v["results"])
        assert "amy" not in probed and "alice" in probed
        assert v["summary"]["probed_users"] == len(probed) < len(v["summary"]["users"])
        # the counts cover every account: a result of a probed account counts for its twins too
        total = sum(v["summary"][s] for s in ("won", "lost", "unavailable", "not_permitted", "error"))
        assert total == len(v["summary"]["users"]) * len(v["summary"]["contexts"]) * len(
            set(r["command"] for r in v["results"]))
    # hank differs in what his startup files put on PATH: probed on his own, and he loses with his own ~/bin
    assert probed_as(verdicts, SHADOWED, "hank") == "hank"
    hank = result(verdicts, SHADOWED, "hank", "login")
    assert hank["shadow"]["value"] == "/home/hank/bin" and hank["shadow"]["origin"].startswith("/home/hank/.profile:")
    # eve is erin's twin: her losses are her own, with her own file and line (and her own files' fault)
    assert probed_as(verdicts, SHADOWED, "eve") == "erin"
    eve = [f for f in verdicts[SHADOWED]["user_losses"] if f["user"] == "eve" and f["command"] == "python"]
    assert sorted(f["context"] for f in eve) == ["interactive", "login"], eve
    for f in eve:
        assert f["probed_as"] == "erin" and f["shadow"]["origin"].startswith("/home/eve/.bashrc:"), f
        assert "/home/erin" not in f["reason"], f["reason"]
        assert f["fault"] == "user" and f["fault_evidence"].startswith("set at /home/eve/.bashrc:"), f


def test_host_verdicts_and_failures(verdicts):
    assert verdicts[OK]["verdict"] == "pass"
    assert verdicts[OK]["changed"] is False
    assert verdicts[SHADOWED]["verdict"] == "fail"
    # each user who shadows it with their own files (their dotfiles, their ~/bin or ~/.local/bin) is reported as
    # their own loss, which does not fail the host (user_files: warn, the default); tina's ~/.tcshrc too resets
    # PATH, but tcsh cannot tell which file did, and a loss nothing ties to the user's files is the system's
    failing = set((f["user"], f["context"]) for f in verdicts[SHADOWED]["failures"])
    own = set((f["user"], f["context"]) for f in verdicts[SHADOWED]["user_losses"])
    assert set(u for u, dummy in failing) == {"tina"}
    assert set(u for u, dummy in own) == {"dave", "erin", "frank", "gina", "fred", "hank", "eve"}
    assert set(c for dummy, c in failing | own) == {"login", "interactive"}      # only the required contexts count
    assert all(f.get("fault") == "system" for f in verdicts[SHADOWED]["failures"])
    assert all(f["fault"] == "user" for f in verdicts[SHADOWED]["user_losses"])
    dave = result(verdicts, SHADOWED, "dave", "login")
    assert dave["fault_evidence"] == "set at %s, a file of the user's own" % dave["shadow"]["origin"], dave
    for name in (OK, SHADOWED):
        ctx = dict(((c["user"], c["context"]), c) for c in verdicts[name]["contexts"])
        assert ctx["alice", "ssh"]["status"] == "probed"                     # a real sshd answered
        assert ctx["alice", "systemd"]["status"] == "probed"
        # fish, tcsh and nushell users are probed in their own shells, never an error
        for user in ("fiona", "ted", "nina"):
            for context in ("login", "interactive", "ssh"):
                assert ctx[user, context]["status"] == "probed", ctx[user, context]


# which-python, the user's own answer: the contexts and words it shares with path_info, and what must agree
WHICH_CONTEXTS = ("login", "interactive", "cron")
WHICH_WORDS = ("python", "python3", "pip", "uv")
WHICH_FIELDS = ("status", "won", "kind", "resolved", "realpath", "provider", "runs", "prefix", "version", "fault")


def which_python_in_login_shell(host, user, timeout=240):
    """user's `which-python --json`, typed into their own login shell in a real terminal (nushell's REPL in an
    answering one), saved to a file that root reads back."""
    out = "/tmp/which-python-%s.json" % user
    host.run("rm -f %s" % out)
    # tina's ~/.tcshrc resets PATH: the shared directories are off it, so she types the command's full path
    line = "%swhich-python --json --timeout %d" % ("/opt/uv/venv/bin/" if user == "tina" else "", timeout)
    if os.path.basename(host.user(user).shell) == "nu":
        in_nu_terminal(host, "su -l %s" % user, ["%s | save -f %s" % (line, out)])
    else:
        in_terminal(host, "su -l %s" % user, "%s > %s" % (line, out))
    found = host.file(out)
    assert found.exists, "%s's which-python wrote nothing" % user
    return json.loads(found.content_string)


def as_user(value, rep, user):
    """path_info's answer for a twin is its probed account's: that account's home read as the twin's."""
    if isinstance(value, str):
        return value.replace("/home/%s/" % rep, "/home/%s/" % user)
    if isinstance(value, dict):
        return dict((k, as_user(v, rep, user)) for k, v in value.items())
    return value


def which_python_answers(verdicts):
    """{(host, user): which-python's answer} for every account both hosts report, run three at a time."""
    from concurrent.futures import ThreadPoolExecutor
    pairs = [(name, user) for name in (OK, SHADOWED) for user in verdicts[name]["summary"]["users"]]
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda p: which_python_in_login_shell(target(p[0]), p[1]), pairs))
    return dict(zip(pairs, answers))


@pytest.fixture(scope="session")
def which_answers(verdicts):
    return which_python_answers(verdicts)


def test_which_python_agrees_with_path_info_for_every_user_and_context(verdicts, which_answers):
    compared = {}
    for (name, user), ans in sorted(which_answers.items()):
        assert ans["user"] == user and sorted(c["context"] for c in ans["contexts"]) == sorted(WHICH_CONTEXTS)
        # a trace cut short by the time limit would drop an origin: every answer here had all its time
        assert ans["out_of_time"] is False, (name, user, ans["seconds"])
        mine = dict(((r["context"], r["command"]), r) for r in ans["results"])
        rep = probed_as(verdicts, name, user)
        for context in WHICH_CONTEXTS:
            for word in WHICH_WORDS:
                admin = as_user(result(verdicts, name, user, context, word), rep, user)
                own = mine[context, word]
                # a probe that gave no answer on either side is no agreement: fails here, never skipped
                assert "error" not in (admin["status"], own["status"]), (name, user, context, word, admin, own)
                for field in WHICH_FIELDS:
                    assert own.get(field) == admin.get(field), (name, user, context, word, field, own, admin)
                assert own.get("shadow") == admin.get("shadow"), (name, user, context, word, own, admin)
                if not own["won"]:
                    assert own["fix"], own
                compared.setdefault(ans["shell"], 0)
                compared[ans["shell"]] += 1
    # every kind of login shell of the scenario was compared (fish, tcsh and nushell users included)
    assert set(compared) >= {"/bin/bash", "/bin/sh", "/usr/bin/zsh", "/usr/bin/fish", "/usr/bin/tcsh",
                             "/usr/local/bin/nu"}, compared


def test_which_python_names_the_origin_and_the_usual_fix(which_answers):
    def fix(user, context="login", word="python"):
        found = [r for r in which_answers[SHADOWED, user]["results"] if (r["context"], r["command"]) == (context, word)]
        return found[0]

    assert fix("dave")["shadow"]["origin"].startswith("/home/dave/.profile:")
    assert "/opt/foreign/bin" in fix("dave")["fix"] and 'PATH="$PATH:/opt/foreign/bin"' in fix("dave")["fix"]
    assert fix("erin", "interactive")["fix"].startswith("delete the alias python at /home/erin/.bashrc:")
    assert fix("hank")["fix"].startswith("/home/hank/bin/python is your own, and /home/hank/.profile:")
    assert fix("gina")["fix"] == "delete the function python at /home/gina/.zshrc"
    assert "fish_add_path --append /opt/foreign/bin" in fix("fred")["fix"]
    assert fix("alice", "cron")["fix"].startswith("cron starts your jobs with PATH=/usr/bin:/bin")
    assert fix("dave", "cron")["won"]
    assert "PATH reset" in fix("tina")["fix"] and "set path = ($path" in fix("tina")["fix"]
    for ans in which_answers.values():
        assert set(ans["not_probed"]) == {"ssh", "sudo", "sudo_login", "systemd"}


def test_which_python_is_bounded_by_its_timeout_whatever_a_profile_does():
    """A ~/.profile that never ends and leaves a detached process behind: the answer comes within the timeout (and
    python's own start), says so, and nothing of the user's is left running."""
    host = target(OK)
    host.run_test("id -u slowpoke >/dev/null 2>&1 || useradd --create-home --shell /bin/bash slowpoke")
    try:
        host.run_test("printf '%s\\n' 'setsid sleep 1000 &' 'sleep 1000' >> /home/slowpoke/.profile")
        start = time.monotonic()
        r = host.run("su slowpoke -s /bin/sh -c '/opt/uv/venv/bin/which-python --json --timeout 6'")
        took = time.monotonic() - start
        assert r.rc == 1, r.stdout + r.stderr
        ans = json.loads(r.stdout)
        status = dict((c["context"], c["status"]) for c in ans["contexts"])
        assert status["login"] == status["interactive"] == "error", ans["contexts"]
        assert took < 6 + 5, took
        assert host.run("pgrep -u slowpoke").stdout == ""
    finally:
        host.run("userdel -rf slowpoke")


class Cells(html.parser.HTMLParser):
    """host -> context -> attributes of its cell, from the DOM Chromium rendered."""

    def __init__(self):
        super().__init__()
        self.cells, self.host, self.summary = {}, None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-host" in a:
            self.host = a["data-host"]
            self.cells[self.host] = {}
        elif tag == "td" and self.host and "data-context" in a:
            self.cells[self.host][a["data-context"]] = a
        elif a.get("id") == "summary":
            self.summary = a


def test_fleet_report_renders_in_headless_chromium_with_the_failing_host_red(report):
    rc, run, out = report
    assert rc != 0, "a failing host must fail the report run"
    failed = task_results(run, 1, "Fail when a host's managed Python does not win where required")["localhost"]
    assert failed.get("failed") and failed["msg"] == "Failing hosts: %s" % SHADOWED, failed
    summary = open(os.path.join(out, "summary.txt")).read()
    assert "2 host(s), 1 failing: %s" % SHADOWED in summary, summary

    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          "file://%s/index.html" % out], capture_output=True, text=True, check=True, timeout=120)
    page = Cells()
    page.feed(dom.stdout)
    assert page.summary.get("data-rendered-failing") == "1", page.summary      # the page's script ran
    red, green = "rgb(244, 180, 180)", "rgb(200, 240, 200)"
    bad = page.cells[SHADOWED]
    assert bad["login"]["data-status"] == "lost"
    assert bad["login"]["data-rendered-background"] == red
    assert bad["interactive"]["data-rendered-background"] == red
    good = page.cells[OK]
    assert good["login"]["data-status"] == "ok"
    assert good["login"]["data-rendered-background"] == green
    # root may sudo there and secure_path skips the venv: lost, but sudo is not required, so amber not red
    assert good["sudo"]["data-status"] == "lost"
    assert good["sudo"]["data-rendered-background"] == "rgb(253, 228, 176)"
