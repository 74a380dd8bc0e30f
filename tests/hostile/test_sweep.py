"""Drift repair never adopts what a user left (issue 26): a careless admin gives the shared venv to mallory and opens
the role's bin directories to everyone; mallory plants a set-uid shell in the venv, `sudo` and `ls` first on every
user's PATH, a file among uv's python executables, and a link to /etc/shadow in a tool environment. A check run
reports the sweep and changes nothing; the repair run moves what is mallory's into the root-only quarantine, as it
is (never chowned into root's name), builds the venv and the tool environment again, and leaves no set-id file and
nothing of anyone but root under /opt/uv; the run after changes nothing. A link an admin put where a directory of
the role's belongs is replaced, never followed."""
import re
import shlex

from hostile import as_user, changed_count, converge, converged, sh

NO_VERDICT = ("-e", "shared_python_verdict=skip")
QUARANTINE = "/var/lib/labfleet-uv/quarantine"
PLANT = "printf '#!/bin/sh\\necho mallory was here\\n' > {0} && chmod 0755 {0}"
BINS = {"/opt/uv/bin": ["uv", "uvx"], "/opt/uv/python-bin": ["python", "python3", "python3.11"],
        "/opt/uv/tool-bin": ["pre-commit"]}


def quarantined(out):
    """Where the repair run says it moved each path: {path: place in the quarantine}."""
    return dict(re.findall(r"move (?:the [a-z ]+ )?(/opt/uv/\S+) into quarantine[^\"]*?: now (%s/[^\s\"]+)"
                           % QUARANTINE, out))


def test_what_a_user_left_in_the_managed_trees_goes_into_the_quarantine_never_to_root():
    venv = sh("readlink -f /opt/uv/venv").strip()
    tool_env = sh("ls -d /opt/uv/tools/*/pre-commit").strip()
    # the careless admin (the tool environment's bin opened too, so that mallory can plant her link there)
    sh("chown -R mallory /opt/uv/venv/ && chmod 0777 /opt/uv/tool-bin /opt/uv/bin /opt/uv/python-bin %s/bin"
       % tool_env)
    as_user("mallory", " && ".join([
        "cp /bin/sh /opt/uv/venv/bin/x && chmod 4755 /opt/uv/venv/bin/x",
        PLANT.format("/opt/uv/tool-bin/sudo"), PLANT.format("/opt/uv/bin/ls"),
        PLANT.format("/opt/uv/python-bin/python3.12"), "ln -s /etc/shadow %s/bin/shadow" % tool_env]))
    # the attack is live: alice's sudo and ls are mallory's, and a root-owned shell would be set-uid root
    assert as_user("alice", "command -v sudo ls").split() == ["/opt/uv/tool-bin/sudo", "/opt/uv/bin/ls"]
    assert sh("find /opt/uv -perm -4000 -user mallory").split() == [venv + "/bin/x"]

    proc, dummy = converge("--check", "--diff", *NO_VERDICT)
    assert proc.returncode == 0, proc.stdout[-6000:]
    for line in ["move the venv %s into quarantine and build it again (owned by mallory)" % venv,
                 "move /opt/uv/tool-bin/sudo into quarantine (not the role's, owned by mallory)",
                 "move /opt/uv/bin/ls into quarantine (not the role's, owned by mallory)",
                 "move /opt/uv/python-bin/python3.12 into quarantine (owned by mallory)",
                 "move the tool environment %s into quarantine and build it again" % tool_env]:
        assert line in proc.stdout, "%s not reported:\n%s" % (line, proc.stdout[-6000:])
    assert sh("ls /opt/uv/tool-bin/sudo %s/bin/x" % venv).split() == ["/opt/uv/tool-bin/sudo", venv + "/bin/x"]

    out = converged("--diff")  # the diff names what was put right, and where it went
    moved = quarantined(out)
    for path in (venv, tool_env, "/opt/uv/tool-bin/sudo", "/opt/uv/bin/ls", "/opt/uv/python-bin/python3.12"):
        assert path in moved, "%s not named in the quarantine:\n%s" % (path, out[-6000:])
    # as mallory left them, in a place only root can enter
    assert sh("stat -c '%%U %%a' %s/bin/x %s" % (moved[venv], moved["/opt/uv/tool-bin/sudo"])).split() == [
        "mallory", "4755", "mallory", "755"]
    assert sh("readlink %s/bin/shadow" % moved[tool_env]).strip() == "/etc/shadow"
    run_dir = QUARANTINE + "/" + moved[venv][len(QUARANTINE) + 1:].split("/")[0]
    assert sh("stat -c '%%U %%a' %s %s" % (QUARANTINE, run_dir)).split() == ["root", "700", "root", "700"]
    assert as_user("mallory", "ls %s" % QUARANTINE, check=False) == ""
    # no set-id file, nothing of anyone but root, nothing unaccounted for in the bin dirs, which are closed again
    assert sh("find /opt/uv -perm /6000") == ""
    assert sh("find /opt/uv ! -user root | head -5") == ""
    for directory, names in BINS.items():
        assert sh("ls -A %s" % directory).split() == names, directory
        assert sh("stat -c '%%U %%a' %s" % directory).split() == ["root", "755"]
    assert sh("stat -c %%U /etc/shadow %s/bin/shadow" % moved[tool_env]).split() == ["root", "mallory"]
    # alice's login shell: the shared python and pre-commit, and the system's sudo and ls
    assert as_user("alice", "command -v python sudo ls pre-commit").split() == [
        "/opt/uv/venv/bin/python", "/usr/bin/sudo", "/usr/bin/ls", "/opt/uv/tool-bin/pre-commit"]
    assert as_user("alice", "python -c 'import requests, sys; print(sys.prefix)'").strip() == "/opt/uv/venv"
    assert as_user("alice", "pre-commit --version").strip() == "pre-commit 4.3.0"
    proc, dummy = converge(*NO_VERDICT)
    assert proc.returncode == 0 and changed_count(proc) == 0, proc.stdout[-6000:]


