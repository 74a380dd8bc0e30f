"""Reaching a booted Pi OS stand-in (molecule/pios_vm, molecule/pios_vm_armhf) the way Molecule's provisioner does:
ssh as pi with the key of its image, root through pi's sudo. The scenario's create step wrote the ssh config that
LABFLEET_VM_SSH_CONFIG names (Host NAME: 127.0.0.1, the forwarded port, the key).
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from labfleet_testing import REPO, ansible_env, json_printed  # noqa: E402  pylint: disable=wrong-import-position

SSH_CONFIG = os.environ.get("LABFLEET_VM_SSH_CONFIG", "")


def vm_name():
    """The Host the ssh config names."""
    with open(SSH_CONFIG) as f:
        return re.search(r"^Host (\S+)", f.read(), re.M).group(1)


def connection():
    """ansible(-playbook) arguments that reach the VM as root, through pi's sudo (with the scenarios' ssh timeout)."""
    return ["-i", vm_name() + ",", "-c", "ssh", "-b", "-e", "ansible_python_interpreter=/usr/bin/python3",
            "-e", "ansible_ssh_common_args='-F %s'" % SSH_CONFIG, "-e", "ansible_ssh_timeout=120"]


def path_verdict(args):
    """labfleet.uv.path_info on the VM, as the role's verdict runs it; each probe with room for a busy machine's
    full emulation (600 s, as the scenarios give the role's verdict)."""
    args = dict(dict(timeout=600), **args)
    env = ansible_env(ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    proc = subprocess.run(["ansible", "all"] + connection() + ["-m", "labfleet.uv.path_info", "-a", json.dumps(args)],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    return json_printed(proc)["plays"][0]["tasks"][0]["hosts"][vm_name()]
