"""The sweep of root's managed trees (plugins/module_utils/_sweep.py) on a real temporary tree, as root: what another
account owns, what group or others may write, a link where a directory belongs and, in a bin directory of the
role's, what the plan does not account for, goes into a root-only quarantine as it is (never chowned into root's
name); root's own entries lose their set-id bits where they are; nothing is done through a link."""
import errno
import os
import stat

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils import _sweep
from ansible_collections.labfleet.uv.plugins.module_utils._sweep import (
    Sweep, bin_findings, environment_findings, environments_findings, link_into)

NOBODY = 65534
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sweep judges owners: it runs as root on targets")


@pytest.fixture(autouse=True)
def quarantine_root(tmp_path, monkeypatch):
    """Each test's own quarantine (the real one is /var/lib/labfleet-uv/quarantine), made fresh per run."""
    root = str(tmp_path / "var" / "quarantine")
    monkeypatch.setattr(_sweep, "QUARANTINE_ROOT", root)
    monkeypatch.setattr(_sweep, "_RUN_DIRS", {})
    return root


def write(path, text="x", mode=0o644, uid=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if uid is not None:
        os.lchown(path, uid, -1)
    os.chmod(path, mode)  # after the chown, which drops set-id bits
    return path


def make_venv(path):
    write(os.path.join(path, "pyvenv.cfg"), "home = /opt/uv/python/cpython-3.11-linux-x86_64-gnu/bin\n")
    write(os.path.join(path, "bin", "pip"), "#!/bin/sh\n", 0o755)
    write(os.path.join(path, "lib", "python3.11", "site-packages", "requests", "__init__.py"))
    write(os.path.join(path, ".lock"), "", 0o666)  # uv's, writable by all on purpose
    os.symlink("/opt/uv/python/cpython-3.11-linux-x86_64-gnu/bin/python3.11", os.path.join(path, "bin", "python"))
    return path


def chown_tree(path, uid):
    for top, dirs, files in os.walk(path):
        for name in [top] + [os.path.join(top, n) for n in dirs + files]:
            os.lchown(name, uid, -1)


def test_a_venv_given_to_another_account_goes_whole_into_the_quarantine_as_it_is(tmp_path, quarantine_root):
    """chown -R to a user, then a set-uid shell of theirs in bin: the venv is moved whole, nothing chowned, the
    set-uid file still the user's (in a directory only root can enter), and nothing of it left in place."""
    venv = make_venv(str(tmp_path / "venv-3.11.2"))
    chown_tree(venv, NOBODY)
    shell = write(os.path.join(venv, "bin", "x"), "#!/bin/sh\n", 0o4755, NOBODY)
    swept = Sweep(environment_findings(venv, "the venv"))
    assert swept.lines() == ["move the venv %s into quarantine and build it again (owned by nobody)" % venv]
    assert swept.moves(venv) and swept.moves(shell)
    done, moved = swept.carry_out()
    assert not os.path.lexists(venv)
    [(path, dest)] = moved
    assert path == venv and dest.startswith(quarantine_root + "/") and dest.endswith(venv)
    assert done == ["%s: now %s" % (swept.lines()[0], dest)]
    kept = os.lstat(os.path.join(dest, "bin", "x"))
    assert kept.st_uid == NOBODY and kept.st_mode & stat.S_ISUID  # evidence, as it was: never root's
    run_dir = os.path.dirname(dest[:-len(venv)] + "/")
    for d in (quarantine_root, run_dir):
        st = os.lstat(d)
        assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o700, d


def test_one_entry_of_another_account_deep_in_a_venv_takes_the_venv_and_says_which(tmp_path):
    venv = make_venv(str(tmp_path / "venv"))
    deep = write(os.path.join(venv, "lib", "python3.11", "site-packages", "requests", "evil.py"), uid=NOBODY)
    assert Sweep(environment_findings(venv, "the venv")).lines() == [
        "move the venv %s into quarantine and build it again (%s is owned by nobody)" % (venv, deep)]


def test_a_root_file_others_may_write_is_not_trusted_but_uvs_lock_is_left_alone(tmp_path):
    venv = make_venv(str(tmp_path / "venv"))
    assert Sweep(environment_findings(venv, "the venv")).lines() == []  # .lock 0666 root's: uv's own
    loose = write(os.path.join(venv, "bin", "activate"), mode=0o646)
    assert Sweep(environment_findings(venv, "the venv")).lines() == [
        "move the venv %s into quarantine and build it again (%s is writable by group or others (mode 0646))"
        % (venv, loose)]


def test_roots_own_set_id_files_and_directories_lose_the_bits_in_place(tmp_path):
    venv = make_venv(str(tmp_path / "venv"))
    suid = write(os.path.join(venv, "bin", "tool"), "#!/bin/sh\n", 0o6755)
    sgid_dir = os.path.join(venv, "lib")
    os.chmod(sgid_dir, 0o2755)
    swept = Sweep(environment_findings(venv, "the venv"))
    assert sorted(swept.lines()) == sorted(["fix %s: mode 2755 -> 0755" % sgid_dir,
                                            "fix %s: mode 6755 -> 0755" % suid])
    assert swept.moved() == []
    swept.carry_out()
    assert stat.S_IMODE(os.lstat(suid).st_mode) == 0o755 and stat.S_IMODE(os.lstat(sgid_dir).st_mode) == 0o755
    assert Sweep(environment_findings(venv, "the venv")).lines() == []


def test_a_fix_never_goes_through_a_link_put_in_place_of_what_was_judged(tmp_path):
    """Between the walk and the fix, the set-uid file is replaced by a link to another file: that file keeps its
    mode (chmod never follows a link: the fix goes through a descriptor on the inode judged)."""
    venv = make_venv(str(tmp_path / "venv"))
    suid = write(os.path.join(venv, "bin", "tool"), "#!/bin/sh\n", 0o4755)
    victim = write(str(tmp_path / "victim"), mode=0o4711)
    swept = Sweep(environment_findings(venv, "the venv"))
    os.unlink(suid)
    os.symlink(victim, suid)
    swept.carry_out()
    assert stat.S_IMODE(os.lstat(victim).st_mode) == 0o4711
    finding = [f for f in swept.findings if f.path == suid][0]
    with pytest.raises(OSError) as e:
        _sweep.fix_entry(finding)  # even when asked directly: O_NOFOLLOW
    assert e.value.errno == errno.ELOOP
    assert stat.S_IMODE(os.lstat(victim).st_mode) == 0o4711


def test_a_link_where_an_environment_belongs_is_moved_not_followed(tmp_path):
    target = str(tmp_path / "home" / "mallory" / "venv")
    make_venv(target)
    os.chmod(target, 0o777)
    venv = str(tmp_path / "venv-3.11.2")
    os.symlink(target, venv)
    swept = Sweep(environment_findings(venv, "the venv"))
    assert swept.lines() == ["move the venv %s into quarantine and build it again (a link where a directory "
                             "belongs, to %s)" % (venv, target)]
    dummy, moved = swept.carry_out()
    assert not os.path.lexists(venv) and os.path.islink(moved[0][1])
    assert stat.S_IMODE(os.lstat(target).st_mode) == 0o777 and os.path.isfile(os.path.join(target, "pyvenv.cfg"))


def test_tool_environments_each_go_on_their_own_and_stray_entries_of_others_too(tmp_path):
    gen = str(tmp_path / "tools" / "3.11.2")
    good = make_venv(os.path.join(gen, "ruff"))
    bad = make_venv(os.path.join(gen, "pre-commit"))
    os.symlink("/etc/shadow", os.path.join(bad, "bin", "shadow"))
    os.lchown(os.path.join(bad, "bin", "shadow"), NOBODY, -1)
    stray = write(os.path.join(gen, "notes"), uid=NOBODY)
    write(os.path.join(gen, ".lock"), "", 0o666)
    swept = Sweep(environments_findings(gen, lambda name: "the tool environment"))
    assert swept.lines() == [
        "move %s into quarantine (owned by nobody)" % stray,
        "move the tool environment %s into quarantine and build it again (%s is owned by nobody)"
        % (bad, os.path.join(bad, "bin", "shadow"))]
    swept.carry_out()
    assert sorted(os.listdir(gen)) == [".lock", "ruff"] and os.path.isdir(good)
    assert os.stat("/etc/shadow").st_uid == 0


def test_a_directory_of_others_holding_environments_goes_whole_a_loose_one_of_roots_is_closed(tmp_path):
    gen = str(tmp_path / "tools")
    make_venv(os.path.join(gen, "ruff"))
    os.chmod(gen, 0o777)
    assert Sweep(environments_findings(gen, lambda name: "the tool environment")).lines() == [
        "fix %s: mode 0777 -> 0755" % gen]
    os.lchown(gen, NOBODY, -1)
    assert Sweep(environments_findings(gen, lambda name: "the tool environment")).lines() == [
        "move %s into quarantine (owned by nobody)" % gen]
    # the role's directories part judges the role's own directory itself
    assert Sweep(environments_findings(gen, lambda name: "the tool environment", check_top=False)).lines() == []


def named_uv(name, path, st):
    return name in ("uv", "uvx")


def regular(name, path, st):
    return stat.S_ISREG(st.st_mode)


def test_a_bin_directory_of_the_roles_keeps_only_what_the_plan_accounts_for(tmp_path):
    """uv and uvx stay (root's files); another account's uvx, a user's `sudo`, root's own stray file and a link
    where uv's file belongs go. In a directory of the system's (not strict) only the plan's names are judged."""
    bin_dir = str(tmp_path / "bin")
    write(os.path.join(bin_dir, "uv"), mode=0o755)
    uvx = write(os.path.join(bin_dir, "uvx"), mode=0o755, uid=NOBODY)
    sudo = write(os.path.join(bin_dir, "sudo"), mode=0o4755, uid=NOBODY)
    mine = write(os.path.join(bin_dir, "ls"), mode=0o755)
    swept = Sweep(bin_findings(bin_dir, named_uv, regular, strict=True))
    assert swept.lines() == ["move %s into quarantine (not the role's)" % mine,
                             "move %s into quarantine (not the role's, owned by nobody)" % sudo,
                             "move %s into quarantine (owned by nobody)" % uvx]
    assert Sweep(bin_findings(bin_dir, named_uv, regular, strict=False)).lines() == [
        "move %s into quarantine (owned by nobody)" % uvx]
    swept.carry_out()
    assert os.listdir(bin_dir) == ["uv"]
    os.symlink("/usr/bin/true", os.path.join(bin_dir, "uvx"))
    assert Sweep(bin_findings(bin_dir, named_uv, regular, strict=True)).lines() == [
        "move %s into quarantine (not the role's)" % uvx]


def test_links_into_a_directory_are_told_from_links_out_of_it(tmp_path):
    tools = str(tmp_path / "tools")
    bin_dir = str(tmp_path / "tool-bin")
    os.makedirs(bin_dir)
    os.symlink(tools + "/3.11.2/pre-commit/bin/pre-commit", os.path.join(bin_dir, "pre-commit"))
    os.symlink("../tools/3.11.2/ruff/bin/ruff", os.path.join(bin_dir, "ruff"))
    os.symlink(tools + "-evil/x", os.path.join(bin_dir, "x"))
    os.symlink("../tools/../etc/passwd", os.path.join(bin_dir, "y"))
    into = {n: link_into(os.path.join(bin_dir, n), os.lstat(os.path.join(bin_dir, n)), tools)
            for n in os.listdir(bin_dir)}
    assert into == {"pre-commit": True, "ruff": True, "x": False, "y": False}


def test_the_quarantine_never_follows_a_link_moved_into_it_before(tmp_path, quarantine_root):
    """A link moved first (where the role's tool-bin belongs) and then a file of the new tool-bin: the second
    does not land through the first into the link's target."""
    outside = str(tmp_path / "outside")
    os.makedirs(outside)
    tool_bin = str(tmp_path / "tool-bin")
    os.symlink(outside, tool_bin)
    first = _sweep.quarantine(tool_bin)
    os.makedirs(tool_bin)
    second = _sweep.quarantine(write(os.path.join(tool_bin, "sudo"), uid=NOBODY))
    assert os.listdir(outside) == []
    assert os.path.islink(first) and os.path.isfile(second) and not os.path.islink(os.path.dirname(second))


def test_on_another_filesystem_than_the_quarantine_it_is_removed(tmp_path, monkeypatch):
    venv = make_venv(str(tmp_path / "venv"))
    chown_tree(venv, NOBODY)
    swept = Sweep(environment_findings(venv, "the venv"))

    def cross_device(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(_sweep.os, "rename", cross_device)
    done, moved = swept.carry_out()
    assert moved == [(venv, None)] and not os.path.lexists(venv)
    assert done[0].endswith(": removed (on another filesystem than %s)" % _sweep.QUARANTINE_ROOT)


def test_an_entry_changed_since_it_was_judged_is_left_for_the_next_run(tmp_path):
    bin_dir = str(tmp_path / "bin")
    sudo = write(os.path.join(bin_dir, "sudo"), uid=NOBODY)
    swept = Sweep(bin_findings(bin_dir, named_uv, regular, strict=True))
    os.unlink(sudo)
    write(sudo)
    assert swept.carry_out() == ([], []) and os.path.isfile(sudo)


def test_a_venv_given_away_takes_uvs_cache_with_it_its_hard_links_are_the_users_too(tmp_path, quarantine_root):
    """uv installs a venv's packages as hard links to its cache's files: chown -R of the venv gives the user the
    cache's inodes, and a venv built again from that cache would be theirs again. The cache goes too (whole: uv's
    index names its entries) and is made again empty, root's, with its mode; a quiet sweep never walks it."""
    cache = str(tmp_path / "cache")
    wheel_file = write(os.path.join(cache, "archive-v0", "abc", "requests", "__init__.py"))
    write(os.path.join(cache, "wheels-v8", "index", "x", "requests.rev"))
    os.chmod(cache, 0o700)
    venv = make_venv(str(tmp_path / "venv"))
    linked = os.path.join(venv, "lib", "python3.11", "site-packages", "requests", "__init__.py")
    os.unlink(linked)
    os.link(wheel_file, linked)
    assert Sweep(environment_findings(venv, "the venv")).with_cache(cache).lines() == []
    chown_tree(venv, NOBODY)
    swept = Sweep(environment_findings(venv, "the venv")).with_cache(cache)
    assert swept.lines()[1] == ("move uv's cache %s into quarantine and make it again, empty (%s is owned by nobody)"
                                % (cache, wheel_file))
    dummy, moved = swept.carry_out()
    assert [path for path, dest in moved] == [venv, cache]
    st = os.lstat(cache)
    assert os.listdir(cache) == [] and st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o700


def test_a_venv_that_is_only_loose_leaves_uvs_cache_unwalked(tmp_path, monkeypatch):
    venv = make_venv(str(tmp_path / "venv"))
    os.chmod(os.path.join(venv, "bin"), 0o777)
    monkeypatch.setattr(_sweep, "cache_findings", lambda cache_dir: pytest.fail("the cache was walked"))
    assert Sweep(environment_findings(venv, "the venv")).with_cache(str(tmp_path / "cache")).moved() == [venv]


def test_an_environment_open_to_others_and_given_away_deeper_still_takes_the_cache(tmp_path):
    venv = make_venv(str(tmp_path / "venv"))
    os.chmod(os.path.join(venv, "bin"), 0o777)  # found first
    write(os.path.join(venv, "lib", "python3.11", "site-packages", "requests", "x.py"), uid=NOBODY)
    [finding] = environment_findings(venv, "the venv")
    assert finding.move and finding.given_away and "bin is writable by group or others" in finding.line


def test_owner_and_mode_are_never_set_through_a_link(tmp_path):
    """_files.set_ownership (the role's directories) opens with O_NOFOLLOW; replace_atomically gives the new file
    its mode through the open file, without the set-id bits of the file it replaces."""
    from ansible_collections.labfleet.uv.plugins.module_utils._files import set_ownership, write_atomically
    victim = write(str(tmp_path / "victim"), mode=0o600)
    link = str(tmp_path / "dir")
    os.symlink(victim, link)
    with pytest.raises(OSError) as e:
        set_ownership(link, dict(owner="root", group="root", mode="0755"))
    assert e.value.errno == errno.ELOOP and stat.S_IMODE(os.lstat(victim).st_mode) == 0o600
    old = write(str(tmp_path / "csh.cshrc"), mode=0o4755)
    write_atomically(old, b"x\n", like=os.lstat(old))
    assert stat.S_IMODE(os.lstat(old).st_mode) == 0o755


def test_pyvenv_cfg_is_read_only_as_a_regular_file_and_within_bounds(tmp_path):
    """Root reads a venv's pyvenv.cfg whoever wrote it: a link (to /etc/shadow) or a FIFO (which would block) is
    no pyvenv.cfg, and no more than PYVENV_CFG_MAX bytes are read."""
    from ansible_collections.labfleet.uv.plugins.module_utils import _generations
    venv = str(tmp_path / "venv")
    os.makedirs(venv)
    os.symlink(write(str(tmp_path / "secret"), "home = /secret\n"), os.path.join(venv, "pyvenv.cfg"))
    assert _generations.read_pyvenv_cfg(venv) is None
    os.unlink(os.path.join(venv, "pyvenv.cfg"))
    os.mkfifo(os.path.join(venv, "pyvenv.cfg"))
    assert _generations.read_pyvenv_cfg(venv) is None
    os.unlink(os.path.join(venv, "pyvenv.cfg"))
    write(os.path.join(venv, "pyvenv.cfg"),
          "home = /opt/x\n" + "#" * (2 * _generations.PYVENV_CFG_MAX) + "\nlate = 1\n")
    assert _generations.read_pyvenv_cfg(venv) == {"home": "/opt/x"}
