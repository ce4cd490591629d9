"""Issue 12, items 15, 16, 18: a second admin, /health, HSTS, loopback only, a private SQLite."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from alerts.demo import DEMO_PHONE_BASE
from console.accounts import AccountError, create_user, find
from models.roster import Official
from models.tables import AuditEntry
from raporto.app import create_app
from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.conftest import make_runtime, with_sandbox
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in
from tests.security_helpers import BEARER, client_at, health_client

SECRET = re.compile(r'<code class="secret">([^<]+)</code>')


def signed_in_admin(client: FlaskClient, runtime: Runtime, name: str) -> str:
    make_account(runtime, name, "admin")
    assert sign_in(client, name) == 302
    return csrf_token(client, "/console/admin")


def onac_entry(runtime: Runtime) -> int:
    demo_officials(runtime)
    with runtime.db.transaction() as s:
        return int(s.scalar(select(Official.id).where(Official.role == "onac")))


def user_id(runtime: Runtime, name: str) -> int:
    with runtime.db.transaction() as s:
        user = find(s, name)
        assert user is not None
        return user.id


def test_no_account_is_linked_to_onac_entries_of_the_roster(
    client: FlaskClient, runtime: Runtime
) -> None:
    onac = onac_entry(runtime)
    with runtime.db.transaction() as s, pytest.raises(AccountError, match="ONAC"):
        create_user(s, username="x", role="official", official_id=onac, actor="cli")
    token = signed_in_admin(client, runtime, "root")
    page = client.get("/console/admin").get_data(as_text=True)
    assert f'<option value="{onac}">' not in page  # not even offered
    client.post(
        "/console/admin/users",
        data={"csrf_token": token, "username": "spy", "role": "official", "official_id": onac},
    )
    with runtime.db.transaction() as s:
        assert find(s, "spy") is None


@pytest.mark.parametrize("role", ["official", "admin"])
def test_an_account_that_reads_tips_waits_for_a_second_admin(
    client: FlaskClient, runtime: Runtime, role: str
) -> None:
    official = demo_officials(runtime)[2]
    token = signed_in_admin(client, runtime, "root")
    form = {"csrf_token": token, "username": "drita", "role": role, "language": "sq"}
    link = {"official_id": str(official) if role == "official" else ""}
    page = client.post("/console/admin/users", data=form | link)
    password = SECRET.search(page.get_data(as_text=True))
    assert password is not None
    # The asking admin holds the one-time password, but the account cannot sign in yet, nor
    # can the asking admin confirm it.
    assert sign_in(client.application.test_client(), "drita", password.group(1)) == 403
    drita = user_id(runtime, "drita")
    client.post(f"/console/admin/users/{drita}/confirm", data={"csrf_token": token})
    assert sign_in(client.application.test_client(), "drita", password.group(1)) == 403
    second = client.application.test_client()
    second_token = signed_in_admin(second, runtime, "root2")
    second.post(f"/console/admin/users/{drita}/confirm", data={"csrf_token": second_token})
    assert sign_in(client.application.test_client(), "drita", password.group(1)) == 302
    with runtime.db.transaction() as s:
        confirmed = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.confirm")).all()
    assert [(e.actor, e.object_id) for e in confirmed] == [
        (f"user:{user_id(runtime, 'root2')}", str(drita))
    ]


def test_an_admin_resetting_an_officials_password_needs_a_second_admin(
    client: FlaskClient, runtime: Runtime
) -> None:
    target = make_account(runtime, "drita", "official", official_id=demo_officials(runtime)[2])
    onac = make_account(runtime, "ana", "onac")
    token = signed_in_admin(client, runtime, "root")
    page = client.post(f"/console/admin/users/{target}/reset", data={"csrf_token": token})
    password = SECRET.search(page.get_data(as_text=True))
    assert password is not None
    assert sign_in(client.application.test_client(), "drita", password.group(1)) == 403
    # An ONAC account reads statistics only: its reset needs no second admin.
    page = client.post(f"/console/admin/users/{onac}/reset", data={"csrf_token": token})
    onac_password = SECRET.search(page.get_data(as_text=True))
    assert onac_password is not None
    assert sign_in(client.application.test_client(), "ana", onac_password.group(1)) == 302


def test_public_health_says_a_status_only_and_texts_nobody(runtime: Runtime) -> None:
    demo_officials(runtime)  # ONAC's duty officer has a phone the dead-man would text
    onac_phone = f"{DEMO_PHONE_BASE}07"
    with SandboxServer(
        twilio_account_sid=runtime.settings.twilio_account_sid,
        twilio_auth_token=runtime.settings.twilio_auth_token,
    ) as fake:
        client = health_client(with_sandbox(runtime, fake.url))
        response = client.get("/health")  # no worker runs: the alert pipeline is broken
        assert response.status_code == 503 and response.json == {"status": "red"}
        wrong = client.get("/health", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 503 and wrong.json == {"status": "red"}
        assert fake.state.messages(channel="sms", recipient=onac_phone) == []
        detailed = client.get("/health", headers=BEARER)
        assert detailed.status_code == 503 and "no_worker" in detailed.json["alerts"]["problems"]
        assert fake.state.messages(channel="sms", recipient=onac_phone)


def test_health_token_is_long_or_refused(tmp_path: Path, sqlite_url: str) -> None:
    from raporto.settings import ConfigError
    from tests.conftest import make_settings

    with pytest.raises(ConfigError):
        make_settings(tmp_path, sqlite_url, RAPORTO_HEALTH_TOKEN="short")
    assert make_settings(tmp_path, sqlite_url).health_token == ""


def test_hsts_in_production_only(runtime: Runtime) -> None:
    assert (
        "Strict-Transport-Security"
        not in create_app(runtime=runtime).test_client().get("/console/login").headers
    )
    runtime.settings = replace(runtime.settings, production=True)
    response = create_app(runtime=runtime).test_client().get("/console/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def sandbox_client(tmp_path: Path, sqlite_url: str) -> tuple[FlaskClient, Runtime]:
    runtime = make_runtime(tmp_path, sqlite_url, RAPORTO_SANDBOX="1")
    app = create_app(runtime=runtime)
    messages = SimpleNamespace(messages=lambda channel=None: [])
    app.extensions["raporto.sandbox"] = SimpleNamespace(url="http://127.0.0.1:9", state=messages)
    return app.test_client(), runtime


@pytest.mark.parametrize(
    ("address", "forwarded", "reachable"),
    [
        ("127.0.0.1", None, True),
        ("::1", None, True),
        ("192.0.2.10", None, False),
        ("127.0.0.1", "203.0.113.5", False),  # a tunnel (ngrok) or proxy on the same machine
    ],
)
def test_sandbox_log_and_simulator_answer_loopback_only(
    tmp_path: Path, sqlite_url: str, address: str, forwarded: str | None, reachable: bool
) -> None:
    client, runtime = sandbox_client(tmp_path, sqlite_url)
    make_account(runtime, "root", "admin")
    assert sign_in(client, "root") == 302
    client_at(client, address, forwarded)
    log = client.get("/sandbox/messages")
    simulator = client.get("/console/simulator")
    assert (log.status_code == 200) is reachable and (simulator.status_code == 200) is reachable
    if not reachable:
        assert log.status_code == 404 and simulator.status_code == 404


def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        runtime = make_runtime(tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite'}")
        with runtime.db.transaction() as s:
            s.add(AuditEntry(actor="test", action="probe"))
    finally:
        os.umask(previous)
    for name in ("fresh.sqlite", "fresh.sqlite-wal"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert (tmp_path / "fresh.sqlite").exists()
