"""Console accounts: argon2, one-time passwords, TOTP, throttling, sessions, CSRF, roles, audit."""

from __future__ import annotations

import pyotp
import pytest
from argon2 import Type, extract_parameters
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from console import accounts
from console.accounts import (
    AccountError,
    check_totp,
    create_user,
    enable_totp,
    ensure_first_admin,
    find,
)
from models.accounts import User
from models.base import utcnow
from models.tables import AuditEntry
from raporto.cli import main
from raporto.runtime import Runtime
from tests.conftest import PRODUCTION_HASHER, TEST_HASHER, env_for
from tests.console_helpers import PASSWORD, csrf_token, demo_officials, make_account, sign_in


def audit_actions(runtime: Runtime) -> list[str]:
    with runtime.db.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_passwords_are_argon2_and_first_admin_gets_a_one_time_password(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        first = ensure_first_admin(session)
        assert first is not None and first.username == "admin" and len(first.password) >= 16
        assert ensure_first_admin(session) is None
        user = find(session, "admin")
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert first.password not in user.password_hash
        assert user.must_change_password


def test_the_service_hashes_with_strong_parameters_and_upgrades_weak_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The other tests hash with argon2's cheapest parameters (conftest); the service must not.
    monkeypatch.setattr(accounts, "_hasher", PRODUCTION_HASHER)
    strong = extract_parameters(accounts.hash_password(PASSWORD))
    assert strong.type is Type.ID
    assert strong.memory_cost >= 64 * 1024 and strong.time_cost >= 3  # KiB: 64 MiB, 3 passes
    # A hash made with weaker parameters still signs in once and is strengthened on the way.
    user = User(password_hash=TEST_HASHER.hash(PASSWORD))
    assert not accounts.verify_password(user, PASSWORD + "x")
    assert extract_parameters(user.password_hash).memory_cost == 8  # a failure changes nothing
    assert accounts.verify_password(user, PASSWORD)
    assert extract_parameters(user.password_hash) == strong
    assert accounts.verify_password(user, PASSWORD)


def test_one_time_password_must_be_changed_before_any_page(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.db.transaction() as session:
        first = ensure_first_admin(session)
    assert first is not None
    assert sign_in(client, "admin", first.password) == 302
    assert client.get("/console/admin").headers["Location"].endswith("/console/password")
    token = csrf_token(client, "/console/password")
    short = client.post(
        "/console/password",
        data={"csrf_token": token, "current": first.password, "new": "short", "repeat": "short"},
    )
    assert short.status_code == 400
    done = client.post(
        "/console/password",
        data={"csrf_token": token, "current": first.password, "new": PASSWORD, "repeat": PASSWORD},
    )
    assert done.status_code == 302
    assert client.get("/console/admin").status_code == 200
    assert "user.password" in audit_actions(runtime)


def test_wrong_password_is_refused_and_audited(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    assert sign_in(client, "onac1", "wrong password here") == 401
    assert sign_in(client, "nobody", "wrong password here") == 401
    assert client.get("/console/stats").status_code == 302
    assert audit_actions(runtime).count("login.failed") == 2


def test_login_is_throttled_per_account(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    for _ in range(5):
        assert sign_in(client, "onac1", "wrong password here") == 401
    # Even the right password is refused while the account is throttled.
    assert sign_in(client, "onac1") == 429
    assert "login.throttled" in audit_actions(runtime)


def test_login_is_throttled_per_address(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    for n in range(20):
        assert sign_in(client, f"guess{n}", "wrong password here") == 401
    assert sign_in(client, "onac1") == 429


def test_totp_is_required_when_enabled_and_a_code_is_used_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    make_account(runtime, "onac1", "onac")
    with runtime.db.transaction() as session:
        user = find(session, "onac1")
        assert user is not None
        uri = enable_totp(session, runtime.vault, user, actor="test")
    secret = pyotp.parse_uri(uri).secret
    assert sign_in(client, "onac1") == 401
    code = pyotp.TOTP(secret).now()
    assert sign_in(client, "onac1", code=code) == 302
    other = client.application.test_client()
    assert sign_in(other, "onac1", code=code) == 401  # replayed


def test_check_totp_accepts_neighbouring_steps_only(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        make_account(runtime, "x1", "onac")
    with runtime.db.transaction() as session:
        user = find(session, "x1")
        assert user is not None
        uri = enable_totp(session, runtime.vault, user, actor="test")
        totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
        now = utcnow()
        stale = totp.at(now.timestamp() - 120)
        assert not check_totp(runtime.vault, user, stale, now)
        assert check_totp(runtime.vault, user, totp.at(now.timestamp() - 30), now)


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("official", "/console/tips", "/console/stats"),
        ("onac", "/console/stats", "/console/tips"),
        ("admin", "/console/admin", "/console/tips"),
    ],
)
def test_each_role_reaches_its_pages_only(
    client: FlaskClient, runtime: Runtime, role: str, allowed: str, refused: str
) -> None:
    official = demo_officials(runtime)[0] if role == "official" else None
    make_account(runtime, f"{role}1", role, official_id=official)
    assert sign_in(client, f"{role}1") == 302
    assert client.get(allowed).status_code == 200
    assert client.get(refused).status_code == 403


def test_forms_refuse_a_missing_csrf_token(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    response = client.post("/console/login", data={"username": "onac1", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/stats").status_code == 302
    assert sign_in(client, "onac1") == 302
    assert client.post("/console/logout").status_code == 400
    assert client.get("/console/stats").status_code == 200


def test_disabling_an_account_ends_its_session(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    assert sign_in(client, "onac1") == 302
    assert client.get("/console/stats").status_code == 200
    with runtime.db.transaction() as session:
        user = find(session, "onac1")
        assert user is not None
        user.disabled = True
        user.session_version += 1
    assert client.get("/console/stats").status_code == 302
    assert sign_in(client, "onac1") == 401


def test_sessions_expire(runtime: Runtime, app: Flask) -> None:
    assert app.permanent_session_lifetime.total_seconds() == 30 * 60
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_console_pages_carry_a_strict_csp(client: FlaskClient) -> None:
    response = client.get("/console/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    head = response.get_data(as_text=True).split("<body>")[0]
    assert "http" not in head  # nothing loaded from elsewhere


def test_next_parameter_never_leaves_the_console(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    token = csrf_token(client)
    response = client.post(
        "/console/login?next=//evil.example/x",
        data={"csrf_token": token, "username": "onac1", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/console/"


def test_officials_must_be_linked_to_the_roster(runtime: Runtime) -> None:
    with runtime.db.transaction() as session, pytest.raises(AccountError):
        create_user(session, username="o1", role="official", actor="test")
    with runtime.db.transaction() as session, pytest.raises(AccountError):
        create_user(session, username="Bad Name!", role="onac", actor="test")


def test_users_cli(runtime: Runtime, tmp_path: object, sqlite_url: str) -> None:
    env = env_for(tmp_path, sqlite_url)  # type: ignore[arg-type]
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "ana", "--role", "onac"], env=env)
    assert added.exit_code == 0, added.output
    password = added.output.split("one-time password: ")[1].strip()
    listed = runner.invoke(main, ["users", "list"], env=env)
    assert "ana\tonac" in listed.output and "active" in listed.output
    taken = runner.invoke(main, ["users", "add", "ana", "--role", "onac"], env=env)
    assert taken.exit_code != 0 and "taken" in taken.output
    disabled = runner.invoke(main, ["users", "disable", "ana"], env=env)
    assert disabled.exit_code == 0
    totp = runner.invoke(main, ["users", "totp", "ana"], env=env)
    assert totp.output.startswith("otpauth://totp/Raporto:ana")
    with runtime.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "ana"))
        assert user is not None and user.disabled and user.totp_secret_enc is not None
        assert password not in user.password_hash
    assert password not in "".join(audit_actions(runtime))
