"""The options written in several places agree: each uv module's documentation (its own and its doc fragments')
documents exactly the options its argument spec has, recursively, with the same type, elements, required, default
and choices; and the role's meta/argument_specs.yml and defaults/main.yml agree (every default declared there is
the value defaults/main.yml gives, every variable of defaults/main.yml is declared).

The argument spec is the one the module really builds: main() runs until it constructs AnsibleModule."""

from __future__ import annotations

import importlib
import os

import jinja2
import pytest
import yaml
from ansible.module_utils import basic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLE = os.path.join(ROOT, "roles", "shared_python")
MODULES = ["uv_state", "uv_apply", "uv_venv", "uv_tool", "uv_python", "uv_generation", "uv_binary"]
COLLECTION = "ansible_collections.labfleet.uv.plugins"


class Built(Exception):
    """Raised in place of AnsibleModule.__init__, carrying the argument spec main() built."""


def argument_spec(name, monkeypatch):
    module = importlib.import_module("%s.modules.%s" % (COLLECTION, name))

    def capture(self, argument_spec, **kwargs):
        raise Built(argument_spec)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", capture)
    with pytest.raises(Built) as built:
        module.main()
    return built.value.args[0]


def fragment_options(reference):
    """The options of a doc fragment named as extends_documentation_fragment names it (labfleet.uv.NAME[.attr])."""
    parts = reference.split(".")
    assert parts[:2] == ["labfleet", "uv"], reference
    fragment = importlib.import_module("%s.doc_fragments.%s" % (COLLECTION, parts[2])).ModuleDocFragment
    text = getattr(fragment, parts[3].upper() if len(parts) > 3 else "DOCUMENTATION")
    return (yaml.safe_load(text) or {}).get("options") or {}


def documented_options(name):
    """The module's options as ansible-doc shows them: its doc fragments' options, then its own."""
    module = importlib.import_module("%s.modules.%s" % (COLLECTION, name))
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = {}
    for reference in doc.get("extends_documentation_fragment") or []:
        options.update(fragment_options(reference))
    options.update(doc.get("options") or {})
    return options


def differences(spec, docs, where=""):
    """What differs between an argument spec and the documentation of those options, one line each."""
    found = ["%s%s: in the argument spec, not documented" % (where, k) for k in sorted(set(spec) - set(docs))]
    found += ["%s%s: documented, not in the argument spec" % (where, k) for k in sorted(set(docs) - set(spec))]
    for key in sorted(set(spec) & set(docs)):
        s, d = spec[key], docs[key]
        for field, absent in (("type", "str"), ("elements", None), ("required", False), ("default", None),
                              ("choices", None)):
            if s.get(field, absent) != d.get(field, absent):
                found.append("%s%s: %s %r in the argument spec, %r documented" % (
                    where, key, field, s.get(field, absent), d.get(field, absent)))
        if s.get("options") or d.get("suboptions"):
            found += differences(s.get("options") or {}, d.get("suboptions") or {}, "%s%s." % (where, key))
    return found


@pytest.mark.parametrize("name", MODULES)
def test_the_documentation_has_exactly_the_options_of_the_argument_spec(name, monkeypatch):
    assert differences(argument_spec(name, monkeypatch), documented_options(name)) == []


def test_a_difference_is_found_in_a_suboption():
    spec = dict(tools=dict(type="list", elements="dict", options=dict(name=dict(type="str", required=True))))
    docs = dict(tools=dict(type="list", elements="dict", suboptions=dict(
        name=dict(type="str"), stat=dict(type="str"))))
    assert differences(spec, docs) == ["tools.stat: documented, not in the argument spec",
                                       "tools.name: required True in the argument spec, False documented"]


def load(*path):
    with open(os.path.join(ROLE, *path)) as f:
        return yaml.safe_load(f)


def rendered(defaults):
    """defaults/main.yml's values, a reference to another default ({{ shared_python_root }}/tools) filled in as the
    role's defaults alone make it."""
    values = dict(defaults)
    for dummy in range(5):
        values = dict((k, render(v, values)) for k, v in values.items())
    return values


def render(value, values):
    """value with the other defaults it names filled in; as it is where it calls anything else (a lookup)."""
    if not isinstance(value, str) or "{{" not in value:
        return value
    try:
        return jinja2.Template(value, undefined=jinja2.StrictUndefined).render(**values)
    except jinja2.exceptions.UndefinedError:
        return value


def test_the_roles_argument_specs_and_defaults_agree():
    declared = load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    defaults = rendered(load("defaults", "main.yml"))
    assert sorted(set(defaults) - set(declared)) == [], "in defaults/main.yml, not in meta/argument_specs.yml"
    differ = ["%s: %r declared, %r in defaults/main.yml" % (k, declared[k]["default"], defaults.get(k))
              for k in sorted(declared)
              if "default" in declared[k] and render(declared[k]["default"], defaults) != defaults.get(k)]
    assert differ == []
    # a default declared as null that defaults/main.yml lacks (.get gives None above)
    assert all(k in defaults for k in declared if "default" in declared[k])
