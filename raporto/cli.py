"""The `raporto` command: serve, worker, bot, db, keys, purge, sweep, spool, triage."""

from __future__ import annotations

import json
import logging
import sys
import threading

import click
from cryptography.fernet import Fernet

from models import store
from models.base import utcnow
from models.crypto import Vault
from models.maintenance import RotationError, rotate_keys, values_needing_old_keys
from models.maintenance import purge as purge_content
from models.migrate import downgrade, upgrade
from raporto.cli_officials import officials
from raporto.cli_services import services
from raporto.cli_spool import spool
from raporto.cli_stats import stats_command
from raporto.cli_users import users
from raporto.logs import configure
from raporto.runtime import Runtime, build_runtime, install
from raporto.settings import ConfigError, Settings, load, new_pseudonym_key
from raporto.triage_commands import triage_command, triage_eval_command

log = logging.getLogger(__name__)


def _settings() -> Settings:
    try:
        settings = load()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    configure(settings.log_level)
    return settings


@click.group()
def main() -> None:
    """Raporto: anonymous tip line and triage against human trafficking."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--sandbox-port", default=8001, show_default=True, type=int)
def serve(host: str, port: int, sandbox_port: int) -> None:
    """Run web, worker, sweeper and Telegram polling in one process (the embedded default)."""
    from raporto.embedded import run_embedded

    run_embedded(_settings(), host=host, port=port, sandbox_port=sandbox_port)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--sweep-interval", default=5.0, show_default=True, type=float)
def worker(burst: bool, sweep_interval: float) -> None:
    """Run an RQ worker on the priority queues, with the sweeper beside it."""
    from raporto.workers import run_worker

    run_worker(_settings(), burst=burst, sweep_interval=sweep_interval)


@main.command()
def bot() -> None:
    """Poll Telegram for updates (where no public HTTPS URL exists for the webhook)."""
    from bot.polling import poll

    runtime = build_runtime(_settings())
    install(runtime)
    poll(runtime.intake, runtime.telegram(), threading.Event())


@main.command("telegram-webhook")
def telegram_webhook() -> None:
    """Register PUBLIC_BASE_URL/webhooks/telegram with Telegram, with the secret header."""
    settings = _settings()
    runtime = build_runtime(settings)
    runtime.telegram().set_webhook(
        f"{settings.public_base_url}/webhooks/telegram", settings.telegram_webhook_secret
    )
    click.echo("webhook registered")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the schema."""
    upgrade(_settings().database_url, revision)
    click.echo("database upgraded")


@db.command("downgrade")
@click.argument("revision", default="base")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema (base = empty)."""
    downgrade(_settings().database_url, revision)
    click.echo("database downgraded")


@main.group()
def keys() -> None:
    """Encryption and pseudonym keys."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new encryption key and a new pseudonym key."""
    click.echo(f"RAPORTO_ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
    click.echo(f"RAPORTO_PSEUDONYM_KEY={new_pseudonym_key()}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt everything under the first key of RAPORTO_ENCRYPTION_KEYS."""
    settings = _settings()
    runtime = build_runtime(settings)
    vault = Vault(settings.encryption_keys)
    try:
        with runtime.db.transaction() as session:
            count = rotate_keys(session, vault)
            store.audit(session, actor="cli", action="keys.rotate", values=count)
        if runtime.intake.spool is not None:
            count += runtime.intake.spool.rotate()
    except RotationError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from exc
    # Checked after the commit, in a new transaction: a process still running with the old key
    # first may have written meanwhile, and removing that key would lose what it wrote.
    _refuse_stale(runtime, vault, "after re-encrypting")
    click.echo(
        f"re-encrypted {count} values under the newest key; every stored value opens with it "
        "alone, so older keys can be removed once every process runs with the new key first"
    )


@keys.command("check")
def keys_check() -> None:
    """Fail unless every stored value opens with the first key alone."""
    settings = _settings()
    _refuse_stale(build_runtime(settings), Vault(settings.encryption_keys), "now")
    click.echo("every stored value opens with the newest key alone")


def _refuse_stale(runtime: Runtime, vault: Vault, when: str) -> None:
    with runtime.db.read() as session:
        stale = values_needing_old_keys(session, vault)
    spooled = runtime.intake.spool.needing_old_keys() if runtime.intake.spool else 0
    if spooled:
        stale["inbound spool files"] = spooled
    if stale:
        where = ", ".join(f"{name} ({n})" for name, n in stale.items())
        raise click.ClickException(
            f"{when}, {sum(stale.values())} values still need an older key: {where}. Restart "
            "every process with the new key first in RAPORTO_ENCRYPTION_KEYS, then rotate again; "
            "do not remove the older key yet"
        )


@main.command()
@click.option("--content-days", type=int, default=None)
@click.option("--handle-days", type=int, default=None)
def purge(content_days: int | None, handle_days: int | None) -> None:
    """Delete tip content and reply handles past their retention period; counts stay."""
    settings = _settings()
    runtime = build_runtime(settings)
    with runtime.db.transaction() as session:
        counts = purge_content(
            session,
            now=utcnow(),
            content_days=content_days or settings.content_retention_days,
            handle_days=handle_days or settings.reply_handle_days,
        )
        store.audit(session, actor="cli", action="purge", counts=counts)
    click.echo(json.dumps(counts))


@main.command()
def sweep() -> None:
    """Run one sweep (re-drive stuck replies and fetches, submit idle drafts)."""
    from bot.sweeper import sweep_once

    runtime = build_runtime(_settings())
    install(runtime)
    click.echo(json.dumps(sweep_once(runtime.intake)))


@main.command()
@click.option("--interval", default=30.0, show_default=True, type=float)
@click.option("--once", is_flag=True)
def watchdog(interval: float, once: bool) -> None:
    """Check the alert pipeline and text ONAC out of band when it is stuck."""
    from alerts import deadman

    runtime = build_runtime(_settings())
    while True:
        now = utcnow()
        state = deadman.check(runtime.alerts, runtime.queue.workers(), now)
        if state["problems"]:
            deadman.alert_onac(runtime.alerts, runtime.twilio(), state["problems"], now)
        click.echo(json.dumps(state))
        if once:
            return
        threading.Event().wait(interval)


main.add_command(officials)
main.add_command(services)
main.add_command(spool)
main.add_command(stats_command)
main.add_command(users)
main.add_command(triage_command, "triage")
main.add_command(triage_eval_command, "triage-eval")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
