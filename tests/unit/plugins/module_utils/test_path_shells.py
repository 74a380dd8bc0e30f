"""The shells path_info probes: each family's answers read right, fish's PATH events traced to file and line,
words quoted for each shell's startup files, and each probe text accepted by the real shell when it is installed."""
import os
import subprocess

import pytest

from ansible_collections.labfleet.uv.plugins.module_utils._path_shells import (
    CshShell, FishShell, NuShell, PosixShell, parse_probe, shell_for)


def test_each_shell_path_gets_its_family():
    assert [shell_for(p).family for p in ("/bin/bash", "/usr/bin/zsh", "/bin/dash", "/usr/bin/fish", "/usr/bin/tcsh",
                                          "/bin/csh", "/usr/local/bin/nu", None)] == [
        "posix", "posix", "posix", "fish", "csh", "csh", "nu", "posix"]
    assert not shell_for("/usr/bin/xonsh").supported and shell_for("/usr/local/bin/nu").supported


@pytest.mark.parametrize("lines,rc,kind,value", [
    (["python is /opt/uv/venv/bin/python"], 0, "file", "/opt/uv/venv/bin/python"),
    (["python is a function with definition", "# Defined in /home/f/.config/fish/config.fish @ line 4",
      "function python", "    /usr/bin/python3 $argv", "end"], 0, "function", ""),
    (["python is a function with definition", "# Defined via `source`",
      "function python --wraps=python3 --description 'alias python=python3'", "  python3 $argv", "end"], 0,
     "alias", "python3"),
    (["echo is a builtin"], 0, "builtin", ""),
    (["type: Could not find 'python'"], 1, "not_found", ""),
])
def test_fish_type_answers(lines, rc, kind, value):
    assert FishShell("/usr/bin/fish").parse_type(lines, rc) == (kind, value)


def test_fish_function_origin_is_the_file_and_line_fish_names():
    info = {"type_lines": ["python is a function with definition",
                           "# Defined in /home/f/.config/fish/config.fish @ line 4", "function python", "end"]}
    assert FishShell("/usr/bin/fish").function_origin(info, "") == "/home/f/.config/fish/config.fish:4"
    assert FishShell("/usr/bin/fish").function_origin({"type_lines": ["# Defined via `source`"]}, "") is None


@pytest.mark.parametrize("lines,rc,kind,value", [
    (["/opt/uv/venv/bin/python"], 0, "file", "/opt/uv/venv/bin/python"),
    (["python: \t aliased to /usr/bin/python3"], 0, "alias", "/usr/bin/python3"),
    (["echo: shell built-in command."], 0, "builtin", ""),
    (["python: Command not found."], 1, "not_found", ""),
])
def test_tcsh_which_answers(lines, rc, kind, value):
    assert CshShell("/usr/bin/tcsh").parse_type(lines, rc) == (kind, value)


@pytest.mark.parametrize("lines,rc,kind,value", [
    (["python is external /opt/uv/venv/bin/python"], 0, "file", "/opt/uv/venv/bin/python"),
    (["ls is built-in "], 0, "builtin", ""),
    (["python is alias "], 0, "alias", ""),
    (["python is custom "], 0, "function", ""),
    ([], 1, "not_found", ""),
])
def test_nu_which_answers(lines, rc, kind, value):
    assert NuShell("/usr/local/bin/nu").parse_type(lines, rc) == (kind, value)


def test_nu_probe_lines_never_hold_the_marker_the_terminal_would_echo():
    """In the REPL every typed line is echoed: the marker is built at run time, never written in a line."""
    text = NuShell("/usr/local/bin/nu").probe_script(["python", "uv"], "tok")
    assert "@@tok" not in text and all(line.strip() for line in text.splitlines())


