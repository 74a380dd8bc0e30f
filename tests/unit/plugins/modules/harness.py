"""Data-driven module tests: each case gives the module's input, the files on the target before the run,
the exact sequence of commands the module runs (argv, rc, stdout, stderr, and files a command creates),
and the expected result. The only mock is AnsibleModule.run_command.

Placeholders in cases: {root} is the case's temporary directory; {uv} is {root}/bin/uv.
"""
import json
import os

import pytest
import yaml
from ansible.module_utils import basic
from .module_args import patch_module_args

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases(name):
    with open(os.path.join(HERE, name)) as f:
        cases = yaml.safe_load(f)
    return [pytest.param(c, id=c["id"]) for c in cases]


def subst(value, root):
    if isinstance(value, str):
        return value.replace("{uv}", os.path.join(root, "bin", "uv")).replace("{root}", root)
    if isinstance(value, list):
        return [subst(v, root) for v in value]
    if isinstance(value, dict):
        return dict((subst(k, root), subst(v, root)) for k, v in value.items())
    return value


def make_files(files, root):
    """files: path -> 'exec' | 'link:<target>' | any other string (file content)."""
    for path, content in (files or {}).items():
        path = subst(path, root)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            os.unlink(path)
        content = subst(content, root)
        if content.startswith("link:"):
            os.symlink(content[len("link:"):], path)
        else:
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" if content == "exec" else content)
            if content == "exec":
                os.chmod(path, 0o755)


def common_params(root):
    return dict(uv_path=os.path.join(root, "bin", "uv"), python_install_dir=os.path.join(root, "python"),
                python_bin_dir=os.path.join(root, "python-bin"), tool_dir=os.path.join(root, "tools"),
                tool_bin_dir=os.path.join(root, "tool-bin"), cache_dir=os.path.join(root, "cache"),
                # the cases' commands name this platform whatever machine runs them (the userland's own is the
                # default: test_userland.py, and the scenarios)
                python_platform="linux-x86_64-gnu")


def run_case(module, case, tmp_path, capsys, monkeypatch, with_common=True):
    root = str(tmp_path)
    make_files(case.get("files"), root)
    expected_calls = subst(case.get("run_command", []), root)
    calls = []

    def fake_run_command(self, args, **kwargs):
        assert calls.__len__() < len(expected_calls), "unexpected command %r" % (args,)
        want = expected_calls[len(calls)]
        calls.append(args)
        assert list(args) == want["command"], "command %d" % len(calls)
        if "environ_update" in want:
            for key, value in want["environ_update"].items():
                assert kwargs["environ_update"].get(key) == value, key
        make_files(want.get("creates"), root)
        return want.get("rc", 0), want.get("out", ""), want.get("err", "")

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fake_run_command)
    params = dict(common_params(root)) if with_common else {}
    params.update(subst(case["input"], root))
    if case.get("check_mode"):
        params["_ansible_check_mode"] = True
    params["_ansible_diff"] = True
    with patch_module_args(params):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    # keys Ansible reads as the task's outcome: a module that returns "skipped" is shown (and registered) as skipped
    assert "skipped" not in result and "unreachable" not in result, sorted(result)
    assert len(calls) == len(expected_calls), "commands not run: %r" % expected_calls[len(calls):]
    expected = subst(case["output"], root)
    msg = expected.pop("msg_contains", None)
    if msg:
        assert msg in result.get("msg", ""), result.get("msg")
    for key, value in expected.items():
        assert result.get(key) == value, "%s: %r != %r" % (key, result.get(key), value)
    # after_files: path -> 'link:<target>', the file's content, or null (gone), as the run must have left them
    for path, want in subst(case.get("after_files") or {}, root).items():
        if want is None:
            assert not os.path.lexists(path), path
        elif want.startswith("link:"):
            assert os.readlink(path) == want[len("link:"):], path
        else:
            with open(path) as f:
                assert f.read() == want, path
    return result
