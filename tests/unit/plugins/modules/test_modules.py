"""Module unit tests driven by the YAML cases beside this file (see harness.py): test_MODULE.yaml for each module."""
import pytest

from ansible_collections.labfleet.uv.plugins.modules import uv_apply, uv_python, uv_state, uv_tool, uv_venv

from .harness import load_cases, run_case

MODULES = dict(uv_python=uv_python, uv_venv=uv_venv, uv_tool=uv_tool, uv_state=uv_state, uv_apply=uv_apply)
CASES = [pytest.param(name, case.values[0], id="%s-%s" % (name, case.id))
         for name in MODULES for case in load_cases("test_%s.yaml" % name)]


@pytest.mark.parametrize("name, case", CASES)
def test_module_case(name, case, tmp_path, capsys, monkeypatch):
    run_case(MODULES[name], case, tmp_path, capsys, monkeypatch)
