"""The verdict tables the role prints and the fleet report shows, from path_info-shaped results."""
from ansible_collections.labfleet.uv.plugins.filter.path_verdict import (
    path_verdict_fleet, path_verdict_fleet_lines, path_verdict_lines, path_verdict_matrix)


def res(user, context, command, status, **kw):
    return dict(kw, user=user, context=context, command=command, status=status, required=context == "login")


RESULT_FAIL = dict(
    verdict="fail",
    summary=dict(users=["root", "dave"], contexts=["login", "cron", "sudo"], required_contexts=["login"]),
    results=[
        res("root", "login", "python", "won", version="3.11.2", prefix="/opt/uv/venv"),
        res("root", "login", "uv", "won", version="uv 0.13.9"),
        res("root", "cron", "python", "lost", kind="not_found", reason="python: command not found"),
        res("root", "cron", "uv", "lost", kind="not_found", reason="uv: command not found"),
        res("root", "sudo", "python", "unavailable", reason="sudo is not installed"),
        res("root", "sudo", "uv", "unavailable", reason="sudo is not installed"),
        res("dave", "login", "python", "lost", kind="file", provider="distro", version="3.11.2", prefix="/usr",
            reason="/opt/foreign/bin/python shadows it, set by /home/dave/.profile:28"),
        res("dave", "login", "uv", "won", version="uv 0.13.9"),
        res("dave", "cron", "python", "won", version="3.11.2", prefix="/opt/uv/venv"),
        res("dave", "cron", "uv", "lost", kind="not_found", reason="uv: command not found"),
        res("dave", "sudo", "python", "not_permitted", reason="sudo does not allow dave"),
        res("dave", "sudo", "uv", "not_permitted", reason="sudo does not allow dave"),
    ],
)
RESULT_FAIL["failures"] = [r for r in RESULT_FAIL["results"] if r["required"] and r["status"] == "lost"]


def test_matrix_cells_say_what_runs_instead():
    cells = path_verdict_matrix(RESULT_FAIL)["cells"]
    assert cells["root"]["login"] == dict(status="ok", label="ok 3.11.2", reasons=[])
    assert cells["root"]["cron"]["label"] == "LOST no python"
    assert cells["root"]["sudo"]["status"] == "n/a"
    assert cells["dave"]["login"]["label"] == "LOST distro 3.11.2"
    assert cells["dave"]["cron"]["label"] == "LOST uv"
    assert cells["dave"]["sudo"]["status"] == "no sudo"


def test_role_report_lines_mark_required_contexts_and_list_failures():
    lines = path_verdict_lines(RESULT_FAIL, "lab-07")
    assert lines[0] == "lab-07: the managed Python does NOT win everywhere required (* = required context)"
    assert lines[1].split() == ["user", "login*", "cron", "sudo"]
    assert lines[3].split()[:4] == ["dave", "LOST", "distro", "3.11.2"]
    assert lines[-1] == "FAIL dave/login/python: /opt/foreign/bin/python shadows it, set by /home/dave/.profile:28"


def test_fleet_takes_the_worst_user_per_context_and_lists_unreachable_hosts():
    ok = dict(RESULT_FAIL, verdict="pass", failures=[],
              results=[r for r in RESULT_FAIL["results"] if r["user"] == "root"],
              summary=dict(RESULT_FAIL["summary"], users=["root"]))
    hostvars = {"a": dict(shared_python_verdict_result=ok), "b": dict(shared_python_verdict_result=RESULT_FAIL),
                "c": dict(shared_python_verdict_result=dict(failed=True, msg="unreachable"))}
    fleet = path_verdict_fleet(hostvars, ["a", "b", "c"])
    hosts = dict((h["name"], h) for h in fleet["hosts"])
    assert hosts["a"]["cells"]["login"]["status"] == "ok"
    assert hosts["b"]["cells"]["login"]["status"] == "lost"
    assert hosts["b"]["cells"]["login"]["details"] == [
        "dave: python: /opt/foreign/bin/python shadows it, set by /home/dave/.profile:28"]
    assert hosts["b"]["cells"]["sudo"]["status"] == "no sudo"
    assert hosts["c"]["verdict"] == "unreachable"
    assert fleet["failing"] == ["b"] and fleet["missing"] == ["c"]
    lines = path_verdict_fleet_lines(fleet)
    assert lines[0].split() == ["host", "login*", "cron", "sudo", "verdict"]
    assert "3 host(s), 2 failing: b, c (* = required context)" in lines


def test_twins_are_one_row_that_says_how_many_it_stands_for_and_count_in_the_fleet():
    result = dict(RESULT_FAIL, twins={"dave": ["stu1", "stu2"]},
                  summary=dict(RESULT_FAIL["summary"], users=["root", "dave", "stu1", "stu2"]))
    m = path_verdict_matrix(result)
    assert m["users"] == ["root", "dave"] and m["alike"] == {"root": 0, "dave": 2}
    lines = path_verdict_lines(result, "lab-01")
    assert [line.split("  ")[0] for line in lines[1:4]] == ["user", "root", "dave (+2 alike)"]
    fleet = path_verdict_fleet({"lab-01": {"shared_python_verdict_result": result}}, ["lab-01"])
    login = fleet["hosts"][0]["cells"]["login"]
    assert login["users"] == 4 and login["counts"]["lost"] == 3 and login["counts"]["ok"] == 1


