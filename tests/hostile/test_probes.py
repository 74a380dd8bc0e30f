"""No account can stall the verdict, and no probe runs a user's program as root (issue 26), on the converged hostile
host.

mallory, an ordinary student with a sudo rule, attacks path_info's probes from her own files: a writer she leaves
on the probe's output, a login that never ends, a login that prints without end, a crontab larger than root reads;
and, with a careless admin's sudoers that keeps her PATH, a ~/bin/python that would tell if root ran it. Each time
path_info (run directly, as the role's verdict runs it) must come back within one probe timeout of a quiet run,
name mallory with the reason, give alice the answers of the quiet run, and leave none of the attack's processes.
"""
import shlex
import time

import pytest

from hostile import HOST, sh
from labfleet_testing import path_verdict

USERS = ["alice", "mallory"]
CONTEXTS = ["login", "interactive", "ssh", "sudo", "cron", "systemd"]
TIMEOUT = 45
# A hang guard, not a benchmark: an attacked run may take one probe timeout more than a quiet one, and this shared,
# busy machine another SLACK seconds. Without the bounds these runs never end (one was stopped after 700 s).
SLACK = 30
MARK = "lfp-attack"
HOME = "/home/mallory"


def as_mallory(cmd):
    """cmd as mallory in sh, without a login shell: the attack must not run on the one who sets it up."""
    return sh("runuser -u mallory -- sh -c %s" % shlex.quote("cd %s && %s" % (HOME, cmd)))


def verdict():
    start = time.monotonic()
    out = path_verdict(HOST, dict(users=USERS, contexts=CONTEXTS, timeout=TIMEOUT))
    assert "results" in out, out.get("msg")
    return out, time.monotonic() - start


def of(out, user, context=None):
    return [r for r in out["results"] if r["user"] == user and (context is None or r["context"] == context)]


@pytest.fixture
def quiet():
    """The verdict right before the test's attack (on this busy machine, measured again each time): how long it
    takes, alice's answers."""
    out, seconds = verdict()
    alice = of(out, "alice")
    assert {r["status"] for r in alice if r["context"] in ("login", "interactive")} == {"won"}, alice
    return out, seconds


def attacked(quiet):
    """The verdict under attack: within one probe timeout of the quiet run, alice's answers unchanged."""
    out, seconds = verdict()
    assert seconds < quiet[1] + TIMEOUT + SLACK, (seconds, quiet[1])
    assert of(out, "alice") == of(quiet[0], "alice")
    return out, seconds


def stopped(out, context, reason):
    """mallory's results in context: every one an error whose reason starts with `reason`."""
    found = of(out, "mallory", context)
    assert found and all(r["status"] == "error" and r["reason"].startswith(reason) for r in found), found
    return found


def left_running(pattern):
    """mallory's processes whose command line matches pattern."""
    return sh("pgrep -u mallory -af %s || true" % shlex.quote(pattern)).strip()


def test_a_writer_left_on_the_probes_output_costs_a_grace_not_the_run(quiet):
    writer = "setsid sh -c 'while :; do echo .; sleep .5; done # %s' &" % MARK
    as_mallory("cp -p .profile .profile.%s && echo %s >> .profile" % (MARK, shlex.quote(writer)))
    try:
        out, seconds = attacked(quiet)
        for context in ("login", "interactive"):
            found = stopped(out, context, "kept writing after its shell exited")
            assert "(mallory)" in found[0]["reason"], found[0]      # the writer killed is named as mallory's
        assert left_running(MARK) == ""
    finally:
        as_mallory("mv .profile.%s .profile" % MARK)
        sh("pkill -u mallory -f %s; true" % MARK)


