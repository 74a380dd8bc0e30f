# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that write a value into the configuration files the shared_python role renders: a TOML basic string
(uv.toml) and a word of pip.conf, which has no quoting at all. The role's settings check refuses such values first
(filter shared_python_problems); these keep the writers safe on their own."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import control_character

# TOML basic strings: ", \ and the control characters (U+0000 to U+001F, U+007F) must be escaped
TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value):
    """value as a TOML basic string, every character that needs it escaped."""
    return '"%s"' % re.sub('["\\\\\x00-\x1f\x7f]',
                           lambda m: TOML_ESCAPES.get(m.group(), "\\u%04X" % ord(m.group())), str(value))


def ini_word(value):
    """value as one word of pip.conf (read by configparser: a value ends at the line, lists split at blanks);
    refused when it holds a blank or a control character, which no quoting can keep."""
    value = str(value)
    if re.search(r"\s", value) or control_character(value) or not value:
        raise AnsibleFilterError("ini_word: %r cannot be written into pip.conf (empty, or holds a blank or a control "
                                 "character)" % value)
    return value


class FilterModule(object):
    def filters(self):
        return dict(toml_string=toml_string, ini_word=ini_word)
