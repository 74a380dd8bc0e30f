"""containers.podman.podman with pipelining, for the test suite's containers (not part of the collection).

containers.podman's connection (the release in the pinned toolchain) runs `podman exec` without stdin, so Ansible
cannot pipeline through it (newer releases can, but leave it off unless pipelining is configured): every
module task costs three `podman exec` (make the temporary directory, chmod the module, run it) besides the
`podman mount` of each connection. This one passes the module on stdin (`podman exec -i`), one exec per task. On
this 2-core machine with two CPU-bound processes beside it, 20 `stat` tasks took 80 s through containers.podman and
25 s through this (docs/development.md). Molecule's scenarios use it through .config/molecule/config.yml, the
tests' own ansible runs through tests/helpers/labfleet_testing.py. Real hosts are reached by ssh, whose pipelining
is an admin's choice; the role and modules work either way.
"""
import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection
from ansible_collections.containers.podman.plugins.connection.podman import DOCUMENTATION as PODMAN_DOCUMENTATION

DOCUMENTATION = PODMAN_DOCUMENTATION.replace("name: podman", "name: podman_pipelined", 1)
# newer containers.podman releases (the newest toolchain's) pass stdin themselves
PODMAN_PASSES_STDIN = PodmanConnection.has_pipelining


class Connection(PodmanConnection):
    """Pipelining always on; `podman exec -i` when a module comes on stdin and containers.podman would drop it."""

    transport = "podman_pipelined"
    has_pipelining = True
    always_pipeline_modules = True

    def exec_command(self, cmd, in_data=None, sudoable=False):
        if in_data is None or PODMAN_PASSES_STDIN:
            return super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if not self._connected:
            self._connect()
        args = ["exec", "-i"] + (["--user", self.user] if self.user else [])
        return self._podman(args, shlex.split(to_native(cmd, errors="surrogate_or_strict")), in_data)
