"""`raporto db|keys|purge`: the schema, the encryption keys and retention, from the command line."""

from __future__ import annotations

import json

import click
from cryptography.fernet import Fernet

from bot import linking
from models import store
from models.base import utcnow
from models.crypto import Vault
from models.maintenance import RotationError, rotate_keys, values_needing_old_keys
from models.maintenance import purge as purge_content
from models.migrate import downgrade, upgrade
from raporto.cli_runtime import command_runtime, command_settings
from raporto.runtime import Runtime
from raporto.settings import new_pseudonym_key


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the schema."""
    upgrade(command_settings().database_url, revision)
    click.echo("database upgraded")


@db.command("downgrade")
@click.argument("revision", default="base")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema (base = empty)."""
    downgrade(command_settings().database_url, revision)
    click.echo("database downgraded")


@click.group()
def keys() -> None:
    """Encryption and pseudonym keys."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new encryption key, pseudonym key, entity key and backup key."""
    click.echo(f"RAPORTO_ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
    click.echo(f"RAPORTO_PSEUDONYM_KEY={new_pseudonym_key()}")
    click.echo(f"RAPORTO_ENTITY_KEYS={new_pseudonym_key()}")
    # Kept apart from the others (docs/OPERATIONS.md, "Backups"): not in the service's env.
    click.echo(f"RAPORTO_BACKUP_KEY={new_pseudonym_key()}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt everything under the first key of RAPORTO_ENCRYPTION_KEYS."""
    runtime = command_runtime()
    vault = Vault(runtime.settings.encryption_keys)
    try:
        with runtime.db.transaction() as session:
            count = rotate_keys(session, vault)
            store.audit(session, actor="cli", action="keys.rotate", now=utcnow(), values=count)
        if runtime.intake.spool is not None:
            count += runtime.intake.spool.rotate()
        # What links tips is rehashed under the newest entity key, read again from the texts.
        with runtime.db.transaction() as session:
            linked = linking.rehash_all(session, runtime.intake)
            store.audit(session, actor="cli", action="keys.rehash", now=utcnow(), tips=linked)
    except RotationError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from exc
    # Checked after the commit, in a new transaction: a process still running with the old key
    # first may have written meanwhile, and removing that key would lose what it wrote.
    _refuse_stale(runtime, vault, "after re-encrypting")
    click.echo(
        f"re-encrypted {count} values under the newest key; every stored value opens with it "
        "alone, so older keys can be removed once every process runs with the new key first"
    )
    click.echo(
        f"rehashed the linking entities of {linked} tips under the newest RAPORTO_ENTITY_KEYS key"
    )


@keys.command("check")
def keys_check() -> None:
    """Fail unless every stored value opens with the first key alone."""
    runtime = command_runtime()
    _refuse_stale(runtime, Vault(runtime.settings.encryption_keys), "now")
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


@click.command()
@click.option("--content-days", type=int, default=None)
@click.option("--handle-days", type=int, default=None)
def purge(content_days: int | None, handle_days: int | None) -> None:
    """Delete tip content and reply handles past their retention period; counts stay."""
    runtime = command_runtime()
    settings = runtime.settings
    with runtime.db.transaction() as session:
        now = utcnow()
        counts = purge_content(
            session,
            now=now,
            content_days=content_days or settings.content_retention_days,
            handle_days=handle_days or settings.reply_handle_days,
        )
        store.audit(session, actor="cli", action="purge", now=now, counts=counts)
    click.echo(json.dumps(counts))
