"""_bounded_run's RUNNER against real processes: what a user's login can leave behind (a detached writer on the
probe's output, a sleeper, an endless printer, a process it handed its output to) costs at most the timeout or the
grace, and nothing it started is left running."""
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils import _bounded_run as br

# generous: the machines that run these are shared and busy; these are hang guards, not benchmarks
SLACK = 8.0


def bounded(command, timeout=30, cap=br.OUTPUT_CAP, grace=br.GRACE):
    """command (sh -c) under RUNNER: (rc, out, err, outcome, seconds)."""
    start = time.monotonic()
    proc = subprocess.run(br.bounded_argv(["sh", "-c", command], timeout, cap, grace, python=sys.executable),
                          capture_output=True, text=True, timeout=timeout + grace + 60, check=False)
    rc, out, err, outcome = br.read_outcome(proc.returncode, proc.stdout, proc.stderr)
    return rc, out, err, outcome, time.monotonic() - start


def running(marker):
    """pids of the processes whose command line holds marker."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    cmdline = f.read()
                with open("/proc/%s/stat" % name) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in cmdline and state != "Z":
                found.append(int(name))
    return found


def marker():
    """A word to find a test's processes by: a number, so `sleep 3600 MARKER` sleeps as long and shows it."""
    return "0.%09d" % (uuid.uuid4().int % 10 ** 9)


def test_a_command_that_ends_on_its_own_is_passed_through_whole():
    rc, out, err, outcome, dummy = bounded("echo out; echo err >&2; printf 'no newline' >&2; exit 3")
    assert (rc, out, err) == (3, "out\n", "err\nno newline")
    assert outcome["status"] == "ok" and outcome["rc"] == 3 and outcome["killed"] == []
    assert br.bound_reason(outcome, rc, 30) is None


def test_a_detached_writer_left_on_the_output_is_cut_off_after_the_grace_and_killed():
    m = marker()
    rc, out, err, outcome, seconds = bounded(
        "setsid sh -c 'while :; do echo %s; sleep .2; done' & echo done" % m, timeout=60)
    assert seconds < br.GRACE + SLACK, seconds          # not the 60 s timeout: the grace after the shell exited
    assert outcome["status"] == "writing", outcome
    assert out.startswith("done\n") or "done\n" in out
    reason = br.bound_reason(outcome, rc, 60)
    assert reason.startswith("kept writing after its shell exited"), reason
    assert running(m) == []


def test_a_detached_process_that_only_holds_the_output_is_killed_and_the_answer_stands():
    m = marker()
    rc, out, err, outcome, seconds = bounded("sleep 3600 %s & echo answer" % m, timeout=60)
    assert seconds < br.GRACE + SLACK, seconds
    assert outcome["status"] == "held" and out == "answer\n"
    assert br.bound_reason(outcome, rc, 60) is None
    assert [name for dummy, dummy2, name in outcome["killed"]] == ["sleep"]
    assert running(m) == []


def test_an_endless_printer_is_capped_and_killed():
    rc, out, err, outcome, seconds = bounded("yes", timeout=60)
    assert seconds < SLACK, seconds
    assert outcome["status"] == "cap" and outcome["over"] == ["stdout"]
    assert out == ""                                   # nothing of it reaches the module
    assert "yes" in [name for dummy, dummy2, name in outcome["killed"]]
    assert br.bound_reason(outcome, rc, 60).startswith("output over the cap of 1 MiB on stdout")


def test_a_small_cap_counts_stderr_too():
    rc, out, err, outcome, dummy = bounded("echo short; head -c 5000 /dev/zero >&2; sleep 30", cap=4096)
    assert outcome["status"] == "cap" and outcome["over"] == ["stderr"]
    assert br.bound_reason(outcome, rc, 30).startswith("output over the cap of 4096 bytes on stderr")


def test_a_sleeper_is_killed_at_the_timeout_with_everything_it_started():
    m = marker()
    # a child in the same session, one that left it with setsid and closed the output, and the sleeper itself
    command = "sleep 3601 %s & setsid sleep 3602 %s </dev/null >/dev/null 2>&1 & exec sleep 3603 %s" % (m, m, m)
    assert len(running(m)) == 0
    rc, out, err, outcome, seconds = bounded(command, timeout=2)
    assert 2 <= seconds < 2 + SLACK, seconds
    assert rc == 124 and outcome["status"] == "timeout"
    assert br.bound_reason(outcome, rc, 2).startswith("timed out after 2s; killed ")
    assert running(m) == [], running(m)


