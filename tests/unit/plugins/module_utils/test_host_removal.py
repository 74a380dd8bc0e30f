"""labfleet.uv.uv_apply state=absent (plugins/module_utils/_host_removal.py) on a real temporary host tree, as root:
the module runs whole (AnsibleModule, check mode, diff); no command is run, so run_command fails the test if called.
The role's root goes whole; outside it only the role's own (root's marked files, links into the tree, uv's binaries
in a uv bin dir out there, the marked blocks with the rest of each file kept); a user's file, a link a user planted
and what a link points to are never touched; check mode changes nothing and names exactly what a run removes."""
import json
import os
import stat

import pytest
from ansible.module_utils import basic

from ansible_collections.labfleet.uv.plugins.module_utils import _host_removal
from ansible_collections.labfleet.uv.plugins.modules import uv_apply
from ansible_collections.labfleet.uv.tests.unit.plugins.modules.module_args import patch_module_args
from ansible_collections.labfleet.uv.tests.unit.plugins.module_utils.test_sweep import write

NOBODY = 65534
MARKER = "Managed by Ansible: labfleet.uv.shared_python"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the removal judges owners: it runs as root on targets")


def link(path, target):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)
    return path


def tree(top):
    """{path: (type, mode, uid, content or link target)} of everything under top, nothing followed."""
    found = {}
    for base, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(base, name)
            st = os.lstat(path)
            what = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
            if stat.S_ISREG(st.st_mode):
                with open(path) as f:
                    what = f.read()
            found[path] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, what)
    return found


@pytest.fixture(name="host")
def host_fixture(tmp_path, monkeypatch):
    """A converged host in tmp_path: the root opt/uv (uv's bin dir in it), commands in usr/local/bin, the shells'
    files in etc, uv's configuration in etc/uv, the role's block in etc/zsh/zprofile; the host lock in run."""
    h = str(tmp_path)
    monkeypatch.setattr(_host_removal, "LOCK_PATH", os.path.join(h, "run", "labfleet-uv.lock"))
    os.makedirs(os.path.join(h, "run"))

    def fail(*args, **kwargs):
        raise AssertionError("the removal runs no command: %r" % (args,))

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fail)
    root = os.path.join(h, "opt", "uv")
    write(os.path.join(root, "bin", "uv"), "#!/bin/sh\n", 0o755)
    write(os.path.join(root, "venv-3.13.5", "pyvenv.cfg"), "home = x\n")
    link(os.path.join(root, "venv"), os.path.join(root, "venv-3.13.5"))
    cmd = os.path.join(h, "usr", "local", "bin")
    write(os.path.join(cmd, "python"), "#!/bin/sh\n# %s\nexec x\n" % MARKER, 0o755)
    link(os.path.join(cmd, "uv"), os.path.join(root, "bin", "uv"))
    write(os.path.join(h, "etc", "profile.d", "labfleet-uv.sh"), "# %s\nPATH=x\n" % MARKER)
    write(os.path.join(h, "etc", "uv", "uv.toml"), "# %s\n" % MARKER)
    write(os.path.join(h, "etc", "zsh", "zprofile"), "before\n# BEGIN %s\n. x\n# END %s\nafter\n" % (MARKER, MARKER))
    write(_host_removal.LOCK_PATH, "pid 1\n", 0o600)
    return h


def params(h, **extra):
    root, cmd = os.path.join(h, "opt", "uv"), os.path.join(h, "usr", "local", "bin")
    p = dict(state="absent", uv_version="0.13.9", uv_path=os.path.join(root, "bin", "uv"), marker=MARKER,
             uv_config=os.path.join(h, "etc", "uv", "uv.toml"),
             directories=[dict(path=root, owner="root", group="root", mode="0755"),
                          dict(path=os.path.join(root, "bin"), owner="root", group="root", mode="0755"),
                          dict(path=cmd), dict(path=os.path.join(h, "etc", "uv"))],
             files=[dict(path=os.path.join(h, "etc", "uv", "uv.toml"), content="x", first=True),
                    dict(path=os.path.join(cmd, "python"), content="x"),
                    dict(path=os.path.join(h, "etc", "profile.d", "labfleet-uv.sh"), content="x")],
             links=[dict(path=os.path.join(cmd, "uv"), src=os.path.join(root, "bin", "uv"))],
             blocks=[dict(path=os.path.join(h, "etc", "zsh", "zprofile"), text=". x", marker=MARKER)],
             venv=dict(path=os.path.join(root, "venv"), python="3.13"))
    p.update(extra)
    return p


