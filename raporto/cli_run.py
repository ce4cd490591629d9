"""`raporto serve|worker|bot|telegram-webhook|sweep|watchdog`: the long-running processes.

Each command imports what it runs inside its body: `raporto worker` must not load Flask and the
console that `raporto serve` needs, and the chaos tests restart workers many times.
"""

from __future__ import annotations

import json
import threading

import click

from raporto.cli_runtime import command_runtime, command_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--sandbox-port", default=8001, show_default=True, type=int)
def serve(host: str, port: int, sandbox_port: int) -> None:
    """Run web, worker, sweeper and Telegram polling in one process (the embedded default)."""
    from raporto.embedded import run_embedded

    run_embedded(command_settings(), host=host, port=port, sandbox_port=sandbox_port)


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--sweep-interval", default=5.0, show_default=True, type=float)
def worker(burst: bool, sweep_interval: float) -> None:
    """Run an RQ worker on the priority queues, with the sweeper beside it."""
    from raporto.workers import run_worker

    run_worker(command_settings(), burst=burst, sweep_interval=sweep_interval)


@click.command()
def bot() -> None:
    """Poll Telegram for updates (where no public HTTPS URL exists for the webhook)."""
    from bot.polling import poll

    runtime = command_runtime()
    poll(runtime.intake, runtime.telegram(), threading.Event())


@click.command("telegram-webhook")
def telegram_webhook() -> None:
    """Register PUBLIC_BASE_URL/webhooks/telegram with Telegram, with the secret header."""
    runtime = command_runtime()
    settings = runtime.settings
    runtime.telegram().set_webhook(
        f"{settings.public_base_url}/webhooks/telegram", settings.telegram_webhook_secret
    )
    click.echo("webhook registered")


@click.command()
def sweep() -> None:
    """Run one sweep (re-drive stuck replies and fetches, submit idle drafts)."""
    from bot.sweeper import sweep_once

    runtime = command_runtime()
    click.echo(json.dumps(sweep_once(runtime.intake)))


@click.command()
@click.option("--interval", default=30.0, show_default=True, type=float)
@click.option("--once", is_flag=True)
def watchdog(interval: float, once: bool) -> None:
    """Check the alert pipeline and text ONAC out of band when it is stuck."""
    from alerts import deadman
    from models.base import utcnow

    runtime = command_runtime()
    while True:
        now = utcnow()
        state = deadman.check(runtime.alerts, runtime.queue.workers(), now)
        if state["problems"]:
            deadman.alert_onac(runtime.alerts, runtime.twilio(), state["problems"], now)
        click.echo(json.dumps(state))
        if once:
            return
        threading.Event().wait(interval)
