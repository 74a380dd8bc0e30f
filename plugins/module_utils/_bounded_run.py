# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Running a command that a user's files can steer (path_info's probes, `sudo -l -U`, `crontab -l -u`) so that it
# costs a bounded time and memory, whatever it leaves behind.
#
# A probe starts a user's login shell as root (su -l, sshd, runuser): what the user's startup files start comes
# along. coreutils `timeout` kills its own process group only, and AnsibleModule.run_command reads until nobody
# holds the command's output any more, so one `setsid sh -c 'while :; do echo .; done' &` in a ~/.profile kept a
# run going for good. RUNNER, a small stdlib script run in place of `timeout` by the interpreter that already runs
# this module as root (sys.executable, isolated: -I -S), so nothing new is trusted:
#   - starts the command in a session of its own, stdin /dev/null, and makes itself the child subreaper
#     (PR_SET_CHILD_SUBREAPER): whatever the command starts stays a descendant of RUNNER even after it
#     daemonizes (double fork, setsid), so "everything it started" is always the set of RUNNER's descendants;
#   - reads stdout and stderr up to a cap each (OUTPUT_CAP); over it, the run stops (status "cap");
#   - stops at the timeout (status "timeout", exit status 124 as `timeout` has);
#   - once the command itself has exited, reads for GRACE seconds more, then stops even if someone still holds
#     or writes its output (status "writing" when something was written in the grace, "held" when not);
#   - then, however it ended, kills every descendant still running (SIGTERM, then SIGKILL until none is left:
#     nothing a probe started outlives it, a user's agent or daemon included), and, when the output is still
#     held, every other process holding its pipes (found by their fds in /proc/*/fd: a process the command handed
#     them to, e.g. a transient systemd service started with --pipe), never PID 1;
#   - prints the command's stdout and stderr, then one last stderr line (MARK and a JSON outcome), and exits only
#     once its own output has been read (FIONREAD on its pipes): what it prints is never lost to the race of
#     run_command described in _command_output.
# Why not a systemd scope of its own: where su and sshd open a PAM session with pam_systemd, the user's processes
# move into a session scope of their own, out of any scope the probe was started in; the subreaper keeps them
# findable whatever cgroup they are in, with or without systemd (a container, a Pi without it). The one context
# whose processes are not descendants, a transient service (path_info's systemd context), is given
# RuntimeMaxSec and holds the probe's pipes, so it is found by its fds.
#
# The one boundary: RUNNER is run through AnsibleModule.run_command (bounded_argv wraps the argv, read_outcome
# reads the answer back), so the modules' unit tests keep mocking run_command alone (tests/unit/plugins/modules/
# harness.py); RUNNER itself is tested against real processes in tests/unit/plugins/module_utils/
# test_bounded_run.py.

from __future__ import annotations

import json
import pwd
import sys

OUTPUT_CAP = 1024 * 1024
GRACE = 2.0
MARK = "@@labfleet-bounded-run "
TIMED_OUT = 124

