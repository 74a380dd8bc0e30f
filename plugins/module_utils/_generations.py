# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Generations, for the modules uv_venv, uv_tool, uv_python, uv_generation and uv_state: the shared venv and the
# tool environments are built for one CPython patch release, beside the previous ones, switched to in one rename,
# and the old ones retired.
#
#   /opt/uv/venv -> venv-3.13.15     the stable path on everyone's PATH: a symlink, replaced by rename(2)
#   /opt/uv/venv-3.13.15             the venv pinned to one CPython patch (the "generation")
#   /opt/uv/tools/3.13.15/<tool>     uv's tool environments of that patch (UV_TOOL_DIR); the tool bin dir's links
#                                    point into it, and uv replaces each link in place
#
# Pinned to the patch, not to uv's minor link, because a program that started on the old patch and loads the new
# patch's standard library half-way (uv moves the minor link under it) can crash: measured, a segfault of
# `pre-commit --version` started just before `uv python install 3.13 --upgrade`. A pinned generation keeps its
# patch until it is retired, after the grace.

from __future__ import annotations

import ctypes
import os
import re
import shutil
import time

from ansible_collections.labfleet.uv.plugins.module_utils._files import link_atomically, read_regular_file, staged_link

MINOR_RE = re.compile(r"^3\.(\d{1,2})\Z")
GENERATION_RE = re.compile(r"^3\.\d{1,2}\.\d+\Z")
# cpython-3.13-linux-x86_64-gnu: uv's link to the installed patch of a minor
MINOR_LINK_RE = re.compile(r"^cpython-(?P<minor>3\.\d{1,2})-linux-[^+\n]+\Z")
PATCH_DIR_RE = re.compile(r"^cpython-(?P<patch>3\.\d{1,2}\.\d+)-linux-")
SWAP_SUFFIX = ".labfleet-swap"
# what `uv venv` writes: a directory holding only these is a venv, maybe an unfinished one
# (and the pip.conf the role writes into the shared venv)
VENV_ENTRIES = frozenset(["bin", "lib", "lib64", "include", "share", "pyvenv.cfg", ".gitignore", "CACHEDIR.TAG",
                          ".lock", "pip.conf"])
AT_FDCWD = -100
# pyvenv.cfg is a few lines: what is read of it at most
PYVENV_CFG_MAX = 65536
RENAME_EXCHANGE = 2


# the generations wanted (the options of uv_generation, and uv_state's and uv_apply's generations)
GENERATION_ARGS = dict(
    python=dict(type="str", required=True),
    venv_path=dict(type="path"),
    tool_dir=dict(type="path"),
    tool_bin_dir=dict(type="path"),
    retire_grace=dict(type="int", default=10),
)


def is_minor(version):
    """True for a CPython minor such as '3.13' (never a patch such as '3.13.1')."""
    return bool(MINOR_RE.match(str(version)))


def generations_problem(g, prefix=""):
    """Why the generations wanted (GENERATION_ARGS' values) cannot be, naming the option (after prefix), or None."""
    if not is_minor(g["python"]):
        return "%spython must be a CPython minor such as 3.13, got %r" % (prefix, g["python"])
    for name in ("venv_path", "tool_dir", "tool_bin_dir"):
        if g[name] and not os.path.isabs(g[name]):
            return "%s%s must be an absolute path, got %r" % (prefix, name, g[name])
    if g["retire_grace"] < 0:
        return "%sretire_grace must be 0 or more seconds, got %d" % (prefix, g["retire_grace"])
    return None


def children(directory, keep):
    """The paths in directory whose name and path pass keep(name, path), sorted; none when it is missing."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if keep(n, os.path.join(directory, n))]


def installed_patch(python_install_dir, minor, platform=None):
    """The patch uv's minor link of `minor` points at ('3.13.15'), or None when the minor is not installed. With
    platform ('linux-armv7-gnueabihf'), only the link of that platform counts: a CPython of another platform left in
    the same directory (an aarch64 one on an armhf userland) is not this host's."""
    try:
        names = sorted(os.listdir(python_install_dir))
    except OSError:
        return None
    for name in names:
        m = MINOR_LINK_RE.match(name)
        link = os.path.join(python_install_dir, name)
        if m and m.group("minor") == minor and os.path.islink(link) and (
                platform is None or name == "cpython-%s-%s" % (minor, platform)):
            target = PATCH_DIR_RE.match(os.path.basename(os.readlink(link).rstrip("/")))
            if target:
                return target.group("patch")
    return None


