"""WebProcess: the web app under gunicorn, SIGKILLed whole (master and worker) and started again."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from models.migrate import upgrade
from tests.chaos import PrivateRedis, WebProcess, WorkerPool, live_group_members
from tests.conftest import env_for
from tests.helpers import free_port, wait_until
from tests.pgcluster import PrivatePostgres
from tests.security_helpers import BEARER, HEALTH_TOKEN

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]
# Generous for a noisy 2-core machine: gunicorn imports the whole app before it answers.
DEADLINE = 60


def health(url: str, **headers: str) -> requests.Response:
    return requests.get(url + "/health", headers=headers, timeout=10)


def refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


@pytest.fixture
def redis_url() -> Iterator[str]:
    # /health is 200 only while an RQ worker is registered (the dead-man check): a private
    # Redis keeps that count ours alone.
    private = PrivateRedis(free_port()).start()
    try:
        yield private.url
    finally:
        private.stop()


def test_killed_web_process_frees_its_port_and_comes_back(
    tmp_path: Path, pg_url: str, redis_url: str
) -> None:
    upgrade(pg_url)
    env = env_for(tmp_path, pg_url, REDIS_URL=redis_url)
    workers = WorkerPool(env, size=1, log_dir=tmp_path).start()
    web = WebProcess(env, tmp_path / "logs")
    try:
        assert web.start() is web and web.is_running()
        wait_until(lambda: health(web.url).status_code == 200, timeout=DEADLINE, interval=0.2)
        assert health(web.url).json() == {"status": "green"}
        first = web.proc
        assert first is not None
        assert len(live_group_members(first.pid)) == 2  # gunicorn's master and its one worker

        web.kill()
        assert not web.is_running() and web.kills == 1
        assert first.returncode == -9  # SIGKILL, not a graceful exit
        assert live_group_members(first.pid) == []  # the worker died with its master
        assert web.log_path is not None
        # ...killed too, not left to notice its parent's death and shut down gracefully.
        assert "Booting worker" in web.log_path.read_text()
        assert "Worker exiting" not in web.log_path.read_text()
        assert refused(web.port)
        with pytest.raises(requests.ConnectionError):
            health(web.url)

        web.restart()
        assert web.proc is not first and web.is_running() and web.started == 2
        wait_until(lambda: health(web.url).status_code == 200, timeout=DEADLINE, interval=0.2)
    finally:
        web.stop()
        workers.stop()
    assert not web.is_running() and refused(web.port)
    assert web.log_path == tmp_path / "logs" / "web-2.log" and web.log_path.exists()


def test_starts_while_the_database_is_down_and_answers_503_until_it_is_up(
    tmp_path: Path,
) -> None:
    with PrivatePostgres() as pg:
        upgrade(pg.url)
        pg.stop()
        env = env_for(tmp_path, pg.url, RAPORTO_HEALTH_TOKEN=HEALTH_TOKEN)
        web = WebProcess(env, tmp_path / "logs")
        try:
            web.start()  # returns on the first answer, whatever its status
            down = health(web.url, **BEARER)
            assert down.status_code == 503 and down.json()["database"] == "down"

            pg.start()  # the same process reconnects: no restart needed
            up = wait_until(
                lambda: (state := health(web.url, **BEARER).json())["database"] == "ok" and state,
                timeout=DEADLINE,
                interval=0.2,
            )
            # No RQ worker here (the in-process queue is never started under gunicorn), so
            # the dead-man check keeps it red: the database is what this test is about.
            assert up["alerts"]["problems"] == ["no_worker"]
        finally:
            web.stop()
