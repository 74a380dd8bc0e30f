# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to labfleet.uv: the shells path_info probes, one class each, and the probe protocol they share.

Not a public API: may change without notice. A shell is added here, in one place: how its probe text is
written, how it is started as a login and as an interactive shell, how it runs a file (`ssh host cmd`, cron's
SHELL=), how its `type` (or `which`) answer reads, and whether and how it can trace which startup file set PATH.

The protocol: every probe prints lines that start with a marker `@@TOKEN`:
  `path P` (PATH, colon-joined), then for each word `cmd W`, what the shell says the word is, `typerc N`,
  (bash) `fn ...`, and when it resolved `run`, what running it printed (Pythons print `py` with sys.executable,
  sys.prefix, base_prefix and version), `runrc N`; finally `end`.
"""

from __future__ import annotations

import os
import re
import sys

WORD_RE = re.compile(r"^[A-Za-z0-9._+-]+\Z")
PYTHON_WORD_RE = re.compile(r"^python(\d+(\.\d+)?)?\Z")
PY_CODE = ('import sys;sys.stdout.write("@@T py "+"\\t".join([sys.executable,sys.prefix,'
           'getattr(sys,"base_prefix",sys.prefix),".".join(map(str,sys.version_info[:3]))])+"\\n")')


def run_line(word, mark, stderr_to_stdout):
    """The command line that runs word once: Pythons report themselves, anything else prints its version."""
    if PYTHON_WORD_RE.match(word):
        line = "%s -c '%s' </dev/null" % (word, PY_CODE.replace("@@T", mark))
    else:
        line = "%s --version </dev/null" % word
    return line + (" 2>&1" if stderr_to_stdout else "")


def parse_probe(stdout, token):
    """Parse the marked probe output into {'path': [...], 'commands': {word: {...}}, 'complete': bool}."""
    mark = "@@%s " % token
    out = {"path": None, "commands": {}, "complete": False}
    cur = None
    section = None
    for raw in (stdout or "").splitlines():
        if mark in raw:
            body = raw[raw.index(mark) + len(mark):]
            key, dummy, rest = body.partition(" ")
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


def first_match(patterns, line):
    for kind, rx in patterns:
        m = rx.match(line)
        if m:
            return kind, ((m.group(1) if rx.groups else "") or "")
    return None


class Shell(object):
    """What every shell family answers: how its probe is written and started, how its answer about a word reads,
    and (by default not) how it traces its startup files. Each family is a subclass; POSIX shells are PosixShell."""

    family = ""
    ext = ""
    supported = True
    # startup files of this family in a user's home (relative): what makes two users' shells differ
    home_files = ()

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)

    @staticmethod
    def quote(word):
        """word as one literal word of this shell's syntax (for the startup files the role writes)."""
        raise NotImplementedError

    # -- the probe text: a head, then WORD for each word ({m} the marker, {w} the word, {run} its run line) ------
    HEAD = WORD = TAIL = ""
    RUN_STDERR_TO_STDOUT = True

    def probe_script(self, commands, token):
        """The probe in this shell's syntax: PATH, then for each word what the shell says it is and what runs."""
        mark = "@@%s" % token
        text = self.HEAD.format(m=mark)
        for word in commands:
            text += self.WORD.format(m=mark, w=word, run=run_line(word, mark, self.RUN_STDERR_TO_STDOUT))
        return text + self.TAIL.format(m=mark)

    def source_words(self, probe_file):
        """The words that make this shell run the probe file in itself (`ssh host cmd`, sudo -i, cron)."""
        return ["source", probe_file]

    def source_command(self, probe_file):
        return " ".join(self.source_words(probe_file))

    # -- how the login and interactive contexts start it ----------------------------------------------------
    def login_argv(self, probe_file, flags):
        return [self.path] + flags + ["-l", "-i", "-c", self.source_command(probe_file)]

    def interactive_argv(self, probe_file, flags):
        inner = "exec %s %s-i -c '%s'" % (self.path, "".join(f + " " for f in flags), self.source_command(probe_file))
        return [self.path] + flags + ["-l", "-c", inner]

    # -- what the shell said about a word ----------------------------------------------------------------------
    TYPE_PATTERNS = []

    def parse_type(self, lines, rc):
        """(kind, value) from the shell's answer about a word; not_found when it has none."""
        first = lines[0].strip() if lines else ""
        if rc == 0:
            return first_match(self.TYPE_PATTERNS, first) or ("not_found", "")
        return "not_found", ""

    def function_origin(self, info, value):
        return None

    # -- tracing the startup files: a family that can trace says how ----------------------------------------------
    def can_trace(self):
        return False

    def trace_setup(self, tmp, token):
        """(env words, shell flags) that make a login or interactive start of this shell trace its startup."""
        return [], []

    def ssh_trace_env(self, tmp, token):
        """Variables that make a `ssh host cmd` session of this shell trace (sshd must accept them), or {}."""
        return {}

    def parse_trace(self, stderr, probe_file, home, token):
        """(PATH assignments [(file:line, entries)], alias definitions [(file:line, name, value)]), in order."""
        return [], []

    LOOK_IN = ""

    def untraced_note(self):
        """Why an origin is unknown in this shell: said in the reason instead of a file and line."""
        if self.can_trace():
            return ""
        return "%s cannot trace which startup file set it (look in %s)" % (self.name, self.LOOK_IN)


