"""Lifecycle and safety of the shared_python role on a real container (molecule/lifecycle), in the order a machine
lives it. The tests depend on each other's host state, so they run in file order (pytest's default):
(the venv and the tools are generations pinned to a CPython patch: /opt/uv/venv -> venv-3.13.15)

 1. the file tree before anything is recorded;
 2. checksum mismatches are refused and leave nothing;
 3. a fresh converge, then no change on a second run;
 4. the default minor changes 3.11 -> 3.13 (venv and tools rebuilt beside, switched at once) while a user runs
    `python -c 'import requests'` and `pre-commit --version` in a loop: 0 failures;
 5. a patch upgrade 3.13.5 -> 3.13.15 under the same loop: 0 failures, the old patch removed;
 6. ten kills at random points of fresh converges and of minor changes, each followed by a rerun that ends green,
    and right after each kill, whatever PATH gives a user must work;
 7. two runs at once on the same host;
 8. the audit of the tree: root-owned, nothing writable by others but uv's lock files;
 9. shared_python_state=absent gives back the first tree exactly, with the admin's own python;
10. and with commands and links outside the root (shared_python_command_dir): check mode names them, changes
    nothing, and the removal takes them, the admin's own command beside them kept.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, ansible_env, connection  # noqa: E402  pylint: disable=wrong-import-position

# the container: Molecule's, or a throwaway one of your own prepared with molecule/lifecycle/prepare.yml
HOST = os.environ.get("LABFLEET_LIFECYCLE_HOST", "lifecycle")
ROOT = "/opt/uv"
PLAYBOOK = os.path.join(REPO, "molecule", "lifecycle", "converge.yml")
ARTIFACTS = os.environ.get("LABFLEET_ARTIFACTS", "/var/cache/labfleet-uv/artifacts")
# killed runs per suite run: fresh and change alternate, so 2 is one of each (the first minor, and so the direction
# of the change, drawn by the seed); each suite run draws new kill points (docs/lifecycle.md)
KILLS = int(os.environ.get("LABFLEET_LIFECYCLE_KILLS", "2"))
SEED = int(os.environ.get("LABFLEET_LIFECYCLE_SEED", str(int(time.time()))))
# trees the kernel, systemd, logs and Ansible's own temporary files change on any live host
NOT_THE_ROLES = ["/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log", "/var/lib/systemd", "/root/.ansible",
                 "/var/cache/ldconfig"]
# the file tree as (type, mode, owner, group, size and sha256 of files, link target) per path
SNAPSHOT = r"""
import hashlib, json, os, stat, sys
skip = set(sys.argv[1:])
tree = {}
for base, dirs, files in os.walk("/"):
    dirs[:] = sorted(d for d in dirs if os.path.join(base, d) not in skip and not os.path.ismount(os.path.join(base, d)))
    for name in dirs + files:
        path = os.path.join(base, name)
        st = os.lstat(path)
        entry = [stat.S_IFMT(st.st_mode), oct(stat.S_IMODE(st.st_mode)), st.st_uid, st.st_gid]
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                entry += [st.st_size, hashlib.sha256(f.read()).hexdigest()]
        elif stat.S_ISLNK(st.st_mode):
            entry.append(os.readlink(path))
        tree[path] = entry
json.dump(tree, sys.stdout)
"""
# a user's loop: the shared python with a package, and a global tool, until told to stop. Each run appends the
# python version it got to a file, so the test sees runs before and after a switch without counting them or timing
# anything; the run that first sees the stop file still runs once more, so the last run started after the change.
USER_LOOP = r"""
f=0; last=
while :; do
    [ -e /tmp/lifecycle-stop ] && last=1
    v=$(python -c 'import requests, sys; print("%d.%d.%d" % sys.version_info[:3])' 2>>/tmp/lifecycle-loop.err)
    rc=$?; [ $rc = 0 ] || { f=$((f + 1)); echo "import failed: rc $rc" >>/tmp/lifecycle-loop.err; v=failed; }
    pre-commit --version >/dev/null 2>>/tmp/lifecycle-loop.err
    rc=$?; [ $rc = 0 ] || { f=$((f + 1)); echo "tool failed: rc $rc" >>/tmp/lifecycle-loop.err; }
    echo "$v" >>/tmp/lifecycle-loop.seen
    [ -n "$last" ] && break