def test_fish_path_events_name_the_users_line_not_fish_add_path():
    home, token = "/home/f", "abc"
    stderr = "\n".join([
        "@@abc pathset /opt/uv/venv/bin:/usr/bin",
        "in function '__labfleet_path_info_abc' with arguments 'VARIABLE SET PATH'",
        "\tcalled on line 1 of file /tmp/x/fish-trace/fish/vendor_conf.d/00.fish",
        "in event handler: handler for variable 'PATH'",
        "\tcalled on line 5 of file /etc/fish/conf.d/labfleet-uv.fish",
        "in sourcing file /etc/fish/conf.d/labfleet-uv.fish",
        "@@abc pathend",
        "@@abc pathset /opt/foreign/bin:/opt/uv/venv/bin:/usr/bin",
        "in function '__labfleet_path_info_abc' with arguments 'VARIABLE SET PATH'",
        "in event handler: handler for variable 'PATH'",
        "\tcalled on line 160 of file /usr/share/fish/functions/fish_add_path.fish",
        "in function 'fish_add_path' with arguments '-m /opt/foreign/bin'",
        "\tcalled on line 3 of file ~/.config/fish/config.fish",
        "@@abc pathend",
        "@@abc pathset /x:/usr/bin",
        "in event handler: handler for variable 'PATH'",
        "\tcalled on line 1 of file Standard input",
        "@@abc pathend",
    ])
    assignments, aliases = FishShell("/usr/bin/fish").parse_trace(stderr, "/tmp/x/probe.fish", home, token)
    assert assignments == [("/etc/fish/conf.d/labfleet-uv.fish:5", ["/opt/uv/venv/bin", "/usr/bin"]),
                           ("/home/f/.config/fish/config.fish:3", ["/opt/foreign/bin", "/opt/uv/venv/bin", "/usr/bin"])]
    assert aliases == []


def test_fish_add_path_is_traced_to_the_line_that_called_it():
    """fish's stack in a PATH event stops inside fish_add_path: the wrapper's call record names the caller."""
    stderr = "\n".join([
        "@@t call",
        "in function 'fish_add_path' with arguments '-aP /usr/games'",
        "\tcalled on line 16 of file /usr/share/fish/vendor_conf.d/00debian-profile.fish",
        "@@t callend",
        "@@t return",
        "@@t call",
        "in function 'fish_add_path' with arguments '--move --path /opt/foreign/bin'",
        "\tcalled on line 3 of file ~/.config/fish/config.fish",
        "from sourcing file ~/.config/fish/config.fish",
        "@@t callend",
        "@@t pathset /opt/foreign/bin:/usr/bin",
        "in function '__labfleet_path_info_t' with arguments 'VARIABLE SET PATH'",
        "\tcalled on line 1 of file /usr/share/fish/functions/fish_add_path.fish",
        "in event handler: handler for variable 'PATH'",
        "\tcalled on line 90 of file /usr/share/fish/functions/fish_add_path.fish",
        "@@t pathend",
        "@@t return",
        "@@t pathset /x:/usr/bin",                   # after the call returned: no caller to borrow
        "in event handler: handler for variable 'PATH'",
        "\tcalled during startup",
        "@@t pathend",
    ])
    assignments, dummy = FishShell("/usr/bin/fish").parse_trace(stderr, "/tmp/p/probe.fish", "/home/f", "t")
    assert assignments == [("/home/f/.config/fish/config.fish:3", ["/opt/foreign/bin", "/usr/bin"])]


def test_only_bash_zsh_and_fish_trace_and_the_others_say_so():
    assert [shell_for(p).can_trace() for p in ("/bin/bash", "/usr/bin/zsh", "/usr/bin/fish", "/bin/dash",
                                               "/usr/bin/tcsh", "/usr/bin/nu")] == [True, True, True, False, False, False]
    assert "~/.tcshrc" in CshShell("/usr/bin/tcsh").untraced_note()
    assert "config.nu" in NuShell("/usr/bin/nu").untraced_note()
    assert "dash cannot trace" in shell_for("/bin/dash").untraced_note()
    assert shell_for("/bin/bash").untraced_note() == ""


def test_tcsh_starts_as_a_login_shell_through_argv0_and_reads_the_probe_as_input():
    argv = CshShell("/usr/bin/tcsh").login_argv("/tmp/p/probe.csh", [])
    assert argv[:2] == ["/bin/bash", "-c"] and "exec -a" in argv[2] and argv[3:] == ["/usr/bin/tcsh", "/tmp/p/probe.csh"]
    assert FishShell("/usr/bin/fish").login_argv("/tmp/p/probe.fish", []) == [
        "/usr/bin/fish", "-l", "-i", "-c", "source /tmp/p/probe.fish"]


