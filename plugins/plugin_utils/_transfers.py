# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE plugin_util of the labfleet.uv collection: not a public API, it may change without notice.
"""What labfleet.uv.uv_apply sends from the controller, worked out from labfleet.uv.uv_state's result, and the
fan-out lists of a batch (what fetch_on_controller.yml downloads once for every host).

uv's archive goes to the host only when uv is pending and comes from the controller (the admin's file, or the one
fetched into the controller's cache); the CPython archives of the host's family only when a CPython install runs
(uv python install reads the download list even for an installed minor, to point the default shims) and they come
from the controller."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.labfleet.uv.plugins.module_utils._python_archives import archive_info
from ansible_collections.labfleet.uv.plugins.module_utils._userland import PYTHON_BUILDS

# where the files come from (the role's settings of the same names, without the shared_python_ prefix)
SOURCES_SPEC = dict(
    uv_source=dict(type="str", required=True, choices=["github", "pypi", "controller"]),
    python_source=dict(type="str", required=True, choices=["default", "mirror", "json_url", "controller"]),
    fetch_on_controller=dict(type="bool", default=False),
    controller_cache_dir=dict(type="str", default=""),
    uv_version=dict(type="str", default=""),
    uv_controller_file=dict(type="str", default=""),
    uv_sha256=dict(type="str", default=""),
    python_archives=dict(type="list", elements="str", default=[]),
    # what fetch_on_controller.yml put in the controller's cache: machine -> {filename, sha256}, and [{filename}]
    uv_fetched=dict(type="dict", default={}),
    python_fetched=dict(type="list", elements="dict", default=[]),
    download_dir=dict(type="str", required=True),
    python_downloads_json=dict(type="str", required=True),
    # uv's archive downloaded onto the host itself (uv_source github or pypi without the controller's fetch)
    uv_host_archive=dict(type="str"),
    uv_host_sha256=dict(type="str", default=""),
)


class TransferError(ValueError):
    """Bad sources or a state the transfers cannot be worked out from; the message names the option."""


def checked_sources(sources):
    """sources validated against SOURCES_SPEC, with the defaults filled in."""
    if not isinstance(sources, dict):
        raise TransferError("sources must be a dict, got %r" % (sources,))
    result = ArgumentSpecValidator(SOURCES_SPEC).validate(sources)
    if result.error_messages:
        raise TransferError("sources: " + "; ".join(result.error_messages))
    return result.validated_parameters


def join(directory, path):
    """path's file name in directory."""
    return str(directory).rstrip("/") + "/" + str(path).rsplit("/", 1)[-1]


def transfer_to(path, directory):
    """A file on the controller sent into directory on the host: {src, dest}."""
    return dict(src=path, dest=join(directory, path))


def machine_family(machine):
    """The CPython builds' arch family of a machine as uv_state reports it (uname -m of the userland)."""
    build = PYTHON_BUILDS.get(str(machine))
    if build is None:
        raise TransferError("host_state.architecture: no managed CPython is built for %r (labfleet.uv supports %s)"
                            % (machine, ", ".join(sorted(PYTHON_BUILDS))))
    return build[0]


def fetched_on_controller(source, fetch_on_controller):
    """Whether the controller downloads what comes from source for the hosts (shared_python_fetch_on_controller):
    not what is already the controller's own (source controller)."""
    return bool(fetch_on_controller) and source != "controller"


def from_controller(source, fetch_on_controller):
    """Whether the host gets a copy from the controller: the admin's files (source controller), or those the
    controller fetched."""
    return source == "controller" or fetched_on_controller(source, fetch_on_controller)


def controller_uv_dir(cache_dir, uv_version):
    """Where the fan-out keeps uv's archives in the controller's cache."""
    return "%s/uv/%s" % (str(cache_dir).rstrip("/"), uv_version)


def controller_python_dir(cache_dir):
    """Where the fan-out keeps the CPython archives in the controller's cache."""
    return str(cache_dir).rstrip("/") + "/python"


def uv_on_controller(sources, machine):
    """uv's archive on the controller for machine, {path, sha256}; None when the host downloads uv itself."""
    if fetched_on_controller(sources["uv_source"], sources["fetch_on_controller"]):
        asset = sources["uv_fetched"].get(machine)
        if not isinstance(asset, dict) or not asset.get("filename"):
            raise TransferError("sources.uv_fetched: no uv archive was fetched on the controller for %s" % machine)
        directory = controller_uv_dir(sources["controller_cache_dir"], sources["uv_version"])
        return dict(path=join(directory, asset["filename"]), sha256=asset.get("sha256") or "")
    if sources["uv_source"] == "controller":
        return dict(path=sources["uv_controller_file"], sha256=sources["uv_sha256"])
    return None


def python_on_controller(sources):
    """The CPython archives on the controller the host installs from; None when the host downloads them."""
    if fetched_on_controller(sources["python_source"], sources["fetch_on_controller"]):
        directory = controller_python_dir(sources["controller_cache_dir"])
        return [join(directory, fetched["filename"]) for fetched in sources["python_fetched"]]
    if sources["python_source"] == "controller":
        return list(sources["python_archives"])
    return None


def python_transfers(archives, family, directory):
    """The CPython archives of a machine family sent into directory on the host: [{src, dest}]."""
    try:
        return [transfer_to(a, directory) for a in archives if archive_info(a)["family"] == family]
    except ValueError as e:
        raise TransferError(str(e))


def uv_plan(sources, host_state):
    """uv's part of plan(): ([transfer], uv_archive, uv_sha256), nothing when uv is not pending."""
    if not host_state.get("uv_pending"):
        return [], None, None
    uv = uv_on_controller(sources, host_state.get("architecture"))
    if uv is None:
        return [], sources["uv_host_archive"], sources["uv_host_sha256"] or None
    dest = join(sources["download_dir"], uv["path"])
    return [dict(src=uv["path"], dest=dest)], dest, uv["sha256"] or None


def plan(sources, host_state):
    """What uv_apply needs from the controller, from uv_state's result (host_state) and checked_sources():
    {transfers: [{src, dest}], uv_archive, uv_sha256, python_downloads}, the last three None when not needed."""
    if not isinstance(host_state, dict) or "architecture" not in host_state:
        raise TransferError("host_state must be labfleet.uv.uv_state's result (with architecture, uv_pending and "
                            "python_pending), got %r" % (host_state,))
    transfers, uv_archive, uv_sha256 = uv_plan(sources, host_state)
    python_downloads = None
    archives = python_on_controller(sources)
    if archives is not None and host_state.get("python_pending"):
        downloads_json = sources["python_downloads_json"]
        python = python_transfers(archives, machine_family(host_state["architecture"]),
                                  downloads_json.rsplit("/", 1)[0])
        if python:
            transfers += python
            python_downloads = dict(path=downloads_json, archives=[t["dest"] for t in python])
    return dict(transfers=transfers, uv_archive=uv_archive, uv_sha256=uv_sha256, python_downloads=python_downloads)


def unique(values):
    """values, each once, in order."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def batch_lacking(states):
    """The fan-out lists of a batch from its hosts' uv_state results: {uv_machines} (the machines without the
    wanted uv), {python_minors, python_machines} (the CPython minors some host lacks, and those hosts' machines)."""
    states = [s for s in states if isinstance(s, dict)]
    lacking_python = [s for s in states if s.get("python_missing")]
    return dict(uv_machines=unique(s.get("architecture") for s in states if s.get("uv_pending")),
                python_minors=unique(v for s in lacking_python for v in s["python_missing"]),
                python_machines=unique(s.get("architecture") for s in lacking_python))
