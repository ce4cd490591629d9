"""Alembic migrations driven from code, so no alembic.ini has to sit next to the service."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from models.db import normalise_url, private_sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at this package's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database to a revision (default: the newest)."""
    private_sqlite_file(normalise_url(url))
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Downgrade the database to a revision (default: empty)."""
    command.downgrade(alembic_config(url), revision)


def is_current(engine: Engine) -> bool:
    """Return True when the schema exists (the alembic version table is present)."""
    return inspect(engine).has_table("alembic_version")
