"""Make the collection importable as ansible_collections.labfleet.uv from a plain checkout."""
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_root():
    if REPO.endswith(os.path.join("ansible_collections", "labfleet", "uv")):
        return os.path.dirname(os.path.dirname(os.path.dirname(REPO)))  # already in place (ansible-test)
    root = tempfile.mkdtemp(prefix="labfleet-uv-unit-")
    os.makedirs(os.path.join(root, "ansible_collections", "labfleet"))
    os.symlink(REPO, os.path.join(root, "ansible_collections", "labfleet", "uv"))
    return root


sys.path.insert(0, _collection_root())
