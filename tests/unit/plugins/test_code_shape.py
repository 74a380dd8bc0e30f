"""The code's shape, held: no function over 60 lines and no class over 200 lines anywhere in plugins/.

A function that grows past a screen or a class that does several jobs is split along its seams (docs/development.md
says where each piece of logic lives); this test names the offender and its length."""

from __future__ import annotations

import ast
import os

import pytest

PLUGINS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                       "plugins")
LIMITS = {ast.FunctionDef: 60, ast.AsyncFunctionDef: 60, ast.ClassDef: 200}


def python_files():
    for directory, dummy, names in sorted(os.walk(PLUGINS)):
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(directory, name)


def too_long(path):
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        limit = LIMITS.get(type(node))
        if limit is None:
            continue
        # a decorated definition starts at its first decorator
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        length = node.end_lineno - first + 1
        if length > limit:
            yield "%s:%d %s %s is %d lines (at most %d)" % (
                os.path.relpath(path, os.path.dirname(PLUGINS)), first, type(node).__name__, node.name, length, limit)


def test_plugins_are_found():
    files = list(python_files())
    assert any(f.endswith(os.path.join("module_utils", "_host_plan.py")) for f in files), files


@pytest.mark.parametrize("path", list(python_files()), ids=lambda p: os.path.relpath(p, PLUGINS))
def test_no_long_function_or_class(path):
    offenders = list(too_long(path))
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_a_long_function(tmp_path):
    long_one = tmp_path / "long.py"
    long_one.write_text("def f():\n" + "    x = 1\n" * 60)
    short_one = tmp_path / "short.py"
    short_one.write_text("def f():\n" + "    x = 1\n" * 59)
    assert [o.split(" ", 1)[1] for o in too_long(str(long_one))] == ["FunctionDef f is 61 lines (at most 60)"]
    assert list(too_long(str(short_one))) == []
