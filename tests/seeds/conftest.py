"""Helpers for the seeds scenario: each test file is one admin's case, on its own container.

Users are checked the way they meet Python: a real login shell (`su -l`, which reads /etc/profile and the
user's shell profile), a non-login non-interactive `sh -c` with the system's default PATH (a CI step, a
Dockerfile RUN, an editor's git hook) and a systemd service (`systemd-run --pipe`).
"""
import json
import os
import shlex
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV = "/opt/uv/venv"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WHO = "import sys; print(sys.prefix, sys.base_prefix, '%d.%d.%d' % sys.version_info[:3])"


def run_ok(host, cmd):
    res = host.run(cmd)
    assert res.rc == 0, "%s\nrc=%d\n%s\n%s" % (cmd, res.rc, res.stdout, res.stderr)
    return res.stdout


def login(host, user, script):
    """`script` in `user`'s real login shell."""
    return host.run("su -l %s -c %s" % (user, shlex.quote(script)))


def plain_sh(host, user, script):
    """`script` in a non-login, non-interactive sh with the system's default PATH and nothing sourced."""
    return host.run("runuser -u %s -- env -i HOME=/home/%s PATH=%s sh -c %s"
                    % (user, user, DEFAULT_PATH, shlex.quote(script)))


def service(host, user, script):
    """`script` as a systemd service of `user` (what a CI runner or any daemon gets)."""
    return host.run("systemd-run --quiet --wait --pipe --collect --uid=%s -- sh -c %s" % (user, shlex.quote(script)))


def python_identity(res):
    assert res.rc == 0, "rc=%d\n%s\n%s" % (res.rc, res.stdout, res.stderr)
    prefix, base, version = res.stdout.split()[-3:]
    return prefix, base, version


def ansible_env():
    env = dict(os.environ)
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"),
               ANSIBLE_ROLES_PATH=os.path.join(REPO, "roles"), ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="False")
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    return env


def connection(name):
    return ["-i", name + ",", "-c", "containers.podman.podman", "-e", "ansible_python_interpreter=/usr/bin/python3"]


def path_verdict(name, args):
    """labfleet.uv.path_info on the container, as the role's verdict runs it."""
    env = dict(ansible_env(), ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    proc = subprocess.run(["ansible", name] + connection(name) + ["-b", "-m", "labfleet.uv.path_info",
                                                                  "-a", json.dumps(args)],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert "{" in proc.stdout, "ansible failed (rc=%d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr)
    out, dummy = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])
    return out["plays"][0]["tasks"][0]["hosts"][name]


def run_role(name, *extra):
    """The seeds converge for one case (its host_vars and the shared group_vars), with extra arguments."""
    scenario = os.path.join(REPO, "molecule", "seeds")
    return subprocess.run(["ansible-playbook", os.path.join(scenario, "converge.yml")] + connection(name)
                          + ["-e", "@" + os.path.join(scenario, "group_vars", "all.yml"),
                             "-e", "@" + os.path.join(scenario, "host_vars", name + ".yml")] + list(extra),
                          cwd=REPO, env=ansible_env(), capture_output=True, text=True, check=False)
