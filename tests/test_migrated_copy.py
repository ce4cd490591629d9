"""The tests' migrated SQLite copies (tests/migrated.py) are databases at the newest revision."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from models.migrate import alembic_config
from tests.migrated import migrate


def test_a_copied_sqlite_database_is_at_head_and_independent(tmp_path: Path) -> None:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    first, second = tmp_path / "a" / "one.sqlite", tmp_path / "two.sqlite"
    for path in (first, second):
        migrate(f"sqlite:///{path}")
    engines = [create_engine(f"sqlite:///{p}") for p in (first, second)]
    try:
        for engine in engines:
            with engine.connect() as conn:
                version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                assert version == head
            assert {"tips", "deliveries", "users"} <= set(inspect(engine).get_table_names())
        assert first.stat().st_mode & 0o077 == 0  # private, as a migrated file is
        with engines[0].begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
        with engines[1].connect() as conn:  # a copy, not a shared file
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        for engine in engines:
            engine.dispose()
