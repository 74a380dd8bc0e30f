"""path_info's judge: whose fault a loss is (the user's own files or the system's), and which results fail the
verdict. Real files and real ownership in a temporary home; the user is a passwd entry of its own (data, no fake)."""
import os
import pwd

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils._path_judge import counts_against, faults, loss_fault

VENV = "/opt/uv/venv"
PARAMS = dict(venv_path=VENV, python_install_dir="/opt/uv/python", python_bin_dir="/opt/uv/python-bin",
              uv_path="/opt/uv/bin/uv", expect="venv", expect_path=None)
# the user's uid: a stranger's when the tests run as root (the files are chowned to it), else the tester's own
UID = 4242 if os.geteuid() == 0 else os.geteuid()


def mine(path, directory=False):
    """A file (or directory) that belongs to the user."""
    if directory:
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    if os.geteuid() == 0:
        os.lchown(path, UID, UID)
    return path


@pytest.fixture
def home(tmp_path):
    """A home the user owns with ~/bin/python, ~/.profile, ~/.bashrc, ~/.zshrc; a directory the user owns outside
    it; and a shared home that root owns (a lab's /srv account)."""
    h = mine(str(tmp_path / "home" / "mallory"), directory=True)
    for rel in ("bin/python", ".profile", ".bashrc", ".zshrc"):
        mine(os.path.join(h, rel))
    mine(str(tmp_path / "scratch" / "bin"), directory=True)
    mine(str(tmp_path / "scratch" / "bin" / "python"))
    os.makedirs(str(tmp_path / "shared" / "bin"))
    open(str(tmp_path / "shared" / ".profile"), "w").close()
    return dict(home=h, tmp=str(tmp_path))


def account(home, uid=UID, name="mallory"):
    return pwd.struct_passwd((name, "x", uid, uid, "", home, "/bin/bash"))


def lost(shadow_kind, value=None, origin=None, **kw):
    res = dict(user="mallory", context="login", command="python", status="lost", required=True,
               expected=VENV + "/bin/python", shadow=dict(kind=shadow_kind, value=value, origin=origin))
    res.update(kw)
    return res


