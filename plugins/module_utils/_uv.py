# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# It is the one place that knows how to run uv for the modules uv_binary, uv_python, uv_venv and uv_tool.

from __future__ import annotations

import errno
import fcntl
import os
import re
import time
from contextlib import contextmanager

from ansible_collections.labfleet.uv.plugins.module_utils._command_output import printed, read_command
from ansible_collections.labfleet.uv.plugins.module_utils._generations import installed_patch
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

MINOR_RE = re.compile(r"^3\.(\d{1,2})$")
UV_VERSION_RE = re.compile(r"^uvx? (\d+\.\d+\.\d+\S*)")


def parse_uv_version(text):
    """'uv 0.13.9 (x86_64-unknown-linux-gnu)' -> '0.13.9'; None if the text is not uv's version line."""
    m = UV_VERSION_RE.match((text or "").strip())
    return m.group(1) if m else None


def is_minor(version):
    """True for a CPython minor such as '3.13' (never a patch such as '3.13.1')."""
    return bool(MINOR_RE.match(str(version)))


class UvRunner(object):
    """Runs uv with the shared install locations, a 022 umask and no colour or progress bars.

    All uv calls go through run(), so unit tests mock exactly one boundary: module.run_command.
    """

    def __init__(self, module):
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
        }
        if p.get("config_file"):
            self.env["UV_CONFIG_FILE"] = p["config_file"]
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

    def in_python_dir(self, path, version, patches=False):
        """Whether path lies in uv's directory of CPython `version` for this host's platform: the link
        cpython-<version>-<platform> (a venv's home), or with patches=True also a cpython-<version>.<patch>-<platform>
        directory (where a --default shim may point)."""
        platform = re.escape(self.python_platform) if self.python_platform else r"[^/]+"
        name = re.escape("cpython-%s" % version) + (r"(\.\d+)?" if patches else "") + "-" + platform
        return re.match(re.escape(self.python_install_dir + os.sep) + name + "(/|$)", path or "") is not None

    @property
    def available(self):
        return self.usable and os.path.isfile(self.uv) and os.access(self.uv, os.X_OK)

    def require(self):
        """Fail clearly when uv is missing (outside check mode, where a missing uv means 'would install')."""
        if not self.available:
            self.module.fail_json(msg="uv was not found at %s (option uv_path); install it first, "
                                      "e.g. with labfleet.uv.uv_binary" % self.uv)

    def run(self, args, check=True, env=None, whole=None):
        """uv with args; with whole (see _command_output), a query whose output came back cut is read again."""
        cmd = [self.uv] + list(args)
        kwargs = dict(environ_update=dict(self.env, **(env or {})), umask=0o022, cwd="/")
        if whole:
            rc, out, err, dummy = read_command(self.module, cmd, whole, **kwargs)
        else:
            rc, out, err = self.module.run_command(cmd, **kwargs)
        self.commands.append(" ".join(cmd))
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


def run_uv_version(module, path):
    """`path --version`: (the version it reports or None, rc, stdout, stderr)."""
    rc, out, err, dummy = read_command(module, [path, "--version"], printed)
    return (parse_uv_version(out) if rc == 0 else None), rc, out, err


# the temporary names uv_binary stages the executables under (tempfile.mkstemp(prefix=".uv."))
STAGED_RE = re.compile(r"^\.uvx?\.[A-Za-z0-9_]+$")


def staged_leftovers(bin_dir):
    """Executables an interrupted uv_binary left half-installed in bin_dir."""
    try:
        return sorted(os.path.join(bin_dir, n) for n in os.listdir(bin_dir) if STAGED_RE.match(n))
    except OSError:
        return []


def uv_install_problems(module, bin_dir, version):
    """(the version uv in bin_dir reports, what keeps it from being uv `version` complete: one line each)."""
    installed = read_uv_version(module, os.path.join(bin_dir, "uv"))
    problems = []
    if installed != version:
        problems.append("uv %s at %s (found %s)" % (version, os.path.join(bin_dir, "uv"), installed or "none"))
    elif not os.path.isfile(os.path.join(bin_dir, "uvx")):
        problems.append("uvx missing beside uv in %s" % bin_dir)
    if staged_leftovers(bin_dir):
        problems.append("remove what an interrupted uv install left in %s" % bin_dir)
    return installed, problems


def read_uv_version(module, path):
    """The version the uv executable at path reports, or None when it is missing or not uv."""
    if not os.path.isfile(path):
        return None
    return run_uv_version(module, path)[0]
