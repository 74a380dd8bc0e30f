# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE plugin_util of the labfleet.uv collection: not a public API, it may change without notice.
"""The values the shared_python role works out from its settings (the filter labfleet.uv.shared_python_values),
so that the role's vars/main.yml only names them."""

from __future__ import annotations

import functools

from ansible_collections.labfleet.uv.plugins.plugin_utils._transfers import (
    controller_python_dir, controller_uv_dir, fetched_on_controller, from_controller,
)

UV_DOWNLOAD_METADATA = "https://raw.githubusercontent.com/astral-sh/uv/%s/crates/uv-python/download-metadata.json"


def setting(settings, name):
    """The setting name (shared_python_<name>); a clear error naming it when it is missing."""
    try:
        return settings[name]
    except KeyError:
        raise ValueError("shared_python_values: the setting %s (shared_python_%s) is not given" % (name, name))


def source_values(settings):
    """Where uv and the CPython archives come from, and where the controller reads their lists."""
    s = functools.partial(setting, settings)
    python_source = s("python_source")
    return dict(
        # uv and the CPython archives downloaded on the controller (fan-out) rather than on the host
        controller_fetch_uv=fetched_on_controller(s("uv_source"), s("fetch_on_controller")),
        controller_fetch_python=fetched_on_controller(python_source, s("fetch_on_controller")),
        # uv's archive copied from the controller (the admin's, or the one fetched there): the host downloads none
        uv_from_controller=from_controller(s("uv_source"), s("fetch_on_controller")),
        # uv's own CPython download list for that uv version, unless the admin names one (json_url)
        python_metadata_url=(s("python_downloads_json_url") if python_source == "json_url"
                             else UV_DOWNLOAD_METADATA % s("uv_version")),
        python_install_mirror=s("python_install_mirror") if python_source == "mirror" else "",
        # where the fan-out keeps what it fetched in the controller's cache
        controller_uv_dir=controller_uv_dir(s("controller_cache_dir"), s("uv_version")),
        controller_python_dir=controller_python_dir(s("controller_cache_dir")),
        uv_index_json_url=str(s("uv_pypi_url")).rstrip("/") + "/pypi/uv/json",
        # the CPython patch versions the admin's archives offer: uv's list on the host names them only once a run
        # has written it, so the state check is told (shared_python_python_upgrade)
        offered_archives=list(s("python_archives")) if python_source == "controller" and s("python_upgrade") else [],
    )


def host_values(settings):
    """What the host's state is compared with, beyond the settings themselves."""
    s = functools.partial(setting, settings)
    venv = bool(s("venv_enabled"))
    venv_bin = str(s("venv_path")) + "/bin"
    requirements_dest = str(s("root")).rstrip("/") + "/requirements.txt"
    return dict(
        # the host installs CPython from archives copied from the controller (the admin's, or those fetched there)
        python_source_on_host=("controller" if from_controller(s("python_source"), s("fetch_on_controller"))
                               else s("python_source")),
        # the words the verdict resolves: pip only where the venv has one (seeded)
        verdict_commands=(["python", "python3", "python" + str(s("default_version"))]
                          + (["pip"] if venv and s("venv_seed") else []) + ["uv", "uvx"]),
        # what the python launchers run: the shared venv, else uv's --default shims
        launcher_target_dir=venv_bin if venv else s("python_bin_dir"),
        # the directories put first on PATH by every shell's startup file, in this order (the last one ends up
        # first): the shared venv wins, then global tools, uv's python shims, uv itself
        path_prepend=[s("uv_bin_dir"), s("python_bin_dir"), s("tool_bin_dir")] + ([venv_bin] if venv else []),
        # the venvs whose generations may pin an old CPython patch (labfleet.uv.uv_python option venvs)
        pinning_venvs=[s("venv_path")] if venv else [],
        generations_venv_path=s("venv_path") if venv else None,
        # the admin's requirements file on the host, and its place when the venv installs from one
        requirements_dest=requirements_dest,
        requirements_path=requirements_dest if s("venv_requirements_file") else None,
    )


# the values of each part, from the settings vars/main.yml gives it (each part templates only what it needs)
PARTS = dict(host=host_values, sources=source_values)


def role_values(settings, part):
    """PARTS[part] of the role's settings (by their names without shared_python_)."""
    if part not in PARTS:
        raise ValueError("shared_python_values: the part is one of %s, not %r" % (", ".join(sorted(PARTS)), part))
    if not isinstance(settings, dict):
        raise ValueError("shared_python_values takes the role's settings as a dict, got %r" % (settings,))
    return PARTS[part](settings)


def part_options(settings, spec, prefix, given):
    """A host part's options (its argument spec's names) from the role's settings: each option from the setting
    prefix + name (shared_python_venv_seed for the venv's seed) unless given (what the role works out itself, such
    as the venv's files). A new option of the part needs only its setting, declared in the role's argument spec."""
    if not isinstance(settings, dict):
        raise ValueError("shared_python_part_options takes the role's settings as a dict, got %r" % (settings,))
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise ValueError("shared_python_part_options: %s not among the part's options (%s)"
                         % (", ".join(unknown), ", ".join(sorted(spec))))
    options = {}
    for name in spec:
        if name in given:
            options[name] = given[name]
        elif prefix + name in settings:
            options[name] = settings[prefix + name]
    return options