# (case, the result (H: the home, T: the temporary directory), the PATH the context had, its default PATH,
#  whose fault, words the evidence must hold)
CASES = [
    ("~/bin/python first on PATH (Debian's ~/.profile puts ~/bin first)",
     lost("path_entry", "H/bin", "H/.profile:27", kind="file", resolved="H/bin/python"), None, None,
     "user", "set at H/.profile:27, a file of the user's own"),
    ("a system file puts ~/bin first (as Fedora's skel does), and the python there is the user's",
     lost("path_entry", "H/bin", "/etc/profile.d/homebin.sh:2", kind="file", resolved="H/bin/python"), None, None,
     "user", "the PATH entry H/bin, first on PATH, is the user's own (put first by /etc/profile.d/homebin.sh:2)"),
    ("a conda-style line in ~/.bashrc puts a system directory first",
     lost("path_entry", "/opt/conda/bin", "H/.bashrc:120", kind="file", resolved="/opt/conda/bin/python"),
     None, None, "user", "set at H/.bashrc:120, a file of the user's own"),
    ("~/.local/bin first under dash, which cannot trace: no origin, but the directory is the user's",
     lost("path_entry", "H/.local/bin", None, kind="file", resolved="H/.local/bin/python"), None, None,
     "user", "H/.local/bin, first on PATH"),
    ("a directory the user owns outside the home, first on PATH",
     lost("path_entry", "T/scratch/bin", None, kind="file", resolved="T/scratch/bin/python"), None, None,
     "user", "T/scratch/bin"),
    ("an alias in ~/.bashrc", lost("alias", "/usr/bin/python3", "H/.bashrc:9", kind="alias"), None, None,
     "user", "H/.bashrc:9"),
    ("a function in ~/.zshrc (zsh names the file only)", lost("function", "python", "H/.zshrc", kind="function"),
     None, None, "user", "set at H/.zshrc, a file of the user's own"),
    ("~/.bashrc took the venv off PATH", lost("not_on_path", VENV + "/bin", "H/.bashrc:5", kind="file",
                                              resolved="/usr/bin/python"), None, None, "user", "H/.bashrc:5"),
    ("their crontab sets PATH", lost("not_on_path", VENV + "/bin", None, context="cron", kind="not_found"),
     ["/usr/local/bin", "/usr/bin", "/bin"], ["/usr/bin", "/bin"], "user", "crontab"),
    # the system's
    ("a system profile.d file puts a foreign python first",
     lost("path_entry", "/usr/local/foreign/bin", "/etc/profile.d/zz-foreign.sh:1", kind="file",
          resolved="/usr/local/foreign/bin/python"), None, None,
     "system", "set at /etc/profile.d/zz-foreign.sh:1, a file of the system's"),
    ("an alias from /etc/bash.bashrc", lost("alias", "python3", "/etc/bash.bashrc:40", kind="alias"), None, None,
     "system", "/etc/bash.bashrc:40"),
    ("the managed python is missing, though the user's own ~/bin/python runs instead",
     lost("missing", VENV + "/bin/python", None, kind="file", resolved="H/bin/python"), None, None,
     "system", "missing"),
    ("the managed python is broken", lost("broken", VENV + "/bin/python", None, kind="file"), None, None,
     "system", "does not run"),
    ("no startup file put the venv on PATH (a system file is missing), though ~/bin/python runs instead",
     lost("not_on_path", VENV + "/bin", None, kind="file", resolved="H/bin/python"), None, None,
     "system", "nothing ties it"),
    ("a foreign python in a system directory, no origin (untraced)",
     lost("path_entry", "/opt/foreign/bin", None, kind="file", resolved="/opt/foreign/bin/python"), None, None,
     "system", "nothing ties it"),
    ("sudo's secure_path", lost("not_on_path", VENV + "/bin", None, context="sudo", kind="file",
                                resolved="/usr/bin/python3"), ["/usr/local/sbin", "/usr/bin"], None, "system", ""),
    ("cron's own PATH", lost("not_on_path", VENV + "/bin", None, context="cron", kind="not_found"),
     ["/usr/bin", "/bin"], ["/usr/bin", "/bin"], "system", "the context's own PATH /usr/bin:/bin"),
    ("an origin that climbs out of the home is not the user's",
     lost("path_entry", "/usr/local/foreign/bin", "H/../../../../../../../../../../etc/profile:3", kind="file",
          resolved="/usr/local/foreign/bin/python"), None, None, "system", "a file of the system's"),
]


@pytest.mark.parametrize("case,res,path,default,fault,evidence", CASES, ids=[c[0] for c in CASES])
def test_whose_fault_a_loss_is(home, case, res, path, default, fault, evidence):
    def place(value):
        if isinstance(value, str):
            return value.replace("H/", home["home"] + "/").replace("T/", home["tmp"] + "/")
        if isinstance(value, dict):
            return dict((k, place(v)) for k, v in value.items())
        return value

    res = place(res)
    got = loss_fault(res, account(home["home"]), path, default)
    assert got[0] == fault, (case, got)
    assert place(evidence) in got[1], (case, got)
    # evidence names files, never the user: a twin's copy gets its own home swapped in and reads right
    assert "mallory" not in got[1].replace(home["home"], "")


def test_roots_losses_are_always_the_systems(home):
    res = lost("path_entry", "/root/bin", "/root/.bashrc:3", kind="file", resolved="/root/bin/python")
    assert loss_fault(res, account("/root", uid=0, name="root"))[0] == "system"


def test_a_file_in_a_home_the_user_does_not_own_is_not_theirs(home):
    shared = os.path.join(home["tmp"], "shared")       # root's (or the tester's), not the user's
    res = lost("path_entry", shared + "/bin", shared + "/.profile:4", kind="file", resolved=shared + "/bin/python")
    other = UID + 1
    assert loss_fault(res, account(shared, uid=other))[0] == "system"


