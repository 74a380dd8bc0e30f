#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: labfleet.uv contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: path_info
short_description: Which python really wins on PATH, per user and per way a command is started
version_added: 0.2.0
description:
  - For each user and each context (login shell, interactive shell, C(ssh host cmd), C(sudo), C(sudo -i), cron,
    a systemd service) this module starts the real shell or service the way that context does, asks it what each
    command word resolves to (alias, function, builtin, file), runs it to learn which interpreter really runs,
    and says whether the expected provider (the shared venv, uv's C(--default) shims, or a directory you name) won.
  - When it did not win, it names what shadows it (a PATH entry, an alias or a function) and, when the shell can
    trace its startup (bash, zsh and fish), the startup file and line that put it there. Where it cannot (sh, dash,
    tcsh, csh, nushell), the origin is null and the reason says so and where to look.
  - Each loss says whose fault it is, the user's own files or the system's (RV(results[].fault)); by default a loss by
    the user's own files is listed in RV(user_losses) and does not fail RV(verdict) (O(user_files)).
  - Each shell is probed in its own syntax (POSIX shells, fish, tcsh and csh, nushell) wherever it is the shell that
    starts, in the user's login and interactive shells, in C(ssh host cmd), and in cron when the crontab sets
    C(SHELL=).
  - Read-only. Runs the probes in check mode as well and never reports a change.
  - "How each context is built: C(login) is C(su -l) (PAM, login.defs) then the user's passwd shell as an interactive
    login shell. C(interactive) is that login environment starting the user's shell again as an interactive
    non-login shell (a terminal in a desktop session): rc files, aliases and functions count. C(ssh) is a real
    C(sshd -i) started through the ssh client's ProxyCommand with a throw-away key and the host's own
    C(/etc/ssh/sshd_config) included (nothing is written to the user's C(authorized_keys)), running C(ssh host cmd).
    C(sudo) is sudo's own policy for the user (C(sudo -l -U), so C(secure_path) and whether the user may sudo at all)
    applied to a PATH search, as sudo does it, no shell; the search and what it finds run as the user, never as root
    (without C(secure_path) that PATH is the user's own). C(sudo_login) runs the command through C(sudo -i) as root
    (root's login shell). C(cron) reproduces cron's fixed environment (C(SHELL=/bin/sh), C(PATH=/usr/bin:/bin),
    overridden by variables set in the user's crontab); it is the only emulated context. C(systemd) starts a real
    transient service (C(systemd-run --pipe -p User=)) so the unit's default PATH is the service manager's own."
  - A context that does not exist on the host (no sshd running, no sudo, no cron, no systemd as PID 1) is reported
    C(unavailable), and a user sudo does not allow is C(not_permitted); neither counts as lost.
options:
  commands:
    description:
      - The command words to resolve. Words may contain letters, digits and C(.), C(_), C(+), C(-).
      - Default V(python), V(python3), V(pythonX.Y) when O(python_version) is set, V(pip), V(uv), V(uvx).
    type: list
    elements: str
  python_version:
    description:
      - The default CPython minor, for example V(3.13). Adds C(pythonX.Y) to the default O(commands).
    type: str
  users:
    description:
      - The users to check. Default V(root) and every human account (uid from C(UID_MIN) of C(/etc/login.defs), 1000 by
        default, up to 60000, whose shell is not C(nologin) or C(false)).
      - An account named here whose shell refuses logins (C(nologin), C(false)) is not probed; each of its results is
        V(no_login), which never counts against RV(verdict).
    type: list
    elements: str
  contexts:
    description:
      - The contexts to probe.
    type: list
    elements: str
    choices: [login, interactive, ssh, sudo, sudo_login, cron, systemd]
    default: [login, interactive, ssh, sudo, sudo_login, cron, systemd]
  required_contexts:
    description:
      - The contexts where the expected provider must win for O(ignore:verdict) to be V(pass). A loss elsewhere is
        reported but does not fail the verdict. Default every probed context.
    type: list
    elements: str
    choices: [login, interactive, ssh, sudo, sudo_login, cron, systemd]
  expect:
    description:
      - Which provider must win for C(python), C(python3), C(pythonX.Y) and C(pip).
      - V(venv) the shared virtual environment O(venv_path) (the interpreter that runs must have it as C(sys.prefix)).
      - V(shim) uv's C(--default) executables in O(python_bin_dir) (the interpreter that runs must be the one the
        shim points to).
      - V(path) the executables in O(expect_path).
      - C(uv) and C(uvx) must always be the ones beside O(uv_path).
    type: str
    choices: [venv, shim, path]
    default: venv
  venv_path:
    description:
      - The shared virtual environment.
    type: path
    default: /opt/uv/venv
  expect_path:
    description:
      - The directory whose executables must win when O(expect=path).
    type: path
  uv_path:
    description:
      - The shared C(uv) executable; C(uvx) is expected beside it.
    type: path
    default: /opt/uv/bin/uv
  python_install_dir:
    description:
      - Where uv keeps the managed Pythons; used to classify an interpreter as uv-managed.
    type: path
    default: /opt/uv/python
  python_bin_dir:
    description:
      - Where uv's C(--default) executables live; used to classify a hit as the uv shim.
    type: path
    default: /opt/uv/python-bin
  timeout:
    description:
      - Seconds a single probe (one user in one context) may take before it is reported as an error that says it
        timed out. A guard against a hang, far above what a probe takes (about a second; tens of seconds on a busy
        or emulated machine).
      - Each probe runs in a session of its own and is killed at its timeout together with everything it started
        (even what detached itself with C(setsid)) and every process that still holds its output. Its output is
        read up to 1 MiB per stream (over it, the probe is an error that says so); once its shell has exited,
        whatever still writes to its output is read for 2 seconds more, then killed, and the probe is an error
        (C(kept writing after its shell exited)). An account whose probe timed out costs no second timeout; its
        probes not yet started are errors that name the probe that timed out.
    type: int
    default: 300
  deadline:
    description:
      - Seconds the whole run may take. A probe never runs past it (its timeout is cut short to it), and the probes
        not started before it are reported as errors that say so.
    type: int
    default: 1800
  concurrency:
    description:
      - How many probes (one user in one context each) run at once. They only read; C(1) runs them one by one.
      - Each probe starts real shells; on a slow or emulated target (qemu-user) parallel probes compete for the
        same CPU and may each hit O(timeout), so use C(1) there.
    type: int
    default: 4
  group_identical:
    description:
      - Probe once for accounts whose answers cannot differ (a room of accounts made from C(/etc/skel)). Every
        account is still reported, in RV(summary) (users and counts), in RV(twins) (which account each one was
        probed as) and, when it fails, in RV(failures) with its own home and name; RV(results) and RV(contexts)
        hold the probed accounts only, so 500 twins cost about what one does.
      - Two accounts are identical when they have the same login shell, the same startup files in their home
        (every file each known shell, PAM and sshd read there, byte for byte), the same home directories that
        startup files can put on PATH (C(~/bin), C(~/.local/bin) and any C($HOME/...) they name; whether each exists
        and which of the probed commands it holds), the same groups, the same crontab variables, the same sudo
        policy, and a home of their own. root, and any account that a system startup file, C(sshd_config) or
        sudoers names, is always probed on its own.
      - V(false) probes every account.
    type: bool
    default: true
  user_files:
    description:
      - What a loss caused by the user's own files does to RV(verdict). Each lost result says whose fault it is
        (RV(results[].fault)) - V(user) when what shadows the expected provider was set in a file in the user's home
        or owned by the user (their dotfiles, an alias or function they define, their crontab's PATH) or is theirs
        (C(~/bin), C(~/.local/bin) or a file they own, first on PATH); V(system) otherwise (system startup files, a
        missing or broken managed executable, a PATH from C(/etc) or sudo's C(secure_path), a foreign python in a
        system directory, a loss nothing ties to the user's files, and every loss of root).
      - V(warn) lists the user's own losses in RV(user_losses) only, so they do not fail the verdict (an admin cannot
        fix a student's dotfiles, and the system is right). V(fail) counts them in RV(failures) like any other loss.
    type: str
    choices: [warn, fail]
    default: warn
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs its probes in check mode too.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  idempotent:
    support: full
    description: Never reports a change.
notes:
  - Must run as root (C(become=true)), because it starts shells and services as each user.
  - The probes run each command word with C(--version) (C(-c) for Pythons) as that user, so a word that is aliased to
    something slow is bounded by O(timeout).
  - The C(ssh) context needs C(sshd) and the C(ssh) client installed and sshd running (C(/run/sshd) present).
author:
  - labfleet.uv developers (@labfleet)
"""

EXAMPLES = r"""
- name: Which python wins for every user, in every context
  labfleet.uv.path_info:
    python_version: "3.13"
  register: verdict

- name: Fail when the shared venv loses in a login or interactive shell
  ansible.builtin.assert:
    that: verdict.verdict == 'pass'
    fail_msg: "{{ verdict.failures | map(attribute='reason') | list }}"

- name: Only the uv --default shims, only for two users in login shells and cron
  labfleet.uv.path_info:
    expect: shim
    python_bin_dir: /usr/local/bin
    commands: [python, python3]
    users: [pi, alice]
    contexts: [login, cron]

- name: A python of your own in /opt/lab/bin must win, but only login shells are required
  labfleet.uv.path_info:
    expect: path
    expect_path: /opt/lab/bin
    commands: [python]
    required_contexts: [login]
"""

RETURN = r"""
verdict:
  description: V(pass) when nothing counts against it in a required context (RV(failures) is empty); else V(fail). A
    loss by the user's own files counts only with O(user_files=fail).
  returned: always
  type: str
  sample: fail
summary:
  description: Counts of the results by status (a twin's counted as its own), every user, the contexts, and how many
    accounts were really probed.
  returned: always
  type: dict
  sample: {won: 40, lost: 2, unavailable: 6, not_permitted: 12, error: 0, no_login: 0, users: [root, alice, stu1],
           contexts: [login], required_contexts: [login], probed_users: 2, user_files: warn}
failures:
  description: The results that count against the verdict (in a required context, an error, or a loss that is the
    system's fault, or the user's with O(user_files=fail)), in the same form as O(ignore:results), one for every
    account (a twin's with its own home and name and C(probed_as), the account that was probed for it).
  returned: always
  type: list
  elements: dict
  sample:
    - user: alice
      context: login
      command: python
      status: lost
      reason: "/usr/local/foreign/bin/python (other, Python 3.9.2) shadows /opt/uv/venv/bin/python: PATH entry
        /usr/local/foreign/bin comes before /opt/uv/venv/bin, set by /etc/profile.d/zz-foreign.sh:1"
      fault: system
      fault_evidence: "set at /etc/profile.d/zz-foreign.sh:1, a file of the system's"
user_losses:
  description: The losses in a required context that are the user's own fault (RV(results[].fault) V(user)), in the
    same form as RV(failures), one for every account. They fail the verdict only with O(user_files=fail) (and are
    then in RV(failures) too).
  returned: always
  type: list
  elements: dict
  sample:
    - user: mallory
      context: login
      command: python
      status: lost
      reason: "/home/mallory/bin/python (user_local, Python 3.11.2) shadows /opt/uv/venv/bin/python: PATH entry
        /home/mallory/bin comes before /opt/uv/venv/bin, set by /home/mallory/.profile:21"
      fault: user
      fault_evidence: "set at /home/mallory/.profile:21, a file of the user's own"
twins:
  description: For each probed account, the accounts identical to it (O(group_identical)), whose answers are its own.
  returned: always
  type: dict
  sample: {alice: [stu1, stu2, stu3]}
contexts:
  description: One entry per probed user and context; how it was probed and the PATH that context had.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: "The user."
      type: str
      returned: always
    context:
      description: "The context."
      type: str
      returned: always
    status:
      description: V(probed), V(unavailable), V(not_permitted), V(no_login) (the account's shell refuses logins) or
        V(error).
      type: str
      returned: always
    method:
      description: "How the context was started, for example C(su -l alice; /bin/bash -l -i)."
      type: str
      returned: always
    shell:
      description: "The shell that resolved the words (none for sudo, which searches PATH itself)."
      type: str
      returned: always
    path:
      description: "The PATH that context had, as a list."
      type: list
      elements: str
      returned: when probed
    required:
      description: "Whether this context counts for the verdict."
      type: bool
      returned: always
    reason:
      description: "Why it is unavailable, not permitted, no login or an error."
      type: str
      returned: when not probed
results:
  description: One entry per probed user, context and command.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: "The user."
      type: str
      returned: always
    context:
      description: "The context."
      type: str
      returned: always
    command:
      description: "The command word."
      type: str
      returned: always
    status:
      description: V(won), V(lost), V(unavailable), V(not_permitted), V(no_login) or V(error).
      type: str
      returned: always
    won:
      description: "Whether the expected provider is what really runs."
      type: bool
      returned: always
    required:
      description: "Whether this context counts for the verdict."
      type: bool
      returned: always
    kind:
      description: What the word resolves to, V(file), V(hashed), V(alias), V(function), V(builtin), V(keyword) or
        V(not_found).
      type: str
      returned: when probed
    resolved:
      description: The file path, or the alias text, that the word resolves to.
      type: str
      returned: when probed
    realpath:
      description: "The file with symlinks resolved."
      type: str
      returned: when a file
    runs:
      description: For Pythons, the interpreter that really ran (C(sys.executable)); for C(pip), the pip package path.
      type: str
      returned: when it ran
    prefix:
      description: "C(sys.prefix) of the Python that ran."
      type: str
      returned: for Pythons that ran
    version:
      description: "The version it reported (Python version, pip version, uv version)."
      type: str
      returned: when it ran
    provider:
      description: V(shared_venv), V(uv_shim), V(uv_managed), V(uv), V(distro), V(user_local), V(other) or V(none).
      type: str
      returned: when probed
    expected:
      description: "The executable that should win."
      type: str
      returned: always
    shadow:
      description: What shadows the expected provider, when it lost.
      type: dict
      returned: when lost
      contains:
        kind:
          description: "V(path_entry), V(alias), V(function), V(builtin), V(missing), V(not_on_path) or V(broken)."
          type: str
        value:
          description: "The PATH entry, alias text or function name."
          type: str
        origin:
          description: "C(file:line) where a startup file set it (for V(not_on_path), the one that took the directory
            off PATH), or null when unknown (or, for V(not_on_path), when no startup file ever put it on PATH)."
          type: str
    reason:
      description: "One sentence a person can act on."
      type: str
      returned: when not won
    fault:
      description: Whose fault the loss is, V(user) (the user's own files) or V(system); see O(user_files).
      type: str
      returned: when lost
    fault_evidence:
      description: Why, for example C(set at /home/dave/.profile:28, a file of the user's own) or C(the managed
        executable is missing).
      type: str
      returned: when lost
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.labfleet.uv.plugins.module_utils._path_contexts import ALL_CONTEXTS, NOLOGIN_SHELLS, PathInfo
from ansible_collections.labfleet.uv.plugins.module_utils._path_report import report
from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import WORD_RE
from ansible_collections.labfleet.uv.plugins.module_utils._generations import is_minor
from ansible_collections.labfleet.uv.plugins.module_utils._uv import UV_COMMON_ARGS


def arguments():
    return AnsibleModule(
        argument_spec=dict(
            commands=dict(type="list", elements="str"),
            python_version=dict(type="str"),
            users=dict(type="list", elements="str"),
            contexts=dict(type="list", elements="str", choices=ALL_CONTEXTS, default=list(ALL_CONTEXTS)),
            required_contexts=dict(type="list", elements="str", choices=ALL_CONTEXTS),
            expect=dict(type="str", choices=["venv", "shim", "path"], default="venv"),
            venv_path=dict(type="path", default="/opt/uv/venv"),
            expect_path=dict(type="path"),
            uv_path=UV_COMMON_ARGS["uv_path"],
            python_install_dir=UV_COMMON_ARGS["python_install_dir"],
            python_bin_dir=UV_COMMON_ARGS["python_bin_dir"],
            timeout=dict(type="int", default=300),
            deadline=dict(type="int", default=1800),
            concurrency=dict(type="int", default=4),
            group_identical=dict(type="bool", default=True),
            user_files=dict(type="str", choices=["warn", "fail"], default="warn"),
        ),
        required_if=[("expect", "path", ["expect_path"])],
        supports_check_mode=True,
    )


def checked(module):
    """The parameters, checked (each wrong one named before anything runs), with the default commands filled in."""
    p = module.params
    if p["python_version"] is not None and not is_minor(p["python_version"]):
        module.fail_json(msg="python_version must be a minor such as 3.13, not %r" % p["python_version"])
    if p["commands"] is None:
        p["commands"] = ["python", "python3"] + (["python" + p["python_version"]] if p["python_version"] else []) + \
            ["pip", "uv", "uvx"]
    bad = [w for w in p["commands"] if not WORD_RE.match(w)]
    if bad:
        module.fail_json(msg="commands: not a command word: %s" % ", ".join(bad))
    if p["required_contexts"]:
        extra = sorted(set(p["required_contexts"]) - set(p["contexts"]))
        if extra:
            module.fail_json(msg="required_contexts: not among the probed contexts: %s" % ", ".join(extra))
    for name, what in (("timeout", "1 second"), ("deadline", "1 second"),
                       ("concurrency", "1 (1 runs the probes one by one)")):
        if p[name] < 1:
            module.fail_json(msg="%s must be at least %s" % (name, what))
    if os.geteuid() != 0:
        module.fail_json(msg="path_info must run as root (become: true): it starts shells and services as each user")
    return p


def main():
    module = arguments()
    p = checked(module)
    info = PathInfo(module)
    accounts = info.users()
    # an account whose passwd shell refuses logins is reported as such, never probed (nobody starts a shell as it)
    cannot_log_in = [pw for pw in accounts if os.path.basename(pw.pw_shell or "") in NOLOGIN_SHELLS]
    results, contexts, twins = [], [], {}
    if len(cannot_log_in) < len(accounts):
        if cannot_log_in:
            p["users"] = [pw.pw_name for pw in accounts if pw not in cannot_log_in]
        try:
            info.setup()
            results, contexts, twins = info.check()
        finally:
            info.cleanup()
    module.exit_json(changed=False, **report(p, info.judge, accounts, cannot_log_in, results, contexts, twins))


if __name__ == "__main__":
    main()