def run(capsys, p, check=False):
    args = dict(p, _ansible_check_mode=check, _ansible_diff=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            uv_apply.main()
    return json.loads(capsys.readouterr().out)


def test_a_removal_takes_away_the_roles_and_keeps_the_rest_of_the_blocks_file(host, capsys):
    result = run(capsys, params(host))
    assert result["changed"] is True and not result.get("failed"), result
    assert [(r["kind"], r["path"]) for r in result["removed"]] == [
        ("file", host + "/etc/uv/uv.toml"), ("file", host + "/usr/local/bin/python"),
        ("file", host + "/etc/profile.d/labfleet-uv.sh"), ("file", host + "/usr/local/bin/uv"),
        ("block", host + "/etc/zsh/zprofile"), ("tree", host + "/opt/uv"), ("directory", host + "/etc/uv"),
        ("file", _host_removal.LOCK_PATH)]
    assert len(result["done"]) == 8 and result["diff"]["after"] == ""
    with open(os.path.join(host, "etc", "zsh", "zprofile")) as f:
        assert f.read() == "before\nafter\n"
    left = sorted(p[len(host):] for p in tree(host))
    assert left == ["/etc", "/etc/profile.d", "/etc/zsh", "/etc/zsh/zprofile", "/opt", "/run", "/usr",
                    "/usr/local", "/usr/local/bin"]
    again = run(capsys, params(host))
    assert again["changed"] is False and again["removed"] == [] and again["done"] == [], again


def test_check_mode_changes_nothing_and_names_exactly_what_a_run_removes(host, capsys):
    before = tree(host)
    checked = run(capsys, params(host), check=True)
    assert tree(host) == before
    assert checked["changed"] is True and "done" not in checked
    done = run(capsys, params(host))
    assert checked["pending"] == done["done"] and checked["removed"] == done["removed"]
    assert checked["diff"] == done["diff"] and checked["diff"]["before"] == "".join(
        "%s\n" % line for line in done["done"])


def test_outside_the_root_what_is_not_surely_the_roles_stays(host, capsys):
    """An admin's command, a marked file another account owns, a file holding only the role's block, the admin's
    own uv.toml beside the role's, and the layout's profile edited by the admin (no marker any more)."""
    cmd = os.path.join(host, "usr", "local", "bin")
    kept = [write(os.path.join(cmd, "admins-tool"), "#!/bin/sh\necho mine\n", 0o755),
            write(os.path.join(cmd, "python3"), "#!/bin/sh\n# %s\n" % MARKER, 0o755, NOBODY),
            write(os.path.join(cmd, "blocky"), "# BEGIN %s\nx\n# END %s\n" % (MARKER, MARKER)),
            write(os.path.join(host, "etc", "uv", "admin.toml"), "mine\n"),
            write(os.path.join(host, "etc", "profile.d", "labfleet-uv.sh"), "PATH=edited-by-the-admin\n")]
    before = dict((p, s) for p, s in tree(host).items() if p in kept or p == os.path.join(host, "etc", "uv"))
    result = run(capsys, params(host))
    assert not result.get("failed"), result
    assert dict((p, s) for p, s in tree(host).items() if p in before) == before
    assert not any(r["path"] in kept for r in result["removed"])


def test_no_link_is_followed_out_of_the_tree_and_nothing_it_points_to_goes(host, capsys):
    """In the root: a link to a user's directory (the root goes, the user's files stay). Outside: a link to an
    admin's marked file elsewhere (the link is not the role's, nor is what it points to), and a FIFO in place of a
    command (never opened, so no run hangs on it)."""
    users = os.path.join(host, "home", "alice")
    precious = write(os.path.join(users, "precious"), "mine\n", 0o644, NOBODY)
    link(os.path.join(host, "opt", "uv", "venv-3.13.5", "lib"), users)
    elsewhere = write(os.path.join(host, "srv", "marked"), "# %s\n" % MARKER)
    planted = link(os.path.join(host, "usr", "local", "bin", "pip"), elsewhere)
    fifo = os.path.join(host, "usr", "local", "bin", "python3.13")
    os.mkfifo(fifo)
    result = run(capsys, params(host))
    assert not result.get("failed"), result
    assert not os.path.lexists(os.path.join(host, "opt", "uv"))
    assert open(precious).read() == "mine\n" and os.path.isdir(users)
    assert os.readlink(planted) == elsewhere and open(elsewhere).read() == "# %s\n" % MARKER
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_uvs_binaries_in_a_uv_bin_dir_outside_the_root_go_and_the_venv_outside_goes_with_its_generations(
        host, capsys):
    uv_dir = os.path.join(host, "usr", "local", "lib", "uv-bin")
    write(os.path.join(uv_dir, "uv"), "ELF", 0o755)
    write(os.path.join(uv_dir, "uvx"), "ELF", 0o755)
    users_uv = write(os.path.join(host, "usr", "local", "lib", "other-bin", "uv"), "ELF", 0o755)
    venv = os.path.join(host, "srv", "venv")
    write(os.path.join(venv + "-3.13.5", "pyvenv.cfg"), "x\n")
    write(os.path.join(venv + "-3.13.6", "pyvenv.cfg"), "x\n")
    link(venv, venv + "-3.13.6")
    neighbour = write(os.path.join(host, "srv", "venv-old", "keep"), "mine\n")
    p = params(host, uv_path=os.path.join(uv_dir, "uv"), venv=dict(path=venv, python="3.13"))
    p["directories"].append(dict(path=uv_dir))
    result = run(capsys, p)
    assert not result.get("failed"), result
    for gone in (os.path.join(uv_dir, "uv"), os.path.join(uv_dir, "uvx"), venv, venv + "-3.13.5", venv + "-3.13.6"):
        assert not os.path.lexists(gone), gone
    assert os.path.isdir(uv_dir) and os.path.exists(users_uv) and os.path.exists(neighbour)


def test_a_directory_of_the_system_is_refused_before_anything_changes(host, capsys, monkeypatch):
    monkeypatch.setattr(_host_removal, "SYSTEM_DIRS", _host_removal.SYSTEM_DIRS | {os.path.join(host, "opt", "uv")})
    before = tree(host)
    result = run(capsys, params(host))
    assert result["failed"] is True and "is a directory of the system" in result["msg"], result
    after = tree(host)
    # the lock names its holder: the run took it before deciding
    assert after.pop(_host_removal.LOCK_PATH)[3].startswith("pid ")
    before.pop(_host_removal.LOCK_PATH)
    assert after == before


def test_a_link_to_the_blocks_file_stays_a_link_and_its_target_loses_only_the_block(host, capsys):
    zprofile = os.path.join(host, "etc", "zsh", "zprofile")
    real = os.path.join(host, "etc", "zsh", "zprofile.real")
    os.rename(zprofile, real)
    os.chmod(real, 0o640)
    link(zprofile, "zprofile.real")
    result = run(capsys, params(host))
    assert not result.get("failed"), result
    assert os.readlink(zprofile) == "zprofile.real"
    assert open(real).read() == "before\nafter\n" and stat.S_IMODE(os.stat(real).st_mode) == 0o640


def test_without_the_lock_before_the_run_none_is_left_and_none_reported(host, capsys):
    os.unlink(_host_removal.LOCK_PATH)
    result = run(capsys, params(host))
    assert _host_removal.LOCK_PATH not in [r["path"] for r in result["removed"]]
    assert not os.path.lexists(_host_removal.LOCK_PATH)


def test_a_link_through_a_users_file_into_the_tree_is_not_the_roles(host, capsys):
    """An admin's command links to a user's file, which the user points into the shared tree: the admin's link is
    judged by what it says, not by where it ends up, and stays (red team, session 15)."""
    users = os.path.join(host, "home", "mallory", "bin")
    os.makedirs(users)
    hers = link(os.path.join(users, "mtool"), os.path.join(host, "opt", "uv", "venv", "bin", "python"))
    admins = link(os.path.join(host, "usr", "local", "bin", "mtool"), hers)
    result = run(capsys, params(host))
    assert not result.get("failed"), result
    assert os.readlink(admins) == hers
    assert not any(r["path"] == admins for r in result["removed"])