def venv_generation(path, patch):
    """/opt/uv/venv, 3.13.15 -> /opt/uv/venv-3.13.15"""
    return "%s-%s" % (path.rstrip("/"), patch)


def tool_generation(tool_dir, patch):
    """/opt/uv/tools, 3.13.15 -> /opt/uv/tools/3.13.15"""
    return os.path.join(tool_dir, patch)


def read_pyvenv_cfg(path):
    """The key = value pairs of a venv's pyvenv.cfg, or None when there is none: a regular file (not a link, a FIFO
    or a device: root reads it, whoever wrote it), its first PYVENV_CFG_MAX bytes."""
    data = read_regular_file(os.path.join(path, "pyvenv.cfg"), PYVENV_CFG_MAX)
    if data is None:
        return None
    cfg = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            cfg[key.strip()] = value.strip()
    return cfg


def pinned_homes(venv_paths, tool_dir):
    """The base interpreters (pyvenv.cfg home) of the venvs and all their generations, and of the tool
    environments in every generation of tool_dir or directly in it (before generations)."""
    envs = [env for path in venv_paths for env in [path] + venv_generations(path)]
    envs += tool_environments(tool_dir) if tool_dir else []
    for gen in tool_generations(tool_dir) if tool_dir else []:
        envs += tool_environments(gen)
    homes = []
    for env in envs:
        home = (read_pyvenv_cfg(env) or {}).get("home")
        if home:
            homes.append(home.rstrip("/") + "/")
    return homes


def looks_like_venv(path):
    """A directory uv made for a venv (finished or not): nothing in it that a venv would not have."""
    try:
        return os.path.isdir(path) and not os.path.islink(path) and set(os.listdir(path)) <= VENV_ENTRIES
    except OSError:
        return False


def venv_generations(path):
    """Every generation of the venv at path: the siblings path-3.N.P that are venvs."""
    parent, base = os.path.split(path.rstrip("/"))
    return children(parent, lambda name, full: (
        name.startswith(base + "-") and GENERATION_RE.match(name[len(base) + 1:])
        and (looks_like_venv(full) or os.path.isfile(os.path.join(full, "pyvenv.cfg")))))


def compat_links(generation):
    """lib/python3.N links in a generation to an older generation's packages (see add_compat_links)."""
    return children(os.path.join(generation, "lib"), lambda name, path: os.path.islink(path))


def link_target(path, target):
    """What to write in the link at path: relative when target is a sibling (the tree can be moved or mounted)."""
    if os.path.dirname(target.rstrip("/")) == os.path.dirname(path.rstrip("/")):
        return os.path.basename(target.rstrip("/"))
    return target


def points_to(path, target):
    return os.path.islink(path) and os.readlink(path) == link_target(path, target)


def tool_environments(tool_dir):
    """Tool environments uv made directly in tool_dir (a generation, or tool_dir before generations)."""
    return children(tool_dir, lambda name, path: os.path.isfile(os.path.join(path, "uv-receipt.toml")))


def tool_generations(tool_dir):
    return children(tool_dir, lambda name, path: GENERATION_RE.match(name) and os.path.isdir(path))


def retirable(venv_path, tool_dir, tool_bin_dir, patch):
    """What a switch to patch leaves to retire: (paths to remove, links in tool_bin_dir into them)."""
    paths = []
    if venv_path:
        current = venv_generation(venv_path, patch)
        paths += [g for g in venv_generations(venv_path) if g != current]
        paths += compat_links(current)
        if os.path.lexists(venv_path + SWAP_SUFFIX):
            paths.append(venv_path + SWAP_SUFFIX)
    if tool_dir:
        current = tool_generation(tool_dir, patch)
        paths += [g for g in tool_generations(tool_dir) if g != current] + tool_environments(tool_dir)
    links = []
    if tool_bin_dir and tool_dir and paths:
        links = children(tool_bin_dir, lambda name, link: os.path.islink(link) and any(
            os.path.join(tool_bin_dir, os.readlink(link)).startswith(p.rstrip("/") + "/") for p in paths))
    return paths, links