class PosixShell(Shell):
    """The POSIX family: sh, dash, ksh and the like (bash and zsh, which can trace, are subclasses)."""

    family = "posix"
    ext = "sh"
    home_files = (".profile", ".bashrc", ".bash_profile", ".bash_login", ".zshenv", ".zprofile", ".zshrc",
                  ".zlogin", ".kshrc", ".shrc")
    LOOK_IN = "~/.profile, /etc/profile, /etc/profile.d"

    @staticmethod
    def quote(word):
        """word as one literal word of POSIX sh."""
        return "'" + word.replace("'", "'\\''") + "'"

    HEAD = """printf '{m} path %s\\n' "$PATH"
"""
    WORD = """printf '{m} cmd %s\\n' '{w}'
type {w} 2>&1
__lfp_rc=$?
printf '{m} typerc %s\\n' "$__lfp_rc"
if [ -n "${{BASH_VERSION-}}" ]; then printf '{m} fn '; (shopt -s extdebug; declare -F {w}) 2>/dev/null; echo; fi
if [ "$__lfp_rc" = 0 ]; then
printf '{m} run\\n'
{run}
printf '\\n{m} runrc %s\\n' "$?"
fi
"""
    TAIL = """printf '{m} end\\n'
"""

    def source_words(self, probe_file):
        return [".", probe_file]

    # -- what `type WORD` printed --------------------------------------------------------------------------
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

    def function_origin(self, info, value):
        """bash: 'name LINE FILE' from `declare -F` under extdebug; zsh: the file `type` names; else None."""
        parts = (info.get("fn") or "").split(" ", 2)
        if len(parts) == 3 and parts[1].isdigit():
            return "%s:%s" % (parts[2], parts[1])
        return value or None

    # -- tracing the startup files (bash and zsh: an xtrace whose PS4 names file and line) ----------------------
    TRACE_LINE_RE = re.compile(r"^\++(?P<file>[^:\s][^:]*):(?P<line>\d+)[:>] (?P<cmd>.*)$")
    TRACE_PATH_RE = re.compile(r"^(?:(?:export|typeset|declare|local)(?: -\w+)* )?'?PATH=(?P<value>[^' ]*)'?\s*$")
    TRACE_ZSH_PATH_RE = re.compile(r"^path=\( ?(?P<value>.*?) ?\)\s*$")

    def parse_trace(self, stderr, probe_file, home, token):
        """From a bash/zsh xtrace (PS4 with file and line): PATH assignments and alias definitions, in order."""
        assignments, aliases = [], []
        for raw in (stderr or "").splitlines():
            m = self.TRACE_LINE_RE.match(raw)
            if not m or m.group("file") == probe_file:
                continue
            where = "%s:%s" % (m.group("file"), m.group("line"))
            cmd = m.group("cmd")
            pm = self.TRACE_PATH_RE.match(cmd)
            zm = self.TRACE_ZSH_PATH_RE.match(cmd)
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


