"""plugin_utils._tool_checks: the controller-side check of shared_python_tools, with uv_tool's own rules."""
from ansible_collections.labfleet.uv.plugins.plugin_utils._tool_checks import tool_problems


def test_good_tools_have_no_problems():
    assert tool_problems([{"name": "pre-commit", "version": "4.3.0"}, {"name": "black[d]", "version": ">=24, <26"},
                          {"name": "ruff", "state": "latest"}, {"name": "x", "version": 4.3}]) == []


def test_each_problem_names_the_entry():
    problems = tool_problems([{"name": "ok"}, {"name": "pre commit!"}, {"name": "ruff", "version": "latest"},
                              {"name": "uv", "state": "newest"}, "ruff", {"name": "b", "pinned": True}])
    assert problems == [
        "shared_python_tools[1]: 'pre commit!' is not a package name (optionally with [extras])",
        "shared_python_tools[2]: version 'latest' of ruff is not a version specifier such as ==4.3.0 or >=4,<5",
        "shared_python_tools[3]: state 'newest' of uv is not one of present, latest, absent",
        "shared_python_tools[4]: 'ruff' is not {name, version, state}",
        "shared_python_tools[5]: unknown key(s) pinned (name, version and state are known)",
    ]


def test_not_a_list():
    assert tool_problems("ruff") == ["shared_python_tools must be a list of {name, version, state}, not 'ruff'"]
