"""Twins that can't lie, and root reading the homes within bounds (issue 26), on the converged hostile host.

path_info probes one account of each group of accounts whose answers cannot differ. A user's ~/.bash_aliases (which
Debian's skel .bashrc sources) must make that user's answer their own. And what a user leaves for root to read while
it groups them (a 1 TiB sparse file, a link to /etc/shadow, a FIFO) must neither fail nor stall the run nor be read:
that user is probed on their own, named in a warning with the reason. mallory has a sudo rule, so sudoers names her
and she is always probed on her own: the same attacks are made by twin accounts, which nothing else keeps apart.
"""
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FuturesTimeout

import pytest

from hostile import HOST, as_user, sh
from labfleet_testing import path_verdict

TWINS = ["twin1", "twin2", "twin3"]
SKEL_USERS = ["alice", "bob"] + TWINS
ARGS = {"commands": ["python"], "contexts": ["login", "interactive"]}
# a file only root can read, that nothing on the host reads (su reads /etc/shadow: its access time moves anyway)
CANARY = "/root/twins-canary"
# what each attacker leaves in their home; the reason path_info gives for probing them on their own
ATTACKS = {
    "twin1": ("truncate -s 1T ~/.kshrc", "~/.kshrc is larger than 256 KiB"),
    "twin2": ("ln -s %s ~/.zlogin" % CANARY, "~/.zlogin links out of the home (to %s)" % CANARY),
    "twin3": ("mkfifo ~/.zshenv", "~/.zshenv is a FIFO"),
}
# a reader stalled on the FIFO (what a guard removed would do) is let go (`<>` opens it without waiting), then the
# attacks are removed
UNDO = "if [ -p ~/.zshenv ]; then : <>~/.zshenv; fi; rm -f ~/.kshrc ~/.zlogin ~/.zshenv ~/.bash_aliases"
# a run that takes longer has stalled on what an account left (a quiet run of these takes about 30 s)
STALLED = 240


@pytest.fixture(scope="module")
def twins():
    """Three more students made from /etc/skel like alice and bob; removed afterwards."""
    for user in TWINS:
        sh("id -u %s >/dev/null 2>&1 || useradd -m -s /bin/bash %s" % (user, user))
    yield TWINS
    for user in TWINS:
        sh("userdel -r %s 2>/dev/null; true" % user)


def group_of(out, user):
    """The accounts probed as one with user (user included)."""
    for rep, members in out["twins"].items():
        if user == rep or user in members:
            return sorted([rep] + members)
    return [user]


def result(out, user, context):
    """user's python result in context (a twin's: its probed account's)."""
    rep = next((r for r, members in out["twins"].items() if user in members), user)
    found = [r for r in out["results"] if r["user"] == rep and r["context"] == context and r["command"] == "python"]
    assert len(found) == 1, (user, context, out["results"])
    return found[0]


def test_relatime_shows_a_read(twins):
    """The canary check below can fail: a read of a file whose access time is in the past moves it on this host."""
    sh("umask 077; echo secret >%s; touch -a -d 2001-01-01 %s" % (CANARY, CANARY))
    atime = sh("stat -c %%X %s" % CANARY)
    sh("cat %s >/dev/null" % CANARY)
    assert sh("stat -c %%X %s; rm %s" % (CANARY, CANARY)) != atime


def test_an_alias_in_bash_aliases_is_that_accounts_answer_alone(twins):
    as_user("twin2", "echo 'alias python=/usr/bin/python3' >> ~/.bash_aliases")
    try:
        out = path_verdict(HOST, dict(ARGS, users=SKEL_USERS))
    finally:
        as_user("twin2", UNDO)
    assert "results" in out, out
    assert group_of(out, "twin2") == ["twin2"], out["twins"]
    assert group_of(out, "twin1") == ["alice", "bob", "twin1", "twin3"], out["twins"]
    for context in ARGS["contexts"]:                # both run an interactive bash, which reads ~/.bashrc
        lost = result(out, "twin2", context)
        assert lost["status"] == "lost" and lost["shadow"]["kind"] == "alias", lost
        assert lost["shadow"]["origin"] == "/home/twin2/.bash_aliases:1", lost
    for user in ["alice", "bob", "twin1", "twin3"]:
        for context in ARGS["contexts"]:
            assert result(out, user, context)["status"] == "won", (user, context)


def test_what_a_user_leaves_for_root_to_read_is_read_within_bounds(twins):
    # the canary's access time set in the past: a read by root would move it (relatime)
    sh("umask 077; echo secret >%s; touch -a -d 2001-01-01 %s" % (CANARY, CANARY))
    atime = sh("stat -c %%X %s" % CANARY)
    for user, (attack, dummy) in ATTACKS.items():
        as_user(user, attack)
    for attack in ["truncate -s 1T ~/.kshrc", "ln -s /etc/shadow ~/.zlogin", "mkfifo ~/.zshenv"]:
        as_user("mallory", attack)
    pool = ThreadPoolExecutor(max_workers=1)
    run = pool.submit(path_verdict, HOST, dict(ARGS, users=SKEL_USERS + ["mallory"]))
    try:
        out = run.result(timeout=STALLED)
    except FuturesTimeout:
        out = None
    finally:
        for user in TWINS + ["mallory"]:
            as_user(user, UNDO)
        pool.shutdown()
    assert out is not None, "path_info stalled for %d s" % STALLED
    assert "results" in out and "Module failed" not in out.get("msg", ""), out
    assert sh("stat -c %%X %s; rm %s" % (CANARY, CANARY)) == atime, "root read a root-only file through a user's link"
    for user in TWINS + ["mallory"]:
        assert group_of(out, user) == [user], out["twins"]
    assert group_of(out, "alice") == ["alice", "bob"], out["twins"]
    warnings = [w for w in out.get("warnings", []) if "is probed on its own" in w]
    assert sorted(warnings) == sorted("path_info: %s is probed on its own: %s" % (user, reason)
                                      for user, (dummy, reason) in ATTACKS.items()), out.get("warnings")
    # each account still gets its own answer, alice's and bob's unchanged
    for user in SKEL_USERS + ["mallory"]:
        for context in ARGS["contexts"]:
            assert result(out, user, context)["status"] == "won", (user, context)
