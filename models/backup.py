"""Backups of the database (issue 18): a consistent dump, encrypted; restore into an empty one.

A dump is taken by the database itself: PostgreSQL's `pg_dump --format=custom` reads every table
in one repeatable-read transaction, SQLite's online backup API copies the pages of one snapshot
(the write-ahead log included) while the service keeps writing. The plaintext dump only ever
exists in a private temporary folder (0700) removed afterwards; models/backup_crypto.py encrypts
it under RAPORTO_BACKUP_KEY.

The service's keys (RAPORTO_ENCRYPTION_KEYS, RAPORTO_PSEUDONYM_KEY, RAPORTO_ENTITY_KEYS) live in
the environment, never in the database, so they are never in a backup: a stolen backup file is
ciphertext under the backup key wrapped around columns still encrypted under the service's keys.
The inbound spool (models/spool.py) lives on the web process's disk and is not in the database
either: it is never backed up (see docs/OPERATIONS.md, "Backups").
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, make_url, select, table

from models.backup_crypto import BackupError
from models.db import normalise_url

VERSION_TABLE = "alembic_version"


def engine_of(url: str) -> str:
    """Return "sqlite" or "postgresql" for a database URL."""
    return "sqlite" if normalise_url(url).startswith("sqlite") else "postgresql"


@contextlib.contextmanager
def private_folder() -> Iterator[Path]:
    """Yield a temporary folder only this user can enter (0700), removed with what it holds."""
    folder = Path(tempfile.mkdtemp(prefix="raporto-backup-"))  # mkdtemp makes it 0700
    try:
        os.chmod(folder, 0o700)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pg_tool(name: str) -> str:
    """Find pg_dump or pg_restore on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")

    def version(path: str) -> tuple[int, ...]:
        major = Path(path).parent.parent.name
        return tuple(int(p) for p in major.split(".") if p.isdigit())

    if not candidates:
        raise BackupError(f"{name} was not found on PATH nor under /usr/lib/postgresql/*/bin")
    return max(candidates, key=version)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for the PostgreSQL tools and their environment (the password, never argv)."""
    parsed = make_url(normalise_url(url))
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _sqlite_path(url: str) -> Path:
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("backups need a SQLite database file, not an in-memory database")
    return Path(database)


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        # The tools' messages name tables and options, never row contents.
        detail = result.stderr.strip().splitlines()[-3:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " | ".join(detail))


def dump(url: str, target: Path) -> None:
    """Write a consistent dump of the database at `url` to `target` (in a private folder)."""
    if engine_of(url) == "postgresql":
        uri, env = _libpq(url)
        argv = [pg_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={uri}"]
        _run(argv, env, "pg_dump")
        return
    path = _sqlite_path(url)
    if not path.is_file():
        raise BackupError(f"there is no SQLite database at {path}")
    copy_sqlite(path, target)


def copy_sqlite(path: Path, target: Path) -> None:
    """Copy the SQLite database at `path` to `target` consistently (SQLite's online backup)."""
    # Read-write, though only read: a read-only connection cannot always open a WAL database.
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def emptiness(url: str) -> str | None:
    """Say why the database at `url` is not empty, or None when a restore may fill it.

    Empty means no tables, or no schema version table and no row in any table: a database the
    service or `raporto db upgrade` has touched is never overwritten.
    """
    if engine_of(url) == "sqlite" and not _sqlite_path(url).exists():
        return None
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            if VERSION_TABLE in names:
                return f"it has a Raporto schema ({VERSION_TABLE} exists)"
            for name in names:
                if conn.execute(select(func.count()).select_from(table(name))).scalar():
                    return f"its table {name} has rows"
    finally:
        engine.dispose()
    return None


def restore(url: str, engine: str, plain: Path) -> None:
    """Load a decrypted dump into the empty database at `url` (callers check it is empty)."""
    if engine != engine_of(url):
        raise BackupError(
            f"the backup is of a {engine} database and DATABASE_URL is {engine_of(url)}"
        )
    if engine == "postgresql":
        uri, env = _libpq(url)
        # One transaction: a failing restore leaves the database as empty as it was. --clean
        # drops leftover empty tables of the same names; owners and grants are the target's.
        argv = [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction"]
        argv += ["--clean", "--if-exists", f"--dbname={uri}", str(plain)]
        _run(argv, env, "pg_restore")
        return
    path = _sqlite_path(url)
    if not path.parent.is_dir():
        raise BackupError(f"the folder of the SQLite database {path} does not exist")
    # Copied next to the target, then renamed over it: the file is whole or absent. The old
    # file's write-ahead log would be replayed into the new one: it goes first.
    staged = path.with_name(f".{path.name}.restore-{os.getpid()}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, plain.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                path.with_name(path.name + suffix).unlink()
        os.replace(staged, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
