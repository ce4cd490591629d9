"""The tests' PostgreSQL pool (tests/pgpool.py) lends databases that are as new, every time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import psycopg
import pytest
from alembic.script import ScriptDirectory
from psycopg import sql

from models.migrate import alembic_config, upgrade
from tests.pgpool import POOL_PREFIX, Pool, drop_abandoned

pytestmark = pytest.mark.postgres

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"


@pytest.fixture
def pool(pg_pool: Pool) -> Iterator[Pool]:
    """The session's pool, given back even when a test fails half-way."""
    yield pg_pool
    pg_pool.take_back()


def since(pool: Pool, before: Counter[str]) -> Counter[str]:
    """What the pool did since a copy of its counts was taken, but for making databases."""
    done = pool.counts - before
    return Counter({what: n for what, n in done.items() if not what.startswith("created")})


def one(url: str, query: str) -> object:
    """Run a query on a database and return the first column of its one row."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query.encode()).fetchone()
        assert row is not None
        return row[0]


def exists(pool: Pool, url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    row = pool.admin().execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,))
    return bool(row.fetchone() == (1,))


def audit(url: str) -> int:
    """Add a row to the audit log (append-only: a trigger refuses DELETE) and return its id."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO audit_log (at, actor, action, detail)"
            " VALUES (now(), 'test', 'test', '{}') RETURNING id"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_migrated_database_comes_back_empty_with_its_sequences_restarted(pool: Pool) -> None:
    before = pool.counts.copy()
    first = pool.lend()
    assert one(first, TABLES) == 0
    assert pool.migrate(first)
    assert one(first, "SELECT version_num FROM alembic_version") == HEAD
    assert audit(first) == 1 and audit(first) == 2
    held = psycopg.connect(first)  # a connection the test forgot
    pool.take_back()
    assert held.closed or held.broken or _dead(held)
    assert not exists(pool, first)  # a leftover connection string reaches nothing
    second = pool.lend()
    assert second != first and pool.migrate(second)
    assert one(second, "SELECT count(*) FROM audit_log") == 0
    assert audit(second) == 1  # as in a new database
    pool.take_back()
    assert since(pool, before) == Counter({"swapped": 2, "kept migrated": 2})


def _dead(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    finally:
        conn.close()
    return False


def test_a_changed_schema_is_dropped_and_made_again(pool: Pool) -> None:
    before = pool.counts.copy()
    url = pool.lend()
    assert pool.migrate(url)
    with psycopg.connect(url) as conn:
        conn.execute("ALTER TABLE tips ADD COLUMN extra integer")
    pool.take_back()
    assert since(pool, before)["dropped migrated"] == 1
    dropped = pool.counts.copy()
    again = pool.lend()
    assert pool.migrate(again)
    assert (pool.counts - dropped)["created migrated"] == 1  # made again from the migrations
    columns = "SELECT count(*) FROM information_schema.columns WHERE column_name = 'extra'"
    assert one(again, columns) == 0
    pool.take_back()
    assert since(pool, before) == Counter({"swapped": 2, "dropped migrated": 1, "kept migrated": 1})


def test_an_empty_database_a_test_migrated_itself_is_not_lent_again(pool: Pool) -> None:
    before = pool.counts.copy()
    url = pool.lend()
    upgrade(url, "0001")  # what a test of the migrations does
    assert not pool.migrate(url)  # no longer empty: the migrations run on it as they would
    upgrade(url)
    assert one(url, "SELECT version_num FROM alembic_version") == HEAD
    pool.take_back()
    assert since(pool, before) == Counter({"migrated in place": 1, "dropped empty": 1})
    fresh = pool.lend()
    assert one(fresh, TABLES) == 0
    pool.take_back()
    assert since(pool, before)["kept empty"] == 1


def test_a_database_in_use_is_migrated_in_place(pool: Pool) -> None:
    before = pool.counts.copy()
    url = pool.lend()
    with psycopg.connect(url) as conn:
        assert not pool.migrate(url)
        conn.execute("SELECT 1")
    upgrade(url)
    assert one(url, "SELECT version_num FROM alembic_version") == HEAD
    pool.take_back()
    assert since(pool, before) == Counter({"migrated in place": 1, "dropped empty": 1})


def test_the_databases_of_a_killed_run_are_dropped_and_a_live_pools_are_kept(pool: Pool) -> None:
    lent = pool.lend()
    orphan = f"{POOL_PREFIX}{'0' * 12}_empty_{'1' * 12}"  # its pool's connection is gone
    pool.admin().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(orphan)))
    drop_abandoned(pool.admin_url)
    assert not exists(pool, pool.url(orphan))
    assert exists(pool, lent)
