"""How root runs uv (_uv.UvRunner, run_uv_version): the environment each uv call gets, which uv is run at all, and
root's lock files. Through the modules, mocked only at run_command; the environment checked is the one the command
would get (the module's os.environ at the call, updated with environ_update, as run_command builds it)."""
import fcntl
import json
import os
import signal
import stat
import time

import pytest
from ansible.module_utils import basic

from ansible_collections.labfleet.uv.plugins.modules import uv_binary, uv_state, uv_tool

from .harness import common_params, make_files
from .module_args import patch_module_args

NOBODY = 65534
TOOL_LIST = ["tool", "list", "--show-version-specifiers", "--show-python"]
LISTED = "ruff v0.14.3 [CPython 3.13.9]\n- ruff\n"


def run_module(module, params, replies, monkeypatch, capsys, root=None):
    """module.main() with params (and, with root, the harness's common ones under it); replies: what each successive
    command answers, (rc, out, err). Returns (result, [(argv, environment it got)])."""
    calls = []

    def fake_run_command(self, args, **kwargs):
        assert len(calls) < len(replies), "unexpected command %r" % (args,)
        calls.append((list(args), dict(os.environ, **(kwargs.get("environ_update") or {}))))
        return replies[len(calls) - 1]

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fake_run_command)
    with patch_module_args(dict(common_params(root) if root else {}, _ansible_diff=True, **params)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out), calls


def tool_case(tmp_path, monkeypatch, capsys, replies=((0, LISTED, ""),), **params):
    """uv_tool with ruff installed already: one `uv tool list` (uv made unless the test made it)."""
    root = str(tmp_path)
    if not os.path.exists(os.path.join(root, "bin", "uv")):
        make_files({"{uv}": "exec"}, root)
    return run_module(uv_tool, dict(dict(python="3.13", tools=[{"name": "ruff"}]), **params), list(replies),
                      monkeypatch, capsys, root)


# what a careless admin (/etc/environment, PAM), become or a play can leave in the module's environment
INHERITED = {
    "UV_INDEX_URL": "http://127.0.0.1:9/simple", "UV_PYTHON_INSTALL_DIR": "/tmp/evil", "UV_NO_CONFIG": "",
    "UV_PYTHON_DOWNLOADS": "automatic", "UV_LOCK_TIMEOUT": "3600", "PYTHONPATH": "/home/alice/lib",
    "PYTHONHOME": "/home/alice", "PYTHONSTARTUP": "/home/alice/x.py", "VIRTUAL_ENV": "/home/alice/venv",
    "CONDA_PREFIX": "/home/alice/conda", "XDG_CONFIG_HOME": "/home/alice/.config", "RUST_LOG": "trace",
    "FORCE_COLOR": "1"}
KEPT = {"http_proxy": "http://proxy:3128", "HTTPS_PROXY": "http://proxy:3128", "no_proxy": "localhost",
        "SSL_CERT_FILE": "/etc/ssl/corp.pem", "NETRC": "/root/.netrc", "HOME": "/root"}


@pytest.fixture
def dirty_environment(monkeypatch, tmp_path):
    """INHERITED and KEPT set, and a PATH with a directory others can write first and a relative entry."""
    open_dir = tmp_path / "open-bin"
    open_dir.mkdir()
    os.chmod(open_dir, 0o777)
    for name, value in dict(INHERITED, **KEPT).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PATH", "%s:bin::/usr/bin:/bin" % open_dir)


def assert_clean(env, root):
    for name in INHERITED:
        assert name not in env or env[name] != INHERITED[name], name
    assert [n for n in env if n.startswith("PYTHON")] == []
    for name, value in KEPT.items():
        assert env[name] == value, name
    assert env["PATH"] == "/usr/bin:/bin"
    assert env["UV_PYTHON_INSTALL_DIR"] == os.path.join(root, "python")
    assert env["UV_LOCK_TIMEOUT"] == "20"
    assert env["UV_CACHE_DIR"] == os.path.join(root, "cache")


