# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# CPython archives named as uv or python-build-standalone name them, and uv's python-downloads list of them: for
# the module uv_apply (the list it writes on the host) and the filters python_archive_info, python_downloads_json.

from __future__ import annotations

import re

# cpython-3.11.2-linux-x86_64-gnu.tar.gz (uv's own key) or
# cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz (python-build-standalone release)
UV_KEY_RE = re.compile(r"^cpython-(?P<version>\d+\.\d+\.\d+)(?P<pre>(?:a|b|rc)\d+)?-linux-(?P<family>[a-z0-9_]+)"
                       r"-(?P<libc>gnu|gnueabihf|musl)\.tar\.(?:gz|zst|xz)\Z")
PBS_RE = re.compile(r"^cpython-(?P<version>\d+\.\d+\.\d+)(?P<pre>(?:a|b|rc)\d+)?\+(?P<build>\d+)-(?P<arch>[a-z0-9_]+)"
                    r"-unknown-linux-(?P<libc>gnu|gnueabihf|musl)-install_only(?:_stripped)?\.tar\.(?:gz|zst)\Z")
PBS_FAMILY = {"armv7": "armv7", "aarch64": "aarch64", "x86_64": "x86_64"}


def archive_info(filename):
    """Parse a CPython archive name into the fields of a uv python-downloads JSON entry (ValueError if it is not
    one)."""
    name = str(filename).rsplit("/", 1)[-1]
    m = UV_KEY_RE.match(name)
    if m:
        family, libc, build = m.group("family"), m.group("libc"), None
    else:
        m = PBS_RE.match(name)
        if not m:
            raise ValueError(
                "%r is not a CPython archive name uv can describe: expected cpython-X.Y.Z-linux-ARCH-LIBC.tar.gz "
                "or python-build-standalone's cpython-X.Y.Z+BUILD-ARCH-unknown-linux-LIBC-install_only.tar.gz" % name)
        family, libc, build = PBS_FAMILY.get(m.group("arch"), m.group("arch")), m.group("libc"), m.group("build")
    major, minor, patch = (int(x) for x in m.group("version").split("."))
    return dict(name="cpython", major=major, minor=minor, patch=patch, series="%d.%d" % (major, minor),
                prerelease=m.group("pre") or "", family=family, libc=libc, build=build, filename=name,
                key="cpython-%s%s-linux-%s-%s" % (m.group("version"), m.group("pre") or "", family, libc))


def downloads_entries(archives, base_url):
    """uv's python-downloads JSON object for archives, (name or path, sha256) pairs, served under base_url."""
    entries = {}
    for name, sha256 in archives:
        info = archive_info(name)
        if not sha256 or len(sha256) != 64:
            raise ValueError("no sha256 for %s" % info["filename"])
        entries[info["key"]] = dict(
            name="cpython", arch=dict(family=info["family"], variant=None), os="linux", libc=info["libc"],
            major=info["major"], minor=info["minor"], patch=info["patch"], prerelease=info["prerelease"],
            url=base_url.rstrip("/") + "/" + info["filename"], sha256=sha256, variant=None)
        if info["build"]:
            entries[info["key"]]["build"] = info["build"]
    return entries
