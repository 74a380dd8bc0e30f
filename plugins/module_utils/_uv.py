# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# It is the one place that knows how to run uv for the modules uv_binary, uv_python, uv_venv and uv_tool.

from __future__ import annotations

import errno
import fcntl
import os
import pwd
import re
import stat
import tempfile
import time
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._command_output import printed, read_command
from ansible_collections.labfleet.uv.plugins.module_utils._generations import installed_patch
from ansible_collections.labfleet.uv.plugins.module_utils._trust import why_untrusted
from ansible_collections.labfleet.uv.plugins.module_utils._userland import host_python_platform

# The argument spec shared by every module that runs uv (documented in doc_fragments/uv.py).
UV_COMMON_ARGS = dict(
    uv_path=dict(type="path", default="/opt/uv/bin/uv"),
    python_install_dir=dict(type="path", default="/opt/uv/python"),
    python_bin_dir=dict(type="path", default="/opt/uv/python-bin"),
    tool_dir=dict(type="path", default="/opt/uv/tools"),
    tool_bin_dir=dict(type="path", default="/opt/uv/tool-bin"),
    cache_dir=dict(type="path", default="/opt/uv/cache"),
    config_file=dict(type="path"),
    python_platform=dict(type="str"),
)

UV_VERSION_RE = re.compile(r"^uvx? (\d+\.\d+\.\d+\S*)")

# How long root's uv waits for one of its lock files (uv's UV_LOCK_TIMEOUT, whole seconds; uv's own default is 300).
# Root's lock files are renewed root-only before each call (renew_lock), so only another root process can hold one
# that long; the failure then names it (lock_report).
UV_LOCK_WAIT = 20
# error: Timeout (20s) when waiting for lock on `/opt/uv/tools/3.11.2` at `/opt/uv/tools/3.11.2/.lock`, is another...
LOCK_TIMEOUT_RE = re.compile(r"Timeout \((\d+)s\) when waiting for lock on `[^`]*` at `([^`]+)`")

# What root's uv never inherits from the module's environment (PAM's /etc/environment, become, the play): uv's own
# settings (the runner gives the role's own), and what would choose another interpreter, configuration or code
# for it (uv runs its interpreter queries with -I, but not a package build), or colour its output. Proxy and CA
# settings (http_proxy, https_proxy, no_proxy, SSL_CERT_FILE, SSL_CERT_DIR) and NETRC stay: only root and the
# controller set root's environment, and they are how an admin reaches an index from behind a proxy.
NOT_INHERITED_PREFIXES = ("UV_", "PYTHON")
NOT_INHERITED = frozenset(("VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS",
                           "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_BIN_HOME", "RUST_LOG", "FORCE_COLOR",
                           "CLICOLOR_FORCE"))


def trusted_path(value):
    """The PATH value without the entries root must not run programs from (see _trust): uv runs the pythons it finds
    on PATH (`uv python list` runs /usr/bin/python3 even with --managed-python)."""
    return ":".join(d for d in value.split(":") if d and why_untrusted(d, directory=True) is None)