def exchange(a, b):
    """Swap two paths in one step (renameat2 RENAME_EXCHANGE, Linux >= 3.15): how a real directory becomes a
    link without a moment where the path is missing."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError("renameat2 is not available")
    if renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def add_compat_links(new, old):
    """A process started from the old generation through the stable path keeps finding its packages under the
    stable path (sys.prefix is not resolved): lib/python3.OLD in the new generation points at the old one's
    until it is retired. Returns the links made."""
    made = []
    old_lib = os.path.join(old, "lib")
    new_lib = os.path.join(new, "lib")
    try:
        names = os.listdir(old_lib)
    except OSError:
        return made
    for name in sorted(names):
        link = os.path.join(new_lib, name)
        if name.startswith("python") and not os.path.lexists(link) and os.path.isdir(new_lib):
            os.symlink(os.path.join(old_lib, name), link)
            made.append(link)
    return made


def switch(path, target):
    """Point path at target in one rename. A real directory at path (a venv made before generations) is swapped
    out in one exchange and left at path + SWAP_SUFFIX. Returns the old place of what path showed before."""
    if os.path.isdir(path) and not os.path.islink(path):
        tmp = staged_link(path, link_target(path, target))
        old = path + SWAP_SUFFIX
        if os.path.lexists(old):
            remove(old)
        add_compat_links(target, old)
        try:
            exchange(tmp, path)
            os.rename(tmp, old)
        except OSError:
            # no renameat2 (old kernel or libc): a moment without path, but never a wrong one
            os.rename(path, old)
            os.rename(tmp, path)
        return old
    previous = os.path.realpath(path) if os.path.islink(path) else None
    if previous and previous != os.path.realpath(target):
        add_compat_links(target, previous)
    link_atomically(path, link_target(path, target))
    return previous


def remove(path):
    if os.path.islink(path) or not os.path.isdir(path):
        os.unlink(path)
    else:
        shutil.rmtree(path)


def retire(paths, links, grace):
    """Remove what retirable() found, after grace seconds for what runs from it to finish."""
    if paths and grace:
        time.sleep(grace)
    for link in links:
        if os.path.islink(link):
            os.unlink(link)
    # compat links and the tool bin links first, then the trees they point into
    for path in sorted(paths, key=lambda p: not os.path.islink(p)):
        if os.path.lexists(path):
            remove(path)


def describe_venv_path(venv_path):
    """One line for diffs: where the stable venv path points, or what it is."""
    if not venv_path:
        return ""
    if os.path.islink(venv_path):
        return "%s -> %s\n" % (venv_path, os.readlink(venv_path))
    return "%s (%s)\n" % (venv_path, "directory" if os.path.isdir(venv_path) else "missing")


def switch_generation(module, python, python_install_dir, venv_path, tool_dir, tool_bin_dir, grace, platform=None):
    """Point venv_path at the generation of the patch python is installed at (for platform, see installed_patch)
    and retire the others (check mode: say what would be done). The caller holds the host lock. Returns the result
    (changed, switched, venv_target, retired, diff)."""
    venv_path = venv_path.rstrip("/") if venv_path else None
    patch = installed_patch(python_install_dir, python, platform)
    if patch is None:
        if module.check_mode:
            return dict(changed=True, switched=True, venv_target=None, retired=[],
                        msg="CPython %s is not installed yet" % python)
        module.fail_json(msg="CPython %s is not installed in %s (option python)" % (python, python_install_dir))
    before = describe_venv_path(venv_path)
    switched, target = False, None
    if venv_path:
        target = venv_generation(venv_path, patch)
        if read_pyvenv_cfg(target) is None:
            module.fail_json(msg="%s is not a venv: build the generation first (labfleet.uv.uv_venv)" % target)
        if os.path.lexists(venv_path) and not os.path.islink(venv_path) and not (
                os.path.isdir(venv_path) and (read_pyvenv_cfg(venv_path) is not None or looks_like_venv(venv_path))):
            module.fail_json(msg="%s exists and is not a venv nor a link: refusing to replace it "
                                 "(option venv_path)" % venv_path)
        switched = not points_to(venv_path, target)
        if switched and not module.check_mode:
            switch(venv_path, target)
    paths, links = retirable(venv_path, tool_dir, tool_bin_dir, patch)
    if switched and module.check_mode and os.path.isdir(venv_path) and not os.path.islink(venv_path):
        paths.append(venv_path + " (the venv made before generations)")
    if (paths or links) and not module.check_mode:
        retire(paths, links, grace)
    retired = links + paths
    after = "%s -> %s\n" % (venv_path, os.path.basename(target)) if venv_path else ""
    return dict(changed=switched or bool(retired), switched=switched, venv_target=target, retired=retired,
                diff=dict(before=before + "".join("%s\n" % r for r in retired), after=after))
