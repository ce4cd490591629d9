"""Flood digests are acknowledged all at once and escalate together, never one message per tip."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from alerts.ack_channels import ACKED, handle_callback, handle_sms
from alerts.demo import DEMO_CHAT_BASE, DEMO_PHONE_BASE, seed_demo_roster
from alerts.digests import acknowledge_all
from alerts.escalation import tick
from alerts.fanout import fan_out
from alerts.messages import render
from models import store
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.roster import Official
from models.tables import Tip
from raporto.runtime import Runtime
from tests.helpers import telegram_callback, telegram_headers


def flood(runtime: Runtime, extra: int = 3) -> list[int]:
    """Submit more medium tips from one reporter than the hourly limit; return the held ones."""
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow() - timedelta(days=1))
        reporter_id = store.reporter_for(s, "d" * 64, now=utcnow()).id
    held = []
    for _ in range(runtime.alerts.config.flood_per_reporter_per_hour + extra):
        with runtime.db.transaction() as s:
            tip = store.create_tip(
                s,
                runtime.vault,
                channel="sms",
                text="x",
                language="sq",
                reporter_id=reporter_id,
                now=utcnow(),
            )
            tip.band, tip.triage_status = "medium", "done"
            fan_out(s, runtime.alerts, tip)
            if tip.alert_mode == "digest":
                held.append(tip.id)
    return held


def at(runtime: Runtime, minutes: float) -> None:
    moment = utcnow() + timedelta(minutes=minutes)
    runtime.alerts.clock = lambda: moment


def digests(runtime: Runtime, overdue: bool) -> list[Delivery]:
    with runtime.db.transaction() as s:
        found = s.scalars(select(Delivery).where(Delivery.purpose == "digest"))
        return [d for d in found if bool(d.detail.get("overdue")) == overdue]


def test_one_button_acknowledges_every_tip_of_the_digest(runtime: Runtime) -> None:
    held = flood(runtime)
    at(runtime, runtime.alerts.config.digest_minutes + 1)
    assert tick(runtime.alerts)["digested"] == 3
    sent = digests(runtime, False)
    with runtime.db.transaction() as s:
        first = s.scalar(select(Official).order_by(Official.id))
        assert first is not None
        [mine] = [d for d in sent if d.official_id == first.id]
        message = render(s, runtime.alerts, s.get(Delivery, mine.id), first, None)  # type: ignore[arg-type]
        [[[label, data]]] = message.buttons
        assert data.startswith(f"g:{mine.id}:") and "3" in label
        chat = DEMO_CHAT_BASE + 1
        forged = data[:-2] + ("00" if not data.endswith("00") else "11")
        assert handle_callback(s, runtime.alerts, data=forged, chat_id=chat, update_id=1)
        assert s.scalar(select(Acknowledgement.id)) is None
        assert handle_callback(s, runtime.alerts, data=data, chat_id=chat, update_id=2)
        acked = set(s.scalars(select(Acknowledgement.tip_id)))
        assert acked == set(held)
        assert all(s.get(Tip, i).covered_at is not None for i in held)  # type: ignore[union-attr]


def test_an_sms_code_acknowledges_the_digest_too(runtime: Runtime) -> None:
    held = flood(runtime, extra=2)
    at(runtime, runtime.alerts.config.digest_minutes + 1)
    tick(runtime.alerts)
    sent = digests(runtime, False)
    with runtime.db.transaction() as s:
        official = s.scalars(select(Official).order_by(Official.id)).first()
        assert official is not None
        [mine] = [d for d in sent if d.official_id == official.id]
        sender = f"{DEMO_PHONE_BASE}01"
        assert handle_sms(s, runtime.alerts, sender=sender, body=f"OK {mine.ack_code}") == ACKED
        assert set(s.scalars(select(Acknowledgement.tip_id))) == set(held)


def test_unacknowledged_digested_tips_escalate_as_one_overdue_digest(runtime: Runtime) -> None:
    held = flood(runtime)
    at(runtime, runtime.alerts.config.digest_minutes + 1)
    tick(runtime.alerts)
    sent_first = len(digests(runtime, False))
    assert sent_first == 6
    assert digests(runtime, True) == []
    # Past the medium band's deadline: one overdue digest per official listing the three tips.
    at(runtime, 60 * 24)
    tick(runtime.alerts)
    overdue = digests(runtime, True)
    assert len(overdue) == 6 and all(d.detail["tips"] == held for d in overdue)
    tick(runtime.alerts)
    assert len(digests(runtime, True)) == 6  # not again until the next deadline
    # The next round reaches ONAC too.
    at(runtime, 60 * 48)
    tick(runtime.alerts)
    again = digests(runtime, True)
    assert len(again) == 13
    with runtime.db.transaction() as s:
        roles = {s.get(Official, d.official_id).role for d in again}  # type: ignore[union-attr]
    assert "onac" in roles


def test_acknowledged_digested_tips_do_not_escalate(runtime: Runtime) -> None:
    held = flood(runtime)
    at(runtime, runtime.alerts.config.digest_minutes + 1)
    tick(runtime.alerts)
    sent = digests(runtime, False)
    with runtime.db.transaction() as s:
        official = s.scalars(select(Official).order_by(Official.id)).first()
        assert official is not None
        [mine] = [d for d in sent if d.official_id == official.id]
        delivery = s.get(Delivery, mine.id)
        assert delivery is not None
        assert acknowledge_all(s, runtime.alerts, delivery, via="console") == 3
    at(runtime, 60 * 24)
    tick(runtime.alerts)
    assert digests(runtime, True) == []
    assert held


def test_the_digest_button_works_through_the_telegram_webhook(
    runtime: Runtime, client: FlaskClient
) -> None:
    held = flood(runtime)
    at(runtime, runtime.alerts.config.digest_minutes + 1)
    assert tick(runtime.alerts)["digested"] == 3
    sent = digests(runtime, False)
    with runtime.db.transaction() as s:
        first = s.scalar(select(Official).order_by(Official.id))
        assert first is not None
        [mine] = [d for d in sent if d.official_id == first.id]
        message = render(s, runtime.alerts, s.get(Delivery, mine.id), first, None)  # type: ignore[arg-type]
        [[[_, data]]] = message.buttons
    update = telegram_callback(70001, DEMO_CHAT_BASE + 1, data)
    response = client.post("/webhooks/telegram", json=update, headers=telegram_headers(runtime))
    assert response.status_code == 200
    with runtime.db.transaction() as s:
        assert set(s.scalars(select(Acknowledgement.tip_id))) == set(held)