@contextmanager
def uv_environ():
    """The module's environment as root's uv gets it, for one call: without what NOT_INHERITED(_PREFIXES) names, PATH
    without the directories others can change (the runner adds the role's own settings). Put back afterwards."""
    saved = dict(os.environ)
    try:
        for name in saved:
            if name.startswith(NOT_INHERITED_PREFIXES) or name in NOT_INHERITED:
                del os.environ[name]
        if "PATH" in saved:
            os.environ["PATH"] = trusted_path(saved["PATH"])
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def lock_holders(path):
    """The processes /proc/locks shows holding an flock on the file at path, each as dict(pid, uid) (uid None where
    the process is gone: a process it started may hold the lock on). Waiters are not holders."""
    try:
        st = os.stat(path)
        with open("/proc/locks") as f:
            lines = f.read(1 << 20).splitlines()
    except (IOError, OSError):
        return []
    holders = []
    for line in lines:
        # 1: FLOCK  ADVISORY  WRITE 1142 00:3e:1673020 0 EOF   (a waiter: 1: -> FLOCK ...)
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK":
            continue
        try:
            major, minor, ino = fields[5].split(":")
            pid = int(fields[4])
            same = (int(major, 16), int(minor, 16), int(ino)) == (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
        except ValueError:
            continue
        if same:
            holders.append(dict(pid=pid, uid=process_uid(pid)))
    return holders


def process_uid(pid):
    """The effective uid of process pid (from its status: /proc/PID itself is root's once a process has changed
    its ids), or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f.read(1 << 16).splitlines():
                if line.startswith("Uid:"):
                    return int(line.split()[2])
    except (IOError, OSError, ValueError, IndexError):
        pass
    return None


def describe_holder(holder):
    """'pid 123 (mallory, uid 1002: flock /opt/uv/tools/3.11.2/.lock sleep 3600)'."""
    if holder["uid"] is None:
        return "pid %d (no longer running: a process it started holds the lock)" % holder["pid"]
    try:
        user = pwd.getpwuid(holder["uid"]).pw_name
    except KeyError:
        user = "?"
    try:
        with open("/proc/%d/cmdline" % holder["pid"], "rb") as f:
            command = f.read(300).replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except (IOError, OSError):
        command = "?"
    command = "".join(c if c.isprintable() else "?" for c in command)  # the holder chose it: no control characters
    return "pid %d (%s, uid %d: %s)" % (holder["pid"], user, holder["uid"], command)


def lock_report(err):
    """For uv's error when it gave up waiting for a lock: the lock, how long uv waited and who holds it; else ''."""
    m = LOCK_TIMEOUT_RE.search(err or "")
    if not m:
        return ""
    holders = lock_holders(m.group(2))
    return "uv waited %s s (UV_LOCK_TIMEOUT) for its lock %s, held by %s" % (
        m.group(1), m.group(2), "; ".join(describe_holder(h) for h in holders) or "no process now")


def renew_lock(path):
    """Replace the lock file at path by a fresh empty one only root can open (0600, a new inode) unless it is one
    already that nobody but root holds. Whoever opened the old one (uv makes its lock files 0666) then locks an
    inode root's uv no longer takes. Nothing is made where there is no lock file. Returns whether it was replaced."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode):
        return False
    own = os.geteuid()
    root_only = stat.S_ISREG(st.st_mode) and st.st_uid == own and not st.st_mode & 0o077 and st.st_nlink == 1
    if root_only and all(h["uid"] == own for h in lock_holders(path)):
        return False
    try:
        fd, fresh = tempfile.mkstemp(prefix=".lock.", dir=os.path.dirname(path))
    except OSError:
        return False
    os.close(fd)
    try:
        os.rename(fresh, path)
    except OSError:
        os.unlink(fresh)
        return False
    return True


def parse_uv_version(text):
    """'uv 0.13.9 (x86_64-unknown-linux-gnu)' -> '0.13.9'; None if the text is not uv's version line."""
    m = UV_VERSION_RE.match((text or "").strip())
    return m.group(1) if m else None


class UvRunner(object):
    """Runs uv with the shared install locations, a 022 umask and no colour or progress bars, in a clean environment
    (uv_environ: the role's settings and configuration only), waiting at most UV_LOCK_WAIT seconds for a lock, and
    only a uv that nobody but root can change (_trust).

    All uv calls go through run(), so unit tests mock exactly one boundary: module.run_command.
    """

    def __init__(self, module, config_file=None):
        """config_file: the uv.toml to read instead of the option config_file (the host plan's copy of the wanted
        text, see _host_plan.HostPlan.wanted_uv_config)."""
        self.module = module
        p = module.params
        self.uv = p["uv_path"]
        self.python_install_dir = p["python_install_dir"]
        self.python_bin_dir = p["python_bin_dir"]
        self.tool_dir = p["tool_dir"]
        self.tool_bin_dir = p["tool_bin_dir"]
        self.env = {
            "UV_PYTHON_INSTALL_DIR": self.python_install_dir,
            "UV_PYTHON_BIN_DIR": self.python_bin_dir,
            "UV_TOOL_DIR": self.tool_dir,
            "UV_TOOL_BIN_DIR": self.tool_bin_dir,
            "UV_NO_PROGRESS": "1",
            "NO_COLOR": "1",
            # root's own cache beside the installs, never a user's
            "UV_CACHE_DIR": p["cache_dir"],
            "UV_LOCK_TIMEOUT": str(UV_LOCK_WAIT),
        }
        # the only configuration uv reads: config_file, else the role's uv.toml on the host (uv_config, as uv_state
        # and uv_apply know it) where only root can change it, else none; never root's ~/.config/uv/uv.toml
        config = config_file or p.get("config_file")
        if not config and p.get("uv_config") and why_untrusted(p["uv_config"]) is None:
            config = p["uv_config"]
        if config:
            self.env["UV_CONFIG_FILE"] = config
        else:
            self.env["UV_NO_CONFIG"] = "1"
        if module.check_mode:
            # a dry run only asks uv questions: a throwaway cache keeps it from writing (or needing to
            # write) the shared cache, as on an image mounted read-only
            self.env["UV_NO_CACHE"] = "1"
        # every CPython request names its platform: the userland's, never uv's guess (see _userland); uv's listing
        # and discovery count only the pythons of the libc it believes in, so that is the userland's too
        self.python_platform = host_python_platform(p.get("python_platform"))
        if self.python_platform:
            self.env["UV_LIBC"] = self.python_platform.rsplit("-", 1)[1]
        self.commands = []
        # False when the uv there does not work (it answers --version with something else): its queries are
        # not asked, as if it were missing, until it is replaced
        self.usable = True

    def python_key(self, version):
        """uv's name of CPython `version` on this host's platform, as its install directory is named:
        'cpython-3.11-linux-armv7-gnueabihf' ('cpython-3.11-<platform>' where the platform is not known)."""
        return "cpython-%s-%s" % (version, self.python_platform or "<platform>")

    def python_request(self, version):
        """uv's request for a CPython minor or patch on this host's platform: its key, or just the version where
        the platform is not known (uv then chooses)."""
        return self.python_key(version) if self.python_platform else version

    def on_platform(self, entry):
        """Whether an entry of uv's JSON python listing is a build for this host's platform (an entry without the
        fields counts as one). An installed one is judged by its directory, which names the platform exactly: uv
        lists an armhf build's libc as gnu."""
        if not self.python_platform:
            return True
        if entry.get("path"):
            return "-%s/" % self.python_platform in entry["path"]
        if entry.get("os") is None or entry.get("arch") is None:
            return True
        return "%s-%s" % (entry["os"], entry["arch"]) == self.python_platform.rsplit("-", 1)[0]

    def installed_patch(self, minor):
        """The patch uv's link of `minor` for this host's platform points at ('3.11.2'), or None."""
        return installed_patch(self.python_install_dir, minor, self.python_platform)

    def required_patch(self, minor):
        """installed_patch(minor), failing the module (naming its option python) when that CPython is not
        installed: a generation is built on an installed patch."""
        patch = self.installed_patch(minor)
        if patch is None:
            self.module.fail_json(msg="CPython %s is not installed in %s (option python): install it first, e.g. "
                                      "with labfleet.uv.uv_python" % (minor, self.python_install_dir))
        return patch

    def in_python_dir(self, path, version, patches=False):
        """Whether path lies in uv's directory of CPython `version` for this host's platform: the link
        cpython-<version>-<platform> (a venv's home), or with patches=True also a cpython-<version>.<patch>-<platform>
        directory (where a --default shim may point)."""
        platform = re.escape(self.python_platform) if self.python_platform else r"[^/]+"
        name = re.escape("cpython-%s" % version) + (r"(\.\d+)?" if patches else "") + "-" + platform
        return re.match(re.escape(self.python_install_dir + os.sep) + name + "(/|$)", path or "") is not None

    @property
    def available(self):
        """Whether uv is there to be run: usable, an executable file, and trusted (a uv that someone other than root
        could change counts as missing until it is replaced)."""
        return (self.usable and os.path.isfile(self.uv) and os.access(self.uv, os.X_OK)
                and why_untrusted(self.uv) is None)

    def require(self):
        """Fail clearly when uv is missing or not to be run (outside check mode, where a missing uv means 'would
        install')."""
        if not self.available:
            reason = os.path.lexists(self.uv) and why_untrusted(self.uv)
            if reason:
                self.module.fail_json(msg=refusal(self.uv, reason))
            self.module.fail_json(msg="uv was not found at %s (option uv_path); install it first, "
                                      "e.g. with labfleet.uv.uv_binary" % self.uv)

    def lock_files(self, args):
        """The lock files in root's trees that the uv call args may take, as uv 0.13.9 takes them (measured): the
        CPython install dir's, the tool dir's and each tool environment's, the cache's (unless the call has none),
        and the venv's it makes (`venv PATH`) or runs (`--python VENV/bin/python`)."""
        dirs = [self.python_install_dir, self.tool_dir]
        try:
            dirs += [os.path.join(self.tool_dir, name) for name in sorted(os.listdir(self.tool_dir))]
        except OSError:
            pass
        if "UV_NO_CACHE" not in self.env:
            dirs.append(self.env["UV_CACHE_DIR"])
        args = list(args)
        if args[:1] == ["venv"] and len(args) > 1 and os.path.isabs(args[1]):
            dirs.append(args[1])
        dirs += [os.path.dirname(os.path.dirname(value)) for option, value in zip(args, args[1:])
                 if option == "--python" and os.path.isabs(value)]
        return [os.path.join(d, ".lock") for d in dirs if os.path.isdir(d) and not os.path.islink(d)]

    def run(self, args, check=True, env=None, whole=None):
        """uv with args; with whole (see _command_output), a query whose output came back cut is read again.
        Refused (the module fails) when uv is not trusted. The lock files the call may take are renewed before it
        and after it (renew_lock), so none is left one that users can open; a failure after uv's lock wait names the lock's holder (lock_report)."""
        cmd = [self.uv] + list(args)
        reason = why_untrusted(self.uv)
        if reason:
            self.module.fail_json(msg=refusal(self.uv, reason), cmd=cmd)
        for path in self.lock_files(args):
            renew_lock(path)
        kwargs = dict(environ_update=dict(self.env, **(env or {})), umask=0o022, cwd="/")
        with uv_environ():
            if whole:
                rc, out, err, dummy = read_command(self.module, cmd, whole, **kwargs)
            else:
                rc, out, err = self.module.run_command(cmd, **kwargs)
        self.commands.append(" ".join(cmd))
        # and after it: a lock file uv made in this call (a new venv's, a new tool environment's) is uv's 0666 one
        for path in self.lock_files(args):
            renew_lock(path)
        report = lock_report(err) if rc != 0 else ""
        if report:
            err = "%s\n%s\n" % ((err or "").rstrip("\n"), report)
        if check and rc != 0:
            self.module.fail_json(msg="uv failed (rc=%d): %s" % (rc, (err or out).strip()),
                                  cmd=cmd, rc=rc, stdout=out, stderr=err)
        return rc, out, err


LOCK_PATH = "/run/labfleet-uv.lock"
LOCK_WAIT = 900


@contextmanager
def host_lock(module, path=LOCK_PATH, wait=LOCK_WAIT):
    """Held while a module changes the host: two runs at once take turns, change by change, and each module
    decides what to do only once it holds the lock. An flock: the kernel drops it when its holder dies, so an
    interrupted run never leaves the host locked. Not taken in check mode, nor where /run does not exist."""
    if module.check_mode or not os.path.isdir(os.path.dirname(path)):
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.time() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (IOError, OSError) as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.time() > deadline:
                    os.lseek(fd, 0, os.SEEK_SET)
                    holder = os.read(fd, 200).decode("utf-8", "replace").strip()
                    module.fail_json(msg="another labfleet.uv run has held %s for more than %d s (%s): "
                                         "nothing was changed by this task" % (path, wait, holder or "unknown"))
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, ("pid %d, %s\n" % (os.getpid(), module._name)).encode())
        yield
    finally:
        os.close(fd)