done
echo "$f"
"""
STATE = {}
# guards against hangs only, far above the slowest time seen (a converge under a busy machine takes minutes)
HANG_GUARD = 900


def sh(cmd, user=None, check=True):
    """cmd in the container: as root, or in user's real login shell (su -l reads /etc/profile)."""
    argv = ["podman", "exec", HOST, "sh", "-c", cmd] if user is None else \
        ["podman", "exec", HOST, "su", "-l", user, "-c", cmd]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check:
        assert proc.returncode == 0, "%s: rc=%d\n%s\n%s" % (cmd, proc.returncode, proc.stdout, proc.stderr)
    return proc


def converge_cmd(**extra):
    args = []
    for key, value in extra.items():
        args += ["-e", json.dumps({key: value})]
    return ["ansible-playbook", PLAYBOOK] + connection(HOST) + args


def converge(**extra):
    start = time.time()
    proc = subprocess.run(converge_cmd(**extra), cwd=REPO, env=ansible_env(), capture_output=True, text=True,
                          check=False)
    proc.seconds = time.time() - start
    return proc


def assert_ok(proc):
    assert proc.returncode == 0, "rc=%d\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])


def changed_count(proc):
    recap = [line for line in proc.stdout.splitlines() if line.startswith(HOST) and "changed=" in line]
    return int(recap[-1].split("changed=")[1].split()[0])


