"""PostgreSQL databases for tests: lent and taken back, not created, migrated and dropped each time.

CREATE DATABASE, the migrations and DROP DATABASE (which forces a checkpoint) cost half a second
to a second per test on a loaded machine. Each test process keeps two databases instead, one
empty and one migrated. A test's `pg_url` is the empty one under a fresh name; when the test
migrates it (`tests.migrated.migrate`) while it is still empty and nobody is connected, the
migrated one takes that name instead. Afterwards every connection to it is closed (as
`DROP DATABASE ... WITH (FORCE)` did), it is renamed, every row is deleted and every sequence
restarted, and its catalogue is compared with the one the migrations made; any difference, or an
empty database that is no longer empty, and that database is dropped and made again. Names never
come back, so a connection left over from one test cannot reach the next test's rows.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import make_url

from models.migrate import upgrade

PG_ADMIN = os.environ.get("RAPORTO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# A pool's databases are named after it, and its connection to the server carries that name as
# its application_name while the pool lives: a pool without that connection belongs to a run
# that was killed, here or on another machine using the same server.
POOL_PREFIX = "raporto_pool_"

# Every object of the user's schemas that a test could add, drop or change, as one md5.
FINGERPRINT = Path(__file__).with_name("pgpool_fingerprint.sql").read_text()
# The migrations' one row of data: the rest of a migrated database is empty.
VERSION_TABLE = "alembic_version"
TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"


class Pool:
    """The two databases of one test process and the one lent to the running test."""

    def __init__(self, admin_url: str = PG_ADMIN) -> None:
        self.admin_url = admin_url
        self.prefix = f"{POOL_PREFIX}{uuid.uuid4().hex[:12]}"
        self.empty: str | None = None  # the empty database's name while not lent
        self.migrated: str | None = None  # the migrated one's, while not lent
        self.lent: str | None = None
        self.lent_migrated = False
        self.reference: dict[str, tuple[str, str]] = {}  # kind → (fingerprint, version rows)
        self.counts: Counter[str] = Counter()  # what happened, for tests/test_pgpool.py
        self._admin: psycopg.Connection[Any] | None = None

    # ------------------------------------------------------------------ what the tests use

    def lend(self) -> str:
        """Return the URL of an empty database, under a name no test had, for one test."""
        assert self.lent is None, "one database at a time"
        if self.empty is None:
            self.empty = self._create("empty")
        name = self._fresh_name("test")
        self._rename(self.empty, name)
        self.empty, self.lent, self.lent_migrated = None, name, False
        return self.url(name)

    def migrate(self, url: str) -> bool:
        """Give the lent, still empty and unused database's name to the migrated one."""
        name = make_url(url).database
        if name is None or name != self.lent or self.lent_migrated:
            return False
        # A connection the test just closed ends shortly; one it holds open keeps the database.
        idle = self._idle(name, timeout=0.5)
        if not idle or self._state(name) != self.reference.get("empty"):
            self.counts["migrated in place"] += 1
            return False  # in use, or written to: the migrations run on it as they would
        if self.migrated is None:
            self.migrated = self._create("migrated")
        spare = self._fresh_name("empty")
        try:
            self._rename(name, spare)
        except psycopg.errors.ObjectInUse:
            self.counts["migrated in place"] += 1
            return False  # someone connected meanwhile: the migrations run on it
        self._rename(self.migrated, name)
        self.empty, self.migrated, self.lent_migrated = spare, None, True
        self.counts["swapped"] += 1
        return True

    def take_back(self) -> None:
        """Close the lent database's connections and keep it if it can be made as new."""
        name, self.lent = self.lent, None
        if name is None:
            return
        kind = "migrated" if self.lent_migrated else "empty"
        spare = self._fresh_name(kind)
        try:
            self._disconnect(name)
            self._rename(name, spare)
        except (psycopg.errors.ObjectInUse, AssertionError):
            # Something keeps reconnecting (a process the test left running): as before the
            # pool, the database is dropped with its connections.
            self._drop(name)
            self.counts[f"dropped {kind}"] += 1
            return
        if self._restore(spare, kind):
            setattr(self, kind, spare)
            self.counts[f"kept {kind}"] += 1
        else:
            self._drop(spare)
            self.counts[f"dropped {kind}"] += 1

    def close(self) -> None:
        """Drop the process's databases."""
        for name in (self.lent, self.empty, self.migrated):
            if name is not None:
                with contextlib.suppress(psycopg.Error):
                    self._drop(name)
        self.lent = self.empty = self.migrated = None
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def url(self, name: str) -> str:
        """Return the URL of a database of this server."""
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    # --------------------------------------------------------------------------- the work

    def admin(self) -> psycopg.Connection[Any]:
        """Return the connection to the server's maintenance database (autocommit)."""
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(
                self.admin_url, autocommit=True, application_name=self.prefix
            )
        return self._admin

    def _fresh_name(self, kind: str) -> str:
        return f"{self.prefix}_{kind}_{uuid.uuid4().hex[:12]}"

    def _create(self, kind: str) -> str:
        """Create a database (migrated for "migrated") and remember its state as the reference."""
        name = self._fresh_name(kind)
        self.admin().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.counts[f"created {kind}"] += 1
        if kind == "migrated":
            upgrade(self.url(name))
        state = self._state(name)
        assert self.reference.setdefault(kind, state) == state, f"a new {kind} database differs"
        return name

    def _state(self, name: str) -> tuple[str, str]:
        """Return a database's catalogue fingerprint and its rows: the version, or "rows"."""
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            fingerprint = _one(conn.execute(FINGERPRINT))
            tables = [row[0] for row in conn.execute(TABLES).fetchall()]
            rows = [
                sql.SQL("(SELECT 1 FROM {} LIMIT 1)").format(sql.Identifier("public", table))
                for table in tables
                if table != VERSION_TABLE
            ]
            content = ""
            if rows and _one(
                conn.execute(
                    sql.SQL("SELECT count(*) FROM ({}) AS r").format(
                        sql.SQL(" UNION ALL ").join(rows)
                    )
                )
            ):
                content = "rows"
            elif VERSION_TABLE in tables:
                query = sql.SQL("SELECT version_num FROM {}")
                versions = conn.execute(query.format(sql.Identifier("public", VERSION_TABLE)))
                content = ",".join(sorted(str(row[0]) for row in versions.fetchall()))
        self._idle(name, timeout=5.0)
        return str(fingerprint), content

    def _restore(self, name: str, kind: str) -> bool:
        """Empty a database taken back; return whether it is now as a new one of its kind."""
        try:
            with psycopg.connect(self.url(name)) as conn:
                conn.execute("SET LOCAL session_replication_role = replica")  # no triggers, no FKs
                tables = [row for row in conn.execute(TABLES).fetchall() if row[0] != VERSION_TABLE]
                sequences = conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                ).fetchall()
                statements = [
                    sql.SQL("DELETE FROM {}").format(sql.Identifier("public", row[0]))
                    for row in tables
                ] + [
                    sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier("public", row[0]))
                    for row in sequences
                ]
                if statements:
                    conn.execute(sql.SQL("; ").join(statements))
            self._idle(name, timeout=5.0)
            return self._state(name) == self.reference[kind]
        except psycopg.Error:
            return False

    def _connections(self, name: str) -> int:
        # Autovacuum workers do not count: renaming or dropping a database stops them.
        query = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type <> 'autovacuum worker'"
        )
        return int(_one(self.admin().execute(query, (name,))))

    def _idle(self, name: str, timeout: float) -> bool:
        """Wait until the connections to a database have ended (a closed one ends shortly)."""
        deadline = time.monotonic() + timeout
        while self._connections(name):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    def _disconnect(self, name: str) -> None:
        """End every connection to a database, as DROP DATABASE ... WITH (FORCE) does."""
        for _ in range(50):
            self.admin().execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            if self._idle(name, timeout=0.5):
                return
        raise AssertionError(f"connections to {name} would not end")

    def _rename(self, old: str, new: str) -> None:
        self.admin().execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(old), sql.Identifier(new)
            )
        )

    def _drop(self, name: str) -> None:
        self.admin().execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _one(cursor: psycopg.Cursor[Any]) -> Any:
    """Return the first column of a query's one row."""
    row = cursor.fetchone()
    assert row is not None
    return row[0]


def drop_abandoned(admin_url: str = PG_ADMIN) -> None:
    """Drop the databases of pools whose connection is gone (runs that were killed)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # Databases first: a pool connects before it creates any, so one alive then is seen below.
        found = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (POOL_PREFIX,)
        ).fetchall()
        live = {row[0] for row in conn.execute("SELECT application_name FROM pg_stat_activity")}
        for (name,) in found:
            if name.rsplit("_", 2)[0] in live:
                continue
            with contextlib.suppress(psycopg.Error):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


_current: Pool | None = None


def current() -> Pool | None:
    """Return the pool of this test session, if it made one."""
    return _current


def start(admin_url: str = PG_ADMIN) -> Pool:
    """Make this process's pool (dropping the pools of killed runs first)."""
    global _current
    drop_abandoned(admin_url)
    _current = Pool(admin_url)
    return _current


def stop() -> None:
    """Drop this process's pool."""
    global _current
    if _current is not None:
        _current.close()
        _current = None
