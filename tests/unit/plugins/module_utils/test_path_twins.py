"""path_info's twins: accounts that cannot differ are probed once, anything that can change an answer keeps a user
apart, and a twin's answer is the probed one's with the home and name swapped. Root reads the homes within bounds:
what a user could make it read beyond them (a huge file, a FIFO, a link out of the home) keeps that user apart,
named in a warning, and is never opened."""
import os
import pwd
import socket
import sys
import threading
import time

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils import _path_twins
from ansible_collections.labfleet.uv.plugins.module_utils._path_twins import (
    HOME_STARTUP, KeptApart, Twins, as_twin, read_regular, sudoers_from_files_only)

SKEL_PROFILE = 'if [ -d "$HOME/bin" ] ; then\n    PATH="$HOME/bin:$PATH"\nfi\n'
# what Debian's /etc/skel holds that matters here: .profile sources .bashrc, which sources ~/.bash_aliases
DEBIAN_PROFILE = ('# ~/.profile: executed by the command interpreter for login shells.\n'
                  'if [ -n "$BASH_VERSION" ]; then\n    if [ -f "$HOME/.bashrc" ]; then\n\t. "$HOME/.bashrc"\n'
                  '    fi\nfi\n' + SKEL_PROFILE + 'if [ -d "$HOME/.local/bin" ] ; then\n'
                  '    PATH="$HOME/.local/bin:$PATH"\nfi\n')
DEBIAN_BASHRC = ('# ~/.bashrc: executed by bash(1) for non-login shells.\ncase $- in\n    *i*) ;;\n      *) return;;\n'
                 'esac\nHISTCONTROL=ignoreboth\nshopt -s histappend\n'
                 'test -r ~/.dircolors && eval "$(dircolors -b ~/.dircolors)" || eval "$(dircolors -b)"\n'
                 '# ~/.bash_aliases, instead of adding them here directly.\n'
                 'if [ -f ~/.bash_aliases ]; then\n    . ~/.bash_aliases\nfi\n'
                 'if ! shopt -oq posix; then\n  if [ -f /usr/share/bash-completion/bash_completion ]; then\n'
                 '    . /usr/share/bash-completion/bash_completion\n  fi\nfi\n')


class Module(object):
    def __init__(self):
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)


class Info(object):
    def __init__(self, contexts=("login", "interactive")):
        self.p = {"commands": ["python", "python3", "pip"], "contexts": list(contexts)}
        self.sudo_policies = {}
        self.module = Module()


def make(home, files):
    """files: home path -> content (str or bytes), ("link", target), ("fifo",), ("socket",) or ("dir",)."""
    for rel, what in files.items():
        path = home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(str(path)):
            os.unlink(str(path))
        if isinstance(what, tuple) and what[0] == "link":
            os.symlink(what[1], str(path))
        elif what == ("fifo",):
            os.mkfifo(str(path))
        elif what == ("socket",):
            s, cwd = socket.socket(socket.AF_UNIX), os.getcwd()
            os.chdir(str(path.parent))                  # a socket's path is short
            try:
                s.bind(path.name)
            finally:
                os.chdir(cwd)
                s.close()
        elif what == ("dir",):
            path.mkdir()
        else:
            path.write_bytes(what if isinstance(what, bytes) else what.encode())


def own(home, uid):
    """Everything under home the user's, as if they had made it."""
    for base, dirs, files in os.walk(str(home)):
        for name in dirs + files:
            os.lchown(os.path.join(base, name), uid, uid)
    os.chown(str(home), uid, uid)


def account(tmp_path, name, uid, shell="/bin/bash", profile=SKEL_PROFILE, files=None):
    home = tmp_path / name
    home.mkdir()
    make(home, dict({".profile": profile} if profile is not None else {}, **(files or {})))
    own(home, uid)
    return pwd.struct_passwd((name, "x", uid, uid, "", str(home), shell))


def names(groups):
    return sorted(sorted(pw.pw_name for pw in g) for g in groups)


def quiet_twins(tmp_path, contexts=("login", "interactive")):
    """Twins on this host with no system file naming anyone."""
    twins = Twins(Info(contexts))
    twins.named, twins.named_uids, twins.spool, twins.system_problem = set(), set(), str(tmp_path), None
    return twins


class Opened(object):
    """Every path opened while active (Python's audit hook for open/os.open): what root read."""
    active = None

    def __enter__(self):
        Opened.active = self.paths = []
        return self

    def __exit__(self, *exc):
        Opened.active = None