class XtraceShell(PosixShell):
    """A POSIX shell that traces its startup with -x and a PS4 that names the file and line (bash, zsh)."""

    PS4 = ""

    def can_trace(self):
        return True

    def trace_setup(self, tmp, token):
        return ["PS4=" + self.PS4], ["-x"]


class BashShell(XtraceShell):
    """bash: also traces a `ssh host cmd` session (SHELLOPTS=xtrace, which sshd accepts from the probe's client)."""

    PS4 = "+${BASH_SOURCE:-}:${LINENO}: "

    def ssh_trace_env(self, tmp, token):
        return {"SHELLOPTS": "xtrace", "PS4": self.PS4}


class ZshShell(XtraceShell):
    PS4 = "+%x:%I> "


class FishShell(Shell):
    """fish: reads /etc/fish/conf.d and ~/.config/fish, never /etc/profile; PATH is a list."""

    family = "fish"
    ext = "fish"
    home_files = (".config/fish/config.fish", ".config/fish/conf.d", ".config/fish/fish_variables",
                  ".config/fish/functions")

    HEAD = """printf '{m} path %s\\n' (string join : -- $PATH)
"""
    WORD = """printf '{m} cmd %s\\n' '{w}'
type {w} 2>&1
set __lfp_rc $status
printf '{m} typerc %s\\n' $__lfp_rc
if test $__lfp_rc = 0
printf '{m} run\\n'
{run}
printf '\\n{m} runrc %s\\n' $status
end
"""
    TAIL = PosixShell.TAIL

    @staticmethod
    def quote(word):
        """fish: inside single quotes only \\ and \\' are special."""
        return "'" + word.replace("\\", "\\\\").replace("'", "\\'") + "'"

    TYPE_PATTERNS = [
        ("function", re.compile(r"^\S+ is a function with definition$")),
        ("builtin", re.compile(r"^\S+ is a builtin$")),
        ("file", re.compile(r"^\S+ is (/.*)$")),
    ]
    ALIAS_RE = re.compile(r"--description '?alias [^=\s]+=(.*?)'?$")
    DEFINED_RE = re.compile(r"^# Defined in (/.*) @ line (\d+)$")

    def parse_type(self, lines, rc):
        """fish's `type`: an alias is a function whose description says `alias W=...`."""
        kind, value = Shell.parse_type(self, lines, rc)
        if kind == "function":
            for line in lines[1:]:
                m = self.ALIAS_RE.search(line.strip())
                if m and line.strip().startswith("function "):
                    return "alias", m.group(1).strip("'\"")
        return kind, value

    def function_origin(self, info, value):
        for line in info.get("type_lines", []):
            m = self.DEFINED_RE.match(line.strip())
            if m:
                return "%s:%s" % (m.group(1), m.group(2))
        return None

    def can_trace(self):
        return True

    # loaded from a vendor conf.d directory of the probe's own: after the user's and the admin's conf.d, before
    # config.fish. A PATH event handler reports each change with the stack that made it; fish's stack stops at
    # fish_add_path's own file, so fish_add_path is wrapped to report the line that called it.
    TRACE_SCRIPT = """function __labfleet_path_info_@@T --on-variable PATH
    printf '@@@@T pathset %s\\n' (string join : -- $PATH) >&2
    status stack-trace >&2
    printf '@@@@T pathend\\n' >&2
end
if functions -q fish_add_path
    functions --copy fish_add_path __labfleet_path_info_@@T_fish_add_path
    function fish_add_path
        printf '@@@@T call\\n' >&2
        status stack-trace >&2
        printf '@@@@T callend\\n' >&2
        __labfleet_path_info_@@T_fish_add_path $argv
        set -l __labfleet_rc $status
        printf '@@@@T return\\n' >&2
        return $__labfleet_rc
    end
end
"""

    def trace_setup(self, tmp, token):
        """XDG_DATA_DIRS that adds the probe's own vendor conf.d directory with TRACE_SCRIPT."""
        data = os.path.join(tmp, "fish-trace")
        conf = os.path.join(data, "fish", "vendor_conf.d")
        if not os.path.isdir(conf):
            os.makedirs(conf)
            with open(os.path.join(conf, "00-labfleet-path-info-%s.fish" % token), "w") as f:
                f.write(self.TRACE_SCRIPT.replace("@@T", token))
            for d in (data, os.path.join(data, "fish"), conf):
                os.chmod(d, 0o755)
            for name in os.listdir(conf):
                os.chmod(os.path.join(conf, name), 0o644)
        return ["XDG_DATA_DIRS=%s:/usr/local/share:/usr/share" % data], []

    def ssh_trace_env(self, tmp, token):
        words, dummy = self.trace_setup(tmp, token)
        return dict(w.split("=", 1) for w in words)

    CALLED_RE = re.compile(r"^\s*called on line (\d+) of file (.+)$")

    def user_frame(self, lines, home, probe_file):
        """file:line of the first frame of a fish stack trace that is neither fish's own library nor the probe's,
        or None (a stack that ends in standard input or in fish's library has no such frame)."""
        for raw in lines:
            m = self.CALLED_RE.match(raw)
            if not m:
                continue
            path = m.group(2).strip()
            if path.startswith("~/") and home:
                path = os.path.join(home, path[2:])
            if path.startswith("/usr/share/fish/") or "/fish-trace/fish/" in path or path == probe_file:
                continue
            return "%s:%s" % (path, m.group(1)) if path.startswith("/") else None
        return None

    def parse_trace(self, stderr, probe_file, home, token):
        """Each PATH change the handler saw, with the user's file and line that made it (through fish_add_path:
        the line that called it)."""
        assignments = []
        mark = "@@%s " % token
        calls, block, kind = [], None, None
        for raw in (stderr or "").splitlines():
            if raw.startswith(mark):
                key, dummy, rest = raw[len(mark):].partition(" ")
                if key in ("pathset", "call"):
                    block, kind, value = [], key, rest
                elif key == "callend" and block is not None:
                    calls.append(self.user_frame(block, home, probe_file))
                    block = None
                elif key == "pathend" and block is not None:
                    # the handler's own frames come first; the change is after "in event handler"
                    after = block[next((i for i, line in enumerate(block) if line.startswith("in event handler")),
                                       len(block)):]
                    where = self.user_frame(after, home, probe_file) or next(
                        (c for c in reversed(calls) if c), None)
                    if where:
                        assignments.append((where, value.split(":") if value else []))
                    block = None
                elif key == "return" and calls:
                    calls.pop()
                continue
            if block is not None:
                block.append(raw)
        return assignments, []


