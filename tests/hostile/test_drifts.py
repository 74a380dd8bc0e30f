"""A CPython, the venv or a tool environment counts as there only when it runs and answers as itself (issue 26).
Drifts a careless admin made on a converged host, each of which used to break every later run until repaired by hand:
the CPython's binary emptied (uv no longer lists it, yet takes what is left for installed: "uv reported success, but
3.11 is not installed"), a tool environment deleted with its command left ("Executable already exists: pre-commit"),
the venv's python link replaced by an empty file, and a tool environment's python emptied. A check run reports each,
with why, and changes nothing; one run repairs them all, forcing over what is left; the run after changes nothing."""
import re

from hostile import as_user, changed_count, converge, converged, sh

NO_VERDICT = ("-e", "shared_python_verdict=skip")
CPYTHON = "/opt/uv/python/cpython-3.11.*-linux-x86_64-gnu/bin/python3.11"


def empty(pattern):
    """Empty each file the shell pattern names, in place (: > file), as an admin would."""
    sh('for f in %s; do test -f "$f" && : > "$f"; done' % pattern)


def replace_by_empty_file(path):
    """Put an empty file where the link path is, as an admin would (rm, then : >)."""
    sh('rm "%s" && : > "%s"' % (path, path))


def checked(*reported):
    """A check run (--check --diff): it succeeds and reports each line pattern given; its stdout."""
    proc, dummy = converge("--check", "--diff", *NO_VERDICT)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    for pattern in reported:
        assert re.search(pattern, proc.stdout), "%s not reported:\n%s" % (pattern, proc.stdout[-6000:])
    return proc.stdout


def users_get_the_managed_python_and_the_tool():
    """What alice types in her login shell works again."""
    assert as_user("alice", "python -c 'import requests, sys; print(sys.prefix)'").strip() == "/opt/uv/venv"
    assert as_user("alice", "pre-commit --version").strip() == "pre-commit 4.3.0"


def test_an_emptied_cpython_is_reinstalled_and_a_tool_environment_that_does_not_answer_is_installed_again():
    venv = sh("readlink -f /opt/uv/venv").strip()
    tool_env = sh("ls -d /opt/uv/tools/3.*/pre-commit").strip()
    venv_made = sh("stat -c %%Y %s/pyvenv.cfg" % venv)
    empty(CPYTHON)
    replace_by_empty_file(tool_env + "/bin/python")
    # the drifts are live: nobody's python runs
    assert as_user("alice", "pre-commit --version", check=False) == ""
    assert sh("stat -c %%s %s" % CPYTHON).strip() == "0"

    checked(
        r"reinstall CPython 3\.11: uv does not list it, though /opt/uv/python/cpython-3\.11\.\d+-linux-x86_64-gnu is "
        r"there: its python \S+/bin/python3\.11 does not run \(Exec format error\)",
        # the venv itself is whole: its python is the CPython's binary, judged again once that is reinstalled
        r"check the venv %s once its CPython answers again: its python is the binary \S+ of CPython 3\.11\.\d+, "
        r"which does not run \(Exec format error\)" % re.escape(venv),
        r"reinstall tool pre-commit==4\.3\.0: uv cannot use its environment \(Failed to query Python interpreter at "
        r"`%s/bin/python`\)" % re.escape(tool_env))
    # a check changes nothing
    assert sh("stat -c %%s %s" % CPYTHON).strip() == "0"
    assert sh("test -f %s/bin/python && ! test -L %s/bin/python && echo file" % (tool_env, tool_env)).strip() == "file"

    converged(*NO_VERDICT)
    users_get_the_managed_python_and_the_tool()
    # the venv was not made again for its CPython's sake
    assert sh("stat -c %%Y %s/pyvenv.cfg" % venv) == venv_made
    assert sh("readlink %s/bin/python" % tool_env).strip().endswith("/bin/python3.11")


def test_drifts_that_broke_every_run_are_reported_then_repaired_in_one_run():
    venv = sh("readlink -f /opt/uv/venv").strip()
    tool_env = sh("ls -d /opt/uv/tools/3.*/pre-commit").strip()
    sh("rm -rf %s" % tool_env)                       # (a) its command link is left in /opt/uv/tool-bin
    empty(CPYTHON)                                   # (b)
    replace_by_empty_file("/opt/uv/venv/bin/python")  # (c) the venv's python link replaced by an empty file
    assert sh("readlink /opt/uv/tool-bin/pre-commit").strip() == tool_env + "/bin/pre-commit"
    # alice's python is the emptied binary run by her shell: it says nothing
    assert as_user("alice", "python -c 'import requests, sys; print(sys.prefix)'", check=False) == ""

    checked(
        r"reinstall CPython 3\.11: uv does not list it, though /opt/uv/python/cpython-3\.11\.\d+-linux-x86_64-gnu is "
        r"there: its python \S+ does not run \(Exec format error\)",
        r"recreate the venv %s on CPython 3\.11\.\d+: its python %s/bin/python does not run \(Permission denied\)"
        % (re.escape(venv), re.escape(venv)),
        r"reinstall tool pre-commit==4\.3\.0: its environment %s is gone, and its command /opt/uv/tool-bin/pre-commit "
        r"is left" % re.escape(tool_env))
    assert sh("stat -c %%s %s" % CPYTHON).strip() == "0"

    converged(*NO_VERDICT)
    users_get_the_managed_python_and_the_tool()
    assert sh("readlink /opt/uv/tool-bin/pre-commit").strip() == tool_env + "/bin/pre-commit"

    # right, and the run after changes nothing (with the verdict: the scenario's own converge)
    proc, dummy = converge()
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert changed_count(proc) == 0, proc.stdout[-6000:]
