# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: path_info's contexts. Each context starts the real shell or service the way a user's
command starts there (su -l, a real sshd, sudo's policy, cron's environment, a transient systemd service), runs
the probe of the shell that context runs (labfleet.uv's _path_shells), and hands the parsed answer to the judge
(_path_judge). Not a public API: may change without notice.

A context is a class of its own in CONTEXTS (its name, whether the user's startup files make its PATH, how it
starts); a new context is one class there. PathInfo drives them: it writes the probes, runs each context for each
account (ProbeRunner), re-runs a lost one traced, and judges. How the contexts become the user is PathInfo's
(su -l, runuser, crontab -u: root's), so which-python (_which_python) runs the same contexts as the calling user.

Every command runs bounded (_bounded_run): at most the probe timeout, and never past the verdict's deadline; its
output capped; killed with everything it started. An account whose probe timed out costs no second timeout: its
probes not started yet are reported as errors that say why. No context runs a program the user can write as root:
the user's shells, cron and systemd run as the user, sudo's PATH search runs as the user too (the PATH sudo would
use; sudo's policy read by root with `sudo -l -U`), and sudo_login runs root's own login shell."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from ansible_collections.labfleet.uv.plugins.module_utils._bounded_run import bound_reason, bounded_argv, read_outcome
from ansible_collections.labfleet.uv.plugins.module_utils._command_output import read_command
from ansible_collections.labfleet.uv.plugins.module_utils._path_judge import Judge
from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import all_families, parse_probe, shell_for
from ansible_collections.labfleet.uv.plugins.module_utils._path_twins import Twins

# cron's fixed PATH (sshd's compiled-in default is irrelevant here: the ssh context runs the real sshd)
CRON_PATH = "/usr/bin:/bin"
NOLOGIN_SHELLS = ("nologin", "false", "sync", "halt", "shutdown")


class ProbeRunner(object):
    """Bounded commands and probes under the verdict's deadline: each probe asked once per argv, and an account whose
    probe timed out struck (its probes not started yet are errors that name the one that timed out)."""

    def __init__(self, module, token):
        self.module = module
        self.p = module.params
        self.token = token
        self.deadline = time.monotonic() + self.p.get("deadline", 1800)
        self.lock = threading.Lock()
        self.answers = {}
        self.struck = {}

    def seconds_left(self):
        """What the next command may take: the probe timeout, less when the verdict's deadline is nearer; None
        once it is less than a second away."""
        left = self.deadline - time.monotonic()
        if left < 1:
            return None
        return min(self.p["timeout"], int(left))

    def past_deadline(self):
        return "not started: the verdict's deadline (%ss) had passed" % self.p.get("deadline")

    def bounded_problem(self, rc, outcome, seconds):
        reason = bound_reason(outcome, rc, seconds)
        if reason and seconds < self.p["timeout"] and reason.startswith("timed out"):
            reason = "stopped at the verdict's deadline (%ss): %s" % (self.p.get("deadline"), reason)
        return reason

    def run(self, argv, env=None):
        """root's own commands (ssh-keygen, sudo -l -U, crontab -l -u), bounded: (rc, out, err, problem), problem
        None or why it gave no answer to use (timed out, output over the cap...)."""
        # argv is literal: "$PATH" in a probe and "$HOME" in a crontab value are for the context's shell to
        # expand, never for run_command (which would put this module's own environment in their place)
        seconds = self.seconds_left()
        if seconds is None:
            return 1, "", "", self.past_deadline()
        rc, out, err = self.module.run_command(bounded_argv(argv, seconds), environ_update=env, cwd="/",
                                               expand_user_and_vars=False)
        rc, out, err, outcome = read_outcome(rc, out, err)
        return rc, out, err, self.bounded_problem(rc, outcome, seconds)

    def read_probe(self, argv, pw, what):
        """A probe's (rc, out, err, runs, problem), asked once per argv (a second asker waits for the first).
        problem: None, or why it gave no answer to use (it timed out, wrote over the cap, kept writing after its
        shell exited; it was not started: the deadline had passed, or another probe of the account timed out)."""
        key = tuple(argv)
        with self.lock:
            answer = self.answers.get(key)
            mine = answer is None
            if mine:
                answer = self.answers[key] = Future()
        if not mine:
            return answer.result()
        try:
            answer.set_result(self.bounded_probe(argv, pw, what))
        except BaseException as e:
            answer.set_exception(e)
        return answer.result()

    def bounded_probe(self, argv, pw, what):
        with self.lock:
            struck = self.struck.get(pw.pw_name)
        if struck:
            return 1, "", "", 0, "not started: %s" % struck
        seconds = self.seconds_left()
        if seconds is None:
            return 1, "", "", 0, self.past_deadline()

        # read again once when its output came back without its end (see _command_output; a probe changes
        # nothing), never when the runner said how it ended: a probe that timed out is not given a second timeout
        def whole(rc, out, err):
            return rc == 124 or read_outcome(rc, out, err)[3] is not None or parse_probe(out, self.token)["complete"]
        rc, out, err, runs = read_command(self.module, bounded_argv(argv, seconds), whole, cwd="/",
                                          expand_user_and_vars=False)
        rc, out, err, outcome = read_outcome(rc, out, err)
        problem = self.bounded_problem(rc, outcome, seconds)
        # the runner's own word that the probe took its whole timeout (not a bare exit status 124)
        if outcome and outcome.get("status") == "timeout":
            with self.lock:
                self.struck.setdefault(pw.pw_name, "%s's %s probe %s" % (pw.pw_name, what, problem.split(";")[0]))
        return rc, out, err, runs, problem


def accounts(module, names):
    """The passwd entries of the named users (fails on one that does not exist), or of root and every human account
    (uid from login.defs' UID_MIN to UID_MAX, 1000 and 60000 by default, with a shell that allows logins)."""
    if names:
        out = []
        for n in names:
            try:
                out.append(pwd.getpwnam(n))
            except KeyError:
                module.fail_json(msg="users: no such user on this host: %s" % n)
        return out
    uid_min, uid_max = 1000, 60000
    try:
        with open("/etc/login.defs") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "UID_MIN" and parts[1].isdigit():
                    uid_min = int(parts[1])
                if len(parts) >= 2 and parts[0] == "UID_MAX" and parts[1].isdigit():
                    uid_max = int(parts[1])
    except IOError:
        pass
    humans = [pw for pw in pwd.getpwall()
              if uid_min <= pw.pw_uid <= uid_max and os.path.basename(pw.pw_shell or "") not in NOLOGIN_SHELLS
              and pw.pw_shell]
    root = [pw for pw in pwd.getpwall() if pw.pw_uid == 0][:1]
    seen, out = set(), []
    for pw in root + sorted(humans, key=lambda x: x.pw_uid):
        if pw.pw_name not in seen:
            seen.add(pw.pw_name)
            out.append(pw)
    return out


def assignments(text):
    """The NAME=value lines of a crontab (or of pam_env's /etc/environment, where `export` may come first): {name:
    value}, one pair of quotes around the value taken off."""
    found = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", line)
        if m:
            value = m.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            found[m.group(1)] = value
    return found


class SudoPolicy(object):
    """sudo's own evaluation for each user (`sudo -l -U`, read by root), asked once per user."""

    def __init__(self, runner):
        self.runner = runner
        self.path = shutil.which("sudo") or "/usr/bin/sudo"
        self.answers = {}
        self.failed = set()

    def of(self, pw):
        """(allowed, secure_path or None, reason)."""
        if pw.pw_name not in self.answers:
            self.answers[pw.pw_name] = self.ask(pw)
        return self.answers[pw.pw_name]

    def ask(self, pw):
        if not os.path.exists(self.path):
            return None, None, "sudo is not installed"
        rc, out, err, problem = self.runner.run([self.path, "-n", "-l", "-U", pw.pw_name], env={"LC_ALL": "C"})
        if problem:
            self.failed.add(pw.pw_name)
            return None, None, "sudo -l -U %s: %s" % (pw.pw_name, problem)
        text = out + err
        if "not allowed to run sudo" in text or "may not run sudo" in text:
            return False, None, "sudo does not allow %s" % pw.pw_name
        if rc != 0:
            return None, None, "sudo -l -U %s failed: %s" % (pw.pw_name, text.strip())
        # the last secure_path entry wins: `Defaults:mallory !secure_path` after the global secure_path=... unsets it
        secure = None
        for m in re.finditer(r"(?<![\w!])(!?)secure_path(?:=((?:[^,\\\n]|\\.)*))?", text):
            secure = None if m.group(1) or m.group(2) is None else \
                m.group(2).replace("\\:", ":").replace("\\,", ",").strip()
        return True, secure, None

    def gate(self, pw, meta):
        """True when the user may sudo; else marks meta unavailable or not_permitted (with the reason)."""
        allowed, dummy, reason = self.of(pw)
        if allowed is None:
            meta.update(status="error" if pw.pw_name in self.failed else "unavailable", reason=reason)
        elif not allowed:
            meta.update(status="not_permitted", reason=reason)
        return bool(allowed)


# -- the contexts: start(pw, trace) returns (meta, argv): how it is started, or argv None and meta with status and
# reason -------------------------------------------------------------------------------------------------------------
class Context(object):
    """A way a command starts. traced: the user's startup files make its PATH (a loss is traced to a file)."""

    name = ""
    traced = False

    def __init__(self, info):
        self.info = info

    def start(self, pw, trace):
        raise NotImplementedError


class UserShellContext(Context):
    """The login environment (su -l: PAM, login.defs) starting the user's passwd shell as the subclass says: how
    (its words, %(shell)s the shell's path) and shell_argv."""

    traced = True
    how = None

    def start(self, pw, trace):
        info, sh = self.info, self.info.shell_of(pw)
        env_words, flags = sh.trace_setup(info.tmp, info.token) if trace else ([], [])
        argv = info.su_argv(pw, env_words, self.shell_argv(sh, info.probe_file(sh), flags))
        how = self.how % dict(shell=sh.path)
        return dict(method="%s; %s" % (info.login_words(pw), how), shell=sh.path), argv


class LoginContext(UserShellContext):
    """The user's shell as an interactive login shell."""

    name = "login"
    how = "%(shell)s -l -i"
    shell_argv = staticmethod(lambda sh, probe_file, flags: sh.login_argv(probe_file, flags))


class InteractiveContext(UserShellContext):
    """The user's shell started again, interactive and not a login shell (a terminal in a desktop session)."""

    name = "interactive"
    how = "%(shell)s -l; then %(shell)s -i"
    shell_argv = staticmethod(lambda sh, probe_file, flags: sh.interactive_argv(probe_file, flags))


class SshContext(Context):
    """A real `sshd -i` started through the ssh client's ProxyCommand with a throw-away key and the host's own
    sshd_config included, running `ssh host cmd`."""

    name = "ssh"
    traced = True

    def __init__(self, info):
        Context.__init__(self, info)
        self.setting = None

    def setup(self):
        """The throw-away keys and sshd_config, made once: {dir, conf, client, sshd}, or {error}."""
        if self.setting is None:
            self.setting = self.make()
        return self.setting

    def make(self):
        sshd, client = "/usr/sbin/sshd", shutil.which("ssh") or "/usr/bin/ssh"
        if not os.path.exists(sshd) or not os.path.exists(client):
            return dict(error="sshd or the ssh client is not installed: nobody can ssh to this host")
        if not os.path.isdir("/run/sshd"):
            return dict(error="sshd is not running (no /run/sshd): nobody can ssh to this host now")
        d = os.path.join(self.info.tmp, "ssh")
        os.mkdir(d, 0o700)
        for name in ("host", "client"):
            rc, out, err, problem = self.info.runner.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                                                          "labfleet-path-info", "-f", os.path.join(d, name)])
            if rc != 0 or problem:
                return dict(error="ssh-keygen failed: %s" % (problem or (err or out).strip()))
        shutil.copy(os.path.join(d, "client.pub"), os.path.join(d, "authorized_keys"))
        os.chmod(os.path.join(d, "authorized_keys"), 0o644)
        os.chmod(d, 0o755)
        conf = os.path.join(d, "sshd_config")
        with open(conf, "w") as f:
            # First value wins in sshd_config: ours come first, the host's own settings (Match, SetEnv, AllowUsers,
            # PermitUserEnvironment...) follow, so the session is the one a real `ssh host cmd` gets.
            f.write("HostKey %s/host\nAuthorizedKeysFile %s/authorized_keys\nAuthorizedKeysCommand none\n"
                    "StrictModes no\nPubkeyAuthentication yes\nPasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nLogLevel ERROR\n"
                    "AcceptEnv SHELLOPTS PS4 XDG_DATA_DIRS\n" % (d, d))
            if os.path.exists("/etc/ssh/sshd_config"):
                f.write("Include /etc/ssh/sshd_config\n")
        return dict(dir=d, conf=conf, client=client, sshd=sshd)

    def start(self, pw, trace):
        info, s, sh = self.info, self.setup(), self.info.shell_of(pw)
        meta = dict(method="ssh %s@localhost cmd (real sshd -i, host sshd_config)" % pw.pw_name, shell=sh.path)
        if "error" in s:
            meta.update(status="unavailable", reason=s["error"])
            return meta, None
        argv = [s["client"], "-F", "/dev/null", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ProxyCommand=%s -i -f %s" % (s["sshd"], s["conf"]), "-i", os.path.join(s["dir"], "client")]
        env = sh.ssh_trace_env(info.tmp, info.token) if trace else {}
        if env:
            argv += ["-o", "SetEnv=" + " ".join('%s="%s"' % kv for kv in sorted(env.items()))]
        argv += ["-l", pw.pw_name, "localhost", sh.source_command(info.probe_file(sh))]
        return meta, argv


class SudoContext(Context):
    """sudo's own policy for the user (secure_path, whether they may sudo at all) applied to a PATH search, as sudo
    does it, no shell; the search and what it finds run as the user, never as root."""

    name = "sudo"

    def start(self, pw, trace):
        # What sudo would run is found by searching the PATH sudo would use, as the user: never as root, since
        # without secure_path that PATH is the user's own (their ~/bin first, maybe), and what the probe runs
        # there is the user's to write. Running it as the user finds the same file (sudo searches the PATH it
        # was given) and reports the same interpreter.
        info = self.info
        meta = dict(method="sudo -l -U %s policy; PATH search as %s, no shell" % (pw.pw_name, pw.pw_name), shell="")
        if not info.sudo.gate(pw, meta):
            return meta, None
        path = info.sudo.of(pw)[1]
        if path is None:
            path, problem = self.login_path(pw)
            if path is None:
                meta.update(status="error", reason="no secure_path, so sudo keeps %s's login PATH, which is not "
                            "known: %s" % (pw.pw_name, problem))
                return meta, None
            meta["method"] += " (no secure_path: the user's login PATH is kept)"
        else:
            meta["method"] += " (secure_path)"
        sh = shell_for("/bin/sh")
        argv = info.as_user(pw) + ["env", "-i", "PATH=" + path, "HOME=" + pw.pw_dir, "USER=" + pw.pw_name,
                                   "LOGNAME=" + pw.pw_name, "SHELL=" + sh.path,
                                   sh.path, "-c", sh.source_command(info.probe_file(sh))]
        return meta, argv

    def login_path(self, pw):
        """(the PATH of the user's login shell, None) (what sudo keeps without secure_path), from the login probe
        (the login context's own); (None, why) when that probe gave none."""
        dummy, argv = self.info.contexts["login"].start(pw, False)
        rc, out, err, dummy, problem = self.info.runner.read_probe(argv, pw, "login")
        path = parse_probe(out, self.info.token)["path"]
        if problem or path is None:
            return None, "the login probe %s" % (problem or "printed no PATH")
        return ":".join(path), None


class SudoLoginContext(Context):
    """`sudo -i`: the command runs through root's login shell."""

    name = "sudo_login"

    def start(self, pw, trace):
        info, sh = self.info, self.info.shell_of(pwd.getpwuid(0))
        meta = dict(method="sudo -i (as root, root's login shell)", shell=sh.path)
        if not info.sudo.gate(pw, meta):
            return meta, None
        # sudo -i quotes each argument for root's login shell itself
        return meta, [info.sudo.path, "-n", "-i", "-u", "root", "--"] + sh.source_words(info.probe_file(sh))


class CronContext(Context):
    """cron's fixed environment (SHELL=/bin/sh, PATH=/usr/bin:/bin), overridden by the variables set in the user's
    crontab; the only emulated context."""

    name = "cron"

    def crontab_env(self, pw):
        """(the variables the user's crontab sets, None), or (None, why) when it could not be read whole."""
        argv = self.info.crontab_argv(pw)
        rc, out, err, problem = self.info.runner.run(argv)
        if problem:
            return None, "%s: %s" % (" ".join(argv), problem)
        return (assignments(out) if rc == 0 else {}), None

    def start(self, pw, trace):
        meta = dict(method="cron's environment (emulated: SHELL=/bin/sh, PATH=%s, crontab variables)" % CRON_PATH,
                    shell="/bin/sh")
        if not any(os.path.exists(p) for p in ("/usr/sbin/cron", "/usr/sbin/crond", "/usr/bin/crond")):
            meta.update(status="unavailable", reason="no cron daemon is installed")
            return meta, None
        env = {"HOME": pw.pw_dir, "LOGNAME": pw.pw_name, "USER": pw.pw_name, "SHELL": "/bin/sh", "PATH": CRON_PATH}
        crontab, problem = self.crontab_env(pw)
        if problem:
            meta.update(status="error", reason=problem)
            return meta, None
        env.update(crontab)
        meta["shell"] = env["SHELL"]
        sh = shell_for(env["SHELL"])
        argv = self.info.as_user(pw) + ["env", "-i"] + ["%s=%s" % kv for kv in sorted(env.items())] + \
            [env["SHELL"], "-c", sh.source_command(self.info.probe_file(sh))]
        return meta, argv


class SystemdContext(Context):
    """A real transient service (systemd-run --pipe -p User=), so the unit's PATH is the service manager's own."""

    name = "systemd"

    def start(self, pw, trace):
        meta = dict(method="systemd-run --pipe -p User=%s (a real transient service)" % pw.pw_name, shell="/bin/sh")
        if not os.path.isdir("/run/systemd/system"):
            meta.update(status="unavailable", reason="systemd is not the init system here (no /run/systemd/system)")
            return meta, None
        sh = shell_for("/bin/sh")
        # the service is not the probe's descendant: it stops itself at the timeout (and holds the probe's pipes,
        # so the runner finds and kills it sooner)
        argv = ["systemd-run", "--quiet", "--wait", "--pipe", "--collect", "-p", "User=" + pw.pw_name,
                "-p", "RuntimeMaxSec=%d" % self.info.p["timeout"], sh.path, "-c",
                sh.source_command(self.info.probe_file(sh))]
        return meta, argv


CONTEXTS = (LoginContext, InteractiveContext, SshContext, SudoContext, SudoLoginContext, CronContext, SystemdContext)
ALL_CONTEXTS = [c.name for c in CONTEXTS]
# the contexts whose PATH the user's startup files make (the others have a fixed or policy PATH)
TRACED_CONTEXTS = tuple(c.name for c in CONTEXTS if c.traced)


class PathInfo(object):
    """Probes every account in every context, traces a loss to its startup file, and judges."""

    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.judge = Judge(self.p)
        self.token = os.urandom(6).hex()
        self.tmp = None
        self.probe_files = {}
        self.runner = ProbeRunner(module, self.token)
        self.sudo = SudoPolicy(self.runner)
        self.contexts = dict((c.name, c(self)) for c in CONTEXTS)

    def seconds_left(self):
        return self.runner.seconds_left()

    # -- how the contexts become the user: root's way (which-python's own is the calling user's) ------------------
    def as_user(self, pw):
        """The words that run a command as the user, in an environment of its own (root: runuser)."""
        return ["runuser", "-u", pw.pw_name, "--"]

    def crontab_argv(self, pw):
        return ["crontab", "-l", "-u", pw.pw_name]

    def login_words(self, pw):
        """How the login environment is made, in the contexts' method."""
        return "su -l %s" % pw.pw_name

    def su_argv(self, pw, env_words, shell_argv):
        """su -l (PAM, login.defs) then exactly the given argv in that environment, as the user."""
        return ["su", "-l", pw.pw_name, "-s", "/usr/bin/env", "--", "SHELL=" + self.shell_of(pw).path] + env_words + \
            shell_argv

    # -- the probes ------------------------------------------------------------------------------------------------
    def setup(self):
        """The probe in each shell family's own syntax, readable by every user."""
        self.tmp = tempfile.mkdtemp(prefix="labfleet-path-info-")
        os.chmod(self.tmp, 0o755)
        for shell in all_families():
            path = os.path.join(self.tmp, "probe." + shell.ext)
            with open(path, "w") as f:
                f.write(shell.probe_script(self.p["commands"], self.token))
            os.chmod(path, 0o644)
            self.probe_files[shell.family] = path

    def probe_file(self, shell):
        return self.probe_files[shell.family]

    def cleanup(self):
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def users(self):
        return accounts(self.module, self.p["users"])

    @staticmethod
    def shell_of(pw):
        return shell_for(pw.pw_shell or "/bin/sh")

    def probe(self, ctx, pw):
        meta, argv = self.contexts[ctx].start(pw, False)
        if argv is None:
            return meta, None
        if not shell_for(meta["shell"] or "/bin/sh").supported:
            meta.update(status="error", reason="path_info has no probe for %s, the shell this context starts"
                        % meta["shell"])
            return meta, None
        rc, out, err, runs, problem = self.runner.read_probe(argv, pw, ctx)
        parsed = parse_probe(out, self.token)
        if problem or not parsed["complete"]:
            reason = problem or "the probe did not finish (rc=%s, run %d times): stderr %r, stdout ends %r" % (
                rc, runs, err.strip()[-300:], out.strip()[-300:])
            meta.update(status="error", reason=reason)
            return meta, None
        return meta, parsed

    # -- driving ---------------------------------------------------------------------------------------------
    def pool_map(self, fn, items):
        with ThreadPoolExecutor(max_workers=max(1, self.p["concurrency"])) as pool:
            return list(pool.map(fn, items))

    def check(self):
        """(results and contexts of the probed accounts, {probed account: [its twins' passwd entries]})."""
        required = set(self.p["required_contexts"] or self.p["contexts"])
        users = self.users()
        # what the contexts share is read once, before they run side by side
        if "ssh" in self.p["contexts"]:
            self.contexts["ssh"].setup()
        twins = Twins(self) if self.p["group_identical"] else None
        sudo = set(self.p["contexts"]) & set(["sudo", "sudo_login"])
        if sudo and (twins is None or not twins.sudoers_local):
            # sudo's answer for each user is part of what makes users alike
            self.pool_map(self.sudo.of, users)
        groups = twins.groups(users) if twins else [[pw] for pw in users]
        if sudo:
            self.pool_map(self.sudo.of, [g[0] for g in groups])

        def check_pair(pair):
            return self.check_one(pair[0], pair[1], pair[1] in required)
        done = self.pool_map(check_pair, [(g[0], ctx) for g in groups for ctx in self.p["contexts"]])
        # a group's first user who changed a startup file while the group was probed may have answered for the
        # others: they are probed on their own after all (their own answers, never another account's)
        raced = [g for g in groups if len(g) > 1 and twins.changed(g[0])] if twins else []
        if raced:
            alone = [[g[0]] for g in raced] + [[pw] for g in raced for pw in g[1:]]
            groups = [g for g in groups if g not in raced] + alone
            done += self.pool_map(check_pair, [(pw, ctx) for g in raced for pw in g[1:] for ctx in self.p["contexts"]])
        results, contexts = [], []
        for meta, judged in done:
            contexts.append(meta)
            results += judged
        return results, contexts, dict((g[0].pw_name, g[1:]) for g in groups if len(g) > 1)

    def check_one(self, pw, ctx, req):
        """Probe one user in one context: (the context's meta, one result per command)."""
        meta, parsed = self.probe(ctx, pw)
        meta.update(user=pw.pw_name, context=ctx, required=req)
        if parsed is None:
            return meta, [dict(user=pw.pw_name, context=ctx, command=word, status=meta["status"], won=False,
                               required=req, expected=self.judge.expected(word), reason=meta["reason"])
                          for word in self.p["commands"]]
        meta.update(status="probed", path=parsed["path"])
        # the shell that ran the probe reads its own answers; startup files only count where a shell started
        sh = shell_for(meta["shell"] or "/bin/sh")
        traced = self.contexts[ctx].traced
        note = sh.untraced_note() if traced else ""
        trace = ([], [])
        judged = [self.judge_one(word, parsed, pw, trace, sh, note) for word in self.p["commands"]]
        if any(not r["won"] for r in judged) and traced and sh.can_trace():
            trace, traced_path = self.trace(ctx, pw, sh)
            if traced_path is not None and traced_path != parsed["path"]:
                # startup files that make another PATH when traced (a `case $- in *x*` in a dotfile) would have the
                # trace blame a line that did not make this PATH: no origin, and the judge says whose files differ
                meta["traced_path"] = traced_path
                trace = ([], [])
            if trace != ([], []):
                judged = [self.judge_one(word, parsed, pw, trace, sh, note) for word in self.p["commands"]]
        for r in judged:
            r.update(user=pw.pw_name, context=ctx, required=req)
        return meta, judged

    def judge_one(self, word, parsed, pw, trace, sh, note):
        info = parsed["commands"].get(word) or dict(type_lines=[], typerc=1, run_lines=[], py=None, fn="")
        return self.judge.judge(word, info, parsed["path"], pw.pw_dir, trace, sh, note)

    def trace(self, ctx, pw, sh):
        """Re-run a context with the shell tracing its startup, to find which file and line set what shadows:
        ((assignments, aliases) as parse_trace gives them, the PATH the traced run ended with, or None)."""
        dummy, argv = self.contexts[ctx].start(pw, True)
        if argv is None:
            return ([], []), None
        rc, out, err, dummy, problem = self.runner.read_probe(argv, pw, ctx + " (traced)")
        if problem:
            return ([], []), None
        traced = parse_probe(out, self.token)
        return (sh.parse_trace(err, self.probe_file(sh), pw.pw_dir, self.token),
                traced["path"] if traced["complete"] else None)
