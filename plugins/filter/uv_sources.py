# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that pick uv and CPython artifacts for a target machine (documented in the role's docs)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six.moves.urllib.parse import unquote, urljoin
from ansible_collections.labfleet.uv.plugins.module_utils._python_archives import archive_info, downloads_entries
from ansible_collections.labfleet.uv.plugins.module_utils._userland import PYTHON_BUILDS

# the userland's machine (uv_state's architecture) -> how uv's release tarballs and PyPI wheels name it; the CPython
# builds' arch family and libc come from _userland.PYTHON_BUILDS
UV_BUILDS = {
    "x86_64": dict(triple="x86_64-unknown-linux-gnu", wheel_tag="manylinux_2_17_x86_64.manylinux2014_x86_64"),
    # the musl-static aarch64 wheel has no glibc coupling; the release tarball is the gnu build
    "aarch64": dict(triple="aarch64-unknown-linux-gnu",
                    wheel_tag="manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64"),
    # 32-bit Raspberry Pi OS
    "armv7l": dict(triple="armv7-unknown-linux-gnueabihf", wheel_tag="manylinux_2_17_armv7l.manylinux2014_armv7l"),
}
PLATFORMS = dict((machine, dict(build, family=PYTHON_BUILDS[machine][0], libc=PYTHON_BUILDS[machine][1]))
                 for machine, build in UV_BUILDS.items())
ALIASES = {"amd64": "x86_64", "arm64": "aarch64", "armhf": "armv7l", "armv7": "armv7l"}
# userlands uv_state can report that no managed CPython is built for: why, and what to do instead
UNSUPPORTED = {
    "armv6l": "an ARMv6 CPU (Raspberry Pi Zero, Zero W, Pi 1): uv publishes an armv6 build, but no managed CPython "
              "exists for ARMv6 (python-build-standalone builds armv7 and up), so there is nothing to make the "
              "shared Python of; keep the distribution's python3 there, or use a Pi Zero 2 W, Pi 3 or newer",
    "armel": "a 32-bit ARM soft-float (armel) userland: uv and managed CPython are built for hard-float (armhf) only",
    "i686": "a 32-bit x86 userland: managed CPython for it exists, but labfleet.uv does not test or support it",
}

# what python-install-mirror replaces in the archive urls (uv's list has used each)
UPSTREAM_PBS_PREFIXES = (
    "https://github.com/astral-sh/python-build-standalone/releases/download",
    "https://github.com/indygreg/python-build-standalone/releases/download",
    "https://releases.astral.sh/github/python-build-standalone/releases/download",
)


def uv_platform(machine):
    """The uv/CPython names for a `uname -m` value; fails clearly for an unsupported one."""
    key = ALIASES.get(str(machine), str(machine))
    if key in UNSUPPORTED:
        raise AnsibleFilterError("unsupported architecture %s, %s. Nothing was changed." % (key, UNSUPPORTED[key]))
    if key not in PLATFORMS:
        raise AnsibleFilterError("unsupported architecture %r: labfleet.uv supports %s"
                                 % (machine, ", ".join(sorted(PLATFORMS))))
    return dict(PLATFORMS[key], machine=key)


def python_archive_info(filename):
    """Parse a CPython archive name into the fields of a uv python-downloads JSON entry."""
    try:
        return archive_info(filename)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


def python_downloads_json(archives, base_url):
    """A uv python-downloads JSON object for archives (dicts with filename or path, and sha256 or checksum, as a
    stat result made with checksum_algorithm=sha256 has them) served under base_url."""
    try:
        return downloads_entries([(a.get("filename") or a["path"], a.get("sha256") or a.get("checksum"))
                                  for a in archives], base_url)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


def pypi_uv_wheel(index_json, version, machine, json_url):
    """The uv wheel for machine from the PyPI JSON API answer: {filename, url, sha256}.

    Relative file URLs (some registry front-ends serve them) are resolved against json_url.
    """
    tag = uv_platform(machine)["wheel_tag"]
    files = (index_json.get("releases") or {}).get(version)
    if files is None and (index_json.get("info") or {}).get("version") == version:
        files = index_json.get("urls")
    if not files:
        raise AnsibleFilterError("uv %s is not listed at %s" % (version, json_url))
    wanted = "uv-%s-py3-none-%s.whl" % (version, tag)
    for entry in files:
        if entry.get("filename") == wanted:
            return dict(filename=wanted, url=urljoin(json_url, entry["url"]), sha256=entry["digests"]["sha256"])
    raise AnsibleFilterError("no wheel %s for uv %s at %s" % (wanted, version, json_url))