def test_root_uv_gets_the_role_settings_only(tmp_path, monkeypatch, capsys, dirty_environment):
    result, calls = tool_case(tmp_path, monkeypatch, capsys)
    assert result["changed"] is False, result
    (argv, env), = calls
    assert argv == [str(tmp_path / "bin" / "uv")] + TOOL_LIST
    assert_clean(env, str(tmp_path))
    # no configuration but the managed one: none given, none read (never root's ~/.config/uv/uv.toml)
    assert env["UV_NO_CONFIG"] == "1" and "UV_CONFIG_FILE" not in env
    # the module's own environment is left as it was
    assert os.environ["UV_INDEX_URL"] == INHERITED["UV_INDEX_URL"] and os.environ["PYTHONPATH"] == "/home/alice/lib"


def test_the_version_check_of_uv_gets_the_same_clean_environment(tmp_path, monkeypatch, capsys, dirty_environment):
    root = str(tmp_path)
    make_files({"{uv}": "exec", "{root}/bin/uvx": "exec"}, root)
    result, calls = run_module(uv_binary, dict(version="0.13.9", bin_dir=os.path.join(root, "bin")),
                               [(0, "uv 0.13.9 (x86_64-unknown-linux-gnu)\n", "")], monkeypatch, capsys)
    assert result["changed"] is False
    (argv, env), = calls
    assert argv == [os.path.join(root, "bin", "uv"), "--version"]
    assert [n for n in env if n.startswith(("UV_", "PYTHON"))] == [] and env["PATH"] == "/usr/bin:/bin"


def test_the_managed_configuration_is_the_only_one(tmp_path, monkeypatch, capsys):
    """config_file when given; else the role's uv.toml on the host (uv_config) when only root can change it."""
    dummy, calls = tool_case(tmp_path, monkeypatch, capsys, config_file="/etc/uv/managed.toml")
    assert calls[0][1]["UV_CONFIG_FILE"] == "/etc/uv/managed.toml" and "UV_NO_CONFIG" not in calls[0][1]
    root = str(tmp_path)
    toml = os.path.join(root, "etc", "uv.toml")
    make_files({"{uv}": "exec", "{root}/bin/uvx": "exec", toml: "python-downloads = \"manual\"\n"}, root)
    os.chmod(toml, 0o644)
    answers = [(0, "uv 0.13.9 (x86_64-unknown-linux-gnu)\n", ""), (0, LISTED, "")]
    state = dict(uv_version="0.13.9", tools=[{"name": "ruff"}], tool_python="3.13", uv_config=toml)
    result, calls = run_module(uv_state, state, answers, monkeypatch, capsys, root)
    assert result["pending"] == [] and calls[1][1]["UV_CONFIG_FILE"] == toml
    os.chmod(toml, 0o664)  # a user of its group could steer root's uv with it: not read
    result, calls = run_module(uv_state, state, answers, monkeypatch, capsys, root)
    assert calls[1][1]["UV_NO_CONFIG"] == "1" and "UV_CONFIG_FILE" not in calls[1][1]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_uv_others_can_change_is_never_run(tmp_path, monkeypatch, capsys, check_mode):
    root = str(tmp_path)
    make_files({"{uv}": "exec", "{root}/bin/uvx": "exec"}, root)
    # the state pass: a finding (uv to be replaced), its queries not asked, nothing run
    os.chmod(root, 0o775)  # a directory above uv's that a group can write
    state = dict(uv_version="0.13.9", tools=[{"name": "ruff"}], tool_python="3.13", _ansible_check_mode=check_mode)
    result, calls = run_module(uv_state, state, [], monkeypatch, capsys, root)
    assert calls == []
    assert result["pending"] == [
        "uv 0.13.9 at %s/bin/uv (found one root does not run: %s is writable by its group (mode 0775))"
        % (root, root), "check the CPythons, the shared venv and the tools once uv is replaced"]
    os.chmod(root, 0o755)
    # a module that needs uv: refused, with the reason (a dry run: counted as missing, as a missing uv is)
    os.chmod(os.path.join(root, "bin", "uv"), 0o775)
    result, calls = tool_case(tmp_path, monkeypatch, capsys, replies=[], _ansible_check_mode=check_mode)
    assert calls == []
    if check_mode:
        assert result["changed"] is True and result["actions"] == ["install ruff"]
    else:
        assert "refusing to run %s/bin/uv as root: %s/bin/uv is writable by its group" % (root, root) in result["msg"]


