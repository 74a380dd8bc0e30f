"""The inputs that reach uv's command line (module_utils/_input_checks.spec_problem, used by uv_venv, uv_tool and the
role's settings check) and the directories on the way to the role's that another account could write
(writable_ancestors, reported by uv_state): real directories, owners and modes in a temporary tree, no mocks."""
import os

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils._input_checks import (
    directories_on_the_way, spec_problem, writable_ancestors)
from ansible_collections.labfleet.uv.plugins.modules.uv_state import layout_writable_ancestors


@pytest.mark.parametrize("spec", ["requests", "numpy>=2", "requests[socks]==2.32.5", "pkg @ https://x.example/p.whl",
                                  "six; python_version < '3.12'", "./local-dir", "/srv/wheels/x.whl", "a-b"])
def test_requirements_pass(spec):
    assert spec_problem(spec) is None


@pytest.mark.parametrize("spec,why", [
    ("--index-url=http://127.0.0.1:9/simple", "option"), ("-e", "option"), ("  -r/etc/shadow", "option"),
    ("--", "option"), ("", "not a requirement"), ("   ", "not a requirement"), (None, "not a requirement"),
    ("requests\n--index-url=x", "U+000A"), ("requests\r", "U+000D"), ("ruff\x1b[2J", "U+001B"), ("x\x7f", "U+007F"),
    ("x\u2028y", "U+2028"), ("x\x85", "U+0085"), ("x\x00", "U+0000"),
])
def test_what_uv_would_read_as_an_option_or_another_line_is_refused(spec, why):
    assert why in (spec_problem(spec) or ""), spec_problem(spec)


def tree(tmp_path, dirs):
    """Make dirs ({relative path: (mode, uid)}) under tmp_path; returns tmp_path as a string."""
    for rel, (mode, uid) in sorted(dirs.items()):
        path = tmp_path / rel
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, uid, 0)
        os.chmod(path, mode)
    return str(tmp_path)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making directories of another owner needs root")


def found(results, base):
    """{directory (relative to base, or absolute outside it): reason} of writable_ancestors' results."""
    return dict((r["directory"][len(base) + 1:] if r["directory"].startswith(base + "/") else r["directory"],
                 r["reason"]) for r in results)


def test_every_directory_on_the_way_is_followed_through_links(tmp_path):
    base = tree(tmp_path, {"a/b": (0o755, 0), "c/d": (0o755, 0)})
    os.symlink("../../c", os.path.join(base, "a/b/up"))            # relative, climbing
    os.symlink(os.path.join(base, "c/d"), os.path.join(base, "a/d"))  # absolute
    on_the_way = directories_on_the_way(base + "/a/b/up/d/missing/x")
    assert on_the_way[-4:] == [base + "/a", base + "/a/b", base + "/c", base + "/c/d"]
    assert directories_on_the_way(base + "/a/d")[-3:] == [base + "/a", base + "/c", base + "/c/d"]
    assert directories_on_the_way(base + "/a/b/../b")[-2:] == [base + "/a", base + "/a/b"]
    os.symlink("loop", os.path.join(base, "loop"))
    assert directories_on_the_way(base + "/loop/x")[-1] == base


@needs_root
def test_a_directory_another_account_could_write_is_found_sticky_or_not(tmp_path):
    base = tree(tmp_path, {"ok/bin": (0o755, 0), "open/bin": (0o777, 0), "sticky/bin": (0o1777, 0),
                           "group/bin": (0o775, 0), "alices/bin": (0o755, 1000), "fine": (0o755, 0)})
    paths = [base + "/" + d + "/bin/x" for d in ("ok", "open", "sticky", "group", "alices")]
    got = found(writable_ancestors(paths), base)
    assert got == {
        "/tmp": "writable by others (mode 1777)",       # where pytest makes its directories: sticky, still refused
        "open/bin": "writable by others (mode 0777)", "sticky/bin": "writable by others (mode 1777)",
        "group/bin": "writable by its group (mode 0775)", "alices/bin": "owned by uid 1000, not root"}
    assert found(writable_ancestors([base + "/fine/new/dir"]), base) == {"/tmp": "writable by others (mode 1777)"}


@needs_root
def test_a_link_is_judged_by_where_it_leads_and_where_it_lies(tmp_path):
    base = tree(tmp_path, {"safe/opt": (0o755, 0), "home/alice/uv": (0o755, 1000), "share": (0o777, 0),
                           "share2/real": (0o755, 0)})
    os.symlink(base + "/home/alice/uv", base + "/safe/opt/uv")     # a root-owned link into alice's directory
    os.symlink(base + "/share2/real", base + "/share/uv")          # a link in a directory anyone can write
    got = found(writable_ancestors([base + "/safe/opt/uv/bin", base + "/share/uv/bin"]), base)
    assert got == {"/tmp": "writable by others (mode 1777)", "home/alice/uv": "owned by uid 1000, not root",
                   "share": "writable by others (mode 0777)"}


@needs_root
def test_the_roles_own_directories_are_left_to_the_run_that_puts_them_right(tmp_path):
    base = tree(tmp_path, {"opt/uv/bin": (0o777, 1000), "opt/uv/venv-3.11.2": (0o755, 1000)})
    os.symlink("venv-3.11.2", base + "/opt/uv/venv")
    got = found(writable_ancestors([base + "/opt/uv/bin", base + "/opt/uv/venv"],
                                   managed=[base + "/opt/uv", base + "/opt/uv/bin", base + "/opt/uv/venv"]), base)
    assert got == {"/tmp": "writable by others (mode 1777)"}
    # without them counted as the role's, the same tree is refused
    got = found(writable_ancestors([base + "/opt/uv/bin", base + "/opt/uv/venv"]), base)
    assert set(got) == set(["/tmp", "opt/uv/bin", "opt/uv/venv-3.11.2"])


@needs_root
def test_uv_state_reports_the_directories_on_the_way_to_the_layout_but_not_the_layouts_own(tmp_path):
    base = tree(tmp_path, {"srv/lab": (0o755, 1000), "srv/ok/uv": (0o755, 0), "etc/uv": (0o775, 0)})
    params = dict(
        venv=dict(path=base + "/srv/ok/uv/venv"), uv_path=base + "/srv/ok/uv/bin/uv",
        python_install_dir=base + "/srv/ok/uv/python", python_bin_dir=base + "/srv/ok/uv/python-bin",
        tool_dir=base + "/srv/ok/uv/tools", tool_bin_dir=base + "/srv/lab/bin", cache_dir=base + "/srv/ok/uv/cache",
        command_dir=None,
        directories=[dict(path=base + "/srv/ok/uv", mode="0755"), dict(path=base + "/srv/lab/bin", mode="0755"),
                     dict(path=base + "/etc/uv", mode=None)])
    got = found(layout_writable_ancestors(params), base)
    assert got == {"/tmp": "writable by others (mode 1777)", "srv/lab": "owned by uid 1000, not root",
                   "etc/uv": "writable by its group (mode 0775)"}