def audit(event, args):
    if event == "open" and Opened.active is not None:
        Opened.active.append(str(args[0]))


sys.addaudithook(audit)


def test_skel_accounts_are_twins_and_any_difference_keeps_one_apart(tmp_path):
    twins = quiet_twins(tmp_path)
    a, b, c = (account(tmp_path, n, 5000 + i) for i, n in enumerate(["stu1", "stu2", "stu3"]))
    edited = account(tmp_path, "stu4", 5004, profile=SKEL_PROFILE + 'PATH="/opt/x:$PATH"\n')
    fish = account(tmp_path, "stu5", 5005, shell="/usr/bin/fish")
    own_bin = account(tmp_path, "stu6", 5006, files={"bin/python": ("link", "/usr/bin/python3")})
    empty_bin = account(tmp_path, "stu7", 5007, files={"bin": ("dir",)})  # ~/bin on PATH, no probed command: apart
    assert names(twins.groups([a, b, c, edited, fish, own_bin, empty_bin])) == [
        ["stu1", "stu2", "stu3"], ["stu4"], ["stu5"], ["stu6"], ["stu7"]]
    assert twins.apart == {} and twins.info.module.warnings == []


def test_a_user_a_system_file_names_or_without_a_home_is_probed_alone(tmp_path):
    twins = quiet_twins(tmp_path)
    twins.named, twins.named_uids = {"Match", "User", "stu2"}, {5003}
    a, b = account(tmp_path, "stu1", 5000), account(tmp_path, "stu2", 5001)
    c = pwd.struct_passwd(("stu3", "x", 5002, 5002, "", str(tmp_path / "gone"), "/bin/bash"))
    d = account(tmp_path, "stu4", 5003)          # sudoers names #5003
    e = account(tmp_path, "stu5", 5004)
    assert names(twins.groups([a, b, c, d, e])) == [["stu1", "stu5"], ["stu2"], ["stu3"], ["stu4"]]
    assert sorted(twins.apart) == ["stu2", "stu3", "stu4"]