# mallory's own ~/bin/python shadows the venv in login; the system's foreign directory in interactive for bob;
# nobody's shell refuses logins
OWN_REASON = ("/home/mallory/bin/python (user_local, Python 3.11.2) shadows /opt/uv/venv/bin/python: PATH entry "
              "/home/mallory/bin comes before /opt/uv/venv/bin, set by /home/mallory/.profile:27")
RESULT_OWN = dict(
    verdict="pass",
    summary=dict(users=["mallory", "nobody"], contexts=["login"], required_contexts=["login"], user_files="warn"),
    results=[
        res("mallory", "login", "python", "lost", kind="file", provider="user_local", version="3.11.2",
            prefix="/home/mallory/.pyenv", reason=OWN_REASON, fault="user",
            fault_evidence="the PATH entry /home/mallory/bin, first on PATH, is the user's own"),
        res("mallory", "login", "uv", "won", version="uv 0.13.9"),
        res("nobody", "login", "python", "no_login", reason="nobody's shell is /usr/sbin/nologin"),
        res("nobody", "login", "uv", "no_login", reason="nobody's shell is /usr/sbin/nologin"),
    ],
    failures=[],
)
RESULT_OWN["user_losses"] = [RESULT_OWN["results"][0]]


def test_a_loss_by_the_users_own_files_is_reported_as_theirs_and_does_not_fail():
    m = path_verdict_matrix(RESULT_OWN)
    assert m["cells"]["mallory"]["login"]["status"] == "own"
    assert m["cells"]["mallory"]["login"]["label"] == "OWN user_local 3.11.2"
    assert m["cells"]["nobody"]["login"] == dict(status="no login", label="no login",
                                                 reasons=["nobody's shell is /usr/sbin/nologin"])
    lines = path_verdict_lines(RESULT_OWN, "lab-03")
    assert lines[0].startswith("lab-03: the managed Python wins, except where users' own files shadow it")
    assert not [line for line in lines if line.startswith("FAIL")]
    assert lines[-1] == ("OWN mallory/login/python: %s [the user's own files: the PATH entry /home/mallory/bin, "
                         "first on PATH, is the user's own]" % OWN_REASON)
    fleet = path_verdict_fleet({"lab-03": {"shared_python_verdict_result": RESULT_OWN}}, ["lab-03"])
    login = fleet["hosts"][0]["cells"]["login"]
    assert login["status"] == "own" and login["counts"]["own"] == 1 and login["counts"]["no login"] == 1
    assert login["details"][0].startswith("mallory: python (own files): /home/mallory/bin/python")
    assert fleet["failing"] == []


def test_with_the_strict_gate_the_users_own_loss_is_a_failure():
    strict = dict(RESULT_OWN, verdict="fail", summary=dict(RESULT_OWN["summary"], user_files="fail"),
                  failures=list(RESULT_OWN["user_losses"]))
    assert path_verdict_matrix(strict)["cells"]["mallory"]["login"]["status"] == "lost"
    lines = path_verdict_lines(strict, "lab-03")
    assert "does NOT win" in lines[0]
    assert [line.split(":")[0] for line in lines if line.startswith(("FAIL", "OWN"))] == ["FAIL mallory/login/python"]
    assert lines[-1].endswith("[the user's own files: the PATH entry /home/mallory/bin, first on PATH, is the "
                              "user's own]")
    fleet = path_verdict_fleet({"lab-03": {"shared_python_verdict_result": strict}}, ["lab-03"])
    assert fleet["failing"] == ["lab-03"] and fleet["hosts"][0]["cells"]["login"]["status"] == "lost"


def test_a_system_loss_beside_an_own_one_makes_the_cell_lost():
    bob = res("bob", "login", "python", "lost", kind="file", provider="other", version="3.9.2", prefix="/usr/local",
              reason="set by /etc/profile.d/zz-foreign.sh:1", fault="system",
              fault_evidence="set at /etc/profile.d/zz-foreign.sh:1, a file of the system's")
    result = dict(RESULT_OWN, verdict="fail", failures=[bob], results=RESULT_OWN["results"] + [bob],
                  summary=dict(RESULT_OWN["summary"], users=["mallory", "nobody", "bob"]))
    lines = path_verdict_lines(result, "lab-03")
    assert "FAIL bob/login/python: set by /etc/profile.d/zz-foreign.sh:1 [the system's: set at " \
        "/etc/profile.d/zz-foreign.sh:1, a file of the system's]" in lines
    assert any(line.startswith("OWN mallory/login/python") for line in lines)
    fleet = path_verdict_fleet({"lab-03": {"shared_python_verdict_result": result}}, ["lab-03"])
    assert fleet["hosts"][0]["cells"]["login"]["status"] == "lost"
