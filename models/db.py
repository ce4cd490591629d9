"""Engines and transactions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert


def normalise_url(url: str) -> str:
    """Pin PostgreSQL URLs to the psycopg 3 driver whatever SQLAlchemy's default is."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable and writable by its owner only (0600).

    SQLite would create it with the process's umask (often world-readable); its -wal and -shm
    files take the database file's permissions. An existing file is tightened as well.
    """
    if not url.startswith("sqlite"):
        return
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite will fail to open it and say so
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each database needs for concurrent writers."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # A database that hangs must fail the request in seconds (and send the event to the
    # spool) well within Twilio's 15 s webhook timeout.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"connect_timeout": 5},
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted content is overwritten, not left in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("raporto_read_only"):
            # A read never blocks behind the writer under WAL (the console's pages, which may
            # load the signed-in account while a write transaction of the same request is open).
            connection.exec_driver_sql("BEGIN")
            return
        # Take the write lock up front: a read that later upgrades to a write fails at once
        # with SQLITE_BUSY under WAL instead of waiting, which would turn a retried webhook
        # into a 500. One writer at a time is the embedded default's contract.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """A database handle: the engine is created on first use, so forked workers make their own."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        """Return the engine, creating it on first use."""
        if self._engine is None:
            self._engine = make_engine(self.url)
            self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        return self._engine

    @property
    def dialect(self) -> str:
        """Return "sqlite" or "postgresql"."""
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside one transaction: commit on success, roll back on error.

        Callbacks registered with `after_commit` run once the commit has succeeded (enqueueing
        work that must never be visible before the rows it refers to).
        """
        _ = self.engine
        assert self._sessions is not None
        with self._sessions.begin() as session:
            yield session
        for callback in session.info.pop("after_commit", []):
            callback()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading only; nothing it does is ever committed."""
        with self.engine.connect().execution_options(raporto_read_only=True) as conn:
            session = Session(bind=conn, expire_on_commit=False)
            try:
                yield session
            finally:
                # Closing detaches the loaded objects without expiring them (pages render them
                # afterwards); the connection's transaction is rolled back when it closes.
                session.close()

    def ping(self) -> bool:
        """Return True when the database answers a trivial query."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def dispose(self) -> None:
        """Close pooled connections (after a fork, or at shutdown)."""
        if self._engine is not None:
            self._engine.dispose(close=False)
            self._engine = None
            self._sessions = None


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` after this session's transaction commits (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(callback)


def insert_ignore(session: Session, table: Any, values: dict[str, Any], keys: list[str]) -> Insert:
    """Build an INSERT that silently does nothing when the unique key already exists."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
