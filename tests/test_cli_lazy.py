"""`raporto` imports a subcommand's module only when it runs; help and errors stay the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from raporto.cli import COMMANDS, main
from tests.conftest import env_for

# What `import raporto.cli` used to drag in; none of it is needed to parse a command line.
HEAVY = ("sqlalchemy", "flask", "console", "models", "alerts", "bot", "triage", "raporto.runtime")


def test_importing_the_cli_loads_no_subcommand_and_nothing_heavy() -> None:
    probe = "import sys, raporto.cli; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.check_output([sys.executable, "-c", probe], text=True).split())
    assert not {m for m in loaded for h in HEAVY if m == h or m.startswith(h + ".")}
    assert not {m for m in loaded if m.startswith("raporto.cli_") and m != "raporto.cli_lazy"}
    assert "raporto.triage_commands" not in loaded


def test_the_worker_command_does_not_load_the_web_console() -> None:
    probe = (
        "import sys, click; from raporto.cli import main;"
        "main.get_command(click.Context(main), 'worker');"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(subprocess.check_output([sys.executable, "-c", probe], text=True).split())
    assert "raporto.cli_run" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("flask", "console", "sqlalchemy")}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_listed_help_is_the_commands_own(name: str) -> None:
    command = COMMANDS[name].load()
    assert command.help is not None
    assert COMMANDS[name].help == command.help.split("\n\n")[0].strip()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_root_help_is_what_click_prints_with_every_command_loaded(width: int) -> None:
    lazy = CliRunner().invoke(main, ["--help"], terminal_width=width, prog_name="raporto")
    eager = click.Group(
        "main",
        help=main.help,
        commands={name: entry.load() for name, entry in COMMANDS.items()},
    )
    loaded = CliRunner().invoke(eager, ["--help"], terminal_width=width, prog_name="raporto")
    assert lazy.exit_code == loaded.exit_code == 0
    assert lazy.output == loaded.output


def test_an_unknown_command_is_refused_as_before() -> None:
    result = CliRunner().invoke(main, ["nope"])
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.output


def test_a_configuration_error_found_while_wiring_ends_the_command_cleanly(
    tmp_path: Path, sqlite_url: str
) -> None:
    # RAPORTO_ALERT_COVERAGE is read by build_runtime, after the settings loaded: every command
    # that builds a runtime reports it as a message, not a traceback.
    env = env_for(tmp_path, sqlite_url, RAPORTO_ALERT_COVERAGE='{"child": "police"}')
    for args in (["purge"], ["officials", "list"], ["spool", "list"]):
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert "RAPORTO_ALERT_COVERAGE maps each route" in result.output
        assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash
