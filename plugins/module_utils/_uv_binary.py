# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Installing uv and uvx from a release tarball or a PyPI wheel, for the modules uv_binary and uv_apply.

from __future__ import annotations

import os
import re
import tarfile
import tempfile
import zipfile

from ansible_collections.labfleet.uv.plugins.module_utils._checksums import sha256_file
from ansible_collections.labfleet.uv.plugins.module_utils._uv import run_uv_version, staged_leftovers

EXECUTABLES = ("uv", "uvx")
# what jemalloc prints before uv aborts on a kernel whose pages are larger than it was built for
JEMALLOC_PAGE_SIZE = "Unsupported system page size"
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}\Z")


def page_size():
    return os.sysconf("SC_PAGE_SIZE")


def archive_members(src):
    """Map 'uv'/'uvx' -> that executable's bytes, read from a release tarball or a wheel."""
    found = {}
    if zipfile.is_zipfile(src):
        with zipfile.ZipFile(src) as zf:
            for name in zf.namelist():
                parts = name.split("/")
                # uv-0.13.9.data/scripts/uv
                if len(parts) == 3 and parts[0].endswith(".data") and parts[1] == "scripts" and parts[2] in EXECUTABLES:
                    found[parts[2]] = zf.read(name)
        return found
    with tarfile.open(src) as tf:
        for member in tf.getmembers():
            base = os.path.basename(member.name)
            # uv-x86_64-unknown-linux-gnu/uv
            if member.isfile() and base in EXECUTABLES and member.name.count("/") <= 1:
                found[base] = tf.extractfile(member).read()
    return found


def install(module, src, bin_dir, version, sha256):
    if not src or not os.path.isfile(src):
        module.fail_json(msg="uv %s must be installed but src %r is not a file on the target" % (version, src))
    if sha256:
        actual = sha256_file(src)
        if actual.lower() != sha256.lower():
            module.fail_json(msg="sha256 of %s is %s, expected %s: refusing to install it" % (src, actual, sha256))
    try:
        members = archive_members(src)
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as e:
        module.fail_json(msg="cannot read %s as a uv release tarball or wheel: %s" % (src, e))
    missing = [name for name in EXECUTABLES if name not in members]
    if missing:
        module.fail_json(msg="%s holds no %s: not a uv release tarball or wheel" % (src, " or ".join(missing)))
    if not os.path.isdir(bin_dir):
        os.makedirs(bin_dir, 0o755)
    for path in staged_leftovers(bin_dir):  # left by an interrupted install
        os.unlink(path)
    staged = {}
    try:
        for name in EXECUTABLES:
            fd, tmp = tempfile.mkstemp(prefix=".%s." % name, dir=bin_dir)
            with os.fdopen(fd, "wb") as f:
                f.write(members[name])
            os.chmod(tmp, 0o755)
            staged[name] = tmp
        got, rc, out, err = run_uv_version(module, staged["uv"])
        if rc is None:  # not run: someone other than root could change it (run_uv_version)
            module.fail_json(msg="the uv %s executable from %s was staged in %s but not run, so nothing was "
                                 "replaced: %s. Make %s and the directories above it root's, writable by root only."
                                 % (version, src, bin_dir, err, bin_dir))
        if rc != 0 and JEMALLOC_PAGE_SIZE in (err or "") + (out or ""):
            pages = page_size()
            module.fail_json(
                msg="the uv %s executable from %s aborts on this machine: its allocator (jemalloc) was built for "
                    "smaller memory pages than this kernel's %d-byte pages (astral-sh/uv#10942, #15401). "
                    "Nothing was replaced. Pick a uv build made for large pages (options version and src; in the "
                    "shared_python role shared_python_uv_version and shared_python_uv_source), or on a "
                    "Raspberry Pi 5 boot the 4K-page kernel "
                    "(kernel=kernel8.img in config.txt)." % (version, src, pages),
                rc=rc, stderr=err, page_size=pages)
        if got != version:
            module.fail_json(msg="%s holds uv %s, not the requested version %s" % (src, got, version))
        for name, tmp in staged.items():
            os.rename(tmp, os.path.join(bin_dir, name))
        staged = {}
    finally:
        for tmp in staged.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