class UntracedShell(Shell):
    """A shell that cannot tell which startup file set PATH: its answer about a word is one line among the type
    lines matching TYPE_PATTERNS, and the reason names the files to look in (LOOK_IN)."""

    def parse_type(self, lines, rc):
        for line in lines:
            found = first_match(self.TYPE_PATTERNS, line.strip())
            if found and rc == 0:
                return found
        return "not_found", ""


class CshShell(UntracedShell):
    """tcsh and csh: read /etc/csh.cshrc, /etc/csh.login, ~/.tcshrc (or ~/.cshrc), ~/.login; `-l` stands alone,
    so a login shell is started as argv[0] `-tcsh` (what login and su do) and reads the probe on its input."""

    family = "csh"
    ext = "csh"
    home_files = (".tcshrc", ".cshrc", ".login")

    # builtins only for the protocol (echo, which, set): a PATH without /usr/bin still reports
    HEAD = """set prompt = ""
echo "{m} path $PATH"
"""
    WORD = """echo "{m} cmd {w}"
which {w}
set __lfp_rc = $status
echo "{m} typerc $__lfp_rc"
if ( $__lfp_rc == 0 ) then
echo "{m} run"
{run}
set __lfp_rc = $status
echo ""
echo "{m} runrc $__lfp_rc"
endif
"""
    TAIL = """echo "{m} end"
"""
    RUN_STDERR_TO_STDOUT = False

    @staticmethod
    def quote(word):
        """csh: single quotes end at '; ! (history) and a newline cannot be quoted reliably, so they are refused."""
        if "\n" in word or "!" in word:
            raise ValueError("%r holds a newline or '!', which csh startup files cannot quote" % word)
        return "'" + word.replace("'", "'\\''") + "'"

    def login_argv(self, probe_file, flags):
        # argv[0] with a leading '-' is how login(1) and su -l make a login shell; -i with the probe on stdin makes
        # it interactive as a terminal session is ($?prompt set, so rc files take their interactive branches)
        return ["/bin/bash", "-c", 'exec -a "-${0##*/}" "$0" -i < "$1"', self.path, probe_file]

    def interactive_argv(self, probe_file, flags):
        return ["/bin/bash", "-c", 'exec -a "-${0##*/}" "$0" -c "exec $0 -i < $1"', self.path, probe_file]

    TYPE_PATTERNS = [
        ("alias", re.compile(r"^\S+:\s+aliased to (.*)$")),
        ("builtin", re.compile(r"^\S+: shell built-in command\.$")),
        ("file", re.compile(r"^(/.*)$")),
    ]

    # tcsh's `which`: a path, `W: aliased to ...`, `W: shell built-in command.`, `W: Command not found.`
    LOOK_IN = "~/.tcshrc, ~/.cshrc, ~/.login, /etc/csh.cshrc, /etc/csh.login"


