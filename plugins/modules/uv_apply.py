#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: uv_apply
short_description: Make a host's shared uv setup what M(labfleet.uv.uv_state) compares it with, in one pass
version_added: 0.7.0
description:
  - Takes the options of M(labfleet.uv.uv_state) (the whole desired state of the host) and carries out, in one
    module run, every change M(labfleet.uv.uv_state) would list in its C(pending), in this order
    - directories; uv (from O(uv_archive)); the files marked O(files[].first) (uv's configuration, the
    requirements file); the CPythons; the shared venv's generation; the tools; the switch to the new generation
    and the retirement of the old ones; the superseded CPython patches (with O(python.upgrade)); then the other
    files, links and marked blocks (commands and PATH scripts, which name the venv once it is complete).
  - Each part uses the same plan as M(labfleet.uv.uv_state) and the per-part modules (M(labfleet.uv.uv_binary),
    M(labfleet.uv.uv_python), M(labfleet.uv.uv_venv), M(labfleet.uv.uv_tool), M(labfleet.uv.uv_generation)), and
    decides from the host as it is when its turn comes, so a run after this one changes nothing.
  - Whatever differs is put right, whoever changed it - a file edited or replaced by a link, a directory given
    another owner or mode, a uv that no longer runs, a venv whose files a user was given, a tool command deleted.
  - Commands in O(command_dir) that were not written by it (no O(marker) line, not uv's own C(--default) shim,
    not the wanted link) are refused before anything changes.
  - Holds the host lock (C(/run/labfleet-uv.lock)) for the whole run.
  - With O(state=absent), removes what the role added instead (see O(state)).
extends_documentation_fragment:
  - labfleet.uv.uv
  - labfleet.uv.host
attributes:
  check_mode:
    support: full
    description: Reports what M(labfleet.uv.uv_state) reports as pending, as the change it would make; with
      O(state=absent), exactly what a run would remove.
  diff_mode:
    support: full
    description: Shows each part's before and after, and the paths put right.
  idempotent:
    support: full
    description: A second run finds nothing pending and changes nothing.
