# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE module_util of the labfleet.uv collection: not a public API, it may change without notice.
# The sha256 of a file, read in blocks: for the modules and for the scripts (scripts/build-artifacts,
# scripts/upstream-server), which import it. Standard library only.

from __future__ import annotations

import hashlib


def sha256_file(path):
    """The hex sha256 of the file at path."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
