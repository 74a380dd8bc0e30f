"""Module unit tests driven by the YAML cases beside this file (see harness.py)."""
import pytest

from ansible_collections.labfleet.uv.plugins.modules import uv_apply, uv_python, uv_state, uv_tool, uv_venv

from .harness import load_cases, run_case


@pytest.mark.parametrize("case", load_cases("test_uv_python.yaml"))
def test_uv_python(case, tmp_path, capsys, monkeypatch):
    run_case(uv_python, case, tmp_path, capsys, monkeypatch)


@pytest.mark.parametrize("case", load_cases("test_uv_venv.yaml"))
def test_uv_venv(case, tmp_path, capsys, monkeypatch):
    run_case(uv_venv, case, tmp_path, capsys, monkeypatch)


@pytest.mark.parametrize("case", load_cases("test_uv_tool.yaml"))
def test_uv_tool(case, tmp_path, capsys, monkeypatch):
    run_case(uv_tool, case, tmp_path, capsys, monkeypatch)


@pytest.mark.parametrize("case", load_cases("test_uv_state.yaml"))
def test_uv_state(case, tmp_path, capsys, monkeypatch):
    run_case(uv_state, case, tmp_path, capsys, monkeypatch)


@pytest.mark.parametrize("case", load_cases("test_uv_apply.yaml"))
def test_uv_apply(case, tmp_path, capsys, monkeypatch):
    run_case(uv_apply, case, tmp_path, capsys, monkeypatch)