def refusal(path, reason):
    """The message for a uv root does not run."""
    return ("refusing to run %s as root: %s. Root runs only programs nobody else can change (the file and every "
            "directory above it root's, not writable by group or others); labfleet.uv.uv_binary (or the role) "
            "replaces it once its directory is right." % (path, reason))


def run_uv_version(module, path):
    """`path --version` in uv's clean environment: (the version it reports or None, rc, stdout, stderr). Not run
    when path is not trusted: (None, None, '', the reason)."""
    reason = why_untrusted(path)
    if reason:
        return None, None, "", reason
    with uv_environ():
        rc, out, err, dummy = read_command(module, [path, "--version"], printed)
    return (parse_uv_version(out) if rc == 0 else None), rc, out, err


# the temporary names uv_binary stages the executables under (tempfile.mkstemp(prefix=".uv."))
STAGED_RE = re.compile(r"^\.uvx?\.[A-Za-z0-9_]+\Z")


def staged_leftovers(bin_dir):
    """Executables an interrupted uv_binary left half-installed in bin_dir."""
    try:
        return sorted(os.path.join(bin_dir, n) for n in os.listdir(bin_dir) if STAGED_RE.match(n))
    except OSError:
        return []


def uv_install_problems(module, bin_dir, version):
    """(the version uv in bin_dir reports, what keeps it from being uv `version` complete: one line each). A uv
    that root must not run (see _trust) is not run: it reports nothing, and is to be replaced."""
    uv, uvx = os.path.join(bin_dir, "uv"), os.path.join(bin_dir, "uvx")
    untrusted = os.path.lexists(uv) and why_untrusted(uv)
    installed = None if untrusted else read_uv_version(module, uv)
    problems = []
    if installed != version:
        problems.append("uv %s at %s (found %s)" % (
            version, uv, "one root does not run: %s" % untrusted if untrusted else installed or "none"))
    elif not os.path.isfile(uvx):
        problems.append("uvx missing beside uv in %s" % bin_dir)
    elif why_untrusted(uvx):  # root never runs it, every user does
        problems.append("uvx beside uv in %s: %s" % (bin_dir, why_untrusted(uvx)))
    if staged_leftovers(bin_dir):
        problems.append("remove what an interrupted uv install left in %s" % bin_dir)
    return installed, problems


def read_uv_version(module, path):
    """The version the uv executable at path reports, or None when it is missing or not uv."""
    if not os.path.isfile(path):
        return None
    return run_uv_version(module, path)[0]


def part_module(spec, problem_of):
    """The AnsibleModule of a part run on its own (uv_python, uv_venv, uv_tool): uv's common options and the part's
    spec, and the part's checks (problem_of its params: a message naming the option, or None) refused before
    anything on the host is read."""
    module = AnsibleModule(argument_spec=dict(UV_COMMON_ARGS, **spec), supports_check_mode=True)
    problem = problem_of(module.params)
    if problem:
        module.fail_json(msg=problem)
    return module


class LockedPart(object):
    """A part of the host run on its own, by its module (uv_python, uv_venv, uv_tool): its apply() under the host
    lock, whose result is the module's."""

    def run(self):
        with host_lock(self.module):
            result = self.apply()
        self.module.exit_json(**result)
