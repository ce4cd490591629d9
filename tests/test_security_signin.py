"""Issue 12, items 6, 7, 18: guessing slowed per address, sign-out ends sessions, constant time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from console import accounts
from console.accounts import enable_totp, find, set_disabled
from models.accounts import LoginFailure, User
from models.tables import AuditEntry
from raporto.app import create_app
from raporto.runtime import Runtime
from raporto.settings import ConfigError
from tests.conftest import make_settings
from tests.console_helpers import PASSWORD, csrf_token, make_account, sign_in
from tests.security_helpers import client_at

WRONG = "wrong password here"


def login(client: FlaskClient, username: str, password: str = PASSWORD, code: str = "") -> int:
    """Sign in and return the status (302 signed in, 401 refused, 429 must wait)."""
    return sign_in(client, username, password, code)


def test_a_guesser_does_not_lock_the_owner_out(app: Flask, runtime: Runtime) -> None:
    make_account(runtime, "drita", "onac")
    attacker = client_at(app.test_client(), "198.51.100.7")
    for _ in range(5):
        assert login(attacker, "drita", WRONG) == 401
    assert login(attacker, "drita") == 429  # the guesser's address waits, even with the password
    owner = client_at(app.test_client(), "203.0.113.9")
    assert login(owner, "drita") == 302


def test_the_wait_doubles_after_each_further_failure_and_ends(app: Flask, runtime: Runtime) -> None:
    make_account(runtime, "drita", "onac")
    attacker = client_at(app.test_client(), "198.51.100.7")
    for _ in range(5):
        login(attacker, "drita", WRONG)
    token = csrf_token(attacker)
    form = {"csrf_token": token, "username": "drita", "password": WRONG, "code": ""}
    first = attacker.post("/console/login", data=form)
    assert first.status_code == 429 and 25 <= int(first.headers["Retry-After"]) <= 30

    def age_failures(seconds: int) -> None:
        with runtime.db.transaction() as s:
            for failure in s.scalars(select(LoginFailure)):
                failure.at -= timedelta(seconds=seconds)

    age_failures(31)
    assert login(attacker, "drita", WRONG) == 401  # one more try after the wait, failed
    second = attacker.post("/console/login", data=form)
    assert second.status_code == 429 and 55 <= int(second.headers["Retry-After"]) <= 60
    age_failures(16 * 60)  # the window passed: the count starts again
    assert login(attacker, "drita") == 302


def test_an_attack_from_many_addresses_leaves_one_try_each_and_the_owner_in(
    app: Flask, runtime: Runtime
) -> None:
    make_account(runtime, "drita", "onac")
    with runtime.db.transaction() as s:
        user = find(s, "drita")
        assert user is not None
        uri = enable_totp(s, runtime.vault, user, actor="test")
    for n in range(10):
        assert login(client_at(app.test_client(), f"198.51.100.{n}"), "drita", WRONG) == 401
    # Under attack, an address that failed once waits; one that never failed may still try.
    assert login(client_at(app.test_client(), "198.51.100.3"), "drita", WRONG) == 429
    owner = client_at(app.test_client(), "203.0.113.9")
    code = pyotp.parse_uri(uri).now()  # type: ignore[union-attr]
    assert login(owner, "drita", PASSWORD, code) == 302


def test_an_address_failing_on_many_accounts_waits(app: Flask, runtime: Runtime) -> None:
    make_account(runtime, "drita", "onac")
    sprayer = client_at(app.test_client(), "198.51.100.7")
    for n in range(20):
        assert login(sprayer, f"guess{n}", WRONG) == 401
    assert login(sprayer, "drita") == 429
    assert login(client_at(app.test_client(), "203.0.113.9"), "drita") == 302


def behind_proxy(runtime: Runtime, hops: int) -> FlaskClient:
    runtime.settings = replace(runtime.settings, trusted_proxies=hops)
    return create_app(runtime=runtime).test_client()


def test_behind_a_trusted_proxy_each_client_keeps_its_own_address(runtime: Runtime) -> None:
    make_account(runtime, "drita", "onac")
    client = behind_proxy(runtime, 1)
    attacker = client_at(client.application.test_client(), "10.0.0.2", "198.51.100.7")
    for n in range(20):
        assert login(attacker, f"guess{n}", WRONG) == 401
    assert login(attacker, "drita") == 429
    # The same proxy address, another client behind it: not held up by the guesser.
    owner = client_at(client.application.test_client(), "10.0.0.2", "203.0.113.9")
    assert login(owner, "drita") == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(runtime: Runtime) -> None:
    make_account(runtime, "drita", "onac")
    app = behind_proxy(runtime, 0).application
    for n in range(5):
        guesser = client_at(app.test_client(), "198.51.100.7", f"192.0.2.{n}")
        assert login(guesser, "drita", WRONG) == 401
    assert login(client_at(app.test_client(), "198.51.100.7", "192.0.2.99"), "drita") == 429


def test_trusted_proxies_setting(tmp_path: Path, sqlite_url: str) -> None:
    assert make_settings(tmp_path, sqlite_url).trusted_proxies == 0
    assert make_settings(tmp_path, sqlite_url, RAPORTO_TRUSTED_PROXIES="2").trusted_proxies == 2
    for bad in ("-1", "x", "²", "9"):
        with pytest.raises(ConfigError):
            make_settings(tmp_path, sqlite_url, RAPORTO_TRUSTED_PROXIES=bad)


def test_a_copied_session_cookie_stops_working_after_sign_out(app: Flask, runtime: Runtime) -> None:
    make_account(runtime, "drita", "onac")
    browser = app.test_client()
    assert login(browser, "drita") == 302
    cookie = browser.get_cookie("raporto_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("raporto_session", cookie.value)
    assert thief.get("/console/stats").status_code == 200  # a copy works while signed in
    browser.post("/console/logout", data={"csrf_token": csrf_token(browser, "/console/stats")})
    assert browser.get("/console/stats").status_code == 302
    assert thief.get("/console/stats").headers["Location"].startswith("/console/login")
    with runtime.db.transaction() as s:
        assert "logout" in list(s.scalars(select(AuditEntry.action)))
    # Signing in again gives a new, working session.
    assert login(browser, "drita") == 302
    assert browser.get("/console/stats").status_code == 200


class CountingHasher:
    """argon2's hasher, counting its verifications."""

    def __init__(self, hasher: Any) -> None:
        self.hasher, self.calls = hasher, 0

    def verify(self, hash_: str, password: str) -> bool:
        self.calls += 1
        return bool(self.hasher.verify(hash_, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hasher, name)


def count_verifications(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    spy = CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", spy)
    return spy


@pytest.mark.parametrize("state", ["active", "disabled", "pending", "unknown"])
def test_every_sign_in_costs_one_password_check(
    app: Flask, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    make_account(runtime, "drita", "onac")
    with runtime.db.transaction() as s:
        user = s.scalar(select(User).where(User.username == "drita"))
        assert user is not None
        if state == "disabled":
            set_disabled(s, user, True, actor="test")
        elif state == "pending":
            user.pending_by = user.id + 100
    calls = count_verifications(monkeypatch)
    name = "nobody" if state == "unknown" else "drita"
    status = login(app.test_client(), name, WRONG)
    assert status == 401 and calls.calls == 1


def test_a_disabled_account_with_the_right_password_is_refused_like_a_wrong_one(
    app: Flask, runtime: Runtime
) -> None:
    make_account(runtime, "drita", "onac")
    with runtime.db.transaction() as s:
        user = find(s, "drita")
        assert user is not None
        set_disabled(s, user, True, actor="test")
    page = app.test_client()
    assert login(page, "drita") == 401
