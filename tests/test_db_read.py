"""Database.read(): a read-only session that never commits and never blocks behind a writer."""

from __future__ import annotations

from sqlalchemy import func, select

from models import store
from models.base import utcnow
from models.tables import Reporter
from raporto.runtime import Runtime


def count(runtime: Runtime) -> int:
    with runtime.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Reporter)) or 0)


def test_a_read_session_never_commits(any_runtime: Runtime) -> None:
    with any_runtime.db.read() as session:
        store.reporter_for(session, "a" * 64, now=utcnow())
        session.flush()
    assert count(any_runtime) == 0


def test_a_read_does_not_wait_for_an_open_write_and_objects_stay_usable(
    any_runtime: Runtime,
) -> None:
    with any_runtime.db.transaction() as session:
        store.reporter_for(session, "b" * 64, now=utcnow())
    with any_runtime.db.transaction() as writer:
        store.reporter_for(writer, "c" * 64, now=utcnow())
        writer.flush()
        # Inside an open write transaction (SQLite holds its write lock): reads still answer.
        with any_runtime.db.read() as reader:
            rows = list(reader.scalars(select(Reporter)))
    assert [r.pseudonym for r in rows] == ["b" * 64]  # loaded attributes survive the close
    assert count(any_runtime) == 2
