"""`raporto canary`: send a synthetic tip through every channel and follow it end to end."""

from __future__ import annotations

import threading

import click

from raporto.cli_runtime import command_runtime


@click.command()
@click.option("--once", is_flag=True, help="Run now and exit (0: every channel passed).")
@click.option("--channel", "channels", multiple=True, help="Only these channels (repeatable).")
@click.option("--timeout", default=180.0, show_default=True, type=float)
def canary(once: bool, channels: tuple[str, ...], timeout: float) -> None:
    """Send a synthetic tip through every channel end to end; text ONAC if one fails."""
    from raporto import canary as runner

    runtime = command_runtime()
    if not once:
        click.echo("running the canary daily at RAPORTO_CANARY_AT (Tirana time)")
        runner.canary_loop(runtime, threading.Event())
        return
    unknown = [c for c in channels if c not in runner.CHANNELS]
    if unknown:
        raise click.UsageError(f"unknown channel {unknown[0]}; one of {', '.join(runner.CHANNELS)}")
    driver = runner.production_driver(runtime)
    driver.timeout = timeout
    try:
        results = runner.run(driver, channels or runner.CHANNELS)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for result in results:
        click.echo(result.line())
    if not all(r.ok for r in results):
        raise SystemExit(1)
