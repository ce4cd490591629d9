"""`raporto spool`: what waits in this host's inbound spool, and replaying it by hand.

Operators see ids, channels, ages and states only: an event's content stays encrypted on disk.
"""

from __future__ import annotations

import json

import click

from bot.spool_replay import replay
from models.base import utcnow
from raporto.cli_runtime import command_runtime


@click.group()
def spool() -> None:
    """The inbound spool of events kept while the database was down."""


@spool.command("list")
def spool_list() -> None:
    """One line per spooled event: id, channel, age in seconds, state."""
    runtime = command_runtime()
    folder = runtime.intake.spool
    assert folder is not None
    now = utcnow()
    entries = folder.entries(include_failed=True)
    for entry in entries:
        age = (now - entry.arrived_at).total_seconds()
        state = "failed" if entry.failed else "waiting"
        click.echo(f"{entry.id}  {entry.channel:<8}  {age:>9.0f}s  {state}")
    click.echo(json.dumps(folder.status(now)))


@spool.command("replay")
@click.option("--retry-failed", is_flag=True, help="Put events set aside as failed back in line.")
def spool_replay(retry_failed: bool) -> None:
    """Move the spooled events into the database now; exit 1 if any are left."""
    runtime = command_runtime()
    folder = runtime.intake.spool
    assert folder is not None
    if retry_failed:
        click.echo(json.dumps({"returned": folder.retry_failed()}))
    counts = replay(runtime.intake, folder)
    left = len(folder.entries(include_failed=True))
    click.echo(json.dumps({**counts, "left": left}))
    if left:
        raise SystemExit(1)
