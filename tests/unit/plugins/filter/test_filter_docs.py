"""The filter plugins: every public filter has its own ansible-doc page (ansible-doc -t filter reads it, the same
ansible-core as these tests; the page is the filter's own, not a sibling's from the same plugin file), and no filter
imports another."""
import glob
import importlib
import json
import os
import subprocess
import sys

import ansible_collections.labfleet.uv.plugins.filter as filter_package

FILTER_DIR = list(filter_package.__path__)[0]
# the directory holding ansible_collections/ (ansible-test's, or the unit tests' conftest's)
COLLECTIONS_ROOT = os.path.abspath(os.path.join(FILTER_DIR, *[os.pardir] * 5))


def public_filters():
    """name -> plugin file, from every FilterModule the collection ships."""
    found = {}
    for path in sorted(glob.glob(os.path.join(FILTER_DIR, "*.py"))):
        stem = os.path.basename(path)[:-3]
        module = importlib.import_module("ansible_collections.labfleet.uv.plugins.filter." + stem)
        if hasattr(module, "FilterModule"):
            found.update((name, stem) for name in module.FilterModule().filters())
    return found


def test_every_public_filter_has_its_own_page():
    filters = public_filters()
    assert len(filters) > 10, filters
    names = ["labfleet.uv." + name for name in sorted(filters)]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_NOCOLOR="1")
    doc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "-t", "filter", "--json"]
                         + names, env=env, capture_output=True, text=True, check=False)
    assert doc.returncode == 0, doc.stderr
    pages = json.loads(doc.stdout)
    wrong = []
    for fqcn in names:
        name = fqcn.rsplit(".", 1)[-1]
        page = (pages.get(fqcn) or {}).get("doc") or {}
        if page.get("name") != name or not page.get("short_description") or "_input" not in page.get("options", {}):
            wrong.append("%s (plugins/filter/%s.py): its page is %r" % (name, filters[name], page.get("name")))
        elif "labfleet.uv." + name not in (pages[fqcn].get("examples") or ""):
            wrong.append("%s: its examples do not use it" % name)
        elif not (pages[fqcn].get("return") or {}).get("_value"):
            wrong.append("%s: its page does not say what it returns (_value)" % name)
    assert wrong == []


def test_filters_share_code_through_plugin_utils_only():
    """A filter plugin imports no other filter plugin: what two filters share lives in plugins/plugin_utils/."""
    importing = []
    for path in sorted(glob.glob(os.path.join(FILTER_DIR, "*.py"))):
        with open(path) as f:
            if "labfleet.uv.plugins.filter" in f.read():
                importing.append(os.path.basename(path))
    assert importing == []
