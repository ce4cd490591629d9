"""Alembic environment: batch mode for SQLite, the project's metadata for autogenerate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from models import accounts, deliveries, link_tables, roster, tables, throttle  # noqa: F401
from models.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations against a live connection."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
