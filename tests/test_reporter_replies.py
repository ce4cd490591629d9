"""Replies to reporters: sent once, retried with backoff, RetryAfter respected, never lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from alerts.queue import InProcessQueue, RQQueue
from alerts.reporter_replies import send_outbound
from alerts.twilio_erasure import ERASE_CHANNEL
from bot.sweeper import sweep_once
from models.base import utcnow
from models.tables import OutboundMessage
from raporto.app import create_app
from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.conftest import make_runtime, with_sandbox
from tests.helpers import row_counts, sms_form, telegram_headers, telegram_message, twilio_headers


@pytest.fixture
def fake(runtime: Runtime) -> Iterator[SandboxServer]:
    with SandboxServer(telegram_token=runtime.settings.telegram_bot_token) as server:
        yield server


def queue_reply(runtime: Runtime, user: int = 3131) -> list[int]:
    client = create_app(runtime=runtime).test_client()
    response = client.post(
        "/webhooks/telegram",
        json=telegram_message(user, user, "/start"),
        headers=telegram_headers(runtime),
    )
    assert response.status_code == 200
    with runtime.db.transaction() as s:
        return [r.id for r in s.query(OutboundMessage).order_by(OutboundMessage.id)]


def row(runtime: Runtime, outbound_id: int) -> OutboundMessage:
    with runtime.db.transaction() as s:
        found = s.get(OutboundMessage, outbound_id)
        assert found is not None
        return found


def fault(server: SandboxServer, **rule: object) -> None:
    assert requests.post(server.url + "/sandbox/faults", json=rule, timeout=5).status_code < 300


def test_a_reply_is_sent_once(runtime: Runtime, fake: SandboxServer) -> None:
    rt = with_sandbox(runtime, fake.url)
    [outbound_id] = queue_reply(rt)
    assert send_outbound(rt.alerts, outbound_id) == "sent"
    assert send_outbound(rt.alerts, outbound_id) == "skipped"
    assert len(fake.state.messages(channel="telegram", method="sendMessage")) == 1
    assert row(rt, outbound_id).payload_enc is None


def test_retry_after_is_respected(runtime: Runtime, fake: SandboxServer) -> None:
    rt = with_sandbox(runtime, fake.url)
    [outbound_id] = queue_reply(rt)
    fault(fake, provider="telegram", method="sendMessage", mode="429", seconds=40, count=1)
    assert send_outbound(rt.alerts, outbound_id) == "pending"
    stored = row(rt, outbound_id)
    assert stored.next_attempt_at >= utcnow() + timedelta(seconds=35)
    assert send_outbound(rt.alerts, outbound_id) == "skipped"  # not due yet


def test_server_errors_back_off_and_then_succeed(runtime: Runtime, fake: SandboxServer) -> None:
    rt = with_sandbox(runtime, fake.url)
    [outbound_id] = queue_reply(rt)
    fault(fake, provider="telegram", method="sendMessage", mode="5xx", count=1)
    assert send_outbound(rt.alerts, outbound_id) == "pending"
    with rt.db.transaction() as s:
        found = s.get(OutboundMessage, outbound_id)
        assert found is not None and found.last_error
        found.next_attempt_at = utcnow()  # the backoff has passed
    assert send_outbound(rt.alerts, outbound_id) == "sent"


def test_a_blocked_bot_fails_without_retrying(runtime: Runtime, fake: SandboxServer) -> None:
    rt = with_sandbox(runtime, fake.url)
    [outbound_id] = queue_reply(rt)
    fault(fake, provider="telegram", method="sendMessage", mode="blocked")
    assert send_outbound(rt.alerts, outbound_id) == "failed"
    assert row(rt, outbound_id).last_error == "Forbidden"


def test_a_dead_queue_never_loses_a_tip_and_the_sweeper_recovers(
    tmp_path: Path, sqlite_url: str
) -> None:
    dead = make_runtime(tmp_path, sqlite_url, queue=RQQueue("redis://127.0.0.1:1/0"))
    client = create_app(runtime=dead).test_client()
    path = "/webhooks/twilio/sms"
    form = sms_form("+355691234567", "Vajza mbahet e mbyllur në Lezhë", "SM-dead")
    assert client.post(path, data=form, headers=twilio_headers(dead, path, form)).status_code == 200
    update = telegram_message(77, 77, "Na morën dokumentet")
    response = client.post("/webhooks/telegram", json=update, headers=telegram_headers(dead))
    assert response.status_code == 200  # the commit happened; the enqueue failed softly
    assert row_counts(dead)["tips"] == 2
    alive = make_runtime(tmp_path, sqlite_url, queue=InProcessQueue())
    counts = sweep_once(alive.intake)
    with alive.db.read() as s:
        # The SMS's deletion at Twilio waits its minute (alerts/twilio_erasure.py): not due yet.
        replies = s.query(OutboundMessage).filter(OutboundMessage.channel != ERASE_CHANNEL)
        assert counts["outbound"] == replies.count() >= 1
    assert len(list(alive.queue._items.queue)) == counts["outbound"]  # type: ignore[attr-defined]
