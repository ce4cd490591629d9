"""Shared fixtures: settings, databases (SQLite and PostgreSQL), runtimes, signed requests."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from alerts.queue import InProcessQueue, JobQueue
from console import accounts
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from raporto.settings import Settings, load
from tests import pgpool
from tests.migrated import migrate
from tests.pgpool import PG_ADMIN
from tests.stats_world import add_contacts, add_tips, contact_specs, tip_specs

# Each xdist worker gets a Redis database of its own (15, 14, ...): tests that flush theirs
# never touch another worker's queues.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("RAPORTO_TEST_REDIS", f"redis://127.0.0.1:6379/{15 - _WORKER % 15}")

ENC_KEY = Fernet.generate_key().decode()
PSEUDONYM_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
ENTITY_KEY = "Upj55S8ux-seFalQQzda7TCEvsjUqJcY8L2GK0EA8dk"


# argon2 with the service's parameters (64 MiB, three passes) costs a tenth of a second per hash
# or check, several times that on a loaded machine, and the console tests hash and check about
# 700 times: in-process tests use the smallest parameters argon2 allows. test_console_auth checks
# that the service's own hasher (PRODUCTION_HASHER) keeps the strong ones and upgrades weak hashes.
PRODUCTION_HASHER = accounts._hasher
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash console passwords with argon2's cheapest parameters in this process."""
    monkeypatch.setattr(accounts, "_hasher", TEST_HASHER)


def env_for(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """Return an environment for a development-mode Settings with fixed test secrets."""
    env = {
        "RAPORTO_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": "https://tips.example.org",
        "SECRET_KEY": "test-secret-key-long-enough-for-production-0123",
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token",
        "TELEGRAM_WEBHOOK_SECRET": "tg-webhook-secret_0123456789",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "twilio-test-auth-token",
        "HOTLINE_HMAC_SECRET": "hotline-test-secret",
        "RAPORTO_ENCRYPTION_KEYS": ENC_KEY,
        "RAPORTO_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "RAPORTO_ENTITY_KEYS": ENTITY_KEY,
        "RAPORTO_SANDBOX": "0",
    }
    env.update(extra)
    return env


def make_settings(tmp_path: Path, database_url: str, **extra: str) -> Settings:
    """Build Settings for a test."""
    return load(env_for(tmp_path, database_url, **extra))


def pg_available() -> None:
    """Fail loudly (never skip) when the PostgreSQL server is not reachable."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for this test and is not reachable: {exc}")


@pytest.fixture(scope="session")
def pg_pool() -> Iterator[pgpool.Pool]:
    """This test process's reusable PostgreSQL databases (tests/pgpool.py), dropped at the end."""
    pg_available()
    yield pgpool.start(PG_ADMIN)
    pgpool.stop()


@pytest.fixture
def pg_url(pg_pool: pgpool.Pool) -> Iterator[str]:
    """An empty PostgreSQL database for one test, under a name no other test had."""
    url = pg_pool.lend()
    try:
        yield url
    finally:
        pg_pool.take_back()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of an empty SQLite file."""
    return f"sqlite:///{tmp_path / 'raporto.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


def make_runtime(
    tmp_path: Path, database_url: str, queue: JobQueue | None = None, **extra: str
) -> Runtime:
    """Build a migrated runtime for a test."""
    settings = make_settings(tmp_path, database_url, **extra)
    migrate(settings.database_url)
    return build_runtime(settings, queue=queue or InProcessQueue())


@pytest.fixture
def runtime(tmp_path: Path, sqlite_url: str) -> Runtime:
    """A runtime on SQLite with an in-process queue that tests drain by hand."""
    return make_runtime(tmp_path, sqlite_url)


@pytest.fixture
def any_runtime(tmp_path: Path, database_url: str) -> Runtime:
    """A runtime on each database in turn."""
    return make_runtime(tmp_path, database_url)


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    """The web application on the SQLite runtime."""
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of that application."""
    return app.test_client()


def with_sandbox(runtime: Runtime, url: str) -> Runtime:
    """Point a runtime's provider clients at a sandbox server."""
    settings = replace(runtime.settings, telegram_api_url=url, twilio_api_url=url)
    return build_runtime(settings, queue=runtime.queue)


# Tests measured slower than a second (tests/slow.txt, rewritten by scripts/test-durations from a
# full run) carry the `slow` marker, so `-m "not e2e and not browser and not slow"` is the quick
# loop. A test not in the file counts as quick: a new slow test shows up in the next measurement.
SLOW_LIST = Path(__file__).with_name("slow.txt")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests listed in tests/slow.txt (by node id without parameters) as slow."""
    if not SLOW_LIST.exists():
        return
    slow = {line.strip() for line in SLOW_LIST.read_text().splitlines() if line.strip()}
    slow.discard("")
    for item in items:
        if item.nodeid.split("[", 1)[0] in slow or item.nodeid in slow:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def filled(any_runtime: Runtime) -> Runtime:
    """A runtime on SQLite and on PostgreSQL holding the generated statistics dataset."""
    with any_runtime.db.transaction() as session:
        add_tips(session, tip_specs())
        add_contacts(session, contact_specs())
    return any_runtime