options:
  state:
    description:
      - V(present) makes the host what the options describe.
      - V(absent) removes what they describe instead, and nothing else. The directories given an owner (the role's
        root and what is under it) go whole, and the shared venv with its generations where it lives outside them.
        Outside them only what is surely the role's - a regular file of root's with the O(marker) line (the
        O(files), and any in the other O(directories), which hold its commands), a link there into the role's tree,
        a link of O(links) pointing where it says, uv's own C(uv) and C(uvx) where O(uv_path) is outside the tree,
        the marked block of each of O(blocks) (the rest of the file kept), the directory of O(uv_config) once
        empty, and the host lock. Nothing is followed through a link; a directory of the system is never removed
        whole (refused before anything changes).
    type: str
    choices: [present, absent]
    default: present
    version_added: 0.7.0
  transfers:
    description:
      - Files on the controller the run needs on the host (uv's archive, CPython archives), each C({src, dest});
        a relative C(src) is looked up in C(files/) as M(ansible.builtin.copy) does.
        They are sent with the connection's file transfer before the module runs (no module run per file), and put
        at C(dest) (root, 0644, its directory made when missing) before anything else. Not sent in check mode.
    type: list
    elements: dict
    default: []
  host_state:
    description:
      - M(labfleet.uv.uv_state)'s result for this host. With O(sources), the action plugin works out from it which
        files the host needs from the controller and sends them like O(transfers) - uv's archive only when
        C(uv_pending) is not empty and uv comes from the controller, the CPython archives of the host's
        C(architecture) only when C(python_pending) is not empty (C(uv python install) runs) and they come from the
        controller - and sets O(uv_archive), O(uv_sha256) and O(python_downloads), which are then not given.
    type: dict
    version_added: 0.7.0
  sources:
    description:
      - Where the files come from, for O(host_state), named as the C(labfleet.uv.shared_python) role's settings
        without their C(shared_python_) prefix - C(uv_source), C(python_source), C(fetch_on_controller),
        C(controller_cache_dir), C(uv_version), C(uv_controller_file), C(uv_sha256), C(python_archives),
        C(download_dir) (on the host), and C(python_downloads_json) (the download list's path on the host) - and
        C(uv_fetched) (machine to C({filename, sha256})) and C(python_fetched) (C([{filename}])), what the role's
        fan-out put in the controller's cache, and C(uv_host_archive) and C(uv_host_sha256), uv's archive when the
        host downloaded it itself. Checked by the action plugin, which names a wrong key before anything is sent.
    type: dict
    version_added: 0.7.0
  staged:
    description:
      - Set by the action plugin from O(transfers) (where each file waits on the host); not for playbooks.
    type: list
    elements: dict
    default: []
    suboptions:
      src: {type: path, required: true, description: Where the file waits on the host.}
      dest: {type: path, required: true, description: Where it goes.}
  python_downloads:
    description:
      - uv's CPython download list to write before CPythons are installed (C(python-downloads-json-url) in
        uv's configuration), naming these archives on the host with the sha256 each has there and C(file://) URLs.
    type: dict
    suboptions:
      path: {type: path, required: true, description: The list (a JSON file) to write.}
      archives: {type: list, elements: path, required: true, description: "The archives, in the list's directory."}
  uv_archive:
    description:
      - The uv release tarball or wheel on the host, installed when uv is missing, another version, or broken.
      - Only needed then (M(labfleet.uv.uv_state)'s C(uv_pending) is not empty).
    type: path
  uv_sha256:
    description: The expected sha256 of O(uv_archive).
    type: str
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
# the desired state once, for both modules (as the shared_python role does)
- name: Shared uv
  module_defaults:
    group/labfleet.uv.host:
      uv_version: "0.13.9"
      python: {versions: ["3.13"], default: "3.13"}
      venv: {path: /opt/uv/venv, python: "3.13", packages: [requests]}
      files: [{path: /etc/profile.d/shared-uv.sh, content: "PATH=/opt/uv/venv/bin:$PATH\n"}]
  block:
    - name: Read what the host lacks
      labfleet.uv.uv_state: {}
      register: state

    - name: Make it so, in one pass, with uv's archive sent from the controller (files/ of the play or role)
      labfleet.uv.uv_apply:
        transfers: [{src: uv-x86_64-unknown-linux-gnu.tar.gz, dest: /opt/uv/downloads/uv.tar.gz}]
        uv_archive: /opt/uv/downloads/uv.tar.gz
      when: state.pending | length > 0

# or let the action plugin work out from the state pass what to send: uv's archive only when uv is pending, the
# CPython archives of the host's machine only when a CPython install runs (as the shared_python role does)
- name: Make it so, sending only what the host needs
  labfleet.uv.uv_apply:
    host_state: "{{ state }}"
    sources:
      uv_source: controller
      uv_controller_file: /srv/artifacts/uv-x86_64-unknown-linux-gnu.tar.gz
      python_source: controller
      python_archives: "{{ query('fileglob', '/srv/artifacts/cpython-*.tar.gz') }}"
      download_dir: /opt/uv/downloads
      python_downloads_json: /opt/uv/downloads/python/downloads.json
  when: state.pending | length > 0
"""

RETURN = r"""
pending:
  description: In check mode, what a run would change (as M(labfleet.uv.uv_state) reports it).
  returned: check mode
  type: list
  elements: str
done:
  description:
    - The directories, files, links, blocks and uv put right (one line each, as C(pending) named them), and the
      files transferred and the download list written.
  returned: success, not in check mode
  type: list
  elements: str
quarantined:
  description:
    - What the run moved into the root-only quarantine (C(/var/lib/labfleet-uv/quarantine/<run time>/<its path>),
      root's, 0700), as it was, never chowned into root's name - in the managed trees, what another account owns, what
      group or others may write (a venv, a tool environment or a CPython goes whole and is built again), a link where
      a directory of the role's belongs, and in the role's bin directories what the plan does not account for.
    - C(moved_to) is null where the quarantine is on another filesystem than the path (it was removed instead).
    - The lines of RV(done) name them too.
  returned: success, not in check mode
  type: list
  elements: dict
  sample: [{path: /opt/uv/tool-bin/sudo, moved_to: /var/lib/labfleet-uv/quarantine/20261203T171117Z/opt/uv/tool-bin/sudo}]
  version_added: 0.7.0
parts:
  description: The result of each part that ran (C(python), C(venv), C(tools), C(generation), C(python_cleanup)),
    as the module of that part returns it.
  returned: success, not in check mode
  type: dict
removed:
  description:
    - With O(state=absent), each thing the removal takes away (in check mode, would take away), in the order a run
      does it - C(kind) is C(file) (a file or a link), C(tree) (a directory removed whole), C(block) (the marked
      lines taken out of the file) or C(directory) (an empty one). C(pending) (check mode) or C(done) name them too.
  returned: state=absent
  type: list
  elements: dict
  sample: [{path: /etc/profile.d/labfleet-uv.sh, kind: file, why: "carries the role's marker"}]
  version_added: 0.7.0
transferred:
  description: How many files of O(transfers) were sent to the host (set by the action plugin).
  returned: always
  type: int
transfers:
  description:
    - The files sent from the controller (in check mode, those a run would send), O(transfers) and those worked out
      from O(host_state), each C({src, dest}) (set by the action plugin).
  returned: always
  type: list
  elements: dict
  version_added: 0.7.0
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import host_lock
from ansible_collections.labfleet.uv.plugins.module_utils._uv_binary import SHA256_RE
from ansible_collections.labfleet.uv.plugins.module_utils._host_plan import HOST_ARGS, HostPlan
from ansible_collections.labfleet.uv.plugins.module_utils._host_removal import remove


def main():
    argument_spec = dict(
        HOST_ARGS, uv_archive=dict(type="path"), uv_sha256=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        transfers=dict(type="list", elements="dict", default=[]),
        host_state=dict(type="dict"), sources=dict(type="dict"),
        staged=dict(type="list", elements="dict", default=[], options=dict(
            src=dict(type="path", required=True), dest=dict(type="path", required=True))),
        python_downloads=dict(type="dict", options=dict(
            path=dict(type="path", required=True), archives=dict(type="list", elements="path", required=True))))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_by=dict(tools=["tool_python"]))
    p = module.params
    if p["state"] == "absent":
        module.exit_json(**remove(module))
    missing = [f["path"] for f in p["files"] if f["content"] is None]
    if missing:
        module.fail_json(msg="files: %s need their content" % ", ".join(missing))
    if p["uv_sha256"] and not SHA256_RE.match(p["uv_sha256"]):
        module.fail_json(msg="uv_sha256 must be 64 hex digits, got %r" % p["uv_sha256"])
    if module.check_mode:
        pending = HostPlan(module).pending()["pending"]
        module.exit_json(changed=bool(pending), pending=pending,
                         diff=dict(prepared="".join("%s\n" % line for line in pending)))
    with host_lock(module):
        result = HostPlan(module).apply(p["uv_archive"], p["uv_sha256"], p["staged"], p["python_downloads"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
