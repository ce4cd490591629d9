"""The one way a `raporto` command gets its settings and runtime.

A configuration mistake ends the command with its message (exit 1), never a traceback, and
every command logs the same way (RAPORTO_LOG_LEVEL, to stderr), whichever module it lives in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from raporto.logs import configure
from raporto.settings import ConfigError, Settings, load

if TYPE_CHECKING:
    from raporto.runtime import Runtime


def command_settings() -> Settings:
    """Load the settings for this command and configure logging; a ConfigError ends it cleanly."""
    try:
        settings = load()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    configure(settings.log_level, settings.log_format)
    return settings


def command_runtime() -> Runtime:
    """Build the runtime for this command (its queue runs jobs with this runtime's services)."""
    # Imported here: the runtime wires every package (SQLAlchemy, providers, triage), and only
    # the commands that touch them should pay for that, not `raporto --help`.
    from raporto.runtime import build_runtime

    settings = command_settings()
    try:
        runtime = build_runtime(settings)
    except ConfigError as exc:  # e.g. a malformed RAPORTO_ALERT_COVERAGE, read while wiring
        raise click.ClickException(str(exc)) from exc
    return runtime
