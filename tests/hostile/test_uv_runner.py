"""How root runs uv (plugins/module_utils/_uv.py, _trust.py) on a converged host, under attack.

- A user holding uv's lock files (uv makes them 0666) no longer stalls the run: root renews each lock file as a fresh
  root-only one before its uv takes it, and waits at most UV_LOCK_WAIT seconds for one that another root process
  holds, naming the holder.
- Root's uv runs in a clean environment: what a careless admin put in /etc/environment (UV_* settings, a user's
  directory first on PATH) and in root's own ~/.config/uv/uv.toml does not reach it.
- Root runs only a uv that nobody else can change: one that is group-writable, or in a directory others can write,
  is never run (a canary uv writing `id -u` never wrote 0), and the plan replaces it.
Each test undoes its attack and leaves the host converged."""
import re
import shlex
import time

from hostile import HOST, as_user, converge, sh
from labfleet_testing import run_module

# uv's own wait for a lock (its default UV_LOCK_TIMEOUT): what a held lock cost every run before, and then it failed
UV_DEFAULT_LOCK_WAIT = 300
# _uv.UV_LOCK_WAIT
LOCK_WAIT = 20
CANARY_UV = "#!/bin/sh\nid -u >> /tmp/canary-uv\necho 'uv 0.13.9 (x86_64-unknown-linux-gnu)'\n"
# a python of mallory's that tells who ran it, then answers as the system's
CANARY_PYTHON = "#!/bin/sh\nid -u >> /home/mallory/canary-python\nexec /usr/bin/python3 \"$@\"\n"
CARELESS_ENVIRONMENT = ["UV_INDEX_URL=http://127.0.0.1:9/simple", "UV_PYTHON_INSTALL_DIR=/tmp/evil",
                        "UV_CONSTRAINT=/home/mallory/constraints.txt",
                        'PATH="/home/mallory/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"']
ROOTS_UV_TOML = ('python-downloads = "automatic"\nno-index = false\n\n[[index]]\nurl = "http://127.0.0.1:9/simple"\n'
                 "default = true\n")


def generation():
    """The CPython patch of the current venv and tool generation (/opt/uv/venv -> venv-3.11.2)."""
    return sh("readlink /opt/uv/venv").strip().rsplit("-", 1)[1]


def held_inodes():
    """The inodes /proc/locks shows an flock on."""
    return set(int(line.split()[5].split(":")[2]) for line in sh("cat /proc/locks").splitlines()
               if line.split()[1:2] == ["FLOCK"])


def hold_locks(user, paths):
    """user holds an flock on each of paths, from a session of its own that outlives the login (setsid); their ids."""
    script = "; ".join("setsid flock -n %s sleep 3600 </dev/null >/dev/null 2>&1 & echo $!" % shlex.quote(p)
                       for p in paths)
    pids = (as_user(user, script) if user != "root" else sh(script)).split()
    time.sleep(1)
    return [int(pid) for pid in pids]


def release(pids):
    """End the sessions hold_locks started (flock and its sleep)."""
    for pid in pids:
        sh("kill -- -%d 2>/dev/null; true" % pid)


def canary_lines(path):
    return sh("cat %s 2>/dev/null; true" % path).split()


def test_held_locks_a_careless_admin_and_a_users_path_neither_stall_nor_steer_a_repair():
    """mallory holds every uv lock file she can open (as uv leaves them: 0666) for an hour; an admin has put uv
    settings and mallory's ~/bin first on PATH in /etc/environment (the run becomes root through su, which reads
    it) and a bogus index in root's ~/.config/uv/uv.toml; a tool's command was deleted. The converge repairs it,
    without waiting for mallory's locks, without running mallory's python as root, with the role's uv.toml."""
    gen = generation()
    tool_lock = "/opt/uv/tools/%s/.lock" % gen
    sh("find /opt/uv -name .lock -type f -exec chmod 0666 {} +")  # as uv makes each one
    locks = as_user("mallory", "find /opt/uv -name .lock -type f -readable 2>/dev/null; true").split()
    assert tool_lock in locks, locks
    assert sh("test -e /root/.config/uv; echo $?").strip() == "1"
    pids = []
    try:
        pids = hold_locks("mallory", locks)
        assert int(sh("stat -c %%i %s" % tool_lock)) in held_inodes()  # the attack is on: root's uv would wait
        sh("cp -p /etc/environment /etc/environment.labfleet-test && printf '%%s\\n' %s >> /etc/environment"
           % " ".join(shlex.quote(line) for line in CARELESS_ENVIRONMENT))
        sh("mkdir -p /root/.config/uv && printf %%s %s > /root/.config/uv/uv.toml" % shlex.quote(ROOTS_UV_TOML))
        as_user("mallory", "mkdir -p ~/bin && for n in python python3 python3.11; do printf %%s %s > ~/bin/$n && "
                           "chmod 755 ~/bin/$n; done; echo 'requests==0.0.1' > ~/constraints.txt; rm -f ~/canary-python"
                % shlex.quote(CANARY_PYTHON))
        sh("rm -f /opt/uv/tool-bin/pre-commit")  # the drift to repair

        proc, seconds = converge("-e", "ansible_become=true", "-e", "ansible_become_method=su")
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
        assert seconds < UV_DEFAULT_LOCK_WAIT, seconds
        assert sh("ps -o pid= -p %s" % ",".join(map(str, pids))).split() == [str(p) for p in pids]  # still held

        assert "0" not in canary_lines("/home/mallory/canary-python")  # her python never ran as root
        assert sh("test -e /tmp/evil; echo $?").strip() == "1"
        assert as_user("alice", "pre-commit --version").startswith("pre-commit 4.3.0")
        # the lock files of root's trees: none any account but root can open (one uv made in the run's last call
        # would be 0666 until root's next call renews it: none here)
        assert as_user("mallory", "find /opt/uv -name .lock -type f -readable 2>/dev/null; true").split() == []
        # users' own uv needs none of them: alice builds a venv on the shared CPython, and runs a tool with uvx
        out = as_user("alice", "rm -rf /tmp/alice-venv && uv venv --python 3.11 /tmp/alice-venv >/dev/null 2>&1 && "
                               "/tmp/alice-venv/bin/python -c 'import sys; print(sys.base_prefix)' && "
                               "uvx pre-commit --version; rm -rf /tmp/alice-venv")
        assert out.split()[0].startswith("/opt/uv/python/cpython-3.11"), out
        assert "pre-commit 4.3.0" in out, out
    finally:
        release(pids)
        sh("if [ -e /etc/environment.labfleet-test ]; then mv /etc/environment.labfleet-test /etc/environment; fi")
        sh("rm -rf /root/.config/uv")
        as_user("mallory", "rm -f ~/bin/python ~/bin/python3 ~/bin/python3.11 ~/constraints.txt ~/canary-python; "
                           "rmdir ~/bin 2>/dev/null; true")