# Drives an interactive nushell in a pseudo-terminal: nu's REPL refuses a stdin that is not a terminal, and only the
# REPL reads nushell's vendor autoload directories (where the role's file is). The REPL asks the terminal where its
# cursor is (ESC [6n) before each prompt and waits for the answer: the driver answers, then types the next line of
# the probe, pasted (bracketed paste, on in nushell by default): typed key by key, the line editor redraws the whole
# line after each key, over a megabyte of echo for a probe of four words (seen with nushell 0.115), over the cap.
# It prints what the terminal showed, without escape sequences. argv: nu's path, argv[0] ("-nu" makes a login shell,
# as login and su do), the probe file.
NU_DRIVER = r"""
import os, pty, re, select, sys
path, argv0, probe = sys.argv[1:4]
with open(probe) as f:
    lines = [line for line in f.read().splitlines() if line.strip()]
pid, fd = pty.fork()
if pid == 0:
    os.execv(path, [argv0])
out = b""
while True:
    if not select.select([fd], [], [], 5.0)[0]:
        continue
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
    for dummy in range(data.count(b"\x1b[6n")):
        os.write(fd, b"\x1b[1;1R")
        if lines:
            os.write(fd, b"\x1b[200~" + lines.pop(0).encode() + b"\x1b[201~\r")
status = os.waitpid(pid, 0)[1]
text = out.decode("utf-8", "replace").replace("\r", "")
sys.stdout.write(re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\))", "", text))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
"""


