# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that pick uv and CPython artifacts for a target machine (documented in the role's docs)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six.moves.urllib.parse import unquote, urljoin
from ansible_collections.labfleet.uv.plugins.module_utils._python_archives import archive_info
from ansible_collections.labfleet.uv.plugins.module_utils._userland import MACHINES
from ansible_collections.labfleet.uv.plugins.plugin_utils import _transfers

# the userland's machine (uv_state's architecture) -> how uv and the CPython builds name it: _userland.MACHINES;
# also Debian's names of them, and armv7
ALIASES = dict([(build["debian"], machine) for machine, build in MACHINES.items()] + [("armv7", "armv7l")])
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
    if key not in MACHINES:
        raise AnsibleFilterError("unsupported architecture %r: labfleet.uv supports %s"
                                 % (machine, ", ".join(sorted(MACHINES))))
    return dict(MACHINES[key], machine=key)


def python_archive_info(filename):
    """Parse a CPython archive name into the fields of a uv python-downloads JSON entry."""
    try:
        return archive_info(filename)
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


def python_archive_versions(archives):
    """The CPython versions (X.Y.Z, with a pre-release suffix) that archives offer, each once, in order."""
    versions = []
    for archive in archives:
        info = python_archive_info(archive)
        version = "%d.%d.%d%s" % (info["major"], info["minor"], info["patch"], info["prerelease"])
        if version not in versions:
            versions.append(version)
    return versions


def uv_assets(machines, source, version, github_base_url="", index_json=None, index_url="", sha256=""):
    """uv_asset() for each of machines (the fan-out's), as {machine: asset}."""
    return dict((machine, uv_asset(machine, source, version, github_base_url, index_json, index_url, sha256))
                for machine in machines)


def batch_lacking(hostvars, hosts, state_var):
    """The fan-out lists of a batch (hosts, as ansible_play_batch names them) from each host's uv_state result (the
    variable state_var in hostvars): {uv_machines, python_minors, python_machines}, each value once."""
    return _transfers.batch_lacking([hostvars[host].get(state_var) for host in hosts])


class FilterModule(object):
    def filters(self):
        return dict(uv_platform=uv_platform, python_archive_info=python_archive_info, uv_asset=uv_asset,
                    python_fetch_list=python_fetch_list, python_archive_versions=python_archive_versions,
                    uv_assets=uv_assets, batch_lacking=batch_lacking)
