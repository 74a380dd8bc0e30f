# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# Reading what a command prints, whole.
#
# AnsibleModule.run_command waits for output a second at a time and stops once the command has exited after a
# wait that saw nothing: what the command printed between that wait and its exit is never read
# (ansible/ansible#51393, still so in ansible-core 2.21). Commands that print everything at the end after a
# silent second (uv's listings, a probe of a slow login) lose their output that way on a loaded host: seen in
# this project's suite on a busy machine, a path probe came back without its end, rc 0. The modules read such
# commands through read_command, which runs a command again once when what came back is not whole. Only for
# commands that change nothing: reading them twice is harmless.

from __future__ import annotations

import json


def read_command(module, argv, whole, **kwargs):
    """module.run_command(argv, **kwargs), and once more when whole(rc, out, err) is false.
    Returns (rc, out, err, runs)."""
    rc, out, err = module.run_command(argv, **kwargs)
    if whole(rc, out, err):
        return rc, out, err, 1
    rc, out, err = module.run_command(argv, **kwargs)
    return rc, out, err, 2


def printed(rc, out, err):
    """For a command that always prints something when it succeeds."""
    return rc != 0 or bool(out.strip() or err.strip())


def json_printed(rc, out, err):
    """For a command that prints one JSON document when it succeeds."""
    if rc != 0:
        return True
    try:
        json.loads(out)
    except ValueError:
        return False
    return True
