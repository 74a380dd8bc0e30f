"""labfleet.uv.uv_apply's action plugin: which files it sends and what it tells the module, from uv_state's result.

The connection is Ansible's real local one (the files really are copied into the task's temporary directory); the
module run itself is replaced by a recorder of its arguments: what the module does with them is tested on real
targets (molecule/fleet, molecule/hostile)."""
import os

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.connection.local import Connection

from ansible_collections.labfleet.uv.plugins.action.uv_apply import ActionModule


def action(args, check_mode=False):
    task = Task()
    task.action, task.args, task.check_mode = "labfleet.uv.uv_apply", args, check_mode
    context = PlayContext()
    connection = Connection(context)
    plugin = ActionModule(task=task, connection=connection, play_context=context, loader=DataLoader(), templar=None,
                          shared_loader_obj=None)
    calls = []

    def execute_module(module_name, module_args, task_vars):
        staged = [dict(s, text=open(s["src"]).read()) for s in module_args["staged"]]
        calls.append(dict(module_args, staged=staged, module=module_name))
        return dict(changed=bool(staged))
    plugin._execute_module = execute_module
    return plugin, calls


@pytest.fixture
def controller(tmp_path):
    uv = tmp_path / "uv-x86_64-unknown-linux-gnu.tar.gz"
    uv.write_text("uv archive")
    x86 = tmp_path / "cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz"
    x86.write_text("x86_64 cpython")
    arm = tmp_path / "cpython-3.13.1+20241206-aarch64-unknown-linux-gnu-install_only.tar.gz"
    arm.write_text("aarch64 cpython")
    return dict(uv_source="controller", uv_controller_file=str(uv), uv_sha256="a" * 64, python_source="controller",
                python_archives=[str(x86), str(arm)], download_dir="/opt/uv/downloads",
                python_downloads_json="/opt/uv/downloads/python/downloads.json")


def state(uv, python, architecture="x86_64"):
    return dict(architecture=architecture, uv_pending=["uv"] if uv else [], python_pending=["3.13"] if python else [])


def run(args, check_mode=False):
    plugin, calls = action(args, check_mode)
    try:
        result = plugin.run(task_vars={})
    finally:
        plugin.cleanup(force=True)
    assert len(calls) == 1, "one module run, whatever the number of files"
    return result, calls[0]


def test_uv_and_the_hosts_cpython_are_sent_and_named_to_the_module(controller):
    result, module = run(dict(host_state=state(uv=True, python=True), sources=controller, uv_version="0.9.5"))
    assert module["module"] == "labfleet.uv.uv_apply"
    assert [(s["dest"].rsplit("/", 1)[1], s["text"]) for s in module["staged"]] == [
        ("uv-x86_64-unknown-linux-gnu.tar.gz", "uv archive"),
        ("cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz", "x86_64 cpython")]
    assert module["uv_archive"] == "/opt/uv/downloads/uv-x86_64-unknown-linux-gnu.tar.gz"
    assert module["uv_sha256"] == "a" * 64
    assert module["python_downloads"] == dict(
        path="/opt/uv/downloads/python/downloads.json",
        archives=["/opt/uv/downloads/python/cpython-3.13.1+20241206-x86_64-unknown-linux-gnu-install_only.tar.gz"])
    # the module gets its own options only, and the action's extra ones pass through
    assert "host_state" not in module and "sources" not in module and module["uv_version"] == "0.9.5"
    assert result["transferred"] == 2


def test_nothing_is_sent_when_only_files_are_pending(controller):
    result, module = run(dict(host_state=state(uv=False, python=False), sources=controller))
    assert module["staged"] == [] and result["transfers"] == [] and result["transferred"] == 0
    assert not set(module) & {"uv_archive", "uv_sha256", "python_downloads"}


def test_check_mode_sends_nothing_but_says_what_it_would_send(controller):
    result, module = run(dict(host_state=state(uv=True, python=True, architecture="aarch64"), sources=controller),
                         check_mode=True)
    assert module["staged"] == [] and result["transferred"] == 0
    sent = [controller["uv_controller_file"], controller["python_archives"][1]]
    assert [t["src"] for t in result["transfers"]] == sent


def test_explicit_transfers_still_go(controller):
    result, module = run(dict(transfers=[dict(src=controller["uv_controller_file"], dest="/opt/x/uv.tar.gz")]))
    assert [(s["dest"], s["text"]) for s in module["staged"]] == [("/opt/x/uv.tar.gz", "uv archive")]


@pytest.mark.parametrize("args,message", [
    (dict(host_state=state(True, False)), "host_state and sources go together"),
    (dict(sources={}), "host_state and sources go together"),
    (dict(host_state=state(True, False), sources=dict(uv_source="ftp")), "sources: .*uv_source"),
    (dict(host_state=dict(pending=[]), sources=dict(uv_source="github", python_source="default", download_dir="/d",
                                                    python_downloads_json="/d/p/d.json")), "host_state must be"),
    (dict(transfers=[dict(src="x")]), "transfers: each item needs src"),
    (dict(transfers="a.tar.gz"), "transfers must be a list"),
])
def test_bad_options_are_refused_before_anything_is_sent(args, message):
    plugin, calls = action(args)
    with pytest.raises(AnsibleActionFail, match=message):
        plugin.run(task_vars={})
    assert calls == []


def test_the_planned_options_are_not_given_twice(controller):
    plugin, calls = action(dict(host_state=state(True, False), sources=controller, uv_archive="/x/uv.tar.gz"))
    with pytest.raises(AnsibleActionFail, match="uv_archive: worked out from host_state and sources"):
        plugin.run(task_vars={})
    assert calls == []


def test_a_missing_controller_file_is_named(controller):
    os.unlink(controller["uv_controller_file"])
    plugin, calls = action(dict(host_state=state(True, False), sources=controller))
    with pytest.raises(AnsibleActionFail, match="sources: .*uv-x86_64-unknown-linux-gnu.tar.gz"):
        plugin.run(task_vars={})
    assert calls == []