@pytest.mark.parametrize("shell,word,quoted", [
    (PosixShell, "/opt/it's", "'/opt/it'\\''s'"),
    (FishShell, "/opt/it's\\x", "'/opt/it\\'s\\\\x'"),
    (CshShell, "/opt/a b", "'/opt/a b'"),
    (NuShell, "/opt/a b\\c", "'/opt/a b\\c'"),
    (NuShell, "/opt/it's", "r#'/opt/it's'#"),
])
def test_quote_for_each_shell(shell, word, quoted):
    assert shell.quote(word) == quoted


@pytest.mark.parametrize("word", ["/opt/a!b", "/opt/a\nb"])
def test_csh_refuses_what_it_cannot_quote(word):
    with pytest.raises(ValueError):
        CshShell.quote(word)


def test_nu_refuses_what_it_cannot_quote():
    with pytest.raises(ValueError):
        NuShell.quote("/opt/it's'#x")


# each shell without the machine's own startup files (fish --no-config, tcsh -f)
SHELLS = [("/bin/sh", PosixShell, []), ("/usr/bin/fish", FishShell, ["--no-config"]), ("/usr/bin/tcsh", CshShell, ["-f"]),
          ("/usr/local/bin/nu", NuShell, ["-n"])]


@pytest.mark.parametrize("path,cls,flags", SHELLS)
def test_each_probe_runs_in_its_real_shell(path, cls, flags, tmp_path):
    """The probe text is valid in the shell it is for (scripts/bootstrap-host installs fish and tcsh)."""
    if not os.path.exists(path):
        pytest.skip("%s is not installed on this machine (scripts/bootstrap-host installs it)" % path)
    shell = cls(path)
    probe = tmp_path / ("probe." + shell.ext)
    probe.write_text(shell.probe_script(["sh", "no-such-word-here"], "tok"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([path] + flags + ["-c", shell.source_command(str(probe))], capture_output=True, text=True, env=env,
                         check=False, timeout=60).stdout
    parsed = parse_probe(out, "tok")
    assert parsed["complete"], out
    assert parsed["path"] == ["/usr/bin", "/bin"]
    kind, value = shell.parse_type(parsed["commands"]["sh"]["type_lines"], parsed["commands"]["sh"]["typerc"])
    assert (kind, os.path.basename(value)) == ("file", "sh")
    no = parsed["commands"]["no-such-word-here"]
    assert shell.parse_type(no["type_lines"], no["typerc"]) == ("not_found", "")


@pytest.mark.parametrize("start", ["login", "interactive"])
def test_nu_repl_reads_the_vendor_autoload_dir_and_nu_c_does_not(start, tmp_path):
    """Driven in a pseudo-terminal, login and interactive nushell read the vendor autoload directory (where the role
    writes), and the probe completes; `nu -c` (ssh host cmd, cron) reads nothing."""
    path = "/usr/local/bin/nu"
    if not os.path.exists(path):
        pytest.skip("%s is not installed on this machine (scripts/bootstrap-host installs it)" % path)
    vendor = tmp_path / "share" / "nushell" / "vendor" / "autoload"
    vendor.mkdir(parents=True)
    (vendor / "labfleet-uv.nu").write_text('$env.PATH = ($env.PATH | prepend "/opt/uv/venv/bin")\n')
    (tmp_path / "home").mkdir()
    shell = NuShell(path)
    probe = tmp_path / "probe.nu"
    probe.write_text(shell.probe_script(["sh"], "tok"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "XDG_DATA_DIRS": str(tmp_path / "share")}
    argv = shell.login_argv(str(probe), []) if start == "login" else shell.interactive_argv(str(probe), [])
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, timeout=120).stdout
    parsed = parse_probe(out, "tok")
    assert parsed["complete"], out[-3000:]
    assert parsed["path"] == ["/opt/uv/venv/bin", "/usr/bin", "/bin"]
    assert shell.parse_type(parsed["commands"]["sh"]["type_lines"], 0) == ("file", "/usr/bin/sh")
    out = subprocess.run([path, "-c", shell.source_command(str(probe))], capture_output=True, text=True, env=env,
                         check=False, timeout=60).stdout
    assert parse_probe(out, "tok")["path"] == ["/usr/bin", "/bin"]