def test_a_uv_in_a_directory_others_can_write_is_never_run(tmp_path, monkeypatch, capsys):
    root = str(tmp_path)
    make_files({"{uv}": "exec", "{root}/bin/uvx": "exec"}, root)
    os.chmod(os.path.join(root, "bin"), 0o777)
    result, calls = tool_case(tmp_path, monkeypatch, capsys, replies=[])
    assert calls == [] and "%s/bin is writable by others (mode 0777)" % root in result["msg"]


def test_uv_binary_replaces_an_untrusted_uv_without_running_it(tmp_path, monkeypatch, capsys):
    from .test_uv_binary import make_wheel
    src = make_wheel(str(tmp_path / "uv.whl"))
    root = str(tmp_path)
    make_files({"{uv}": "exec", "{root}/bin/uvx": "exec"}, root)
    os.chmod(os.path.join(root, "bin", "uv"), 0o757)
    result, calls = run_module(uv_binary, dict(version="0.13.9", bin_dir=os.path.join(root, "bin"), src=src),
                               [(0, "uv 0.13.9 (x86_64-unknown-linux-gnu)\n", "")], monkeypatch, capsys)
    assert result["changed"] is True and result["previous_version"] is None
    assert len(calls) == 1 and calls[0][0][0].startswith(os.path.join(root, "bin", ".uv."))  # only the staged one
    assert stat.S_IMODE(os.stat(os.path.join(root, "bin", "uv")).st_mode) == 0o755