def test_a_daemon_that_detached_and_closed_its_output_does_not_outlive_a_quiet_run():
    m = marker()
    rc, out, err, outcome, seconds = bounded(
        "setsid sleep 3604 %s </dev/null >/dev/null 2>&1 & echo x" % m, timeout=30)
    assert outcome["status"] == "ok" and out == "x\n"
    assert seconds < SLACK
    assert running(m) == []                             # the subreaper kept it findable


def test_a_process_outside_the_tree_that_was_handed_the_output_is_killed():
    """The probe hands its stdout over a unix socket to a process it did not start (as `systemd-run --pipe` hands it
    to a service): the runner finds it by its fds on the probe's pipe."""
    path = "/tmp/lfbr-%s.sock" % uuid.uuid4().hex[:8]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    os.chmod(path, 0o600)
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, path], pass_fds=(server.fileno(),),
                                env=dict(os.environ, LFBR_FD=str(server.fileno())))
    server.close()
    try:
        rc, out, err, outcome, seconds = bounded(
            "%s -c %s %s; echo handed" % (sys.executable, sh_quote(HANDER), path), timeout=60)
        assert seconds < br.GRACE + SLACK, seconds
        assert outcome["status"] == "writing", outcome
        assert receiver.wait(timeout=10) is not None     # killed by the runner, not left writing
        assert receiver.pid in [pid for pid, dummy, dummy2 in outcome["killed"]]
    finally:
        if receiver.poll() is None:
            receiver.kill()
        os.unlink(path)


RECEIVER = """
import array, os, socket, sys, time
server = socket.socket(fileno=int(os.environ["LFBR_FD"]))
conn, dummy = server.accept()
fds = array.array("i")
msg, anc, flags, addr = conn.recvmsg(1, socket.CMSG_LEN(fds.itemsize))
fds.frombytes(anc[0][2][:fds.itemsize])
conn.close()
while True:
    os.write(fds[0], b"still here\\n")
    time.sleep(0.2)
"""

HANDER = """
import array, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [1]))])
"""


def sh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def test_the_runner_waits_until_its_own_output_is_read():
    """run_command stops reading once its command exited after a quiet second (ansible/ansible#51393): the
    runner does not exit while what it printed is still unread."""
    proc = subprocess.Popen(br.bounded_argv(["echo", "hello"], 30, python=sys.executable), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)
        assert proc.poll() is None, "the runner exited with its output unread"
        out, err = proc.communicate(timeout=30)
        assert out == b"hello\n" and br.MARK.encode() in err
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_command_that_cannot_start_says_why():
    proc = subprocess.run(br.bounded_argv(["/nonexistent/lfbr"], 30, python=sys.executable), capture_output=True,
                          text=True, check=False)
    rc, out, err, outcome = br.read_outcome(proc.returncode, proc.stdout, proc.stderr)
    assert rc == 127 and outcome["status"] == "ok" and "/nonexistent/lfbr" in err


@pytest.mark.parametrize("err", ["", "plain stderr\n", "text\n" + br.MARK + "{not json"])
def test_output_without_the_runners_last_line_is_returned_as_it_came(err):
    assert br.read_outcome(0, "o", err) == (0, "o", err, None)
    assert br.bound_reason(None, 0, 5) is None
    assert br.bound_reason(None, 124, 5) == "timed out after 5s"


def test_unwrap_gives_back_the_command_and_its_limits():
    argv = br.bounded_argv(["su", "-l", "x"], 20, 4096, 1.5, python="/usr/bin/python3")
    assert br.unwrap(argv) == (dict(timeout=20.0, cap=4096, grace=1.5), ["su", "-l", "x"])
    assert br.unwrap(["timeout", "5", "x"]) == (None, ["timeout", "5", "x"])


def test_a_leftover_with_any_name_is_reported(tmp_path):
    """A user names their processes: quotes, backslashes, non-ASCII in a name still give an outcome that reads."""
    odd = tmp_path / 'q"\\\u00e9\U0001f600'
    odd.symlink_to("/bin/sleep")
    m = marker()
    rc, out, err, outcome, dummy = bounded("%s 3600 %s & echo x" % (sh_quote(str(odd)), m), timeout=30)
    assert outcome is not None and outcome["status"] == "held", err
    assert [name for dummy, dummy2, name in outcome["killed"]] == ['q"\\\u00e9\ufffd']
    assert running(m) == []