class NuShell(UntracedShell):
    """nushell: reads its vendor autoload directories (/usr/share/nushell/vendor/autoload...), config.nu, env.nu and,
    for a login shell, login.nu, but only in the REPL: `nu -c` (ssh host cmd, cron) reads none of them. The REPL
    needs a terminal, so login and interactive contexts run it under NU_DRIVER. Each probe statement is one line (the
    REPL takes one line at a time) and the marker is built at run time, so the terminal's echo of a typed line never
    reads as probe output."""

    family = "nu"
    ext = "nu"
    home_files = (".config/nushell/config.nu", ".config/nushell/env.nu", ".config/nushell/login.nu",
                  ".config/nushell/autoload", ".local/share/nushell/vendor/autoload")
    PY_CODE = ('import os,sys;sys.stdout.write(os.environ["LFP_M"]+" py "+"\\t".join([sys.executable,sys.prefix,'
               'getattr(sys,"base_prefix",sys.prefix),".".join(map(str,sys.version_info[:3]))])+"\\n")')

    def probe_script(self, commands, token):
        mark = "@@%s" % token
        lines = ['let lfp_m = ("%s" + "%s")' % (mark[:1], mark[1:]),
                 "print $\"($lfp_m) path ($env.PATH | str join ':')\""]
        for word in commands:
            if PYTHON_WORD_RE.match(word):
                run = "^%s -c '%s'" % (word, self.PY_CODE)
            else:
                run = "^%s --version" % word
            lines.append(
                'print $"($lfp_m) cmd %(w)s"; let lfp_w = (which %(w)s); '
                'if ($lfp_w | is-empty) { print $"($lfp_m) typerc 1" } else { '
                'print $"%(w)s is ($lfp_w.0.type) ($lfp_w.0.path)"; print $"($lfp_m) typerc 0"; '
                'if ($lfp_w.0.type == "external") { print $"($lfp_m) run"; '
                'let lfp_r = (with-env {LFP_M: $lfp_m} { do { %(run)s } | complete }); '
                'print ($lfp_r.stdout + $lfp_r.stderr); print $"($lfp_m) runrc ($lfp_r.exit_code)" } }'
                % dict(w=word, run=run))
        lines += ['print $"($lfp_m) end"', "exit"]
        return "\n".join(lines) + "\n"

    @staticmethod
    def quote(word):
        """nushell: a single-quoted string is raw (no escapes); one holding ' is written as a raw string r#'...'#."""
        if "'" not in word:
            return "'" + word + "'"
        if "'#" in word:
            raise ValueError("%r holds both ' and '#, which nushell startup files cannot quote" % word)
        return "r#'" + word + "'#"

    @staticmethod
    def driver_python():
        """A Python every user can run for the driver: the system's, else the one running this module."""
        for path in ("/usr/bin/python3", "/usr/local/bin/python3"):
            if os.access(path, os.X_OK):
                return path
        return sys.executable

    def driver_argv(self, argv0, probe_file):
        return [self.driver_python(), "-c", NU_DRIVER, self.path, argv0, probe_file]

    def login_argv(self, probe_file, flags):
        return self.driver_argv("-" + self.name, probe_file)

    def interactive_argv(self, probe_file, flags):
        return self.driver_argv(self.name, probe_file)

    TYPE_PATTERNS = [
        ("file", re.compile(r"^\S+ is external (/.*)$")),
        ("builtin", re.compile(r"^\S+ is built-in\s*$")),
        ("alias", re.compile(r"^\S+ is alias\s*(.*)$")),
        ("function", re.compile(r"^\S+ is custom\s*(.*)$")),
    ]

    # what the probe printed from `which`: `W is external PATH`, `W is built-in`, `W is alias`, `W is custom`
    LOOK_IN = "~/.config/nushell/config.nu, env.nu, login.nu, ~/.config/nushell/autoload and the vendor autoload " \
        "directories"


class UnknownShell(PosixShell):
    """A login shell path_info has no probe for (xonsh, elvish...): its contexts are reported as errors that
    say so, never judged with another shell's probe."""

    supported = False


POSIX_SHELLS = ("sh", "bash", "rbash", "dash", "zsh", "ksh", "ksh93", "mksh", "lksh", "pdksh", "ash", "busybox",
                "posh", "yash")
FAMILIES = dict([(name, PosixShell) for name in POSIX_SHELLS]
                + [("bash", BashShell), ("rbash", BashShell), ("zsh", ZshShell)]
                + [("fish", FishShell), ("tcsh", CshShell), ("csh", CshShell), ("bsd-csh", CshShell), ("nu", NuShell)])


def shell_for(path):
    """The Shell object for a shell's path: POSIX shells, fish, csh, tcsh and nu; any other is an UnknownShell."""
    return FAMILIES.get(os.path.basename(path or "/bin/sh"), UnknownShell)(path or "/bin/sh")


def all_families():
    """One instance of each family: the probe files are written once each."""
    return [PosixShell("/bin/sh"), FishShell("/usr/bin/fish"), CshShell("/usr/bin/tcsh"), NuShell("/usr/bin/nu")]
