# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: `which-python`, a user's own answer to "which python do I get, and why".

Not a public API: may change without notice. The shared_python role installs it on every host (the command in the
shared venv's bin directory, this file and the engine below it under the role's root, see the filter host_layout),
run by a root-owned interpreter in isolated mode. It runs as the user who calls it, never with privileges: it is
path_info's own engine (_path_contexts' PathInfo with the same shells, probes, bounded runner and judge), started
the way a user can start their own shells:

- login: the environment `su -l` makes (login.defs' ENV_PATH or ENV_SUPATH, pam_env's /etc/environment and
  /etc/default/locale, HOME, SHELL, USER, LOGNAME, the home as working directory), then the user's login shell as an
  interactive login shell, as path_info's login context runs it after `su -l`;
- interactive: that login environment starting the user's shell again as an interactive non-login shell;
- cron: cron's environment with the variables of the user's own crontab (`crontab -l`), as path_info emulates it.

The contexts only root can start (a real sshd, sudo's policy, a system service) are explained, not guessed. The
whole run is bounded by the probe timeout (the verdict's deadline is the timeout)."""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import select
import shutil
import signal
import sys
import time

from ansible_collections.labfleet.uv.plugins.module_utils._path_contexts import CRON_PATH, PathInfo, assignments
from ansible_collections.labfleet.uv.plugins.module_utils._path_judge import faults, under

USER_CONTEXTS = ("login", "interactive", "cron")
# about a second on an idle machine; far above that, for a busy one (pip --version alone took 7s at load 9 on 2 cores)
TIMEOUT = 30
COMMANDS = ("python", "python3", "pip", "uv")
ROOT_ONLY = dict(
    ssh="`ssh host cmd` (a command given to ssh) runs your shell the way sshd starts it, with sshd's environment; "
        "only root can start a real sshd to check it.",
    sudo="sudo searches the PATH its policy gives (secure_path in /etc/sudoers), not yours; `sudo -l` shows that "
         "policy if you may use sudo at all.",
    sudo_login="`sudo -i` runs root's login shell, which only root can start.",
    systemd="a system service gets the service manager's PATH; only root can start one as you to check it.",
)
CONTEXT_TITLES = dict(
    login="In a login shell (a terminal login, su -l, a desktop session's start)",
    interactive="In a terminal window (an interactive shell that is not a login shell)",
    cron="In your cron jobs",
)
# what Debian's /etc/pam.d/su has pam_env read
PAM_ENV_FILES = ("/etc/environment", "/etc/default/locale")
DEFAULT_PATH, DEFAULT_ROOT_PATH = "/usr/local/bin:/bin:/usr/bin", "/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin"


class Refused(Exception):
    """What the command cannot do, in a sentence for the user."""


class UserSide(object):
    """What _path_contexts asks of AnsibleModule (params, run_command, fail_json), for a user's own process. Each
    command is found on a fixed system PATH (never the caller's, which their startup files may have emptied), and
    none outlives the run's timeout and a little grace: a startup file that stops the bounded runner (kill -STOP
    $PPID) cannot hold the answer back."""

    SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    GRACE = 3

    def __init__(self, params):
        self.params = params
        self.deadline = time.monotonic() + params["timeout"] + self.GRACE

    def run_command(self, argv, environ_update=None, cwd=None, **dummy):
        env = dict(os.environ, **(environ_update or {}))
        if "/" not in argv[0]:
            argv = [shutil.which(argv[0], path=self.SYSTEM_PATH) or argv[0]] + list(argv[1:])
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a session of its own, stdin from /dev/null
            try:
                os.setsid()
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        os.close(out_w)
        os.close(err_w)
        out, err, finished = self.read_until_deadline(out_r, err_r)
        if not finished:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        status = os.waitpid(pid, 0)[1]
        if not finished:
            return (124, "", "which-python: timed out after %d s\n" % self.params["timeout"])
        return (os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))

    def read_until_deadline(self, out_r, err_r):
        """(stdout, stderr, whether both ended before the deadline); the pipes closed after."""
        chunks = {out_r: [], err_r: []}
        reading = [out_r, err_r]
        try:
            while reading:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    return b"", b"", False
                for fd in select.select(reading, [], [], left)[0]:
                    data = os.read(fd, 65536)
                    if data:
                        chunks[fd].append(data)
                    else:
                        reading.remove(fd)
            return b"".join(chunks[out_r]), b"".join(chunks[err_r]), True
        finally:
            os.close(out_r)
            os.close(err_r)

    @staticmethod
    def fail_json(msg, **dummy):
        raise Refused(msg)


def file_assignments(path, cap=65536):
    """NAME=value lines of a pam_env style file (/etc/environment): {name: value}, quotes taken off."""
    try:
        with open(path, "rb") as f:
            return assignments(f.read(cap).decode("utf-8", "replace"))
    except (IOError, OSError):
        return {}


def login_path(pw, login_defs="/etc/login.defs"):
    """The PATH `su -l` sets: login.defs' ENV_PATH (ENV_SUPATH for root), util-linux's default without one."""
    key, path = ("ENV_SUPATH", DEFAULT_ROOT_PATH) if pw.pw_uid == 0 else ("ENV_PATH", DEFAULT_PATH)
    try:
        with open(login_defs) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == key:
                    path = parts[1][len("PATH="):] if parts[1].startswith("PATH=") else parts[1]
    except (IOError, OSError):
        pass
    return path


def login_environment(pw, env_files=PAM_ENV_FILES, login_defs="/etc/login.defs"):
    """The variables `su -l` gives the user's login shell (before its startup files run): pam_env's files (a PATH
    there wins), then HOME, SHELL, USER, LOGNAME and login.defs' PATH."""
    env = {}
    for path in env_files:
        env.update(file_assignments(path))
    env.update(HOME=pw.pw_dir, SHELL=pw.pw_shell or "/bin/sh", USER=pw.pw_name, LOGNAME=pw.pw_name,
               PATH=env.get("PATH") or login_path(pw, login_defs))
    return env


class OwnShells(PathInfo):
    """path_info's contexts as the calling user starts them: no su, no runuser, their own crontab."""

    def users(self):
        return [pwd.getpwuid(os.getuid())]

    def as_user(self, pw):
        return []

    def crontab_argv(self, pw):
        return ["crontab", "-l"]

    def login_words(self, pw):
        return "the environment su -l makes for %s" % pw.pw_name

    def su_argv(self, pw, env_words, shell_argv):
        env = login_environment(pw)
        env["SHELL"] = self.shell_of(pw).path
        home = pw.pw_dir if os.path.isdir(pw.pw_dir or "") else "/"
        return ["env", "-i", "-C", home] + ["%s=%s" % kv for kv in sorted(env.items())] + env_words + shell_argv


def params(settings, timeout):
    """path_info's parameters for the calling user's own contexts (settings: what the role wrote in the command)."""
    return dict(settings, commands=list(COMMANDS), users=None, contexts=list(USER_CONTEXTS), required_contexts=None,
                expect_path=settings.get("expect_path"), timeout=timeout, deadline=timeout, concurrency=3,
                group_identical=False, user_files="warn")


def answer(settings, timeout):
    """{user, shell, expected, seconds, contexts, results, not_probed}: the engine's answer for the calling user."""
    start = time.monotonic()
    info = OwnShells(UserSide(params(settings, timeout)))
    pw = info.users()[0]
    try:
        info.setup()
        results, contexts, dummy = info.check()
    finally:
        info.cleanup()
    faults(results, contexts, [pw], dict(cron=CRON_PATH.split(":")))
    out_of_time = info.seconds_left() is None
    wanted = []
    for word in COMMANDS:
        if os.path.dirname(info.judge.expected(word)) not in wanted:
            wanted.append(os.path.dirname(info.judge.expected(word)))
    by_context = dict((c["context"], c) for c in contexts)
    for r in results:
        if r["status"] != "won":
            r["fix"] = advice(r, pw, by_context[r["context"]], ":".join(wanted))
    return dict(user=pw.pw_name, shell=pw.pw_shell, seconds=round(time.monotonic() - start, 2), timeout=timeout,
                out_of_time=out_of_time,
                expected=dict((w, info.judge.expected(w)) for w in COMMANDS), contexts=contexts, results=results,
                not_probed=dict(ROOT_ONLY))


CONDA_RE = re.compile(r"(conda|miniforge|mambaforge|micromamba)", re.I)


def append_syntax(shell, directory):
    """How the user's shell adds a directory at the end of PATH."""
    name = os.path.basename(shell or "")
    if name == "fish":
        return "fish_add_path --append %s" % directory
    if name in ("tcsh", "csh"):
        return "set path = ($path %s)" % directory
    if name == "nu":
        return "$env.PATH = ($env.PATH | append %s)" % directory
    return 'PATH="$PATH:%s"' % directory


def path_entry_advice(r, pw, where, shell):
    value, origin = r["shadow"]["value"], r["shadow"]["origin"]
    if CONDA_RE.search(value or ""):
        return ("conda activates its base environment in every new shell (%s): run `conda config --set "
                "auto_activate_base false`, then `conda activate` only when you want conda's python"
                % (origin or "conda init's block"))
    if "pyenv" in (value or ""):
        return ("pyenv's shims come first (%s, the `pyenv init` line): run `pyenv global system` (pyenv then passes "
                "python on to the shared one), or remove that line" % (origin or "pyenv init"))
    if r.get("provider") == "user_local" or under(value, pw.pw_dir):
        return ("%s is your own, and %s puts %s first on PATH: rename it (mv %s %s.mine) or remove it"
                % (r.get("resolved"), origin or "a startup file", value, r.get("resolved"), r.get("resolved")))
    if r.get("fault") == "user":
        return "%s puts %s before %s: add it at the end instead (%s)" % (
            where, value, os.path.dirname(r["expected"]), append_syntax(shell, value))
    if not origin:
        return ("look in your startup files for the line that puts %s on PATH and add it at the end instead (%s); "
                "if none of yours does, tell your admin" % (value, append_syntax(shell, value)))
    return "%s is the system's: tell your admin" % where


def advice(r, pw, context, wanted):
    """The usual fix for what made r lose (one sentence), or what to do about a probe that gave no answer. wanted:
    the shared directories, colon-joined, first on PATH as the role puts them."""
    if r["status"] == "error":
        return "the check gave no answer (%s): a startup file of yours may wait for input or never end" % r["reason"]
    shadow = r.get("shadow") or {}
    kind, origin = shadow.get("kind"), shadow.get("origin")
    where = origin or "a startup file"
    shell = context.get("shell") or pw.pw_shell
    if kind in ("missing", "broken", "builtin"):
        return "the shared environment is not whole here (%s): tell your admin" % r["reason"]
    if kind == "alias":
        return "delete the alias %s%s; until then `command %s` runs the shared one" % (
            r["command"], " at " + origin if origin else " where your startup files define it", r["command"])
    if kind == "function":
        return "delete the function %s at %s" % (r["command"], where)
    if r["context"] == "cron":
        path = context.get("path") or []
        better = wanted.split(":") + [d for d in path if d not in wanted.split(":")]
        return ("cron starts your jobs with PATH=%s: put a line PATH=%s at the top of your crontab (crontab -e), "
                "or call each command by its full path" % (":".join(path), ":".join(better)))
    if kind == "not_on_path":
        return ("%s sets PATH without %s (a PATH reset): add to PATH instead of setting it (%s)" % (
            where, shadow.get("value"), append_syntax(shell, "DIR")))
    if kind == "path_entry":
        return path_entry_advice(r, pw, where, shell)
    return "tell your admin"


def word_line(r, said):
    """One command's answer in plain words; said: the why and fix lines already printed for the context."""
    what = r.get("resolved") or "nothing"
    if r.get("kind") == "alias":
        what = "an alias for '%s'" % r.get("resolved")
    elif r.get("kind") == "function":
        what = "a shell function"
    if r.get("version") and r.get("kind") in ("file", "hashed"):
        what += " (%s)" % (("Python " + r["version"]) if r.get("prefix") else r["version"].split(" from ")[0])
    if r["status"] == "won":
        verdict = "the shared uv" if r["command"] in ("uv", "uvx") else "the shared environment"
    elif r["status"] == "error":
        verdict = "no answer"
    else:
        verdict = "NOT the shared one (%s)" % r["expected"]
    lines = ["  %-8s %s: %s" % (r["command"], what, verdict)]
    if r["status"] != "won":
        lines.append("           why: %s" % r.get("reason", ""))
        if r.get("fault"):
            lines.append("           whose: %s" % ("your own files" if r["fault"] == "user" else "the system's"))
        lines.append("           fix: %s" % r["fix"] if r["fix"] not in said else "           fix: as above")
        said.add(r["fix"])
    return lines


def render(ans):
    """The answer as text for a person."""
    head = "which-python: what runs for %s (login shell %s), checked in %.1fs" % (
        ans["user"], ans["shell"], ans["seconds"])
    lines = [head,
             "The shared one is %s (python) and %s (uv)." % (ans["expected"]["python"], ans["expected"]["uv"]), ""]
    for c in ans["contexts"]:
        title = CONTEXT_TITLES[c["context"]]
        if c["context"] == "cron":
            title += " (SHELL=%s)" % c.get("shell")
        lines.append(title + ":")
        if c["status"] != "probed":
            lines.append("  not checked: %s" % c.get("reason"))
        said = set()
        lines += [line for r in ans["results"] if r["context"] == c["context"] for line in word_line(r, said)]
        lines.append("")
    if ans.get("out_of_time"):
        lines += ["The check ran out of its time (%ss) before it finished: an answer may lack the file and line that "
                  "caused it. Run `which-python --timeout %d` for more time." % (ans["timeout"], 4 * ans["timeout"]), ""]
    lines.append("Not checked here (only root can start these; ask your admin):")
    lines += ["  %-11s %s" % (name, why) for name, why in sorted(ans["not_probed"].items())]
    return "\n".join(lines) + "\n"


def main(settings, argv=None):
    """The command: prints the answer (text, or JSON with --json); exit status 0 when the shared one wins in every
    context checked, 1 when it does not, 2 when the check could not run."""
    parser = argparse.ArgumentParser(prog="which-python", description="Which python, python3, pip and uv run for "
                                     "you in your login shell, your terminal and your cron jobs, and why.")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON, for scripts")
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds the whole check may take, whatever "
                        "your startup files do (default %d)" % TIMEOUT)
    args = parser.parse_args(argv)
    if args.timeout < 2:
        parser.error("--timeout must be at least 2 seconds")
    if os.geteuid() != os.getuid() or os.getegid() != os.getgid():
        sys.stderr.write("which-python: refusing to run set-uid or set-gid\n")
        return 2
    try:
        ans = answer(settings, args.timeout)
    except Refused as e:
        sys.stderr.write("which-python: %s\n" % e)
        return 2
    sys.stdout.write(json.dumps(ans, indent=1, sort_keys=True) + "\n" if args.json else render(ans))
    return 0 if all(r["status"] == "won" for r in ans["results"]) else 1