RUNNER = r"""
import os, select, stat, sys, time
try:
    import _signal as signal   # the C module: `signal` imports enum, which costs more than all the rest here
except ImportError:
    import signal
MARK = "@@MARK@@"
timeout, cap, grace = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
argv = sys.argv[5:]
start = time.monotonic()
me = os.getpid()
try:
    import ctypes
    subreaper = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0   # PR_SET_CHILD_SUBREAPER
except Exception:
    subreaper = False
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.signal(signal.SIGCHLD, lambda *a: None)
signal.set_wakeup_fd(wake_w)
out_r, out_w = os.pipe()
err_r, err_w = os.pipe()
pipes = set("pipe:[%d]" % os.fstat(fd).st_ino for fd in (out_w, err_w))
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.closerange(3, 65536)
        os.execvp(argv[0], argv)
    except BaseException as e:
        os.write(2, ("%s: %s\n" % (argv[0] if argv else "", e)).encode("utf-8", "replace"))
    os._exit(127)
os.close(out_w)
os.close(err_w)
names = {out_r: "stdout", err_r: "stderr"}
data = {out_r: bytearray(), err_r: bytearray()}
open_fds = set(data)
poller = select.poll()
for fd in (out_r, err_r, wake_r):
    os.set_blocking(fd, False)
    poller.register(fd, select.POLLIN)
status, code, exited_at, after, over = None, None, None, 0, []


def reap():
    global code
    while True:
        try:
            p, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if p == 0:
            return
        if p == pid:
            code = os.WEXITSTATUS(st) if os.WIFEXITED(st) else -os.WTERMSIG(st)


def read(fd):
    # take what fd holds now; False once its stream is over the cap
    global after
    while fd in open_fds:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            open_fds.discard(fd)
            poller.unregister(fd)
            return True
        if exited_at is not None:
            after += len(chunk)
        if len(data[fd]) + len(chunk) > cap:
            over.append(names[fd])
            return False
        data[fd] += chunk
    return True


while True:
    reap()
    now = time.monotonic()
    if code is not None and exited_at is None:
        # what the command wrote before it exited is still in the pipes: not "after"
        if not all([read(fd) for fd in sorted(open_fds)]):
            status = "cap"
            break
        exited_at = now
    if code is not None and not open_fds:
        status = "ok"
        break
    if now >= start + timeout:
        status = "timeout"
        break
    if exited_at is not None and now >= exited_at + grace:
        status = "writing" if after else "held"
        break
    ends = [start + timeout] + ([exited_at + grace] if exited_at is not None else [])
    events = poller.poll(max(0.0, min(0.5, min(ends) - now)) * 1000)
    if not all([read(fd) for fd, ev in events if fd != wake_r]):
        status = "cap"
        break
    if any(fd == wake_r for fd, ev in events):
        try:
            os.read(wake_r, 512)
        except BlockingIOError:
            pass
seconds = time.monotonic() - start


def stat_of(p):
    # (state, ppid, starttime, uid, name) of process p, or None
    try:
        with open("/proc/%d/stat" % p, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        uid = os.stat("/proc/%d" % p).st_uid
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), fields[19], uid, text[text.index("(") + 1:text.rindex(")")]


def table():
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = stat_of(int(name))
            if st and st[0] != "Z":
                procs[int(name)] = st
    return procs


def descendants(procs):
    children = {}
    for p, st in procs.items():
        children.setdefault(st[1], []).append(p)
    found, todo = set(), [me]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def holders(procs):
    found = set()
    for p in procs:
        try:
            fds = os.listdir("/proc/%d/fd" % p)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (p, fd)) in pipes:
                    found.add(p)
                    break
            except OSError:
                continue
    return found


def signal_one(p, st, sig):
    # through a pidfd where there is one, after checking it is still the process seen (its pid not reused)
    try:
        fd = os.pidfd_open(p)
    except (AttributeError, OSError):
        fd = None
    try:
        now = stat_of(p)
        if now is None or now[2] != st[2] or now[0] == "Z":
            return
        if fd is None:
            os.kill(p, sig)
        else:
            signal.pidfd_send_signal(fd, sig)
    except OSError:
        pass
    finally:
        if fd is not None:
            os.close(fd)


killed = {}
for attempt in range(200):
    reap()
    procs = table()
    victims = descendants(procs)
    if open_fds:
        victims |= holders(procs)
    victims -= set([me, 1])
    if not victims:
        break
    for p in victims:
        killed.setdefault(p, procs[p])
        signal_one(p, procs[p], signal.SIGTERM if attempt == 0 else signal.SIGKILL)
    until = time.monotonic() + (0.5 if attempt == 0 else 0.05)
    while time.monotonic() < until:
        reap()
        if not any((stat_of(p) or ("Z",))[0] != "Z" for p in victims):
            break
        time.sleep(0.02)
reap()
outcome = dict(status=status, rc=code, seconds=round(seconds, 2), timeout=timeout, cap=cap, grace=grace,
               after=after, over=over, subreaper=subreaper,
               killed=[[p, st[3], st[4]] for p, st in sorted(killed.items())])


def as_json(v):
    # json, without importing it (its import costs as much as the rest of this script)
    if isinstance(v, bool) or v is None:
        return {True: "true", False: "false", None: "null"}[v]
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + "".join(c if " " <= c < "\x7f" and c not in '"\\' else "\\u%04x" % min(ord(c), 0xfffd)
                             for c in v) + '"'
    if isinstance(v, dict):
        return "{" + ", ".join(as_json(k) + ": " + as_json(x) for k, x in v.items()) + "}"
    return "[" + ", ".join(as_json(x) for x in v) + "]"


def write(fd, b):
    while b:
        try:
            b = b[os.write(fd, b):]
        except OSError:
            return


write(1, bytes(data[out_r]) if status != "cap" else b"")
write(2, (bytes(data[err_r]) if status != "cap" else b"") + ("\n" + MARK + as_json(outcome) + "\n").encode())


def unread(fd):
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return 0
        import fcntl, struct, termios
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    except (OSError, ImportError):
        return 0


# run_command stops reading once the command has exited after a quiet second: wait until it has read it all
until = time.monotonic() + 10
while (unread(1) or unread(2)) and time.monotonic() < until:
    time.sleep(0.01)
sys.exit(124 if status == "timeout" else (code if code is not None and code >= 0 else 128 - (code or -9)))
""".replace("@@MARK@@", MARK)


