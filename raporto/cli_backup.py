"""`raporto backup` and `raporto restore`: encrypted snapshots of the database (issue 18).

Only the database is backed up: the keys live in the environment and the inbound spool on the
web process's disk, neither in the database (docs/OPERATIONS.md, "Backups", says how each key
is kept and what is lost without it).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from models import store
from models.backup import dump, emptiness, engine_of, private_folder, restore
from models.backup_crypto import BackupError, check_key, decrypt_stream, encrypt_stream, read_header
from models.base import utcnow
from models.db import Database
from models.migrate import upgrade
from models.tables import Tip
from raporto.cli_runtime import command_settings
from raporto.settings import Settings
from raporto.settings_checks import weak_key

ENCRYPTING = "Encrypting the backup"
DECRYPTING = "Decrypting the backup"


def _backup_key(settings: Settings) -> bytes:
    key = settings.backup_key
    if key is None:
        raise click.ClickException(
            "RAPORTO_BACKUP_KEY is not set: `raporto keys generate` prints one; keep it apart "
            "from the service's keys (docs/OPERATIONS.md, Backups)"
        )
    why = weak_key(key)
    if why:
        raise click.ClickException(f"RAPORTO_BACKUP_KEY {why}; `raporto keys generate` prints one")
    return key


def _on_terminal() -> bool:
    return sys.stdout.isatty()


@contextlib.contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar's update function on a terminal; None elsewhere (cron, pipes, logs)."""
    if not _on_terminal():
        yield None
        return
    with click.progressbar(length=length, label=label) as bar:
        yield bar.update


def _audit(url: str, action: str, **counts: Any) -> None:
    database = Database(url)
    try:
        with database.transaction() as session:
            store.audit(session, actor="cli", action=action, now=utcnow(), **counts)
    finally:
        database.dispose()


def _tips(url: str) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count(Tip.id))) or 0)
    finally:
        database.dispose()


@click.command("backup")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The encrypted backup file to write (refused if it exists).",
)
def backup_command(output: Path) -> None:
    """Write an encrypted, consistent snapshot of the database (never the keys or the spool)."""
    settings = command_settings()
    key = _backup_key(settings)
    url, engine = settings.database_url, engine_of(settings.database_url)
    if output.exists():
        raise click.ClickException(f"{output} exists; give a new file name")
    # Written under a temporary name and renamed when whole: a failed backup leaves no file
    # that looks like a backup.
    staged = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        with private_folder() as folder:
            plain = folder / "dump"
            dump(url, plain)
            size = plain.stat().st_size
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                plain.open("rb") as src,
                os.fdopen(fd, "wb") as dst,
                _progress(size, ENCRYPTING) as advance,
            ):
                encrypt_stream(src, dst, key, engine, advance)
                dst.flush()
                os.fsync(dst.fileno())
        os.replace(staged, output)
    except (BackupError, OSError) as exc:
        raise click.ClickException(f"no backup was written: {exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
    _audit(url, "backup", engine=engine, bytes=output.stat().st_size)
    click.echo(f"backed up the {engine} database into {output} ({output.stat().st_size} bytes)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup into the configured database, which must be empty; then migrate it."""
    settings = command_settings()
    key = _backup_key(settings)
    url = settings.database_url
    try:
        with file.open("rb") as src:
            header = read_header(src)
        check_key(header, key)
        if header.engine != engine_of(url):
            raise BackupError(
                f"the backup is of a {header.engine} database and DATABASE_URL is "
                f"{engine_of(url)}; nothing was restored"
            )
        why = emptiness(url)
        if why:
            raise BackupError(
                f"the database of DATABASE_URL is not empty: {why}. Restore only into a new, "
                "empty database; nothing was restored"
            )
        with private_folder() as folder:
            plain = folder / "dump"
            # Every chunk is checked before the database is touched: a wrong key, a tampered or
            # a truncated file stops here with nothing written.
            with (
                file.open("rb") as src,
                plain.open("wb") as dst,
                _progress(file.stat().st_size, DECRYPTING) as advance,
            ):
                decrypt_stream(src, dst, key, advance)
            restore(url, header.engine, plain)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    # An older backup is brought to the schema this Raporto runs, as `raporto db upgrade` does.
    upgrade(url)
    tips = _tips(url)
    _audit(url, "restore", engine=header.engine, bytes=file.stat().st_size, tips=tips)
    click.echo(f"restored the {header.engine} backup ({tips} tips); the schema is at its newest")