def test_a_uv_in_a_directory_others_can_write_never_runs_as_root_and_is_replaced():
    """An admin left /opt/uv/bin 0777: whoever can write there decides what `uv` is (here a canary that writes the
    id of whoever runs it, then answers as uv 0.13.9). The converge never runs it: it puts the directory right and
    installs uv again."""
    sh("rm -f /tmp/canary-uv && cp -p /opt/uv/bin/uv /root/uv.labfleet-test")
    try:
        sh("chmod 0777 /opt/uv/bin && printf %%s %s > /opt/uv/bin/.canary && chmod 755 /opt/uv/bin/.canary && "
           "mv /opt/uv/bin/.canary /opt/uv/bin/uv" % shlex.quote(CANARY_UV))
        proc, dummy = converge()
        assert "0" not in canary_lines("/tmp/canary-uv")
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
        assert re.search(r"uv 0\.13\.9 at /opt/uv/bin/uv \(found one root does not run: /opt/uv/bin is writable by "
                         r"others \(mode 0777\)\)", proc.stdout), proc.stdout[-6000:]
        assert sh("stat -c %a /opt/uv/bin").strip() == "755"
        assert sh("cmp /opt/uv/bin/uv /root/uv.labfleet-test && echo same").strip() == "same"
    finally:
        sh("chmod 0755 /opt/uv/bin && mv /root/uv.labfleet-test /opt/uv/bin/uv && rm -f /tmp/canary-uv")


def test_a_group_writable_uv_is_never_run_as_root():
    """uv made group-writable: neither the version check (uv_binary) nor a module that runs uv (uv_tool) runs it;
    the tool module says why. No converge: the uv is put back as it was."""
    sh("rm -f /tmp/canary-uv && cp -p /opt/uv/bin/uv /root/uv.labfleet-test")
    try:
        sh("printf %%s %s > /opt/uv/bin/.canary && chmod 775 /opt/uv/bin/.canary && mv /opt/uv/bin/.canary "
           "/opt/uv/bin/uv" % shlex.quote(CANARY_UV))
        checked = run_module(HOST, "labfleet.uv.uv_binary", {"version": "0.13.9", "bin_dir": "/opt/uv/bin"})
        tools = run_module(HOST, "labfleet.uv.uv_tool", {"tools": [{"name": "pre-commit", "version": "==4.3.0"}],
                                                         "python": "3.11", "generation": True})
        assert "0" not in canary_lines("/tmp/canary-uv")
        assert checked.get("failed") and "src None is not a file" in checked["msg"], checked  # to be replaced
        assert tools.get("failed"), tools
        assert ("refusing to run /opt/uv/bin/uv as root: /opt/uv/bin/uv is writable by its group (mode 0775)"
                in tools["msg"]), tools
    finally:
        sh("mv /root/uv.labfleet-test /opt/uv/bin/uv && rm -f /tmp/canary-uv")


def test_a_lock_root_itself_holds_costs_a_short_wait_and_names_its_holder():
    """A lock that stays open to its holder (another root process: root's own are never renewed under it) makes
    root's uv give up after UV_LOCK_WAIT seconds, not uv's 300, with the lock and its holder named."""
    tool_lock = "/opt/uv/tools/%s/.lock" % generation()
    pids = []
    try:
        pids = hold_locks("root", [tool_lock])
        start = time.time()
        result = run_module(HOST, "labfleet.uv.uv_tool", {"tools": [{"name": "pre-commit", "version": "==4.3.0"}],
                                                          "python": "3.11", "generation": True})
        seconds = time.time() - start
    finally:
        release(pids)
    assert result.get("failed"), result
    assert LOCK_WAIT <= seconds < LOCK_WAIT + 40, seconds
    assert ("uv waited %d s (UV_LOCK_TIMEOUT) for its lock %s, held by pid %d (root, uid 0: flock -n %s sleep 3600)"
            % (LOCK_WAIT, tool_lock, pids[0], tool_lock)) in result["msg"], result["msg"]
