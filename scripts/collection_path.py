"""Puts this checkout on sys.path as the collection labfleet.uv, for the Python scripts beside it: they import the
collection's own tables and helpers (module_utils that use only the standard library) instead of copying them.

`import collection_path` before importing from ansible_collections.labfleet.uv. The checkout is linked as
.cache/collections/ansible_collections/labfleet/uv, the link scripts/bootstrap-host makes (made here when a script
runs before it, as bootstrap-host's own `build-artifacts --nushell-only` does)."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_PLACE = os.path.join("ansible_collections", "labfleet", "uv")
if REPO.endswith(os.sep + IN_PLACE):  # an installed collection (or ansible-test's copy): already importable
    COLLECTIONS = REPO[:-len(os.sep + IN_PLACE)]
else:
    COLLECTIONS = os.path.join(REPO, ".cache", "collections")
LINK = os.path.join(COLLECTIONS, IN_PLACE)

if not os.path.exists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    try:
        os.symlink(os.path.join(os.pardir, os.pardir, os.pardir, os.pardir), LINK)
    except FileExistsError:  # a script running beside this one made it first
        pass
sys.path.insert(0, COLLECTIONS)
