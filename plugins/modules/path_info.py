#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: path_info
short_description: Which python really wins on PATH, per user and per way a command is started
version_added: 0.2.0
description:
  - For each user and each context (login shell, interactive shell, C(ssh host cmd), C(sudo), C(sudo -i), cron,
    a systemd service) this module starts the real shell or service the way that context does, asks it what each
    command word resolves to (alias, function, builtin, file), runs it to learn which interpreter really runs,
    and says whether the expected provider (the shared venv, uv's C(--default) shims, or a directory you name) won.
  - When it did not win, it names what shadows it (a PATH entry, an alias or a function) and, when the shell can
    trace its startup (bash and zsh), the startup file and line that put it there.
  - Read-only. Runs the probes in check mode as well and never reports a change.
  - "How each context is built: C(login) is C(su -l) (PAM, login.defs) then the user's passwd shell as an interactive
    login shell. C(interactive) is that login environment starting the user's shell again as an interactive
    non-login shell (a terminal in a desktop session): rc files, aliases and functions count. C(ssh) is a real
    C(sshd -i) started through the ssh client's ProxyCommand with a throw-away key and the host's own
    C(/etc/ssh/sshd_config) included (nothing is written to the user's C(authorized_keys)), running C(ssh host cmd).
    C(sudo) is sudo's own policy for the user (C(sudo -l -U), so C(secure_path) and whether the user may sudo at all)
    applied to a PATH search, as sudo does it, no shell. C(sudo_login) runs the command through C(sudo -i) as root
    (root's login shell). C(cron) reproduces cron's fixed environment (C(SHELL=/bin/sh), C(PATH=/usr/bin:/bin),
    overridden by variables set in the user's crontab); it is the only emulated context. C(systemd) starts a real
    transient service (C(systemd-run --pipe -p User=)) so the unit's default PATH is the service manager's own."
  - A context that does not exist on the host (no sshd running, no sudo, no cron, no systemd as PID 1) is reported
    C(unavailable), and a user sudo does not allow is C(not_permitted); neither counts as lost.
options:
  commands:
    description:
      - The command words to resolve. Words may contain letters, digits and C(.), C(_), C(+), C(-).
      - Default V(python), V(python3), V(pythonX.Y) when O(python_version) is set, V(pip), V(uv), V(uvx).
    type: list
    elements: str
  python_version:
    description:
      - The default CPython minor, for example V(3.13). Adds C(pythonX.Y) to the default O(commands).
    type: str
  users:
    description:
      - The users to check. Default V(root) and every human account (uid from C(UID_MIN) of C(/etc/login.defs), 1000 by
        default, up to 60000, whose shell is not C(nologin) or C(false)).
    type: list
    elements: str
  contexts:
    description:
      - The contexts to probe.
    type: list
    elements: str
    choices: [login, interactive, ssh, sudo, sudo_login, cron, systemd]
    default: [login, interactive, ssh, sudo, sudo_login, cron, systemd]
  required_contexts:
    description:
      - The contexts where the expected provider must win for O(ignore:verdict) to be V(pass). A loss elsewhere is
        reported but does not fail the verdict. Default every probed context.
    type: list
    elements: str
    choices: [login, interactive, ssh, sudo, sudo_login, cron, systemd]
  expect:
    description:
      - Which provider must win for C(python), C(python3), C(pythonX.Y) and C(pip).
      - V(venv) the shared virtual environment O(venv_path) (the interpreter that runs must have it as C(sys.prefix)).
      - V(shim) uv's C(--default) executables in O(python_bin_dir) (the interpreter that runs must be the one the
        shim points to).
      - V(path) the executables in O(expect_path).
      - C(uv) and C(uvx) must always be the ones beside O(uv_path).
    type: str
    choices: [venv, shim, path]
    default: venv
  venv_path:
    description:
      - The shared virtual environment.
    type: path
    default: /opt/uv/venv
  expect_path:
    description:
      - The directory whose executables must win when O(expect=path).
    type: path
  uv_path:
    description:
      - The shared C(uv) executable; C(uvx) is expected beside it.
    type: path
    default: /opt/uv/bin/uv
  python_install_dir:
    description:
      - Where uv keeps the managed Pythons; used to classify an interpreter as uv-managed.
    type: path
    default: /opt/uv/python
  python_bin_dir:
    description:
      - Where uv's C(--default) executables live; used to classify a hit as the uv shim.
    type: path
    default: /opt/uv/python-bin
  timeout:
    description:
      - Seconds a single probe (one user in one context) may take before it is reported as an error.
    type: int
    default: 60
  concurrency:
    description:
      - How many probes (one user in one context each) run at once. They only read; C(1) runs them one by one.
      - Each probe starts real shells; on a slow or emulated target (qemu-user) parallel probes compete for the
        same CPU and may each hit O(timeout), so use C(1) there.
    type: int
    default: 4
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs its probes in check mode too.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  idempotent:
    support: full
    description: Never reports a change.
notes:
  - Must run as root (C(become=true)), because it starts shells and services as each user.
  - The probes run each command word with C(--version) (C(-c) for Pythons) as that user, so a word that is aliased to
    something slow is bounded by O(timeout).
  - The C(ssh) context needs C(sshd) and the C(ssh) client installed and sshd running (C(/run/sshd) present).
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Which python wins for every user, in every context
  labfleet.uv.path_info:
    python_version: "3.13"
  register: verdict

- name: Fail when the shared venv loses in a login or interactive shell
  ansible.builtin.assert:
    that: verdict.verdict == 'pass'
    fail_msg: "{{ verdict.failures | map(attribute='reason') | list }}"

- name: Only the uv --default shims, only for two users in login shells and cron
  labfleet.uv.path_info:
    expect: shim
    python_bin_dir: /usr/local/bin
    commands: [python, python3]
    users: [pi, alice]
    contexts: [login, cron]

- name: A python of your own in /opt/lab/bin must win, but only login shells are required
  labfleet.uv.path_info:
    expect: path
    expect_path: /opt/lab/bin
    commands: [python]
    required_contexts: [login]
"""

RETURN = r"""
verdict:
  description: V(pass) when the expected provider won for every command, user and required context probed; else V(fail).
  returned: always
  type: str
  sample: fail
summary:
  description: Counts of the results by status, plus the users and contexts probed.
  returned: always
  type: dict
  sample: {won: 40, lost: 2, unavailable: 6, not_permitted: 12, error: 0, users: [root, alice], contexts: [login, cron]}
failures:
  description: The results that count against the verdict (lost or error in a required context), in the same form as
    O(ignore:results).
  returned: always
  type: list
  elements: dict
  sample:
    - user: alice
      context: login
      command: python
      status: lost
      reason: "/opt/foreign/bin/python (other, Python 3.9.2) shadows /opt/uv/venv/bin/python: PATH entry /opt/foreign/bin
        comes before /opt/uv/venv/bin, set by /home/alice/.profile:28"
contexts:
  description: One entry per user and context; how it was probed and the PATH that context had.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: "The user."
      type: str
      returned: always
    context:
      description: "The context."
      type: str
      returned: always
    status:
      description: V(probed), V(unavailable), V(not_permitted) or V(error).
      type: str
      returned: always
    method:
      description: "How the context was started, for example C(su -l alice; /bin/bash -l -i)."
      type: str
      returned: always
    shell:
      description: "The shell that resolved the words (none for sudo, which searches PATH itself)."
      type: str
      returned: always
    path:
      description: "The PATH that context had, as a list."
      type: list
      elements: str
      returned: when probed
    required:
      description: "Whether this context counts for the verdict."
      type: bool
      returned: always
    reason:
      description: "Why it is unavailable, not permitted or an error."
      type: str
      returned: when not probed
results:
  description: One entry per user, context and command.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: "The user."
      type: str
      returned: always
    context:
      description: "The context."
      type: str
      returned: always
    command:
      description: "The command word."
      type: str
      returned: always
    status:
      description: V(won), V(lost), V(unavailable), V(not_permitted) or V(error).
      type: str
      returned: always
    won:
      description: "Whether the expected provider is what really runs."
      type: bool
      returned: always
    required:
      description: "Whether this context counts for the verdict."
      type: bool
      returned: always
    kind:
      description: What the word resolves to, V(file), V(hashed), V(alias), V(function), V(builtin), V(keyword) or
        V(not_found).
      type: str
      returned: when probed
    resolved:
      description: The file path, or the alias text, that the word resolves to.
      type: str
      returned: when probed
    realpath:
      description: "The file with symlinks resolved."
      type: str
      returned: when a file
    runs:
      description: For Pythons, the interpreter that really ran (C(sys.executable)); for C(pip), the pip package path.
      type: str
      returned: when it ran
    prefix:
      description: "C(sys.prefix) of the Python that ran."
      type: str
      returned: for Pythons that ran
    version:
      description: "The version it reported (Python version, pip version, uv version)."
      type: str
      returned: when it ran
    provider:
      description: V(shared_venv), V(uv_shim), V(uv_managed), V(uv), V(distro), V(user_local), V(other) or V(none).
      type: str
      returned: when probed
    expected:
      description: "The executable that should win."
      type: str
      returned: always
    shadow:
      description: What shadows the expected provider, when it lost.
      type: dict
      returned: when lost
      contains:
        kind:
          description: "V(path_entry), V(alias), V(function), V(builtin), V(missing), V(not_on_path) or V(broken)."
          type: str
        value:
          description: "The PATH entry, alias text or function name."
          type: str
        origin:
          description: "C(file:line) where a startup file set it, or null when unknown."
          type: str
    reason:
      description: "One sentence a person can act on."
      type: str
      returned: when not won
"""

import os
import pwd
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS, is_minor

ALL_CONTEXTS = ["login", "interactive", "ssh", "sudo", "sudo_login", "cron", "systemd"]
WORD_RE = re.compile(r"^[A-Za-z0-9._+-]+$")
PYTHON_WORD_RE = re.compile(r"^python(\d+(\.\d+)?)?$")
# sshd's compiled-in default is irrelevant here: the ssh context runs the real sshd.
CRON_PATH = "/usr/bin:/bin"
NOLOGIN_SHELLS = ("nologin", "false", "sync", "halt", "shutdown")
PY_CODE = ('import sys;sys.stdout.write("@@T py "+"\\t".join([sys.executable,sys.prefix,'
           'getattr(sys,"base_prefix",sys.prefix),".".join(map(str,sys.version_info[:3]))])+"\\n")')
BASH_PS4 = "+${BASH_SOURCE:-}:${LINENO}: "
ZSH_PS4 = "+%x:%I> "


# ---------------------------------------------------------------------------------------------------------------
# The probe: POSIX sh text sourced into the context's own shell, so that its aliases and functions apply.

def probe_script(commands, token):
    """Shell text that reports PATH and, for each word, `type` and what running it prints, between markers."""
    mark = "@@%s" % token
    code = PY_CODE.replace("@@T", mark)
    lines = [
        "printf '%s path %%s\\n' \"$PATH\"" % mark,
    ]
    for word in commands:
        if PYTHON_WORD_RE.match(word):
            run = "%s -c '%s' </dev/null 2>&1" % (word, code)
        else:
            run = "%s --version </dev/null 2>&1" % word
        lines += [
            "printf '%s cmd %%s\\n' '%s'" % (mark, word),
            "type %s 2>&1" % word,
            "__lfp_rc=$?",
            "printf '%s typerc %%s\\n' \"$__lfp_rc\"" % mark,
            "if [ -n \"${BASH_VERSION-}\" ]; then printf '%s fn '; (shopt -s extdebug; declare -F %s) 2>/dev/null; "
            "echo; fi" % (mark, word),
            "if [ \"$__lfp_rc\" = 0 ]; then",
            "printf '%s run\\n'" % mark,
            run,
            "printf '\\n%s runrc %%s\\n' \"$?\"" % mark,
            "fi",
        ]
    lines.append("printf '%s end\\n'" % mark)
    return "\n".join(lines) + "\n"


TYPE_PATTERNS = [
    ("alias", re.compile(r"^\S+ is aliased to `(.*)'$")),
    ("alias", re.compile(r"^\S+ is an alias for (.*)$")),
    ("function", re.compile(r"^\S+ is a (?:shell )?function(?: from (.*))?$")),
    ("builtin", re.compile(r"^\S+ is a (?:special )?(?:shell )?builtin$")),
    ("keyword", re.compile(r"^\S+ is a (?:shell keyword|reserved word)$")),
    ("hashed", re.compile(r"^\S+ is hashed \((/.*)\)$")),
    ("hashed", re.compile(r"^\S+ is hashed to (/.*)$")),
    ("file", re.compile(r"^\S+ is (/.*)$")),
]


def parse_type(lines, rc):
    """(kind, value) from the output of `type WORD` in bash, dash or zsh."""
    first = lines[0].strip() if lines else ""
    if rc == 0:
        for kind, rx in TYPE_PATTERNS:
            m = rx.match(first)
            if m:
                return kind, ((m.group(1) if rx.groups else "") or "")
    return "not_found", ""


def parse_probe(stdout, token):
    """Parse the marked probe output into {'path': [...], 'commands': {word: {...}}, 'complete': bool}."""
    mark = "@@%s " % token
    out = {"path": None, "commands": {}, "complete": False}
    cur = None
    section = None
    for raw in (stdout or "").splitlines():
        if mark in raw:
            body = raw[raw.index(mark) + len(mark):]
            key, sep, rest = body.partition(" ")
            if key == "path":
                out["path"] = rest.split(":") if rest else []
            elif key == "cmd":
                cur = {"type_lines": [], "typerc": None, "fn": "", "run_lines": [], "py": None}
                out["commands"][rest] = cur
                section = "type"
            elif key == "typerc" and cur is not None:
                cur["typerc"] = int(rest) if rest.strip().isdigit() else 1
                section = None
            elif key == "fn" and cur is not None:
                cur["fn"] = rest.strip()
            elif key == "run" and cur is not None:
                section = "run"
            elif key == "runrc" and cur is not None:      # ends the run output
                section = None
            elif key == "py" and cur is not None:
                fields = rest.split("\t")
                if len(fields) == 4:
                    cur["py"] = dict(executable=fields[0], prefix=fields[1], base_prefix=fields[2], version=fields[3])
            elif key == "end":
                out["complete"] = True
                section = None
            continue
        if cur is None:
            continue
        if section == "type":
            cur["type_lines"].append(raw)
        elif section == "run" and raw.strip():
            cur["run_lines"].append(raw)
    return out


TRACE_LINE_RE = re.compile(r"^\++(?P<file>[^:\s][^:]*):(?P<line>\d+)[:>] (?P<cmd>.*)$")
TRACE_PATH_RE = re.compile(r"^(?:(?:export|typeset|declare|local)(?: -\w+)* )?'?PATH=(?P<value>[^' ]*)'?\s*$")
TRACE_ZSH_PATH_RE = re.compile(r"^path=\( ?(?P<value>.*?) ?\)\s*$")


def parse_trace(stderr, probe_file):
    """From a bash/zsh xtrace (PS4 with file and line): PATH assignments and alias definitions, in order."""
    assignments, aliases = [], []
    for raw in (stderr or "").splitlines():
        m = TRACE_LINE_RE.match(raw)
        if not m or m.group("file") == probe_file:
            continue
        where = "%s:%s" % (m.group("file"), m.group("line"))
        cmd = m.group("cmd")
        pm = TRACE_PATH_RE.match(cmd)
        zm = TRACE_ZSH_PATH_RE.match(cmd)
        if pm:
            assignments.append((where, pm.group("value").split(":")))
        elif zm:
            assignments.append((where, zm.group("value").split()))
        elif cmd.startswith("alias "):
            body = cmd[len("alias "):].strip()
            if body.startswith("'") and body.endswith("'"):
                body = body[1:-1]
            name, sep, value = body.partition("=")
            if sep:
                aliases.append((where, name.strip("'"), value.strip("'")))
    return assignments, aliases


def shadow_origin(assignments, shadow_dir, expected_dir):
    """file:line of the assignment that put shadow_dir ahead of expected_dir (or dropped it), or None."""
    def bad(parts):
        if shadow_dir not in parts:
            return False
        return expected_dir not in parts or parts.index(shadow_dir) < parts.index(expected_dir)

    origin, was_bad = None, None
    for where, parts in assignments:
        now_bad = bad(parts)
        if now_bad and not was_bad:
            origin = where
        was_bad = now_bad
    return origin


def path_origin(assignments, expected_dir):
    """file:line of the last assignment that left expected_dir off PATH, or None."""
    origin = None
    for where, parts in assignments:
        origin = where if expected_dir not in parts else None
    return origin


def alias_origin(aliases, word):
    found = [where for where, name, dummy in aliases if name == word]
    return found[-1] if found else None


def under(path, directory):
    if not path or not directory:
        return False
    directory = directory.rstrip("/") or "/"
    return path == directory or path.startswith(directory + "/")


# ---------------------------------------------------------------------------------------------------------------

class Judge(object):
    """Classifies what ran and decides whether the expected provider won."""

    def __init__(self, params, realpath=os.path.realpath, exists=os.path.exists):
        self.p = params
        self.realpath = realpath
        self.exists = exists
        self.venv = params["venv_path"].rstrip("/")
        self.install_dir = params["python_install_dir"].rstrip("/")
        self.shim_dir = params["python_bin_dir"].rstrip("/")
        self.uv_dir = os.path.dirname(params["uv_path"])

    def expected(self, word):
        if word in ("uv", "uvx"):
            return os.path.join(self.uv_dir, word)
        expect = self.p["expect"]
        if expect == "venv":
            return os.path.join(self.venv, "bin", word)
        if expect == "shim":
            return os.path.join(self.shim_dir, word)
        return os.path.join(self.p["expect_path"], word)

    def provider(self, path, real, py, home):
        """Provider category of a hit: path as PATH gave it, real its realpath, py what the interpreter said.

        A Python that ran is classified by what it is (its prefixes), not by where the word was found: a
        ~/.local/bin/python symlink to /usr/bin/python3 runs the distro's Python."""
        home_ok = home and home != "/"
        if py:
            prefix, base = self.realpath(py["prefix"]), self.realpath(py["base_prefix"])
            if prefix == self.realpath(self.venv):
                return "shared_venv"
            if path and os.path.dirname(path) == self.shim_dir and under(base, self.install_dir):
                return "uv_shim"
            if under(base, self.install_dir):
                return "uv_managed"
            if home_ok and under(base, home):
                return "user_local"
            if (under(base, "/usr") and not under(base, "/usr/local")) or base == "/":
                return "distro"
            return "other"
        if under(path, self.venv + "/bin"):
            return "shared_venv"
        if path and os.path.dirname(path) == self.shim_dir and under(real, self.install_dir):
            return "uv_shim"
        if under(real, self.install_dir):
            return "uv_managed"
        if real and real in (self.realpath(self.p["uv_path"]), self.realpath(os.path.join(self.uv_dir, "uvx"))):
            return "uv"
        if home_ok and (under(path, home) or under(real, home)):
            return "user_local"
        if (under(real, "/usr") and not under(real, "/usr/local")) or under(real, "/bin") or under(real, "/sbin"):
            return "distro"
        return "other"

    def runs_expected(self, word, expected, kind, resolved, info):
        """Whether what really runs is the expected provider; the interpreter's own report decides for Pythons."""
        py = info.get("py")
        if PYTHON_WORD_RE.match(word):
            if not py:
                return False
            if self.p["expect"] == "venv":
                return self.realpath(py["prefix"]) == self.realpath(self.venv)
            if not self.exists(expected):
                return False
            exp_real = self.realpath(expected)
            return self.realpath(py["executable"]) == exp_real or (
                self.realpath(py["prefix"]) == self.realpath(os.path.dirname(os.path.dirname(exp_real))))
        if word == "pip" or word.startswith("pip3"):
            text = " ".join(info.get("run_lines", []))
            m = re.search(r" from (\S+)", text)
            if not m:
                return False
            if self.p["expect"] == "venv":
                return under(m.group(1), self.venv)
            return kind in ("file", "hashed") and resolved == expected
        # uv, uvx and anything else: the file PATH gives must be the expected one
        if kind not in ("file", "hashed"):
            return False
        return self.exists(expected) and self.realpath(resolved) == self.realpath(expected)

    def judge(self, word, info, path_entries, home, trace):
        """One result dict (without user/context) from one parsed command section."""
        expected = self.expected(word)
        res = dict(command=word, expected=expected)
        kind, value = parse_type(info["type_lines"], info["typerc"])
        res["kind"] = kind
        res["resolved"] = value
        real = None
        if kind in ("file", "hashed"):
            real = self.realpath(value)
            res["realpath"] = real
        py = info.get("py")
        if py:
            res["runs"] = py["executable"]
            res["prefix"] = py["prefix"]
            res["version"] = py["version"]
        elif info.get("run_lines"):
            first = info["run_lines"][0].strip()
            res["version"] = first
            m = re.search(r" from (\S+)", first)
            if m:
                res["runs"] = m.group(1)
        if kind == "not_found":
            res["provider"] = "none"
        elif kind in ("file", "hashed") or py:
            res["provider"] = self.provider(value if kind in ("file", "hashed") else None, real, py, home)
        else:
            res["provider"] = kind
        won = self.runs_expected(word, expected, kind, value, info)
        res["won"] = won
        res["status"] = "won" if won else "lost"
        if not won:
            res["shadow"], res["reason"] = self.explain(word, expected, kind, value, res, info, path_entries, trace)
        return res

    def explain(self, word, expected, kind, value, res, info, path_entries, trace):
        assignments, aliases = trace
        exp_dir = os.path.dirname(expected)
        what = value
        if res.get("provider") not in (None, "none", "alias", "function", "builtin", "keyword"):
            what = "%s (%s%s)" % (value or res.get("runs"), res["provider"],
                                  ", Python %s" % res["version"] if res.get("prefix") else "")
        if kind == "alias":
            origin = alias_origin(aliases, word)
            return (dict(kind="alias", value=value, origin=origin),
                    "%s is an alias for '%s'%s, which shadows %s" % (
                        word, value, " set at %s" % origin if origin else "", expected))
        if kind == "function":
            fn = function_origin(info.get("fn", ""), value)
            where = " defined at %s" % fn if fn else ""
            return (dict(kind="function", value=word, origin=fn),
                    "%s is a shell function%s, which shadows %s" % (word, where, expected))
        if kind in ("builtin", "keyword"):
            return dict(kind="builtin", value=word, origin=None), "%s is a shell %s" % (word, kind)
        if not self.exists(expected):
            return (dict(kind="missing", value=expected, origin=None),
                    "%s does not exist%s" % (expected, "; %s runs instead" % what if kind != "not_found" else ""))
        if exp_dir not in (path_entries or []):
            origin = path_origin(assignments, exp_dir)
            msg = "%s is not on PATH%s" % (exp_dir, " (PATH last set by %s)" % origin if origin else "")
            if kind == "not_found":
                msg = "%s: command not found; %s" % (word, msg)
            else:
                msg = "%s runs; %s" % (what, msg)
            return dict(kind="not_on_path", value=exp_dir, origin=origin), msg
        if kind in ("file", "hashed") and value != expected:
            entry = os.path.dirname(value)
            origin = shadow_origin(assignments, entry, exp_dir)
            return (dict(kind="path_entry", value=entry, origin=origin),
                    "%s shadows %s: PATH entry %s comes before %s%s" % (
                        what, expected, entry, exp_dir, ", set by %s" % origin if origin else ""))
        return (dict(kind="broken", value=value, origin=None),
                "%s resolves to the expected file but runs %s" % (word, res.get("runs") or "nothing (it failed)"))


def function_origin(declared, type_from):
    """bash: 'name LINE FILE' from `declare -F` under extdebug; zsh: the file `type` names; else None."""
    parts = (declared or "").split(" ", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return "%s:%s" % (parts[2], parts[1])
    return type_from or None


# ---------------------------------------------------------------------------------------------------------------

class PathInfo(object):

    def __init__(self, module):
        self.module = module
        p = module.params
        self.p = p
        self.judge = Judge(p)
        self.token = os.urandom(6).hex()
        self.tmp = None
        self.probe_file = None
        self.ssh = None
        self.login_paths = {}
        self.sudo = shutil.which("sudo") or "/usr/bin/sudo"
        self.sudo_policies = {}

    # -- helpers -----------------------------------------------------------------------------------------------
    def run(self, argv, env=None):
        # argv is literal: "$PATH" in a probe and "$HOME" in a crontab value are for the context's shell to
        # expand, never for run_command (which would put this module's own environment in their place)
        return self.module.run_command(["timeout", "-k", "5", str(self.p["timeout"])] + argv,
                                       environ_update=env, cwd="/", expand_user_and_vars=False)

    def setup(self):
        self.tmp = tempfile.mkdtemp(prefix="labfleet-path-info-")
        os.chmod(self.tmp, 0o755)
        self.probe_file = os.path.join(self.tmp, "probe.sh")
        with open(self.probe_file, "w") as f:
            f.write(probe_script(self.p["commands"], self.token))
        os.chmod(self.probe_file, 0o644)

    def cleanup(self):
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def users(self):
        names = self.p["users"]
        if names:
            out = []
            for n in names:
                try:
                    out.append(pwd.getpwnam(n))
                except KeyError:
                    self.module.fail_json(msg="users: no such user on this host: %s" % n)
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

    @staticmethod
    def shell_of(pw):
        return pw.pw_shell or "/bin/sh"

    def trace_env(self, shell):
        name = os.path.basename(shell)
        if name == "bash":
            return ["PS4=" + BASH_PS4], ["-x"]
        if name == "zsh":
            return ["PS4=" + ZSH_PS4], ["-x"]
        return [], []

    # -- contexts: each returns (meta, argv): how it is started, or argv None and meta with status and reason ---
    def su_argv(self, pw, env_words, shell_argv):
        """su -l (PAM, login.defs) then exactly the given argv in that environment, as the user."""
        return ["su", "-l", pw.pw_name, "-s", "/usr/bin/env", "--", "SHELL=" + self.shell_of(pw)] + env_words + \
            shell_argv

    def ctx_login(self, pw, trace):
        sh = self.shell_of(pw)
        env_words, flags = self.trace_env(sh) if trace else ([], [])
        argv = self.su_argv(pw, env_words, [sh] + flags + ["-l", "-i", "-c", ". " + self.probe_file])
        return dict(method="su -l %s; %s -l -i" % (pw.pw_name, sh), shell=sh), argv

    def ctx_interactive(self, pw, trace):
        sh = self.shell_of(pw)
        env_words, flags = self.trace_env(sh) if trace else ([], [])
        inner = "exec %s %s-i -c '. %s'" % (sh, "".join(f + " " for f in flags), self.probe_file)
        argv = self.su_argv(pw, env_words, [sh] + flags + ["-l", "-c", inner])
        return dict(method="su -l %s; %s -l; then %s -i" % (pw.pw_name, sh, sh), shell=sh), argv

    def ssh_setup(self):
        if self.ssh is not None:
            return self.ssh
        sshd, client = "/usr/sbin/sshd", shutil.which("ssh") or "/usr/bin/ssh"
        if not os.path.exists(sshd) or not os.path.exists(client):
            self.ssh = dict(error="sshd or the ssh client is not installed: nobody can ssh to this host")
            return self.ssh
        if not os.path.isdir("/run/sshd"):
            self.ssh = dict(error="sshd is not running (no /run/sshd): nobody can ssh to this host now")
            return self.ssh
        d = os.path.join(self.tmp, "ssh")
        os.mkdir(d, 0o700)
        for name in ("host", "client"):
            rc, out, err = self.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "labfleet-path-info",
                                     "-f", os.path.join(d, name)])
            if rc != 0:
                self.ssh = dict(error="ssh-keygen failed: %s" % (err or out).strip())
                return self.ssh
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
                    "AcceptEnv SHELLOPTS PS4\n" % (d, d))
            if os.path.exists("/etc/ssh/sshd_config"):
                f.write("Include /etc/ssh/sshd_config\n")
        self.ssh = dict(dir=d, conf=conf, client=client, sshd=sshd)
        return self.ssh

    def ctx_ssh(self, pw, trace):
        s = self.ssh_setup()
        meta = dict(method="ssh %s@localhost cmd (real sshd -i, host sshd_config)" % pw.pw_name,
                    shell=self.shell_of(pw))
        if "error" in s:
            meta.update(status="unavailable", reason=s["error"])
            return meta, None
        argv = [s["client"], "-F", "/dev/null", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ProxyCommand=%s -i -f %s" % (s["sshd"], s["conf"]), "-i", os.path.join(s["dir"], "client")]
        if trace and os.path.basename(self.shell_of(pw)) == "bash":
            argv += ["-o", "SetEnv=SHELLOPTS=xtrace PS4=\"%s\"" % BASH_PS4]
        argv += ["-l", pw.pw_name, "localhost", ". " + self.probe_file]
        return meta, argv

    def sudo_policy(self, pw):
        """(allowed, secure_path or None, reason) from sudo's own evaluation for this user, asked once per user."""
        if pw.pw_name not in self.sudo_policies:
            self.sudo_policies[pw.pw_name] = self._ask_sudo(pw)
        return self.sudo_policies[pw.pw_name]

    def _ask_sudo(self, pw):
        if not os.path.exists(self.sudo):
            return None, None, "sudo is not installed"
        rc, out, err = self.run([self.sudo, "-n", "-l", "-U", pw.pw_name], env={"LC_ALL": "C"})
        text = out + err
        if "not allowed to run sudo" in text or "may not run sudo" in text:
            return False, None, "sudo does not allow %s" % pw.pw_name
        if rc != 0:
            return None, None, "sudo -l -U %s failed: %s" % (pw.pw_name, text.strip())
        m = re.search(r"secure_path=((?:[^,\\\n]|\\.)*)", text)
        secure = m.group(1).replace("\\:", ":").replace("\\,", ",").strip() if m else None
        return True, secure, None

    def sudo_gate(self, pw, meta):
        """True when the user may sudo; else marks meta unavailable or not_permitted (with the reason)."""
        allowed, dummy, reason = self.sudo_policy(pw)
        if allowed is None:
            meta.update(status="unavailable", reason=reason)
        elif not allowed:
            meta.update(status="not_permitted", reason=reason)
        return bool(allowed)

    def ctx_sudo(self, pw, trace):
        meta = dict(method="sudo -l -U %s policy; PATH search as root, no shell" % pw.pw_name, shell="")
        if not self.sudo_gate(pw, meta):
            return meta, None
        path = self.sudo_policy(pw)[1]
        if path is None:
            path = self.login_path(pw)
            meta["method"] += " (no secure_path: the user's login PATH is kept)"
        else:
            meta["method"] += " (secure_path)"
        root = pwd.getpwuid(0)
        argv = ["env", "-i", "PATH=" + path, "HOME=" + root.pw_dir, "USER=root", "LOGNAME=root",
                "SHELL=" + self.shell_of(root), "/bin/sh", "-c", ". " + self.probe_file]
        return meta, argv

    def login_path(self, pw):
        if pw.pw_name not in self.login_paths:
            sh = self.shell_of(pw)
            show_path = "printf '@@%s path %%s\\n' \"$PATH\"" % self.token
            rc, out, err = self.run(self.su_argv(pw, [], [sh, "-l", "-c", show_path]))
            self.login_paths[pw.pw_name] = ":".join(parse_probe(out, self.token)["path"] or [])
        return self.login_paths[pw.pw_name]

    def ctx_sudo_login(self, pw, trace):
        meta = dict(method="sudo -i (as root, root's login shell)", shell=self.shell_of(pwd.getpwuid(0)))
        if not self.sudo_gate(pw, meta):
            return meta, None
        # sudo -i quotes each argument for root's login shell itself
        return meta, [self.sudo, "-n", "-i", "-u", "root", "--", ".", self.probe_file]

    def crontab_env(self, pw):
        rc, out, err = self.run(["crontab", "-l", "-u", pw.pw_name])
        env = {}
        if rc != 0:
            return env
        for line in out.splitlines():
            m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", line)
            if m:
                value = m.group(2)
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]
                env[m.group(1)] = value
        return env

    def ctx_cron(self, pw, trace):
        meta = dict(method="cron's environment (emulated: SHELL=/bin/sh, PATH=%s, crontab variables)" % CRON_PATH,
                    shell="/bin/sh")
        if not any(os.path.exists(p) for p in ("/usr/sbin/cron", "/usr/sbin/crond", "/usr/bin/crond")):
            meta.update(status="unavailable", reason="no cron daemon is installed")
            return meta, None
        env = {"HOME": pw.pw_dir, "LOGNAME": pw.pw_name, "USER": pw.pw_name, "SHELL": "/bin/sh", "PATH": CRON_PATH}
        env.update(self.crontab_env(pw))
        meta["shell"] = env["SHELL"]
        argv = ["runuser", "-u", pw.pw_name, "--", "env", "-i"] + ["%s=%s" % kv for kv in sorted(env.items())] + \
            [env["SHELL"], "-c", ". " + self.probe_file]
        return meta, argv

    def ctx_systemd(self, pw, trace):
        meta = dict(method="systemd-run --pipe -p User=%s (a real transient service)" % pw.pw_name, shell="/bin/sh")
        if not os.path.isdir("/run/systemd/system"):
            meta.update(status="unavailable", reason="systemd is not the init system here (no /run/systemd/system)")
            return meta, None
        argv = ["systemd-run", "--quiet", "--wait", "--pipe", "--collect", "-p", "User=" + pw.pw_name,
                "/bin/sh", "-c", ". " + self.probe_file]
        return meta, argv

    # -- driving ---------------------------------------------------------------------------------------------
    def probe(self, ctx, pw):
        meta, argv = getattr(self, "ctx_" + ctx)(pw, False)
        if argv is None:
            return meta, None
        rc, out, err = self.run(argv)
        parsed = parse_probe(out, self.token)
        if not parsed["complete"]:
            reason = "timed out after %ss" % self.p["timeout"] if rc == 124 else \
                "the probe did not finish (rc=%s): %s" % (rc, (err or out).strip()[-400:])
            meta.update(status="error", reason=reason)
            return meta, None
        return meta, parsed

    def check(self):
        required = set(self.p["required_contexts"] or self.p["contexts"])
        users = self.users()
        # what the contexts share is read once, before they run side by side
        if "ssh" in self.p["contexts"]:
            self.ssh_setup()
        if set(self.p["contexts"]) & set(["sudo", "sudo_login"]):
            for pw in users:
                self.sudo_policy(pw)
        pairs = [(pw, ctx) for pw in users for ctx in self.p["contexts"]]
        with ThreadPoolExecutor(max_workers=max(1, self.p["concurrency"])) as pool:
            done = list(pool.map(lambda pair: self.check_one(pair[0], pair[1], pair[1] in required), pairs))
        results, contexts = [], []
        for meta, judged in done:
            contexts.append(meta)
            results += judged
        return results, contexts

    def check_one(self, pw, ctx, req):
        """Probe one user in one context: (the context's meta, one result per command)."""
        meta, parsed = self.probe(ctx, pw)
        meta.update(user=pw.pw_name, context=ctx, required=req)
        if parsed is None:
            return meta, [dict(user=pw.pw_name, context=ctx, command=word, status=meta["status"], won=False,
                               required=req, expected=self.judge.expected(word), reason=meta["reason"])
                          for word in self.p["commands"]]
        meta.update(status="probed", path=parsed["path"])
        trace = ([], [])
        judged = [self.judge_one(word, parsed, pw, trace) for word in self.p["commands"]]
        if any(not r["won"] for r in judged):
            trace = self.trace(ctx, pw)
            if trace != ([], []):
                judged = [self.judge_one(word, parsed, pw, trace) for word in self.p["commands"]]
        for r in judged:
            r.update(user=pw.pw_name, context=ctx, required=req)
        return meta, judged

    def judge_one(self, word, parsed, pw, trace):
        info = parsed["commands"].get(word) or dict(type_lines=[], typerc=1, run_lines=[], py=None, fn="")
        return self.judge.judge(word, info, parsed["path"], pw.pw_dir, trace)

    def trace(self, ctx, pw):
        """Re-run a context with the shell tracing its startup, to find which file and line set what shadows."""
        if ctx not in ("login", "interactive", "ssh"):
            return [], []
        dummy, argv = getattr(self, "ctx_" + ctx)(pw, True)
        if argv is None:
            return [], []
        rc, out, err = self.run(argv)
        return parse_trace(err, self.probe_file)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            commands=dict(type="list", elements="str"),
            python_version=dict(type="str"),
            users=dict(type="list", elements="str"),
            contexts=dict(type="list", elements="str", choices=ALL_CONTEXTS, default=list(ALL_CONTEXTS)),
            required_contexts=dict(type="list", elements="str", choices=ALL_CONTEXTS),
            expect=dict(type="str", choices=["venv", "shim", "path"], default="venv"),
            venv_path=dict(type="path", default="/opt/uv/venv"),
            expect_path=dict(type="path"),
            uv_path=UV_COMMON_ARGS["uv_path"],
            python_install_dir=UV_COMMON_ARGS["python_install_dir"],
            python_bin_dir=UV_COMMON_ARGS["python_bin_dir"],
            timeout=dict(type="int", default=60),
            concurrency=dict(type="int", default=4),
        ),
        required_if=[("expect", "path", ["expect_path"])],
        supports_check_mode=True,
    )
    p = module.params
    if p["python_version"] is not None and not is_minor(p["python_version"]):
        module.fail_json(msg="python_version must be a minor such as 3.13, not %r" % p["python_version"])
    if p["commands"] is None:
        p["commands"] = ["python", "python3"] + (["python" + p["python_version"]] if p["python_version"] else []) + \
            ["pip", "uv", "uvx"]
    bad = [w for w in p["commands"] if not WORD_RE.match(w)]
    if bad:
        module.fail_json(msg="commands: not a command word: %s" % ", ".join(bad))
    if p["required_contexts"]:
        extra = sorted(set(p["required_contexts"]) - set(p["contexts"]))
        if extra:
            module.fail_json(msg="required_contexts: not among the probed contexts: %s" % ", ".join(extra))
    if p["timeout"] < 1:
        module.fail_json(msg="timeout must be at least 1 second")
    if os.geteuid() != 0:
        module.fail_json(msg="path_info must run as root (become: true): it starts shells and services as each user")

    info = PathInfo(module)
    try:
        info.setup()
        results, contexts = info.check()
    finally:
        info.cleanup()

    counts = dict(won=0, lost=0, unavailable=0, not_permitted=0, error=0)
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    failures = [r for r in results if r["required"] and r["status"] in ("lost", "error")]
    users = []
    for c in contexts:
        if c["user"] not in users:
            users.append(c["user"])
    summary = dict(counts, users=users, contexts=list(p["contexts"]), required_contexts=list(p["required_contexts"] or p["contexts"]))
    module.exit_json(changed=False, verdict="fail" if failures else "pass", summary=summary, failures=failures,
                     contexts=contexts, results=results)


if __name__ == "__main__":
    main()
