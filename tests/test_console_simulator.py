"""The simulator exists only with the sandbox, only for officials and admins, and rebuilds chats."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from flask.testing import FlaskClient

from console.accounts import find
from console.simulator_phones import demo_officials, phone_lines, telegram_chat
from raporto.app import create_app
from raporto.embedded import ensure_demo_official
from raporto.runtime import Runtime, build_runtime
from tests.conftest import REDIS_URL, make_runtime, make_settings
from tests.console_helpers import (
    csrf_token,
    make_account,
    sign_in,
)
from tests.console_helpers import (
    demo_officials as seed_officials,
)


def sandbox_app(tmp_path: Path, sqlite_url: str) -> tuple[FlaskClient, Runtime]:
    runtime = make_runtime(tmp_path, sqlite_url, RAPORTO_SANDBOX="1")
    app = create_app(runtime=runtime)
    # An unreachable sandbox: the page renders; its state endpoint says the sandbox is down.
    app.extensions["raporto.sandbox"] = SimpleNamespace(url="http://127.0.0.1:9")
    return app.test_client(), runtime


def test_without_the_sandbox_there_is_no_simulator(client: FlaskClient, runtime: Runtime) -> None:
    assert not runtime.settings.sandbox
    assert "simulator.index" not in client.application.view_functions
    assert client.get("/console/simulator").status_code == 404
    make_account(runtime, "official1", "official", official_id=seed_officials(runtime)[0])
    assert sign_in(client, "official1") == 302
    assert client.get("/console/simulator").status_code == 404
    assert client.get("/console/simulator/state").status_code == 404


def test_production_never_has_the_simulator(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(
        tmp_path, sqlite_url, RAPORTO_ENV="production", RAPORTO_SANDBOX="1", REDIS_URL=REDIS_URL
    )
    assert settings.production and not settings.sandbox
    app = create_app(runtime=build_runtime(settings))
    assert not any(r.rule.startswith("/console/simulator") for r in app.url_map.iter_rules())
    assert app.test_client().get("/console/simulator").status_code == 404


def test_the_simulator_is_for_officials_and_admins(tmp_path: Path, sqlite_url: str) -> None:
    client, runtime = sandbox_app(tmp_path, sqlite_url)
    assert client.get("/console/simulator").headers["Location"].startswith("/console/login")
    make_account(runtime, "onac1", "onac")
    make_account(runtime, "official1", "official", official_id=seed_officials(runtime)[0])
    assert sign_in(client, "onac1") == 302
    assert client.get("/console/simulator").status_code == 403
    assert client.get("/console/simulator/state").status_code == 403
    other = client.application.test_client()
    assert sign_in(other, "official1") == 302
    page = other.get("/console/simulator").get_data(as_text=True)
    assert 'name="csrf-token"' in page and "simulator.js" in page and "<script>" not in page
    assert "Demo Gentiana Duka" in page and "style=" not in page
    assert other.get("/console/simulator/state").status_code == 502  # the sandbox is down


def test_actions_need_the_csrf_header(tmp_path: Path, sqlite_url: str) -> None:
    client, runtime = sandbox_app(tmp_path, sqlite_url)
    make_account(runtime, "official1", "official", official_id=seed_officials(runtime)[0])
    assert sign_in(client, "official1") == 302
    refused = client.post("/console/simulator/telegram", json={"text": "hello"})
    assert refused.status_code == 400
    token = csrf_token(client, "/console/simulator")
    # With the header the request passes CSRF and reaches the (unreachable) sandbox.
    sent = client.post(
        "/console/simulator/telegram", json={"text": "hello"}, headers={"X-CSRFToken": token}
    )
    assert sent.status_code == 502 and sent.get_json()["ok"] is False
    empty = client.post(
        "/console/simulator/telegram", json={"text": " "}, headers={"X-CSRFToken": token}
    )
    assert empty.status_code == 400 and empty.get_json()["error"]
    foreign = client.post(
        "/console/simulator/press-button",
        json={"chat": 123, "message_id": 1, "data": "a:1:x"},
        headers={"X-CSRFToken": token},
    )
    assert foreign.status_code == 400  # only the reporter's and the demo officials' chats


def test_a_chat_is_rebuilt_from_sends_edits_and_deletions() -> None:
    chat = "900001"
    log = [
        {
            "channel": "telegram",
            "recipient": chat,
            "method": "sendMessage",
            "message_id": 2,
            "text": "alert",
            "extra": {
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Acknowledge", "callback_data": "a:1:ff"}]]
                }
            },
        },
        {
            "channel": "telegram",
            "recipient": "900002",
            "method": "sendMessage",
            "message_id": 1,
            "text": "someone else's",
            "extra": {},
        },
        {
            "channel": "telegram",
            "recipient": chat,
            "method": "sendMessage",
            "message_id": 3,
            "text": "gone",
            "extra": {},
        },
        {
            "channel": "telegram",
            "recipient": chat,
            "method": "editMessageText",
            "message_id": 2,
            "text": "alert, acknowledged",
            "extra": {"reply_markup": None},
        },
        {
            "channel": "telegram",
            "recipient": chat,
            "method": "deleteMessage",
            "message_id": 3,
            "text": "gone",
            "extra": {},
        },
        {
            "channel": "telegram",
            "recipient": chat,
            "method": "answerCallbackQuery",
            "message_id": None,
            "text": "Thank you",
            "extra": {},
        },
    ]
    mine = [{"message_id": 1, "text": "my report", "time": "2026-01-01T00:00:00.000Z"}]
    screen = telegram_chat(log, 900001, mine)
    assert [(m["id"], m["mine"], m["text"]) for m in screen["messages"]] == [
        (1, True, "my report"),
        (2, False, "alert, acknowledged"),
    ]
    assert screen["messages"][1]["edited"] and screen["messages"][1]["buttons"] == []
    assert screen["toast"] == "Thank you"
    assert telegram_chat(log[:1], 900001)["messages"][0]["buttons"] == [
        [{"text": "Acknowledge", "data": "a:1:ff"}]
    ]


def test_phone_lines_put_the_callers_input_before_the_answer_of_the_same_instant() -> None:
    at = "2026-01-01T00:00:00.000Z"
    log = [
        {"channel": "sms", "recipient": "+1", "method": "twiml.Message", "text": "code", "time": at}
    ]
    lines = phone_lines(log, "sms", "+1", [{"text": "report", "time": at}])
    assert [(line["mine"], line["text"]) for line in lines] == [(True, "report"), (False, "code")]
    assert len(demo_officials()) == 6 and len(demo_officials(with_onac=True)) == 7


def test_the_embedded_demo_gets_one_official_account_linked_to_the_first_demo_official(
    runtime: Runtime,
) -> None:
    with runtime.db.transaction() as session:
        assert ensure_demo_official(session) is None  # no demo roster: no account
    first = seed_officials(runtime)[0]
    with runtime.db.transaction() as session:
        created = ensure_demo_official(session)
        assert created is not None and len(created.password) >= 16
        user = find(session, created.username)
        assert user is not None and user.role == "official" and user.official_id == first
        assert user.must_change_password  # the printed password works once
        assert ensure_demo_official(session) is None
