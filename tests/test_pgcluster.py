"""PrivatePostgres: a cluster of the test's own that stops, starts again with its data, and goes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from tests.helpers import free_port
from tests.pgcluster import PrivatePostgres

pytestmark = pytest.mark.postgres
# A refused TCP connection fails at once; this only allows for a slow, busy machine.
REFUSED_WITHIN = 5.0


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    try:
        yield pg
    finally:
        pg.destroy()


def rows(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(text("SELECT id, word FROM notes ORDER BY id"))]


def test_data_survives_a_stop_and_connections_fail_while_it_is_down(
    cluster: PrivatePostgres,
) -> None:
    assert cluster.start() is cluster and cluster.is_running()
    assert cluster.url == f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/raporto"
    engine = create_engine(cluster.url, connect_args={"connect_timeout": 10})
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar_one() == "raporto"
            conn.execute(text("CREATE TABLE notes (id int PRIMARY KEY, word text NOT NULL)"))
            conn.execute(text("INSERT INTO notes VALUES (1, 'para'), (2, 'pas')"))

        cluster.stop()
        assert not cluster.is_running()
        engine.dispose()  # the pooled connections died with the server
        began = time.monotonic()
        with pytest.raises(OperationalError), engine.connect():
            pass
        assert time.monotonic() - began < REFUSED_WITHIN

        cluster.start()  # the same port, the same data, no second initdb or createdb
        assert cluster.is_running()
        assert rows(engine) == [(1, "para"), (2, "pas")]

        # A crash-like stop loses nothing committed: the restart recovers from the WAL.
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO notes VALUES (3, 'tre')"))
        engine.dispose()
        cluster.stop("immediate")
        assert not cluster.is_running()
        cluster.restart()
        assert rows(engine) == [(1, "para"), (2, "pas"), (3, "tre")]
    finally:
        engine.dispose()

    base = cluster.base
    assert base.is_dir()
    cluster.destroy()
    assert not base.exists() and not cluster.is_running()
    began = time.monotonic()
    with pytest.raises(OperationalError), engine.connect():
        pass
    assert time.monotonic() - began < REFUSED_WITHIN


def test_a_failed_start_says_why_with_the_server_log() -> None:
    port = free_port()
    with PrivatePostgres(port) as first:
        assert first.is_running()
        second = PrivatePostgres(port)  # the port is taken: the server cannot listen
        try:
            with pytest.raises(RuntimeError, match=r"(?s)server log:.*could not"):
                second.start()
            assert not second.is_running()
        finally:
            second.destroy()
        assert first.is_running()
    assert not first.base.exists()


def test_stop_refuses_an_unknown_mode_and_is_a_no_op_when_stopped() -> None:
    pg = PrivatePostgres()
    try:
        assert not pg.is_running()
        pg.stop()  # nothing was ever started
        with pytest.raises(ValueError, match="immediate"):
            pg.stop("now")
    finally:
        pg.destroy()
    assert not pg.base.exists()