def bounded_argv(argv, timeout, cap=OUTPUT_CAP, grace=GRACE, python=None):
    """argv run by RUNNER under the module's own interpreter: at most `timeout` seconds, `cap` bytes per stream,
    `grace` seconds of reading once the command exited; then it and everything it started are killed."""
    return [python or sys.executable or "/usr/bin/python3", "-I", "-S", "-c", RUNNER,
            "%g" % timeout, str(int(cap)), "%g" % grace, "--"] + list(argv)


def unwrap(argv):
    """(dict(timeout, cap, grace), the command) of a bounded_argv; (None, argv) for any other argv."""
    argv = list(argv)
    if len(argv) >= 9 and argv[1:5] == ["-I", "-S", "-c", RUNNER] and argv[8] == "--":
        return dict(timeout=float(argv[5]), cap=int(argv[6]), grace=float(argv[7])), argv[9:]
    return None, argv


def read_outcome(rc, out, err):
    """(rc, out, err, outcome) from what run_command returned for a bounded_argv: err without RUNNER's last line,
    and that line's outcome (dict: status ok, timeout, cap, writing or held; rc, the command's own exit code;
    seconds; killed: [[pid, uid, name], ...]), or None when it is missing (RUNNER's output came back cut)."""
    head, sep, tail = (err or "").rpartition("\n" + MARK)
    if not sep:
        return rc, out, err, None
    try:
        outcome = json.loads(tail)
    except ValueError:
        return rc, out, err, None
    return rc, out, head, outcome


def killed_text(outcome):
    """The processes RUNNER killed, as `name[pid] (user)`, at most five of them."""
    names = []
    for pid, uid, comm in (outcome or {}).get("killed") or []:
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = str(uid)
        names.append("%s[%d] (%s)" % (comm, pid, user))
    if len(names) > 5:
        names = names[:5] + ["%d more" % (len(names) - 5)]
    return ", ".join(names) or "nothing left to kill"


def mib(n):
    return "%g MiB" % (n / 1048576.0) if n % 1024 == 0 and n >= 1048576 else "%d bytes" % n


def bound_reason(outcome, rc, timeout):
    """Why a bounded run gave no answer to use: 'timed out after Ns...', 'output over the cap ...', 'kept writing
    after its shell exited ...'; None when it ended on its own (or only left a process holding its output without
    writing: the answer stands, the process was killed). rc 124 without an outcome (RUNNER's own line cut off)
    still says it timed out."""
    if outcome is None:
        return "timed out after %gs" % timeout if rc == TIMED_OUT else None
    status = outcome.get("status")
    if status == "timeout":
        return "timed out after %gs; killed %s" % (outcome.get("timeout", timeout), killed_text(outcome))
    if status == "cap":
        return "output over the cap of %s on %s; killed %s" % (
            mib(outcome.get("cap", OUTPUT_CAP)), " and ".join(outcome.get("over") or ["stdout"]), killed_text(outcome))
    if status == "writing":
        return "kept writing after its shell exited (%d bytes in the %gs after); killed %s" % (
            outcome.get("after", 0), outcome.get("grace", GRACE), killed_text(outcome))
    return None