def uv_asset(machine, source, version, github_base_url="", index_json=None, index_url="", sha256=""):
    """The uv archive for machine from source github or pypi: {filename, url, sha256, checksum}.

    checksum is get_url's: the given sha256, else the index's (pypi), else the release's .sha256 file (github).
    """
    if source == "github":
        url = "%s/%s/uv-%s.tar.gz" % (str(github_base_url).rstrip("/"), version, uv_platform(machine)["triple"])
        return dict(filename=url.rsplit("/", 1)[-1], url=url, sha256=sha256 or "",
                    checksum="sha256:" + (sha256 or url + ".sha256"))
    if source == "pypi":
        wheel = pypi_uv_wheel(index_json or {}, version, machine, index_url)
        sha256 = sha256 or wheel["sha256"]
        return dict(wheel, sha256=sha256, checksum="sha256:" + sha256)
    raise AnsibleFilterError("uv_asset: source must be github or pypi, not %r" % (source,))


def python_fetch_list(downloads, versions, machines, mirror=""):
    """The newest CPython archive of each minor for each machine in a uv python-downloads JSON object.

    downloads: uv's own download-metadata.json or any file of that format (url and sha256 for every entry).
    mirror: a python-build-standalone mirror replacing the upstream release prefix in the urls.
    Returns [{filename, url, sha256, family, series}]; fails naming what is missing.
    """
    wanted = [(v, uv_platform(m)) for v in versions for m in sorted(set(machines))]
    picked = []
    for series, platform in wanted:
        best = None
        for entry in (downloads or {}).values():
            if not isinstance(entry, dict):
                continue
            arch = entry.get("arch")
            family = arch.get("family") if isinstance(arch, dict) else arch
            variant = arch.get("variant") if isinstance(arch, dict) else None
            if (entry.get("name") != "cpython" or entry.get("os") != "linux" or family != platform["family"]
                    or entry.get("libc") != platform["libc"] or variant or entry.get("variant") not in (None, "")
                    or entry.get("prerelease") or "%s.%s" % (entry.get("major"), entry.get("minor")) != series):
                continue
            if best is None or int(entry.get("patch", 0)) > int(best.get("patch", 0)):
                best = entry
        if best is None or len(best.get("sha256") or "") != 64:
            raise AnsibleFilterError("the CPython download list has no %s for %s-%s with a sha256"
                                     % (series, platform["family"], platform["libc"]))
        url = best["url"]
        for prefix in UPSTREAM_PBS_PREFIXES:
            if mirror and url.startswith(prefix):
                url = mirror.rstrip("/") + url[len(prefix):]
        picked.append(dict(filename=unquote(url.rsplit("/", 1)[-1]), url=url, sha256=best["sha256"],
                           family=platform["family"], series=series))
    return picked


def transfer_to(path, directory):
    """A file on the controller sent into directory on the host (labfleet.uv.uv_apply's transfers): {src, dest}."""
    return dict(src=path, dest=directory.rstrip("/") + "/" + str(path).rsplit("/", 1)[-1])


def python_archive_versions(archives):
    """The CPython versions (X.Y.Z, with a pre-release suffix) that archives offer, each once, in order."""
    versions = []
    for archive in archives:
        info = python_archive_info(archive)
        version = "%d.%d.%d%s" % (info["major"], info["minor"], info["patch"], info["prerelease"])
        if version not in versions:
            versions.append(version)
    return versions


def python_transfers(archives, family, directory):
    """The CPython archives of a machine family sent into directory on the host: [{src, dest}]."""
    return [transfer_to(a, directory) for a in archives if python_archive_info(a)["family"] == family]


class FilterModule(object):
    def filters(self):
        return dict(uv_platform=uv_platform, python_archive_info=python_archive_info,
                    python_downloads_json=python_downloads_json, pypi_uv_wheel=pypi_uv_wheel,
                    uv_asset=uv_asset, python_fetch_list=python_fetch_list, transfer_to=transfer_to,
                    python_archive_versions=python_archive_versions, python_transfers=python_transfers)