def test_a_login_that_never_ends_is_killed_at_the_timeout_with_what_it_started(quiet):
    sleeper = "sleep 3600 0.04242"        # a second argument to find it by (sleep adds them up)
    as_mallory("cp -p .bashrc .bashrc.%s && echo %s >> .bashrc" % (MARK, shlex.quote(sleeper)))
    try:
        out, seconds = attacked(quiet)
        for context in ("login", "interactive"):
            found = stopped(out, context, "timed out after %ds; killed " % TIMEOUT)
            assert "sleep[" in found[0]["reason"], found[0]
        # her other probes either answered or were not started because this one timed out, never a second timeout
        for r in of(out, "mallory"):
            assert r["status"] != "error" or r["reason"].startswith(("timed out", "not started: mallory's")), r
        assert left_running(sleeper) == ""
    finally:
        as_mallory("mv .bashrc.%s .bashrc" % MARK)
        sh("pkill -u mallory -f %s; true" % shlex.quote(sleeper))


def test_endless_output_is_cut_at_the_cap(quiet):
    as_mallory("cp -p .profile .profile.%s && echo 'yes %s' >> .profile" % (MARK, MARK))
    # and a crontab of 2 MiB, which root reads with crontab -l -u
    as_mallory("python3 -c 'import sys; sys.stdout.write((\"# \" + \"x\" * 998 + \"\\n\") * 2100)' >/tmp/%s.cron "
               "&& crontab /tmp/%s.cron && rm /tmp/%s.cron" % (MARK, MARK, MARK))
    try:
        assert int(sh("crontab -l -u mallory | wc -c")) > 2 * 1024 * 1024
        out, seconds = attacked(quiet)
        for context in ("login", "interactive"):
            stopped(out, context, "output over the cap of 1 MiB on stdout")
        stopped(out, "cron", "crontab -l -u mallory: output over the cap of 1 MiB on stdout")
        assert left_running("yes %s" % MARK) == ""
    finally:
        as_mallory("mv .profile.%s .profile; crontab -r" % MARK)
        sh("pkill -u mallory -f %s; true" % shlex.quote("yes %s" % MARK))


CANARY = "/tmp/%s-canary" % MARK
# mallory's python: says who ran it, then runs the real one, so the probe gets its answer
FAKE_PYTHON = "#!/bin/sh\nid -u > %s.$$\nexec /usr/bin/python3 \"$@\"\n" % CANARY


def test_sudo_without_secure_path_never_runs_the_users_python_as_root(quiet):
    # a careless admin: mallory's sudo keeps her own PATH (no secure_path for her)
    sh("printf 'Defaults:mallory !secure_path\\n' > /etc/sudoers.d/zz-%s && chmod 0440 /etc/sudoers.d/zz-%s "
       "&& visudo -c" % (MARK, MARK))
    new_dirs = [d for d in ("bin", ".local", ".local/bin") if sh("test -e %s/%s || echo new" % (HOME, d)).strip()]
    for d in ("bin", ".local/bin"):
        as_mallory("mkdir -p %s && printf %%s %s > %s/python && chmod 755 %s/python" % (
            d, shlex.quote(FAKE_PYTHON), d, d))
    try:
        out, seconds = attacked(quiet)
        sudo = [c for c in out["contexts"] if c["user"] == "mallory" and c["context"] == "sudo"][0]
        assert sudo["status"] == "probed" and "no secure_path" in sudo["method"], sudo
        assert "PATH search as mallory" in sudo["method"], sudo
        assert "%s/.local/bin" % HOME in sudo["path"], sudo         # her login PATH, which sudo keeps
        python = [r for r in of(out, "mallory", "sudo") if r["command"] == "python"][0]
        assert python["status"] == "lost" and python["resolved"] == "%s/.local/bin/python" % HOME, python
        uids = sh("cat %s.* 2>/dev/null; true" % CANARY).split()
        mallory = sh("id -u mallory").strip()
        assert uids and set(uids) == {mallory}, uids              # it ran, and only ever as mallory
    finally:
        sh("rm -f /etc/sudoers.d/zz-%s %s.*" % (MARK, CANARY))
        as_mallory("rm -f bin/python .local/bin/python")
        for d in reversed(new_dirs):
            as_mallory("rmdir %s" % d)