def test_uv_binary_stages_nothing_it_would_run_in_a_directory_others_can_write(tmp_path, monkeypatch, capsys):
    from .test_uv_binary import make_wheel
    src = make_wheel(str(tmp_path / "uv.whl"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.chmod(bin_dir, 0o777)
    result, calls = run_module(uv_binary, dict(version="0.13.9", bin_dir=str(bin_dir), src=src), [],
                               monkeypatch, capsys)
    assert calls == [] and result["failed"] is True
    assert "staged in %s but not run, so nothing was replaced: %s is writable by others" % (bin_dir, bin_dir) \
        in result["msg"]
    assert os.listdir(bin_dir) == []


def lock_paths(root):
    return [os.path.join(root, d, ".lock") for d in ("python", "tools", "tools/ruff", "cache")]


def make_locks(root, mode=0o666):
    for path in lock_paths(root):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w"):
            pass
        os.chmod(path, mode)
    return dict((path, os.stat(path).st_ino) for path in lock_paths(root))


def test_lock_files_others_can_open_are_renewed_root_only_before_uv_runs(tmp_path, monkeypatch, capsys):
    """uv makes its lock files 0666: anyone could hold one and make root's uv wait. Before each call they are
    replaced by fresh ones (new inodes) only root can open, so a lock held on the old one holds nothing."""
    root = str(tmp_path)
    before = make_locks(root)
    with open(lock_paths(root)[1]) as held:  # someone holds the tool dir's lock
        fcntl.flock(held, fcntl.LOCK_EX)
        dummy, calls = tool_case(tmp_path, monkeypatch, capsys)
    assert len(calls) == 1
    for path, inode in before.items():
        st = os.stat(path)
        assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_ino != inode) == (0o600, os.geteuid(), True), path
    assert sorted(os.listdir(os.path.join(root, "tools"))) == [".lock", "ruff"]  # no temporary file left
    # already root's only: left as they are (root's own runs keep excluding each other)
    renewed = dict((path, os.stat(path).st_ino) for path in lock_paths(root))
    tool_case(tmp_path, monkeypatch, capsys)
    assert renewed == dict((path, os.stat(path).st_ino) for path in lock_paths(root))


def hold(path, uid=None):
    """A child process holding an flock on path (opened as root), then running as uid (None: root) `sleep 60`."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            fd = os.open(path, os.O_RDWR)
            os.set_inheritable(fd, True)  # kept open by sleep
            fcntl.flock(fd, fcntl.LOCK_EX)
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            os.write(ready_w, b"1")
            os.execvp("sleep", ["sleep", "60"])
        finally:
            os._exit(1)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"1"
    os.close(ready_r)
    # ready comes before the exec: wait until the holder is `sleep 60` (what the message names), 10 s at most
    for dummy in range(1000):
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if f.read().split(b"\0")[0] == b"sleep":
                break
        time.sleep(0.01)
    else:  # pragma: no cover
        raise AssertionError("the lock holder %d never became sleep 60" % pid)
    return pid


def release(pid):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_a_root_only_lock_another_account_holds_is_renewed_and_roots_own_is_not(tmp_path, monkeypatch, capsys):
    """A lock file made root's only after someone opened it (chmod leaves open files open): renewed when /proc/locks
    shows another account holding it; never while root holds it."""
    root = str(tmp_path)
    before = make_locks(root, 0o600)
    tools_lock, python_lock = lock_paths(root)[1], lock_paths(root)[0]
    by_nobody, by_root = hold(tools_lock, NOBODY), hold(python_lock)
    try:
        tool_case(tmp_path, monkeypatch, capsys)
    finally:
        release(by_nobody)
        release(by_root)
    assert os.stat(tools_lock).st_ino != before[tools_lock]
    assert os.stat(python_lock).st_ino == before[python_lock]


def test_a_lock_wait_that_ran_out_names_the_lock_and_its_holder(tmp_path, monkeypatch, capsys):
    root = str(tmp_path)
    make_locks(root, 0o600)
    python_lock = lock_paths(root)[0]
    timeout = ("error: Timeout (20s) when waiting for lock on `%s` at `%s`, is another uv process running? You can "
               "set `UV_LOCK_TIMEOUT` to increase the timeout.\n" % (os.path.dirname(python_lock), python_lock))
    holder = hold(python_lock)  # another root process: not renewed under it, so uv waited
    try:
        result, calls = tool_case(tmp_path, monkeypatch, capsys, replies=[(2, "", timeout)])
    finally:
        release(holder)
    assert result["failed"] is True and len(calls) == 1
    assert ("uv waited 20 s (UV_LOCK_TIMEOUT) for its lock %s, held by pid %d (root, uid 0: sleep 60)"
            % (python_lock, holder)) in result["msg"]


def test_the_runner_checks_uv_again_right_before_each_call(tmp_path, monkeypatch, capsys):
    """A uv that was fine when the plan was made and is not when a call comes (changed in between) is not run."""
    from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS, UvRunner
    root = str(tmp_path)
    make_files({"{uv}": "exec"}, root)
    calls = []
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, args, **kw: calls.append(args) or (0, "", ""))
    with patch_module_args(common_params(root)):
        runner = UvRunner(basic.AnsibleModule(argument_spec=UV_COMMON_ARGS))
        assert runner.available
        runner.run(TOOL_LIST)
        os.chmod(os.path.join(root, "bin"), 0o777)
        with pytest.raises(SystemExit):
            runner.run(TOOL_LIST)
    assert len(calls) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True and "%s/bin is writable by others (mode 0777)" % root in result["msg"]


def test_a_uvx_others_can_change_is_to_be_replaced(tmp_path, monkeypatch, capsys):
    """Root never runs uvx, but every user does: one a group can write is replaced with uv."""
    root = str(tmp_path)
    make_files({"{uv}": "exec", "{root}/bin/uvx": "exec"}, root)
    os.chmod(os.path.join(root, "bin", "uvx"), 0o775)
    result, calls = run_module(uv_binary, dict(version="0.13.9", bin_dir=os.path.join(root, "bin"),
                                               _ansible_check_mode=True),
                               [(0, "uv 0.13.9 (x86_64-unknown-linux-gnu)\n", "")], monkeypatch, capsys)
    assert result["changed"] is True and len(calls) == 1
