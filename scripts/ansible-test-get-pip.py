"""Stand-in for ansible-test's get-pip bootstrap script.

ansible-test downloads get-pip from ci-files.testing.ansible.com, which this workplace cannot reach. It runs
the script with pip's install arguments (for example `pip==24.2 --no-setuptools`). This does the same with
pip's own wheel from PyPI, saved beside this script by scripts/sanity.
"""
import glob
import os
import sys

wheels = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-*-py3-none-any.whl")))
if not wheels:
    sys.exit("no pip wheel beside %s" % __file__)
sys.path.insert(0, wheels[-1])
from pip._internal.cli.main import main  # noqa: E402  pylint: disable=wrong-import-position

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + args))
