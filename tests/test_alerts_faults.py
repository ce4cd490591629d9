"""A failing official's channel: backoff, RetryAfter respected, fallback to SMS, visible state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from alerts.delivery import FALLBACK_AFTER, MAX_ATTEMPTS, MAX_QUEUE_WAIT, deliver
from alerts.demo import DEMO_CHAT_BASE, DEMO_PHONE_BASE, seed_demo_roster
from alerts.fanout import fan_out
from alerts.outbox import OFFICIALS
from alerts.ratelimit import CHAT_BURST, LocalLimiter
from models import store
from models.base import utcnow
from models.deliveries import Delivery
from models.roster import Official
from raporto.runtime import Runtime, build_runtime
from sandbox import SandboxServer

TROUBLED = DEMO_CHAT_BASE + 3
# The retries to the troubled chat go through the per-chat limiter, which paces them on the wall
# clock (1 s apart by default: five seconds of sleep per test); the tests move the backoff with
# time_passes instead, so the limiter paces 100 times faster here. Its pacing itself is tested in
# test_alerts_ratelimit.
PER_CHAT_INTERVAL = 0.01


@pytest.fixture
def setup(runtime: Runtime) -> Iterator[tuple[Runtime, SandboxServer, list[int]]]:
    with SandboxServer(
        telegram_token=runtime.settings.telegram_bot_token,
        twilio_account_sid=runtime.settings.twilio_account_sid,
        twilio_auth_token=runtime.settings.twilio_auth_token,
    ) as fake:
        settings = replace(
            runtime.settings,
            telegram_api_url=fake.url,
            twilio_api_url=fake.url,
            telegram_per_chat_interval=PER_CHAT_INTERVAL,
        )
        rt = build_runtime(settings, queue=runtime.queue)
        with rt.db.transaction() as s:
            seed_demo_roster(s, rt.vault, rt.pseudonym, utcnow())
            tip = store.create_tip(
                s, rt.vault, channel="sms", text="x", language="sq", reporter_id=None, now=utcnow()
            )
            tip.band, tip.triage_status = "high", "done"
            fan_out(s, rt.alerts, tip)
        with rt.db.transaction() as s:
            ids = list(s.execute(select(Delivery.id).order_by(Delivery.id)).scalars())
        yield rt, fake, ids


def troubled_delivery(rt: Runtime) -> Delivery:
    with rt.db.transaction() as s:
        official = s.execute(
            select(Official).where(
                Official.telegram_chat_key == rt.pseudonym("official-tg", str(TROUBLED))
            )
        ).scalar_one()
        return s.execute(
            select(Delivery).where(
                Delivery.official_id == official.id, Delivery.channel == "telegram"
            )
        ).scalar_one()


def time_passes(rt: Runtime, delivery_id: int) -> None:
    """The accelerated clock: the backoff (or retry_after) is over."""
    with rt.db.transaction() as s:
        d = s.get(Delivery, delivery_id)
        assert d is not None
        d.next_attempt_at = utcnow() - timedelta(seconds=1)


@pytest.mark.parametrize("mode", ["5xx", "429", "drop"])
def test_a_failing_telegram_falls_back_to_sms_and_the_state_is_visible(
    setup: tuple[Runtime, SandboxServer, list[int]], mode: str
) -> None:
    rt, fake, ids = setup
    rule = {
        "provider": "telegram",
        "method": "sendMessage",
        "match": {"chat_id": str(TROUBLED)},
        "mode": mode,
        "duration": 600,
    }
    if mode == "429":
        rule["seconds"] = 30
    assert requests.post(fake.url + "/sandbox/faults", json=rule, timeout=5).ok
    services = rt.alerts
    before = utcnow()
    for delivery_id in ids:
        deliver(services, delivery_id)
    troubled = troubled_delivery(rt)
    assert troubled.status == "pending" and troubled.attempts == 1 and troubled.last_error
    if mode == "429":  # RetryAfter is respected: not due again for 30 seconds after the answer
        assert troubled.next_attempt_at >= before + timedelta(seconds=30)
        assert deliver(services, troubled.id) == "skipped"
    for _ in range(FALLBACK_AFTER - 1):
        time_passes(rt, troubled.id)
        assert deliver(services, troubled.id) == "pending"
    with rt.db.transaction() as s:
        sms = s.execute(
            select(Delivery).where(
                Delivery.official_id == troubled.official_id, Delivery.channel == "sms"
            )
        ).scalar_one()
        official = s.get(Official, troubled.official_id)
        assert official is not None and "telegram" in official.problems
    assert deliver(services, sms.id) == "sent"
    texts = fake.state.messages(channel="sms", recipient=f"{DEMO_PHONE_BASE}03")
    assert texts and "OK " in texts[-1].text and texts[-1].text.isascii()
    while troubled_delivery(rt).status == "pending":
        time_passes(rt, troubled.id)
        deliver(services, troubled.id)
    final = troubled_delivery(rt)
    assert final.status == "failed" and final.attempts == MAX_ATTEMPTS
    others = fake.state.messages(channel="telegram", method="sendMessage")
    assert len({m.recipient for m in others}) == 5  # everyone else got it at once


def test_a_blocked_bot_is_a_roster_problem_and_sms_takes_over(
    setup: tuple[Runtime, SandboxServer, list[int]],
) -> None:
    rt, fake, ids = setup
    requests.post(
        fake.url + "/sandbox/faults",
        json={
            "provider": "telegram",
            "method": "sendMessage",
            "match": {"chat_id": str(TROUBLED)},
            "mode": "blocked",
        },
        timeout=5,
    )
    services = rt.alerts
    for delivery_id in ids:
        deliver(services, delivery_id)
    blocked = troubled_delivery(rt)
    assert blocked.status == "failed" and "Forbidden" in (blocked.last_error or "")
    with rt.db.transaction() as s:
        official = s.get(Official, blocked.official_id)
        assert official is not None and "blocked" in official.problems["telegram"]
        sms = s.execute(
            select(Delivery).where(
                Delivery.official_id == blocked.official_id, Delivery.channel == "sms"
            )
        ).scalar_one()
    assert deliver(services, sms.id) == "sent"


def test_a_chat_backlog_longer_than_the_lease_gives_the_delivery_back_uncounted(
    setup: tuple[Runtime, SandboxServer, list[int]],
) -> None:
    rt, fake, ids = setup
    services = rt.alerts
    limiter = services.senders.limiter()
    assert isinstance(limiter, LocalLimiter)
    # The troubled official's chat already has a queue of messages ahead, longer than a lease.
    # The limiter's clock runs on while the deliveries ahead of it are claimed and sent, so the
    # queue is made long in wall-clock seconds (not in the sped-up intervals): it is still longer
    # than MAX_QUEUE_WAIT when the troubled delivery asks for its turn unless that takes more
    # than lease - MAX_QUEUE_WAIT (12 s) on a loaded machine.
    key, interval = "chat:" + str(TROUBLED), limiter._per_chat
    while limiter._take(key, interval, CHAT_BURST) <= 0:
        pass
    limiter._tat[key] += OFFICIALS.lease.total_seconds()
    before = utcnow()
    for delivery_id in ids:
        deliver(services, delivery_id)
    held = troubled_delivery(rt)
    # Not sent twice later by a second worker: due again after the queue, no attempt spent.
    assert held.status == "pending" and held.attempts == 0 and held.last_error is None
    assert held.next_attempt_at >= before + timedelta(seconds=MAX_QUEUE_WAIT)
    sent = fake.state.messages(channel="telegram", method="sendMessage")
    assert str(TROUBLED) not in {m.recipient for m in sent} and len(sent) == 5
