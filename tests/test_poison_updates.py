"""A forged button, a lone surrogate or a bug on one update never stops Telegram intake.

Issue 12, item 2: `consent:yes:²` passed `str.isdigit()` and `int()` raised, so the webhook
answered 500 (Telegram sends it again and again) and the polling thread died. Every update is
now answered (200, offset advanced); one that fails is recorded by ids only and skipped.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from models.tables import AuditEntry, InboundMessage, Reporter, Tip
from models.untrusted import load_json, parse_id
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.e2e import running_stack
from tests.helpers import telegram_callback, telegram_headers, telegram_message, wait_until

TELEGRAM = "/webhooks/telegram"
USER = 730001
REPORT = "Një vajzë 16 vjeçe punon natën në një bar në Durrës"

# Buttons a forger can send: digits that are not ASCII (int() raises on some, reads others as
# 1), ids beyond any integer column (SQLite cannot bind them, PostgreSQL refuses them).
FORGED = [
    "consent:yes:²",
    "consent:no:¹²",
    "consent:yes:١",
    "consent:yes:99999999999999999999999",
    "consent:yes:2147483648",
    "burst:send:²",
    "burst:cancel:١",
    "burst:send:9223372036854775808",
    "burst:send:2147483648",
    "a:²:tag",
    "f:99999999999999999999:tag",
    "g:١:tag",
]


@pytest.fixture
def app_client(tmp_path: Path, database_url: str) -> tuple[FlaskClient, Runtime]:
    runtime = make_runtime(tmp_path, database_url)
    return create_app(runtime=runtime).test_client(), runtime


def post(client: FlaskClient, runtime: Runtime, body: Any) -> int:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(TELEGRAM, data=data, headers=telegram_headers(runtime)).status_code


def failures(runtime: Runtime) -> list[AuditEntry]:
    with runtime.db.transaction() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.action == "telegram.update_failed"))
        return list(rows.scalars())


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


@pytest.mark.parametrize("data", FORGED)
def test_a_forged_button_is_answered_and_intake_goes_on(
    app_client: tuple[FlaskClient, Runtime], data: str
) -> None:
    client, runtime = app_client
    assert post(client, runtime, telegram_message(1, USER, REPORT)) == 200
    [tip] = tips(runtime)
    assert tip.id == 1  # so "١" (Arabic-Indic one) would name this very tip
    assert post(client, runtime, telegram_callback(2, USER, data)) == 200
    assert post(client, runtime, telegram_message(3, USER + 1, REPORT + " tjetër")) == 200
    assert len(tips(runtime)) == 2
    with runtime.db.transaction() as s:
        reporter = s.execute(select(Reporter).where(Reporter.id == tip.reporter_id)).scalar_one()
        assert not reporter.follow_up_consent  # a non-ASCII id never names a tip
        assert s.get(Tip, tip.id) is not None  # nor cancels it
    assert failures(runtime) == []  # refused as a wrong button, not by the safety net


def test_a_lone_surrogate_in_text_is_stored_replaced_not_a_500(
    app_client: tuple[FlaskClient, Runtime],
) -> None:
    client, runtime = app_client
    body = json.dumps(telegram_message(1, USER, "Vajza \ud800 punon natën në Durrës"))
    assert "\\ud800" in body  # what arrives on the wire: a JSON escape of half a pair
    assert post(client, runtime, body) == 200
    [tip] = tips(runtime)
    assert runtime.vault.decrypt_text(tip.text_enc or b"") == "Vajza \ufffd punon natën në Durrës"
    pressed = telegram_callback(2, USER, "consent:yes:\udfff")
    assert post(client, runtime, pressed) == 200


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,
        '{"update_id": 5, "message": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"update_id": 6, "message": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
    ],
    ids=["nested array", "nested inside an update", "nested just under the parser's limit"],
)
def test_deeply_nested_json_is_refused_or_ignored_never_a_500(
    app_client: tuple[FlaskClient, Runtime], body: str
) -> None:
    client, runtime = app_client
    assert post(client, runtime, body) in (200, 400)
    assert post(client, runtime, telegram_message(7, USER, REPORT)) == 200
    assert len(tips(runtime)) == 1


def test_an_update_that_fails_is_recorded_by_ids_answered_and_not_retried(
    app_client: tuple[FlaskClient, Runtime],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, runtime = app_client
    import bot.telegram_flow

    real_step = bot.telegram_flow._step

    def broken(*args: Any) -> Any:
        event = args[-1]
        if event.text == "SECRET-TIP-TEXT":
            raise RuntimeError("boom with SECRET-TIP-TEXT inside")
        return real_step(*args)

    monkeypatch.setattr(bot.telegram_flow, "_step", broken)
    caplog.set_level(logging.INFO)
    assert post(client, runtime, telegram_message(41, USER, "SECRET-TIP-TEXT")) == 200
    [failure] = failures(runtime)
    assert failure.detail["error"] == "RuntimeError"
    assert failure.object_type == "inbound_message"
    assert "SECRET-TIP-TEXT" not in caplog.text and str(USER) not in caplog.text
    assert "41" in caplog.text  # the update_id is what an operator needs to find it
    assert "SECRET" not in json.dumps(failure.detail)
    # Telegram delivering it again (our 200 was lost) is a duplicate, not a second failure.
    assert post(client, runtime, telegram_message(41, USER, "SECRET-TIP-TEXT")) == 200
    assert len(failures(runtime)) == 1
    with runtime.db.transaction() as s:
        assert s.execute(select(InboundMessage)).scalars().one().kind == "failed"
    assert tips(runtime) == []  # the failed update's transaction wrote nothing
    assert post(client, runtime, telegram_message(42, USER, REPORT)) == 200
    assert len(tips(runtime)) == 1


def test_polling_survives_forged_buttons_surrogates_and_a_failing_update(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.telegram_flow

    real_step = bot.telegram_flow._step

    def broken(*args: Any) -> Any:
        if args[-1].text == "BOOM":
            raise RuntimeError("a bug on one update")
        return real_step(*args)

    monkeypatch.setattr(bot.telegram_flow, "_step", broken)
    user = 730002
    with running_stack(tmp_path, database_url, telegram_mode="polling") as stack:
        stack.control("/sandbox/telegram/updates", user_id=user, text="/start")
        stack.wait_sent(1, "telegram", str(user))
        stack.control("/sandbox/telegram/updates", user_id=user, callback_data="consent:yes:²")
        stack.wait_sent(2, "telegram", str(user))  # the menu: not this person's report
        stack.control("/sandbox/telegram/updates", user_id=user, text="BOOM")
        wait_until(lambda: failures(stack.runtime), timeout=20)
        stack.control(
            "/sandbox/telegram/updates", user_id=user, text="Vajza \ud800 punon natën në Durrës"
        )
        stack.wait_sent(3, "telegram", str(user))  # "Received… or press Send"
        [tip] = tips(stack.runtime)
        text = stack.runtime.vault.decrypt_text(tip.text_enc or b"")
        assert text == "Vajza \ufffd punon natën në Durrës"
        # Every update was taken: the fake Telegram holds none back for a retry.
        wait_until(
            lambda: stack.sandbox.state.pending_updates == [] or None, timeout=20, interval=0.1
        )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("0", None),
        ("007", None),
        ("-1", None),
        ("+1", None),
        ("1_000", None),
        (" 1", None),
        ("1\n", None),
        ("²", None),
        ("١", None),
        ("１", None),
        ("9" * 5000, None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id_reads_ascii_digits_within_an_integer_column_only(
    raw: str | None, expected: int | None
) -> None:
    assert parse_id(raw) == expected


def test_load_json_bounds_depth_and_replaces_lone_surrogates() -> None:
    assert load_json('{"a": ["x\\ud800y", {"\\udfff": 1}]}') == {"a": ["x\ufffdy", {"\ufffd": 1}]}
    assert load_json("[" * 32 + "]" * 32) is not None
    for body in ("[" * 33 + "]" * 33, "[" * 100_000 + "]" * 100_000, "{", b"\xff"):
        with pytest.raises(ValueError):
            load_json(body)