def test_crontab_variables_count_and_jobs_do_not(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    twins = quiet_twins(spool, contexts=["cron"])
    a, b, c = (account(tmp_path, n, 5000 + i) for i, n in enumerate(["stu1", "stu2", "stu3"]))
    (spool / "stu1").write_text("* * * * * true\n")
    (spool / "stu3").write_text("SHELL=/usr/bin/fish\n")
    assert names(twins.groups([a, b, c])) == [["stu1", "stu2"], ["stu3"]]


def test_without_a_cron_spool_nobody_is_a_twin_for_cron(tmp_path):
    twins = quiet_twins(tmp_path, contexts=["cron"])
    twins.spool = None
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
    files = {"/etc/nsswitch.conf": b"passwd: files\nsudoers: files\n", "/etc/sudoers": b"%sudo ALL=(ALL:ALL) ALL\n",
             "/etc/sudoers.d": b""}
    monkeypatch.setattr(_path_twins, "walk_files", lambda path: [("", files[path])] if files.get(path) else [])
    assert sudoers_from_files_only()
    files["/etc/sudoers.d"] = b"+lab-admins ALL=(ALL) ALL\n"                    # a netgroup
    assert not sudoers_from_files_only()
    files["/etc/sudoers.d"] = b""
    files["/etc/nsswitch.conf"] = b"sudoers: files sss\n"                       # rules from sssd
    assert not sudoers_from_files_only()


# -- twins that can't lie: every file a shell reads at startup counts, to the byte ------------------------------------
SOURCED = {".profile": DEBIAN_PROFILE, ".bashrc": DEBIAN_BASHRC,
           ".bash_aliases": "alias ll='ls -l'\n. ~/.bash_more\n",            # sourced by .bashrc
           ".bash_more": "alias la='ls -A'\n",                                 # sourced by a sourced file
           ".dircolors": "DIR 01;34\n",                                        # named by .bashrc
           ".zshenv": 'ZDOTDIR="$HOME/.config/zsh"\n',
           ".config/zsh/.zshrc": "alias py=python3\n",                         # zsh reads it from $ZDOTDIR
           ".kshrc": ". .kshrc.local\n",                                       # relative: from the home
           ".kshrc.local": "alias p=python3\n",
           ".cshrc": "source ~/.aliases.csh\n", ".aliases.csh": "alias py python3\n",
           ".config/fish/conf.d/lab.fish": "source $HOME/.config/fish/extra.fish\n",
           ".config/fish/extra.fish": "alias py python3\n",
           ".config/nushell/config.nu": "use lib.nu\n", ".config/nushell/lib.nu": "export def py [] {}\n"}
# the startup directories path_info knows (each read whole)
STARTUP_DIRS = [".config/environment.d", ".config/fish", ".config/fish/conf.d", ".config/fish/functions",
                ".config/nushell", ".config/nushell/autoload", ".local/share/nushell/vendor/autoload"]
# every startup file path_info knows, and a file in each startup directory
EVERY_STARTUP = dict((rel + "/lab.conf" if rel in STARTUP_DIRS else rel, "# %s\n" % rel) for rel in HOME_STARTUP)
FILES = dict(EVERY_STARTUP, **SOURCED)


@pytest.mark.parametrize("changed", sorted(FILES))
def test_a_one_byte_change_to_any_file_read_at_startup_makes_the_account_its_own_group(tmp_path, changed):
    twins = quiet_twins(tmp_path)
    alike = [account(tmp_path, "stu%d" % i, 5000 + i, profile=None, files=FILES) for i in range(3)]
    edited = FILES[changed][:-1] + "#\n"
    odd = account(tmp_path, "odd", 5009, profile=None, files=dict(FILES, **{changed: edited}))
    assert names(twins.groups(alike + [odd])) == [["odd"], ["stu0", "stu1", "stu2"]]
    assert twins.apart == {}


def test_thirty_skel_accounts_are_one_group_whatever_their_history(tmp_path):
    twins = quiet_twins(tmp_path)
    skel = {".profile": DEBIAN_PROFILE, ".bashrc": DEBIAN_BASHRC, ".bash_logout": "clear\n"}
    room = [account(tmp_path, "stu%d" % i, 5000 + i, profile=None, files=dict(skel, **{
        ".bash_history": "ls %d\n" % i, ".lesshst": ".less-history-file:\n" * i, ".python_history": "x=%d\n" % i,
        ".config/nushell/history.txt": "ls %d\n" % i, ".cache/x": "%d" % i, ".local/share/fish/fish_history": "%d" % i,
        ".ssh/known_hosts": "host%d ssh-ed25519 AAAA\n" % i})) for i in range(30)]
    groups = twins.groups(room)
    assert len(groups) == 1 and len(groups[0]) == 30
    assert twins.apart == {} and twins.info.module.warnings == []


def test_a_link_inside_the_home_counts_by_what_it_leads_to(tmp_path):
    twins = quiet_twins(tmp_path)
    dotfiles = {".bashrc": ("link", "dotfiles/bashrc"), "dotfiles/bashrc": "alias a=b\n"}
    a = account(tmp_path, "stu0", 5000, files=dotfiles)
    b = account(tmp_path, "stu1", 5001, files=dotfiles)
    c = account(tmp_path, "stu2", 5002, files=dict(dotfiles, **{"dotfiles/bashrc": "alias a=c\n"}))
    d = account(tmp_path, "stu3", 5003, files=dict(dotfiles, **{".bashrc": ("link", "%s/stu3/dotfiles/bashrc"
                                                                            % tmp_path)}))
    assert names(twins.groups([a, b, c, d])) == [["stu0", "stu1", "stu3"], ["stu2"]]
    assert twins.apart == {}


def test_what_a_startup_file_reads_through_a_variable_keeps_the_account_apart_without_a_warning(tmp_path):
    twins = quiet_twins(tmp_path)
    rc = {".bashrc": 'for f in ~/.bashrc.d/*; do . "$f"; done\n'}
    a, b = (account(tmp_path, n, 5000 + i, files=rc) for i, n in enumerate(["stu1", "stu2"]))
    assert names(twins.groups([a, b])) == [["stu1"], ["stu2"]]
    assert twins.apart["stu1"] == "~/.bashrc reads $f, which path_info cannot follow without running it"
    assert twins.info.module.warnings == []


# -- root reads without bounds: never --------------------------------------------------------------------------------
# attack: (mallory's files, why mallory is probed on her own, names root must never open)
ATTACKS = {
    "huge": ({".kshrc": "huge"}, "~/.kshrc is larger than 256 KiB", []),
    "link out of the home": ({".zlogin": ("link", "{outside}")}, "~/.zlogin links out of the home (to {outside})",
                             [".zlogin", "outside", "{outside}"]),
    "link out, relative": ({".zlogin": ("link", "../outside")}, "~/.zlogin leads out of the home",
                           [".zlogin", "../outside", "outside", "{outside}"]),
    "directory link out": ({".config": ("link", "{tmp}")}, "~/.config/environment.d links out of the home (to {tmp})",
                           [".config", "{tmp}", "environment.d"]),
    "fifo": ({".zshenv": ("fifo",)}, "~/.zshenv is a FIFO", [".zshenv"]),
    "fifo sourced": ({".bash_aliases": ("fifo",), ".bashrc": ". ~/.bash_aliases\n"}, "~/.bash_aliases is a FIFO",
                     [".bash_aliases"]),
    "fifo in a startup directory": ({".config/fish/conf.d/x.fish": ("fifo",)},
                                    "~/.config/fish/conf.d/x.fish is a FIFO", ["x.fish"]),
    "socket": ({".bash_login": ("socket",)}, "~/.bash_login is a socket", [".bash_login"]),
    "not the user's": ({".bashrc": "root's"}, "~/.bashrc belongs to uid 0, not to mallory", [".bashrc"]),
    "too many files": (dict((".config/fish/conf.d/%03d.fish" % i, "\n") for i in range(120)),
                       "~/.config/fish/conf.d holds more than 100 entries", ["000.fish"]),
    # (the rest of the reason is Python's own words, which differ between versions)
    "a path no file can have": ({".bashrc": ". ~/a\0b\n"}, "its home cannot be read (", []),
    "link loop": ({".zshrc": ("link", ".zshrc")}, "~/.zshrc: more than 16 links to follow", [".zshrc"]),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_what_root_would_read_beyond_bounds_keeps_the_account_apart_named_and_unopened(tmp_path, attack):
    files, reason, unopened = ATTACKS[attack]
    twins = quiet_twins(tmp_path)
    outside = tmp_path / "outside"
    outside.write_text("root:secret\n")
    os.chmod(str(outside), 0o600)
    subst = dict(outside=str(outside), tmp=str(tmp_path))
    reason, unopened = reason.format(**subst), [n.format(**subst) for n in unopened]
    files = dict((rel, ("link", what[1].format(**subst)) if isinstance(what, tuple) and what[0] == "link" else what)
                 for rel, what in files.items())
    alice, bob = account(tmp_path, "alice", 5000), account(tmp_path, "bob", 5001)
    mallory = account(tmp_path, "mallory", 5002, files=files)
    home = tmp_path / "mallory"
    if attack == "huge":
        with open(str(home / ".kshrc"), "wb") as f:
            f.truncate(1 << 40)                                  # 1 TiB, sparse
    if attack == "not the user's":
        os.chown(str(home / ".bashrc"), 0, 0)
    with Opened() as opened:
        groups = names(twins.groups([alice, mallory, bob]))
    assert groups == [["alice", "bob"], ["mallory"]]
    assert list(twins.apart) == ["mallory"] and twins.apart["mallory"].startswith(reason), twins.apart
    assert twins.info.module.warnings == ["path_info: mallory is probed on its own: " + twins.apart["mallory"]]
    assert [p for p in opened.paths if p in unopened or os.path.basename(p) in unopened] == []
    assert ".profile" in opened.paths                            # what was opened is seen


def test_a_fifo_put_in_place_after_the_check_is_neither_waited_for_nor_read(tmp_path):
    # the walk lstat()s before it opens; read_regular, its last guard, opens O_NONBLOCK and reads only a regular
    # file: a FIFO swapped in (no writer) neither blocks nor is read
    os.mkfifo(str(tmp_path / "fifo"))
    outcome = []
    dir_fd = os.open(str(tmp_path), os.O_RDONLY)

    def read():
        try:
            outcome.append(read_regular("fifo", 1024, "~/fifo", dir_fd=dir_fd, follow=False))
        except KeptApart as e:
            outcome.append(e.reason)
    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(5)
    blocked = worker.is_alive()
    if blocked:                                 # waiting in open() for a writer: release it, then fail
        with open(str(tmp_path / "fifo"), "wb"):
            pass
        worker.join(5)
    os.close(dir_fd)
    assert not blocked and outcome == ["~/fifo is a FIFO"]


def test_a_file_is_read_up_to_its_cap_and_a_link_is_not_followed(tmp_path):
    (tmp_path / "x").write_bytes(b"x" * 1024)
    assert read_regular(str(tmp_path / "x"), 1024, "~/x", follow=False)[0] == b"x" * 1024
    (tmp_path / "x").write_bytes(b"x" * 1025)
    with pytest.raises(KeptApart, match="^~/x is larger than 1 KiB$"):
        read_regular(str(tmp_path / "x"), 1024, "~/x", follow=False)
    os.symlink("x", str(tmp_path / "link"))
    with pytest.raises(KeptApart, match="^~/link cannot be opened"):
        read_regular(str(tmp_path / "link"), 4096, "~/link", follow=False)


def test_a_system_file_sourced_at_startup_counts_the_home_files_it_names(tmp_path, monkeypatch):
    lib = tmp_path / "completion"
    lib.write_text('user_completion=${BASH_COMPLETION_USER_FILE:-~/.bash_completion}\n. $user_completion\n')
    rc = {".bashrc": ". %s\n" % lib}
    twins = quiet_twins(tmp_path)
    a, b = account(tmp_path, "stu1", 5000, files=rc), account(tmp_path, "stu2", 5001, files=rc)
    c = account(tmp_path, "stu3", 5002, files=dict(rc, **{".bash_completion": "alias python=python2\n"}))
    assert names(twins.groups([a, b, c])) == [["stu1", "stu2"], ["stu3"]]
    os.chown(str(lib), 5000, 5000)                  # a file that a user can write, read at startup: apart
    twins = quiet_twins(tmp_path)
    assert names(twins.groups([a, b])) == [["stu1"], ["stu2"]]
    assert twins.apart["stu1"] == "%s, read at startup, can be written by another account than root" % lib


def test_a_system_startup_file_out_of_bounds_keeps_everyone_apart_with_one_warning(tmp_path, monkeypatch):
    big = tmp_path / "profile"
    with open(str(big), "wb") as f:
        f.truncate(2 << 20)
    monkeypatch.setattr(_path_twins, "SYSTEM_STARTUP", [str(big)])
    info = Info()
    twins = Twins(info)
    twins.named, twins.named_uids, twins.spool = set(), set(), str(tmp_path)
    a, b = account(tmp_path, "stu1", 5000), account(tmp_path, "stu2", 5001)
    assert names(twins.groups([a, b])) == [["stu1"], ["stu2"]]
    assert info.module.warnings == ["path_info: every account is probed on its own: system startup file %s is not "
                                    "a regular file of at most 1024 KiB" % big]


@pytest.mark.parametrize("race", ["none", "edited", "edited_and_restored", "command_made_and_removed", "new_file",
                                  "new_file_made_and_removed", "file_in_a_startup_dir_made_and_removed"])
def test_a_first_user_who_changes_a_startup_file_after_the_grouping_is_seen(tmp_path, race):
    """The group's first user answers for all: one who edits a startup file (even back to what it was) or makes and
    removes a command in a PATH directory between the grouping and their probe is seen (changed), so the others
    are probed on their own; an untouched one is not."""
    twins = quiet_twins(tmp_path)
    first, other = account(tmp_path, "stu1", 5000, files={"bin": ("dir",)}), \
        account(tmp_path, "stu2", 5001, files={"bin": ("dir",)})
    assert names(twins.groups([first, other])) == [["stu1", "stu2"]]
    home = tmp_path / "stu1"
    time.sleep(0.05)    # a probe takes longer than a tick of the clock that stamps change times
    if race in ("edited", "edited_and_restored"):
        profile = (home / ".profile").read_bytes()
        (home / ".profile").write_bytes(profile + b'alias python=/usr/bin/python3\n')
        if race == "edited_and_restored":
            (home / ".profile").write_bytes(profile)
    elif race == "command_made_and_removed":
        (home / "bin" / "python").write_bytes(b"#!/bin/sh\n")
        (home / "bin" / "python").unlink()
    elif race == "new_file":
        make(home, {".bash_login": "PATH=/opt/x:$PATH\n"})
        own(home, 5000)
    elif race == "new_file_made_and_removed":
        # bash reads ~/.bash_profile instead of ~/.profile while it is there: missing before and after (red team)
        (home / ".bash_profile").write_bytes(b"PATH=/usr/bin:/bin:$PATH\n")
        (home / ".bash_profile").unlink()
    elif race == "file_in_a_startup_dir_made_and_removed":
        for name, uid in (("stu1", 5000), ("stu2", 5001)):
            (tmp_path / name / ".config" / "fish" / "conf.d").mkdir(parents=True)
            own(tmp_path / name, uid)
        twins = quiet_twins(tmp_path)
        assert names(twins.groups([first, other])) == [["stu1", "stu2"]]
        time.sleep(0.05)
        conf = home / ".config" / "fish" / "conf.d" / "x.fish"
        conf.write_bytes(b"set -gx PATH /usr/bin $PATH\n")
        conf.unlink()
    assert twins.changed(first) is (race != "none")