def snapshot():
    proc = subprocess.run(["podman", "exec", "-i", HOST, "python3", "-", *NOT_THE_ROLES], input=SNAPSHOT,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def user_python(user="alice"):
    """(python's path, version, whether requests imports) in user's login shell."""
    out = sh("command -v python; python -c 'import sys; print(\"%d.%d.%d\" % sys.version_info[:3])'; "
             "python -c 'import requests' 2>/dev/null && echo requests || echo no-requests", user=user).stdout
    return out.split()


def start_user_loop():
    """Start alice's loop and return once it has finished one run: that run is surely before the change."""
    sh("rm -f /tmp/lifecycle-stop /tmp/lifecycle-loop.err /tmp/lifecycle-loop.seen")
    loop = subprocess.Popen(["podman", "exec", HOST, "su", "-l", "alice", "-c", USER_LOOP],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waited = 0.0
    while sh("test -s /tmp/lifecycle-loop.seen", check=False).returncode != 0:
        assert loop.poll() is None, "the user loop ended before its first run: %s" % (loop.communicate(),)
        assert waited < HANG_GUARD, "timed out after %d s waiting for the user loop's first run" % HANG_GUARD
        time.sleep(0.5)
        waited += 0.5
    return loop


def stop_user_loop(loop):
    """(python versions the loop's runs got, in order; failures; the errors they printed)."""
    sh("touch /tmp/lifecycle-stop")
    try:
        out, err = loop.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        loop.kill()
        raise AssertionError("timed out after %d s waiting for the user loop to stop" % HANG_GUARD)
    failures = int(out.split()[-1])
    seen = sh("cat /tmp/lifecycle-loop.seen").stdout.split()
    errors = sh("cat /tmp/lifecycle-loop.err", check=False).stdout + err
    return seen, failures, errors


def assert_loop_ran_across(seen, old, new):
    """The loop itself saw the old patch before the change and the new one after it (however many runs)."""
    assert seen and seen[0] == old and seen[-1] == new, "the loop's runs got %s, expected %s first and %s last" % (
        " ".join(seen), old, new)


def test_01_record_the_tree_before_anything():
    assert not sh("test -e %s" % ROOT, check=False).returncode == 0, "the host must start without the role"
    STATE["before"] = snapshot()
    assert "/usr/local/bin/python" in STATE["before"]


def test_02_a_uv_archive_with_the_wrong_checksum_is_refused_before_any_change():
    proc = converge(shared_python_uv_sha256="0" * 64)
    assert proc.returncode != 0
    # the failure goes to stdout or stderr depending on Ansible's display settings (Molecule's verifier: stderr)
    said = proc.stdout + proc.stderr
    assert "shared_python_uv_sha256" in said and "refusing" in said, said[-3000:]
    assert snapshot() == STATE["before"]


def test_03_a_cpython_archive_with_the_wrong_checksum_is_refused_and_leaves_nothing():
    archive = [n for n in os.listdir(os.path.join(ARTIFACTS, "python")) if n.endswith("x86_64-gnu.tar.gz")][0]
    listing = {"bad": {"name": "cpython", "arch": {"family": "x86_64", "variant": None}, "os": "linux",
                       "libc": "gnu", "major": 3, "minor": 11, "patch": 2, "prerelease": "", "variant": None,
                       "url": "file:///srv/lifecycle/" + archive, "sha256": "0" * 64}}
    subprocess.run(["podman", "exec", HOST, "mkdir", "-p", "/srv/lifecycle"], check=True)
    subprocess.run(["podman", "cp", os.path.join(ARTIFACTS, "python", archive), HOST + ":/srv/lifecycle/"],
                   check=True)
    subprocess.run(["podman", "exec", "-i", HOST, "sh", "-c", "cat > /srv/lifecycle/downloads.json"],
                   input=json.dumps(listing), text=True, check=True)
    proc = converge(shared_python_python_source="json_url",
                    shared_python_python_downloads_json_url="file:///srv/lifecycle/downloads.json")
    assert proc.returncode != 0
    said = (proc.stdout + proc.stderr).lower()
    assert "hash" in said or "checksum" in said, said[-3000:]
    # nothing of the download: no CPython, no shim, no half-extracted tree, no archive in the cache
    assert set(sh("ls -A %s/python" % ROOT).stdout.split()) <= {".lock", ".gitignore", ".temp"}
    assert sh("ls -A %s/python/.temp" % ROOT).stdout.split() == []
    assert sh("ls -A %s/python-bin" % ROOT).stdout.split() == []
    big = sh("find %s/cache -type f -size +100k -print" % ROOT).stdout.split()
    assert big == [], big
    assert user_python()[0] == "/usr/local/bin/python"
    # what the run created before uv refused (uv, its configuration): the removal gives back the first tree
    assert_ok(converge(shared_python_state="absent"))
    sh("rm -rf /srv/lifecycle")
    assert snapshot() == STATE["before"]


def test_04_fresh_converge_then_a_second_run_changes_nothing():
    first = converge()
    assert_ok(first)
    STATE["fresh_seconds"] = first.seconds
    assert user_python() == ["/opt/uv/venv/bin/python", "3.11.2", "requests"]
    second = converge()
    assert_ok(second)
    assert changed_count(second) == 0, second.stdout[-4000:]


def test_05_a_change_of_minor_never_breaks_a_users_python_or_tool():
    loop = start_user_loop()
    proc = converge(lifecycle_minor="3.13")
    seen, failures, errors = stop_user_loop(loop)
    assert_ok(proc)
    STATE["change_seconds"] = proc.seconds
    assert failures == 0, "%d of %d runs failed during the switch:\n%s" % (failures, len(seen), errors)
    assert_loop_ran_across(seen, "3.11.2", "3.13.5")
    assert user_python() == ["/opt/uv/venv/bin/python", "3.13.5", "requests"]
    assert sh("readlink %s/venv" % ROOT).stdout.strip() == "venv-3.13.5"
    # the old generations are retired, the tool runs on 3.13.5 (lib: which-python's engine)
    assert sh("ls %s" % ROOT).stdout.split() == ["bin", "cache", "downloads", "lib", "python", "python-bin",
                                                 "tool-bin", "tools", "venv", "venv-3.13.5"]
    assert sh("ls %s/tools" % ROOT).stdout.split() == ["3.13.5"]
    assert sh("readlink %s/tool-bin/pre-commit" % ROOT).stdout.strip() == ROOT + "/tools/3.13.5/pre-commit/bin/pre-commit"
    assert sh("ls %s/venv-3.13.5/lib" % ROOT).stdout.split() == ["python3.13"]
    assert changed_count(converge(lifecycle_minor="3.13")) == 0


def test_06_a_patch_upgrade_never_breaks_a_users_python_and_removes_the_old_patch():
    loop = start_user_loop()
    proc = converge(lifecycle_minor="3.13", lifecycle_patches=["3.13.5", "3.13.15"],
                    shared_python_python_upgrade=True)
    seen, failures, errors = stop_user_loop(loop)
    assert_ok(proc)
    assert "upgrade CPython 3.13 from 3.13.5 to 3.13.15" in proc.stdout
    assert failures == 0, "%d of %d runs failed during the upgrade:\n%s" % (failures, len(seen), errors)
    assert_loop_ran_across(seen, "3.13.5", "3.13.15")
    assert user_python() == ["/opt/uv/venv/bin/python", "3.13.15", "requests"]
    installed = sh("ls %s/python" % ROOT).stdout.split()
    assert not [d for d in installed if d.startswith("cpython-3.13.5")], installed
    # a new generation pinned to the new patch; the old one and its patch are gone
    assert sh("readlink %s/venv" % ROOT).stdout.strip() == "venv-3.13.15"
    assert sh("ls %s/tools" % ROOT).stdout.split() == ["3.13.15"]
    assert "venv-3.13.5" not in sh("ls %s" % ROOT).stdout.split()
    again = converge(lifecycle_minor="3.13", lifecycle_patches=["3.13.5", "3.13.15"],
                     shared_python_python_upgrade=True)
    assert_ok(again)
    assert changed_count(again) == 0


def assert_path_gives_something_that_works(context):
    """Right after a kill: whatever `python` and `pre-commit` resolve to for a user runs (the distro's python before
    the switch, the complete shared venv after); nothing half-made is on PATH."""
    where, version, requests_ok = user_python()
    if where.startswith(ROOT):
        assert requests_ok == "requests", "%s: %s (%s) lacks requests" % (context, where, version)
    else:
        assert where == "/usr/local/bin/python", context
    tool = sh("command -v pre-commit || true", user="alice").stdout.strip()
    if tool:
        assert sh("pre-commit --version", user="alice", check=False).returncode == 0, context


def children_of():
    """{parent pid: [its children's pids]} of every process on this machine."""
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % entry) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def kill_run(pid):
    """SIGKILL to ansible-playbook `pid` and everything it started. Its workers are in sessions of their own
    (Ansible's forks call setsid): its process group alone would leave a worker that was mid-task blocked for good
    on a full result pipe. Everything is stopped first, found by parent links, so nothing forks in between."""
    os.killpg(pid, signal.SIGSTOP)
    stopped, found = set(), {pid}
    while found - stopped:
        for child in found - stopped:
            try:
                os.kill(child, signal.SIGSTOP)
            except ProcessLookupError:
                pass
            stopped.add(child)
        tree = children_of()
        found = {pid}
        todo = [pid]
        while todo:
            for child in tree.get(todo.pop(), []):
                found.add(child)
                todo.append(child)
    for target in stopped:
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.killpg(pid, signal.SIGKILL)


def kill_at(seconds, **extra):
    """Start a run, kill it and everything it started on the host after `seconds`: a crash or a lost controller."""
    proc = subprocess.Popen(converge_cmd(**extra), cwd=REPO, env=ansible_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(seconds)
    finished = proc.poll() is not None
    if not finished:
        kill_run(proc.pid)
    proc.wait()
    # on the host: each module Ansible runs there is a `/bin/sh -c '<python> ... && sleep 0'` that podman exec
    # starts in a session of its own (its python, uv, whatever they started are in it)
    sh("for s in $(pgrep -f '[&]& sleep 0$'); do pkill -KILL -s \"$s\"; done; pkill -KILL -x uv; true")
    return finished


def test_07_runs_killed_at_random_points_always_rerun_green():
    rng = random.Random(SEED)
    print("kill seed %d (LABFLEET_LIFECYCLE_SEED reproduces it)" % SEED)
    minor = rng.choice(("3.13", "3.11"))
    finished_early = 0
    for n in range(KILLS):
        fresh = n % 2 == 0
        if fresh:
            assert_ok(converge(shared_python_state="absent", lifecycle_minor=minor))
            target = minor
            at = rng.uniform(1.0, STATE.get("fresh_seconds", 60))
        else:
            target = "3.11" if minor == "3.13" else "3.13"
            at = rng.uniform(1.0, STATE.get("change_seconds", 40))
        # a run that finished before its kill time is run again with half the time, so every one of the kills
        # really interrupts a run, however fast or slow the machine is
        for dummy in range(6):
            kind = "fresh" if fresh else "change"
            context = "kill %d (%s to %s at %.1f s, seed %d)" % (n + 1, kind, target, at, SEED)
            print(context)
            if not kill_at(at, lifecycle_minor=target):
                break
            finished_early += 1
            at = max(0.5, at / 2)
        else:
            raise AssertionError("%s: six runs in a row finished before their kill time" % context)
        assert_path_gives_something_that_works(context)
        rerun = converge(lifecycle_minor=target)
        assert rerun.returncode == 0, "%s: the rerun failed\n%s" % (context, rerun.stdout[-6000:])
        version = user_python()[1]
        assert version.startswith(target + "."), "%s: python is %s" % (context, version)
        assert sh("pre-commit --version", user="alice", check=False).returncode == 0, context
        leftovers = sh("ls -a %s %s/bin | grep -E 'labfleet|^[.]uvx?[.]' || true" % (ROOT, ROOT)).stdout.split()
        assert leftovers == [], (context, leftovers)
        minor = target
    print("%d runs finished before their kill time and were repeated with less time" % finished_early)
    STATE["minor"] = minor


def test_08_two_runs_at_once_take_turns():
    """Two runs switching the host to another minor at the same moment: both build, switch and retire; without
    the host lock they race on the same generation and on the retirement."""
    minor = STATE.get("minor", "3.13")
    target = "3.11" if minor == "3.13" else "3.13"
    env = ansible_env()
    runs = [subprocess.Popen(converge_cmd(lifecycle_minor=target), cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for dummy in range(2)]
    outputs = [r.communicate(timeout=HANG_GUARD)[0] for r in runs]
    for r, out in zip(runs, outputs):
        assert r.returncode == 0, out[-6000:]
    assert user_python()[1].startswith(target + ".")
    assert user_python()[2] == "requests"
    third = converge(lifecycle_minor=target)
    assert_ok(third)
    assert changed_count(third) == 0, third.stdout[-4000:]
    STATE["minor"] = target


LOCK = "/run/labfleet-uv.lock"
LOCK_HOLDER = r"""
import fcntl, os, time
fd = os.open("%s", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
with open("/tmp/lifecycle-holding", "w") as f:
    f.write(str(os.getpid()))
while not os.path.exists("/tmp/lifecycle-release"):
    time.sleep(0.2)
""" % LOCK


def lock_openers():
    """The pids of the host's processes that have the host lock's file open."""
    found = sh("find /proc/[0-9]*/fd -maxdepth 1 -lname %s 2>/dev/null; true" % LOCK).stdout
    return {path.split("/")[2] for path in found.split()}


def test_08b_a_run_changes_nothing_of_uvs_while_another_holds_the_host_lock():
    minor = STATE.get("minor", "3.13")
    target = "3.11" if minor == "3.13" else "3.13"
    before = sh("readlink %s/venv; ls %s %s/tools" % (ROOT, ROOT, ROOT)).stdout
    sh("rm -f /tmp/lifecycle-holding /tmp/lifecycle-release")
    holder = subprocess.Popen(["podman", "exec", "-i", HOST, "python3", "-"], stdin=subprocess.PIPE, text=True)
    holder.stdin.write(LOCK_HOLDER)
    holder.stdin.close()
    waited = 0.0
    while sh("test -s /tmp/lifecycle-holding", check=False).returncode != 0:
        assert holder.poll() is None, "the lock holder ended before it held the lock"
        assert waited < HANG_GUARD, "timed out after %d s waiting for the lock holder" % HANG_GUARD
        time.sleep(0.2)
        waited += 0.2
    run = subprocess.Popen(converge_cmd(lifecycle_minor=target), cwd=REPO, env=ansible_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # the run gets as far as a module that changes the host, which opens the lock before it changes anything,
        # and waits there (seen in /proc: the module's process name says nothing when Ansible pipelines it)
        holder_pid = sh("cat /tmp/lifecycle-holding").stdout.strip()
        waited = 0.0
        while not lock_openers() - {holder_pid}:
            assert run.poll() is None, "the run ended before it reached the lock: %s" % run.stdout.read()[-4000:]
            assert waited < HANG_GUARD, "timed out after %d s waiting for the run to reach the host lock" % HANG_GUARD
            time.sleep(0.5)
            waited += 0.5
        time.sleep(5)
        assert run.poll() is None, "the run finished while another held the lock"
        assert sh("readlink %s/venv; ls %s %s/tools" % (ROOT, ROOT, ROOT)).stdout == before
    finally:
        sh("touch /tmp/lifecycle-release")
        holder.wait(timeout=HANG_GUARD)
    out = run.communicate(timeout=HANG_GUARD)[0]
    assert run.returncode == 0, out[-6000:]
    assert user_python()[1].startswith(target + ".")
    STATE["minor"] = target


def test_09_the_tree_is_root_owned_and_nobody_else_can_write_to_it():
    # nothing writable by group or others, not even uv's own lock files (uv makes them 0666; root's runs replace
    # them with root-only ones), but in uv's cache: its per-wheel locks stay uv's, behind the cache's 0700
    bad = sh("find %s /etc/profile.d/labfleet-uv.sh /etc/uv \\( ! -user root -o ! -group root \\) -print; "
             "find %s /etc/profile.d/labfleet-uv.sh /etc/uv -path %s/cache -prune -o ! -type l -perm /022 -print"
             % (ROOT, ROOT, ROOT)).stdout.split()
    assert bad == [], bad
    # uv's own lock files are named .lock (a package may ship a file named like renv.lock: not a lock)
    assert sh("find %s -path %s/cache -prune -o -name .lock -perm /077 -print" % (ROOT, ROOT)).stdout.split() == []
    assert sh("stat -c '%%a %%U' %s/cache" % ROOT).stdout.split() == ["700", "root"]
    for user in ("alice", "bob"):
        writable = sh("find %s /etc/profile.d /etc/uv /opt -writable -print 2>/dev/null; true" % ROOT,
                      user=user).stdout.split()
        assert writable == [], writable


def test_10_absent_gives_back_the_first_tree_and_keeps_the_admins_python():
    proc = converge(shared_python_state="absent")
    assert_ok(proc)
    after = snapshot()
    before = STATE["before"]
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after) if before[p] != after[p])
    assert (added, removed, changed) == ([], [], []), (added[:20], removed[:20], changed[:20])
    assert sh("/usr/local/bin/python -c 'print(1)'").stdout.strip() == "1"
    assert user_python()[0] == "/usr/local/bin/python"
    again = converge(shared_python_state="absent")
    assert_ok(again)
    assert changed_count(again) == 0


def test_11_absent_with_a_command_directory_takes_its_commands_and_links_and_keeps_the_admins():
    """Commands and links outside the root (shared_python_command_dir): check mode names them and changes nothing;
    the removal takes them and gives back the first tree, the admin's own command beside them kept."""
    sh("printf '#!/bin/sh\\necho mine\\n' > /usr/local/sbin/admins-tool && chmod 0755 /usr/local/sbin/admins-tool")
    before = snapshot()
    assert_ok(converge(shared_python_command_dir="/usr/local/sbin"))
    assert sh("readlink /usr/local/sbin/uv").stdout.strip() == ROOT + "/bin/uv"
    assert sh("test -f /usr/local/sbin/python3", check=False).returncode == 0
    checked = subprocess.run(converge_cmd(shared_python_state="absent", shared_python_command_dir="/usr/local/sbin")
                             + ["--check", "--diff"], cwd=REPO, env=ansible_env(), capture_output=True, text=True,
                             check=False)
    assert_ok(checked)
    for path in ("/usr/local/sbin/uv", "/usr/local/sbin/python3", ROOT + " and everything under it"):
        assert "remove " + path in checked.stdout, checked.stdout[-4000:]
    assert "/usr/local/sbin/admins-tool" not in checked.stdout
    assert sh("test -L /usr/local/sbin/uv && test -d %s" % ROOT, check=False).returncode == 0
    assert_ok(converge(shared_python_state="absent", shared_python_command_dir="/usr/local/sbin"))
    after = snapshot()
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed == [], changed[:20]
    sh("rm /usr/local/sbin/admins-tool")
