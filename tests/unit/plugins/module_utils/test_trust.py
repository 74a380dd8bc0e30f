"""_trust.why_untrusted on real files: what root may run, and why not."""
import os

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils._trust import why_untrusted

# another account's uid (the tests chown to it: they run as root, as the modules do on a target)
OTHER = 65534


@pytest.fixture
def tree(tmp_path):
    """tmp_path/opt/bin/prog: directories 0755, the program 0755, all the test's own (root's)."""
    bin_dir = tmp_path / "opt" / "bin"
    bin_dir.mkdir(parents=True)
    for d in (tmp_path, tmp_path / "opt", bin_dir):
        os.chmod(d, 0o755)
    prog = bin_dir / "prog"
    prog.write_text("#!/bin/sh\n")
    os.chmod(prog, 0o755)
    return tmp_path


def test_a_program_only_root_can_change_is_trusted(tree):
    assert why_untrusted(str(tree / "opt" / "bin" / "prog")) is None
    assert why_untrusted("/bin/sh") is None  # through Debian's /bin -> usr/bin link


@pytest.mark.parametrize("mode, words", [(0o775, "writable by its group (mode 0775)"),
                                         (0o757, "writable by others (mode 0757)"),
                                         (0o777, "writable by others (mode 0777)")])
def test_a_program_others_can_write_is_not(tree, mode, words):
    prog = tree / "opt" / "bin" / "prog"
    os.chmod(prog, mode)
    assert why_untrusted(str(prog)) == "%s is %s" % (prog, words)


@pytest.mark.parametrize("mode, words", [(0o777, "writable by others (mode 0777)"),
                                         (0o775, "writable by its group (mode 0775)")])
def test_a_directory_above_it_others_can_write_is_not(tree, mode, words):
    os.chmod(tree / "opt", mode)
    assert why_untrusted(str(tree / "opt" / "bin" / "prog")) == "%s is %s" % (tree / "opt", words)


def test_a_sticky_directory_is_like_tmp(tree):
    """Others cannot rename or remove what root owns in a sticky directory: the entries below are checked instead."""
    os.chmod(tree / "opt", 0o1777)
    assert why_untrusted(str(tree / "opt" / "bin" / "prog")) is None
    os.chown(tree / "opt" / "bin", OTHER, -1)
    assert "is owned by uid 65534" in why_untrusted(str(tree / "opt" / "bin" / "prog"))


def test_a_program_or_directory_another_account_owns_is_not(tree):
    prog = tree / "opt" / "bin" / "prog"
    os.chown(prog, OTHER, -1)
    assert why_untrusted(str(prog)) == "%s is owned by uid 65534 (nobody), not root" % prog
    os.chown(prog, 0, -1)
    os.chown(tree / "opt", OTHER, -1)
    assert why_untrusted(str(prog)) == "%s is owned by uid 65534 (nobody), not root" % (tree / "opt")


def test_links_are_followed_component_by_component(tree):
    """A link is checked itself, and so is every directory on the way to where it leads."""
    elsewhere = tree / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    (elsewhere / "prog").write_text("#!/bin/sh\n")
    os.chmod(elsewhere / "prog", 0o755)
    link = tree / "opt" / "bin" / "python"
    os.symlink("../../elsewhere/./prog", link)
    assert why_untrusted(str(link)) is None
    os.chmod(elsewhere, 0o777)  # the link's own directory is fine: where it leads is not
    assert why_untrusted(str(link)) == "%s is writable by others (mode 0777)" % elsewhere
    os.chmod(elsewhere, 0o755)
    os.lchown(link, OTHER, -1)
    assert why_untrusted(str(link)) == "the link %s is owned by uid 65534 (nobody), not root" % link
    dir_link = tree / "opt" / "lib"
    os.symlink(str(elsewhere), dir_link)
    assert why_untrusted(str(dir_link / "prog")) is None
    loop = tree / "opt" / "loop"
    os.symlink("loop", loop)
    assert why_untrusted(str(loop)) == "more than 40 links on the way to %s" % loop


def test_what_is_not_a_program(tree):
    assert why_untrusted(str(tree / "opt" / "bin")) == "%s is a directory, not a program" % (tree / "opt" / "bin")
    assert why_untrusted(str(tree / "opt" / "bin" / "prog" / "x")) == "%s is not a directory" % (
        tree / "opt" / "bin" / "prog")
    assert why_untrusted(str(tree / "opt" / "missing")).startswith("%s cannot be read" % (tree / "opt" / "missing"))
    assert why_untrusted("opt/bin/prog") == "'opt/bin/prog' is not an absolute path"
    os.mkfifo(str(tree / "opt" / "fifo"))
    assert why_untrusted(str(tree / "opt" / "fifo")) == "%s is not a regular file" % (tree / "opt" / "fifo")


def test_a_directory_for_path(tree):
    assert why_untrusted(str(tree / "opt" / "bin"), directory=True) is None
    assert why_untrusted(str(tree / "opt" / "bin" / "prog"), directory=True) == "%s is not a directory" % (
        tree / "opt" / "bin" / "prog")
    os.chmod(tree / "opt" / "bin", 0o777)
    assert "writable by others" in why_untrusted(str(tree / "opt" / "bin"), directory=True)
