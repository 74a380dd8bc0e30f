"""Helpers for the seeds scenario: each test file is one admin's case, on its own container.

Users are checked the way they meet Python: a real login shell (`su -l`, which reads /etc/profile and the
user's shell profile), a non-login non-interactive `sh -c` with the system's default PATH (a CI step, a
Dockerfile RUN, an editor's git hook) and a systemd service (`systemd-run --pipe`).
"""
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, run_playbook  # noqa: E402  pylint: disable=wrong-import-position
VENV = "/opt/uv/venv"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WHO = "import sys; print(sys.prefix, sys.base_prefix, '%d.%d.%d' % sys.version_info[:3])"


def run_ok(host, cmd):
    res = host.run(cmd)
    assert res.rc == 0, "%s\nrc=%d\n%s\n%s" % (cmd, res.rc, res.stdout, res.stderr)
    return res.stdout


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


def run_role(name, *extra):
    """The seeds converge for one case (its host_vars and the shared group_vars), with extra arguments."""
    scenario = os.path.join(REPO, "molecule", "seeds")
    return run_playbook(os.path.join(scenario, "converge.yml"), name,
                        "-e", "@" + os.path.join(scenario, "group_vars", "all.yml"),
                        "-e", "@" + os.path.join(scenario, "host_vars", name + ".yml"), *extra)
