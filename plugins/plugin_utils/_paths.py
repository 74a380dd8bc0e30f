# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE plugin_util of the labfleet.uv collection: not a public API, it may change without notice.
"""Paths compared as the role lays them out, on the controller (filters host_layout and shared_python_problems)."""

from __future__ import annotations

import posixpath


def norm(path):
    """path without `.`, `..`, doubled and trailing slashes (POSIX normpath keeps a leading `//`: not here)."""
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


def inside(inner, outer):
    """inner is outer or lies inside it."""
    return (norm(inner) + "/").startswith(norm(outer).rstrip("/") + "/")
