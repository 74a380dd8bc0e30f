"""Shared by tests/hostile: the converged host (LABFLEET_HOSTILE_HOST, else the Molecule scenario's container), commands
on it as root or as one of its students in a real login shell, and the role run again against it."""
import os
import shlex
import subprocess
import time

from labfleet_testing import run_playbook

HOST = os.environ.get("LABFLEET_HOSTILE_HOST", "labfleet-uv-hostile")
# the converge reads the offline artifacts from here (Molecule and scripts/test export it; by hand it may be unset)
os.environ.setdefault("LABFLEET_ARTIFACTS", "/var/cache/labfleet-uv/artifacts")
CONVERGE = "molecule/hostile/converge.yml"


def sh(cmd, check=True, timeout=600):
    """cmd as root on the host (sh -c); its stdout. check: it must exit 0."""
    proc = subprocess.run(["podman", "exec", HOST, "sh", "-c", cmd], capture_output=True, text=True, check=False,
                          timeout=timeout)
    if check:
        assert proc.returncode == 0, "%s: rc=%d %s%s" % (cmd, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def as_user(user, cmd, check=True):
    """cmd in user's real login shell (su -l), as they would type it."""
    return sh("su -l %s -c %s" % (user, shlex.quote(cmd)), check=check)


def converge(*extra):
    """The scenario's converge again (extra: more ansible-playbook arguments): (CompletedProcess, seconds)."""
    start = time.time()
    proc = run_playbook(CONVERGE, HOST, *extra)
    return proc, time.time() - start


def changed_count(proc):
    """The changed= count of the host's recap line."""
    recap = [line for line in proc.stdout.splitlines() if line.startswith(HOST) and "changed=" in line][-1]
    return int(recap.split("changed=")[1].split()[0])


def converged(*extra):
    """The converge again, which must succeed; its stdout."""
    proc, dummy = converge(*extra)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc.stdout
