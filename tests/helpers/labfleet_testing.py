"""Helpers shared by the scenario tests (tests/seeds, tests/raspberry_pi, tests/pi_image): run Ansible from the
checkout against a container, the way Molecule's provisioner does. Each test directory's conftest.py puts
this directory on sys.path.
"""
import hashlib
import io
import json
import os
import shlex
import subprocess
import tarfile
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def ok(res):
    """The stripped stdout of a testinfra command result that must have succeeded."""
    assert res.rc == 0, "rc=%d\n%s\n%s" % (res.rc, res.stdout, res.stderr)
    return res.stdout.strip()


def login(host, user, script):
    """`script` in `user`'s real login shell (su -l reads /etc/profile and the user's shell profile)."""
    return host.run("su -l %s -c %s" % (user, shlex.quote(script)))


def ansible_env(**extra):
    """The environment Molecule gives Ansible: this checkout as labfleet.uv, its roles, no colour."""
    env = dict(os.environ)
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"),
               ANSIBLE_ROLES_PATH=os.path.join(REPO, "roles"), ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_CONNECTION_PLUGINS=os.path.join(REPO, "molecule", "shared", "connection_plugins"))
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    env.update(extra)
    return env


def connection(*names):
    """ansible(-playbook) arguments that reach the podman containers `names`."""
    return ["-i", ",".join(names) + ",", "-c", "podman_pipelined",
            "-e", "ansible_python_interpreter=/usr/bin/python3"]


def run_module_on(names, module, args):
    """One module run ad hoc (as root) on the containers `names` at once; {name: its result}."""
    env = ansible_env(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    proc = subprocess.run(["ansible", "all"] + connection(*names) + ["-b", "-m", module, "-a", json.dumps(args)],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    return json_printed(proc)["plays"][0]["tasks"][0]["hosts"]


def json_printed(proc):
    """What an ansible(-playbook) run with the json stdout callback printed, as a dict."""
    assert "{" in proc.stdout, "ansible failed (rc=%d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr[-3000:])
    out, dummy = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])
    return out


def run_module(name, module, args):
    """One module run ad hoc (as root) on container `name`; its result as a dict."""
    return run_module_on([name], module, args)[name]


def path_verdict(name, args):
    """labfleet.uv.path_info on the container, as the role's verdict runs it."""
    return run_module(name, "labfleet.uv.path_info", args)


def run_playbook(playbook, names, *extra):
    """ansible-playbook against the container(s) `names`; the CompletedProcess (stdout and stderr captured)."""
    names = [names] if isinstance(names, str) else list(names)
    return subprocess.run(["ansible-playbook", playbook] + connection(*names) + list(extra),
                          cwd=REPO, env=ansible_env(), capture_output=True, text=True, check=False)


def fake_uv_archive(version, machine):
    """A uv release tarball for `machine` (uname -m) whose uv aborts the way a jemalloc build for 4K pages does on a
    16K-page Pi 5; its path and sha256."""
    crash = (b"#!/bin/sh\necho '<jemalloc>: Unsupported system page size' >&2\n"
             b"echo 'memory allocation of 96 bytes failed' >&2\nkill -ABRT $$\n")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name in ("uv", "uvx"):
            info = tarfile.TarInfo("uv-%s-unknown-linux-gnu/%s" % (machine, name))
            info.size, info.mode = len(crash), 0o755
            tf.addfile(info, io.BytesIO(crash))
    path = os.path.join(tempfile.mkdtemp(prefix="labfleet-fake-uv-"), "uv-%s-%s.tar.gz" % (version, machine))
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return path, hashlib.sha256(buf.getvalue()).hexdigest()