def test_faults_marks_lost_and_errored_results_and_reads_each_contexts_path(home):
    h = home["home"]
    results = [
        lost("path_entry", h + "/bin", h + "/.profile:27", kind="file", resolved=h + "/bin/python"),
        dict(lost("not_on_path", VENV + "/bin", None, kind="not_found"), context="cron"),
        dict(user="mallory", context="ssh", command="python", status="won", required=False),
        dict(user="mallory", context="sudo", command="python", status="error", required=False, reason="timed out"),
    ]
    contexts = [dict(user="mallory", context="cron", path=["/usr/bin", "/bin"]),
                dict(user="mallory", context="login", path=[h + "/bin", VENV + "/bin"])]
    faults(results, contexts, [account(h)], dict(cron=["/usr/bin", "/bin"]))
    # sudo reads no file of the user's: a probe there that gave no answer is the system's
    assert [r.get("fault") for r in results] == ["user", "system", None, "system"]


def probe_error(user, context, shell="/bin/bash"):
    result = dict(user=user, context=context, command="python", status="error", required=True,
                  reason="timed out after 20s; killed ...")
    return result, dict(user=user, context=context, status="error", shell=shell, reason=result["reason"])


def probed(user, context, shell="/bin/bash"):
    return dict(user=user, context=context, status="probed", shell=shell, path=["/usr/bin"])


@pytest.mark.parametrize("context,others,uid,fault", [
    # alice's login with the same shell finished: what kept mallory's from finishing is in mallory's own files
    ("login", [probed("alice", "login")], UID, "user"),
    ("interactive", [probed("alice", "interactive")], UID, "user"),
    ("cron", [probed("alice", "cron", "/bin/sh")], UID, "system"),            # another shell: nothing to compare
    ("login", [probed("alice", "interactive")], UID, "system"),              # another context
    ("login", [dict(probed("alice", "login"), status="error")], UID, "system"),  # nobody finished
    ("login", [], UID, "system"),
    ("systemd", [probed("alice", "systemd")], UID, "system"),                # reads no file of the user's
    ("login", [probed("alice", "login")], 0, "system"),                      # root's own startup files are the system's
])
def test_a_probe_without_an_answer_is_the_users_only_where_the_same_shell_finished_for_another(
        home, context, others, uid, fault):
    result, meta = probe_error("mallory", context)
    faults([result], [meta] + others, [account(home["home"], uid=uid)], {})
    assert result["fault"] == fault, result["fault_evidence"]
    if fault == "user":
        assert "alice" in result["fault_evidence"] and "/bin/bash" in result["fault_evidence"]


@pytest.mark.parametrize("status,required,fault,user_files,fails", [
    ("lost", True, "system", "warn", True),
    ("lost", True, "user", "warn", False),        # the default: a student's own dotfiles do not fail the host
    ("lost", True, "user", "fail", True),         # the strict gate
    ("lost", False, "system", "fail", False),     # not a required context
    ("error", True, "system", "warn", True),
    ("error", True, "user", "warn", False),       # a student's own .profile that never ends does not fail the host
    ("error", True, "user", "fail", True),
    ("no_login", True, None, "fail", False),
    ("won", True, None, "fail", False),
])
def test_which_results_fail_the_verdict(status, required, fault, user_files, fails):
    r = dict(status=status, required=required)
    if fault:
        r["fault"] = fault
    assert counts_against(r, user_files) is fails


@pytest.mark.parametrize("uid,fault", [(UID, "user"), (0, "system")])
def test_a_loss_whose_startup_files_made_another_path_when_traced_is_the_users(home, uid, fault):
    """A dotfile that behaves otherwise under the trace (`case $- in *x*) ;; *) PATH=/usr/bin:$PATH`) would have the
    trace blame /etc/profile's PATH line: the loss is the account's own (red team, issue 26), never root's."""
    h = home["home"]
    res = lost("path_entry", "/usr/bin", "/etc/profile:7", kind="file", resolved="/usr/bin/python3")
    contexts = [dict(user="mallory", context="login", status="probed", shell="/bin/bash",
                     path=["/usr/bin", "/bin", VENV + "/bin"], traced_path=[VENV + "/bin", "/usr/bin", "/bin"])]
    faults([res], contexts, [account(h, uid=uid)], {})
    assert res["fault"] == fault, res["fault_evidence"]
    if fault == "user":
        assert "when traced" in res["fault_evidence"]
