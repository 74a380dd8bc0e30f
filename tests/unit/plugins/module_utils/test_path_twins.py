"""path_info's twins: accounts that cannot differ are probed once, anything that can change an answer keeps a user
apart, and a twin's answer is the probed one's with the home and name swapped."""
import os
import pwd

from ansible_collections.labfleet.uv.plugins.module_utils._path_twins import Twins, as_twin

SKEL_PROFILE = 'if [ -d "$HOME/bin" ] ; then\n    PATH="$HOME/bin:$PATH"\nfi\n'


class Info(object):
    def __init__(self, contexts=("login", "interactive")):
        self.p = {"commands": ["python", "python3", "pip"], "contexts": list(contexts)}
        self.sudo_policies = {}


def account(tmp_path, name, uid, shell="/bin/bash", profile=SKEL_PROFILE):
    home = tmp_path / name
    home.mkdir()
    os.chown(str(home), uid, uid)
    if profile is not None:
        (home / ".profile").write_text(profile)
    return pwd.struct_passwd((name, "x", uid, uid, "", str(home), shell))


def names(groups):
    return sorted(sorted(pw.pw_name for pw in g) for g in groups)


def test_skel_accounts_are_twins_and_any_difference_keeps_one_apart(tmp_path):
    twins = Twins(Info())
    twins.named, twins.named_uids, twins.spool = set(), set(), str(tmp_path)   # no system file names anyone
    a, b, c = (account(tmp_path, n, 5000 + i) for i, n in enumerate(["stu1", "stu2", "stu3"]))
    edited = account(tmp_path, "stu4", 5004, profile=SKEL_PROFILE + 'PATH="/opt/x:$PATH"\n')
    fish = account(tmp_path, "stu5", 5005, shell="/usr/bin/fish")
    own_bin = account(tmp_path, "stu6", 5006)
    (tmp_path / "stu6" / "bin").mkdir()
    os.symlink("/usr/bin/python3", str(tmp_path / "stu6" / "bin" / "python"))
    empty_bin = account(tmp_path, "stu7", 5007)
    (tmp_path / "stu7" / "bin").mkdir()          # ~/bin on PATH, but without a probed command: still apart
    assert names(twins.groups([a, b, c, edited, fish, own_bin, empty_bin])) == [
        ["stu1", "stu2", "stu3"], ["stu4"], ["stu5"], ["stu6"], ["stu7"]]


def test_a_user_a_system_file_names_or_without_a_home_is_probed_alone(tmp_path):
    twins = Twins(Info())
    twins.spool = str(tmp_path)
    twins.named, twins.named_uids = {"Match", "User", "stu2"}, {5003}
    a, b = account(tmp_path, "stu1", 5000), account(tmp_path, "stu2", 5001)
    c = pwd.struct_passwd(("stu3", "x", 5002, 5002, "", str(tmp_path / "gone"), "/bin/bash"))
    d = account(tmp_path, "stu4", 5003)          # sudoers names #5003
    e = account(tmp_path, "stu5", 5004)
    assert names(twins.groups([a, b, c, d, e])) == [["stu1", "stu5"], ["stu2"], ["stu3"], ["stu4"]]


def test_crontab_variables_count_and_jobs_do_not(tmp_path):
    twins = Twins(Info(contexts=["cron"]))
    spool = tmp_path / "spool"
    spool.mkdir()
    twins.named, twins.named_uids, twins.spool = set(), set(), str(spool)
    a, b, c = (account(tmp_path, n, 5000 + i) for i, n in enumerate(["stu1", "stu2", "stu3"]))
    (spool / "stu1").write_text("* * * * * true\n")
    (spool / "stu3").write_text("SHELL=/usr/bin/fish\n")
    assert names(twins.groups([a, b, c])) == [["stu1", "stu2"], ["stu3"]]


def test_without_a_cron_spool_nobody_is_a_twin_for_cron(tmp_path):
    twins = Twins(Info(contexts=["cron"]))
    twins.named, twins.named_uids, twins.spool = set(), set(), None
    a, b = account(tmp_path, "stu1", 5000), account(tmp_path, "stu2", 5001)
    assert names(twins.groups([a, b])) == [["stu1"], ["stu2"]]


def test_a_twins_answer_has_its_own_home_and_name():
    rep = pwd.struct_passwd(("stu1", "x", 5000, 5000, "", "/home/stu1", "/bin/bash"))
    pw = pwd.struct_passwd(("stu10", "x", 5009, 5009, "", "/home/stu10", "/bin/bash"))
    meta = {"user": "stu1", "method": "su -l stu1; /bin/bash -l -i", "path": ["/home/stu1/.local/bin", "/usr/bin"]}
    res = {"user": "stu1", "reason": "x shadows y: PATH entry /home/stu1/bin comes before z, set by /home/stu1/.profile:3",
           "shadow": {"value": "/home/stu1/bin", "origin": "/home/stu1/.profile:3"}, "resolved": "/home/stu1x/bin/python"}
    m, r = as_twin(meta, rep, pw), as_twin(res, rep, pw)
    assert m == {"user": "stu10", "method": "su -l stu10; /bin/bash -l -i", "probed_as": "stu1",
                 "path": ["/home/stu10/.local/bin", "/usr/bin"]}
    assert r["shadow"] == {"value": "/home/stu10/bin", "origin": "/home/stu10/.profile:3"}
    assert r["reason"].endswith("PATH entry /home/stu10/bin comes before z, set by /home/stu10/.profile:3")
    assert r["resolved"] == "/home/stu1x/bin/python"        # another directory that only starts alike stays
    assert r["probed_as"] == "stu1"


def test_sudo_is_asked_per_user_only_when_its_rules_come_from_elsewhere(monkeypatch):
    from ansible_collections.labfleet.uv.plugins.module_utils import _path_twins as contexts
    files = {"/etc/nsswitch.conf": b"passwd: files\nsudoers: files\n", "/etc/sudoers": b"%sudo ALL=(ALL:ALL) ALL\n",
             "/etc/sudoers.d": b""}
    monkeypatch.setattr(contexts, "walk_files", lambda path: [("", files[path])] if files.get(path) else [])
    assert Twins.sudoers_from_files_only()
    files["/etc/sudoers.d"] = b"+lab-admins ALL=(ALL) ALL\n"                    # a netgroup
    assert not Twins.sudoers_from_files_only()
    files["/etc/sudoers.d"] = b""
    files["/etc/nsswitch.conf"] = b"sudoers: files sss\n"                       # rules from sssd
    assert not Twins.sudoers_from_files_only()