def test_a_link_where_a_directory_of_the_role_belongs_is_replaced_not_followed():
    """An admin puts a link to another directory (root's, 0750, holding a file) where /opt/uv/tool-bin belongs: the
    run moves the link into the quarantine, leaves the directory it pointed at as it was (mode and files: a chmod
    through the link would have made it 0755), makes the role's directory, root's 0755, and puts the tool's command
    back in it. (A link into a user's directory is refused before anything changes: see the role's check of the
    directories on the way.)"""
    sh("mkdir -p /srv/old-tool-bin && printf '#!/bin/sh\\n' > /srv/old-tool-bin/pre-commit && chmod 0750 "
       "/srv/old-tool-bin && rm -r /opt/uv/tool-bin && ln -s /srv/old-tool-bin /opt/uv/tool-bin")
    out = converged("--diff", *NO_VERDICT)
    assert "directory /opt/uv/tool-bin: a link to /srv/old-tool-bin, not a directory: move it into quarantine, " \
           "make it again: now %s/" % QUARANTINE in out, out[-6000:]
    assert sh("stat -c '%F %U %a' /opt/uv/tool-bin").strip() == "directory root 755"
    assert sh("stat -c '%U %a' /srv/old-tool-bin; ls /srv/old-tool-bin").split() == ["root", "750", "pre-commit"]
    assert sh("ls -A /opt/uv/tool-bin").split() == ["pre-commit"]
    assert as_user("alice", "command -v pre-commit && pre-commit --version").split() == [
        "/opt/uv/tool-bin/pre-commit", "pre-commit", "4.3.0"]
    proc, dummy = converge(*NO_VERDICT)
    assert proc.returncode == 0 and changed_count(proc) == 0, proc.stdout[-6000:]
    sh("rm -r /srv/old-tool-bin")


ENGINE = "/opt/uv/lib/which-python"
ENGINE_UTILS = ENGINE + "/ansible_collections/labfleet/uv/plugins/module_utils"
CANARY = "import os; open('/tmp/canary-%d' % os.getuid(), 'w').close()\n"


def test_what_a_user_planted_beside_which_pythons_engine_is_swept_and_never_runs():
    """A careless admin opens which-python's engine directories; mallory plants a module named like a standard one
    (argparse) beside the engine and a compiled _path_judge in its __pycache__ (red team, session 15). No user's
    which-python, root's included, runs them (the engine comes after the standard library, no bytecode is read
    from a directory the role did not write), and the next run moves them into the quarantine."""
    sh("rm -f /tmp/canary-*; chmod 0777 %s %s" % (ENGINE, ENGINE_UTILS))
    as_user("mallory", " && ".join([
        "printf %%s %s > %s/argparse.py" % (shlex.quote(CANARY), ENGINE),
        "mkdir %s/__pycache__" % ENGINE_UTILS,
        "printf %%s %s > %s/_extra.py" % (shlex.quote(CANARY), ENGINE_UTILS)]))
    for user in ("alice", "root"):
        run = "/opt/uv/venv/bin/which-python --json >/dev/null; echo rc=$?"
        assert "rc=" in (as_user(user, run, check=False) if user != "root" else sh(run, check=False))
    assert sh("ls /tmp | grep canary || true").strip() == ""

    out = converged("--diff", *NO_VERDICT)
    moved = quarantined(out)
    for path in (ENGINE + "/argparse.py", ENGINE_UTILS + "/__pycache__", ENGINE_UTILS + "/_extra.py"):
        assert path in moved, "%s not named in the quarantine:\n%s" % (path, out[-6000:])
    assert sh("find %s ! -user root -o -perm /022 -o -name __pycache__ | head -5" % ENGINE) == ""
    assert sh("stat -c '%%U %%a' %s %s" % (ENGINE, ENGINE_UTILS)).split() == ["root", "755", "root", "755"]
    # which-python still answers, and the run after changes nothing
    # (rc 1: alice's cron jobs do not get the shared python; 2 would be no answer)
    answered = as_user("alice", "/opt/uv/venv/bin/which-python >/dev/null; echo rc=$?", check=False)
    assert re.search(r"rc=[01]\b", answered), answered
    proc, dummy = converge(*NO_VERDICT)
    assert proc.returncode == 0 and changed_count(proc) == 0, proc.stdout[-3000:]
