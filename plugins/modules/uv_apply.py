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
extends_documentation_fragment:
  - labfleet.uv.uv
  - labfleet.uv.uv.host
attributes:
  check_mode:
    support: full
    description: Reports what M(labfleet.uv.uv_state) reports as pending, as the change it would make.
  diff_mode:
    support: full
    description: Shows each part's before and after, and the paths put right.
  idempotent:
    support: full
    description: A second run finds nothing pending and changes nothing.
options:
  transfers:
    description:
      - Files on the controller the run needs on the host (uv's archive, CPython archives), each C({src, dest});
        a relative C(src) is looked up in C(files/) as M(ansible.builtin.copy) does.
        They are sent with the connection's file transfer before the module runs (no module run per file), and put
        at C(dest) (root, 0644, its directory made when missing) before anything else. Not sent in check mode.
    type: list
    elements: dict
    default: []
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
  version_added: 0.8.0
parts:
  description: The result of each part that ran (C(python), C(venv), C(tools), C(generation), C(python_cleanup)),
    as the module of that part returns it.
  returned: success, not in check mode
  type: dict
transferred:
  description: How many files of O(transfers) were sent to the host (set by the action plugin).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._uv import host_lock
from ansible_collections.labfleet.uv.plugins.module_utils._uv_binary import SHA256_RE
from ansible_collections.labfleet.uv.plugins.module_utils._host_plan import HOST_ARGS, HostPlan


def main():
    argument_spec = dict(
        HOST_ARGS, uv_archive=dict(type="path"), uv_sha256=dict(type="str"),
        transfers=dict(type="list", elements="dict", default=[]),
        staged=dict(type="list", elements="dict", default=[], options=dict(
            src=dict(type="path", required=True), dest=dict(type="path", required=True))),
        python_downloads=dict(type="dict", options=dict(
            path=dict(type="path", required=True), archives=dict(type="list", elements="path", required=True))))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_by=dict(tools=["tool_python"]))
    p = module.params
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
