"""Typed deliveries: every kind round-trips through its row, and the database refuses a second copy
of any kind (migration 0010's unique `deliveries.key`, up and down, on both databases)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from alerts.demo import DEMO_CHAT_BASE
from alerts.fanout import new_delivery
from alerts.kinds import (
    Alert,
    Digest,
    Edit,
    Escalation,
    Kind,
    Notice,
    Reminder,
    Upgrade,
    kind_of,
    purpose_of,
)
from models.base import utcnow
from models.deliveries import Delivery, Purpose
from models.migrate import downgrade, upgrade
from models.roster import Official
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.complicity_helpers import PLAIN_TIP, deliveries, roster, submit
from tests.helpers import telegram_callback, telegram_headers


def kinds(tip_id: int) -> list[Kind]:
    """One message of every kind about the tip (or none, for digests and notices)."""
    return [
        Alert(tip_id),
        Escalation(tip_id, 2),
        Upgrade(tip_id, "medium", "critical"),
        Reminder(tip_id, 1),
        Digest((tip_id, tip_id + 1), overdue=True, round=1),
        Notice("telegram:41", say="Hello %(name)s", params={"name": "Ana"}, show_tip=tip_id),
        Notice("review_summary:2026-12-04", review_summary={"waiting": 2, "oldest_hours": 3}),
        Edit(tip_id, of_delivery=7, message_id=99, acks=2),
    ]


def add(runtime: Runtime, kind: Kind, official_id: int, channel: str = "sms") -> int:
    with runtime.db.transaction() as s:
        official = s.get(Official, official_id)
        assert official is not None
        return new_delivery(
            s,
            runtime.alerts,
            kind,
            official=official,
            channel=channel,
            queue="default",
            now=utcnow(),
            enqueue=False,
        ).id


def test_every_kind_round_trips_through_its_row(any_runtime: Runtime) -> None:
    roster(any_runtime)
    tip_id, _reference = submit(any_runtime, PLAIN_TIP)
    official_id = deliveries(any_runtime, tip_id)[0].official_id
    for kind in kinds(tip_id):
        delivery_id = add(any_runtime, kind, official_id, channel="voice")
        with any_runtime.db.read() as s:
            row = s.get(Delivery, delivery_id)
            assert row is not None
            assert row.purpose == purpose_of(kind)
            assert kind_of(row) == kind


def test_the_database_refuses_a_second_copy_of_every_kind(any_runtime: Runtime) -> None:
    roster(any_runtime)
    tip_id, _reference = submit(any_runtime, PLAIN_TIP)
    official_id = deliveries(any_runtime, tip_id)[0].official_id
    for kind in kinds(tip_id):
        add(any_runtime, kind, official_id, channel="voice")
        with pytest.raises(IntegrityError):
            add(any_runtime, kind, official_id, channel="voice")
    # The same message on another channel is a fallback, not a copy (an edit has one channel).
    add(any_runtime, Alert(tip_id), official_id, channel="sms")
    # Flush and escalation of the same tips are two digests.
    add(any_runtime, Digest((tip_id, tip_id + 1), overdue=False, round=0), official_id, "voice")


def test_a_button_press_is_answered_in_the_webhook_response_and_stored_nowhere(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, _reference = submit(any_runtime, PLAIN_TIP)
    first = deliveries(any_runtime, tip_id)[0]
    sign = any_runtime.alerts.sign("a", first.id, first.official_id)
    client: FlaskClient = create_app(runtime=any_runtime).test_client()
    response = client.post(
        "/webhooks/telegram",
        json=telegram_callback(1, DEMO_CHAT_BASE + 1, f"a:{first.id}:{sign}"),
        headers=telegram_headers(any_runtime),
    )
    body = response.get_json()
    assert body["method"] == "answerCallbackQuery" and body["callback_query_id"] == "cb1"
    assert body["text"] == "U konfirmua. Faleminderit."  # the official reads Albanian
    assert deliveries(any_runtime, purpose=Purpose.NOTICE) == []


def test_migration_0010_keys_old_rows_and_goes_back_to_the_old_constraint(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, _reference = submit(any_runtime, PLAIN_TIP)
    first = deliveries(any_runtime, tip_id)[0]
    # Rows only the new keys tell apart: the old constraint must still hold after a downgrade.
    for acks in (1, 2):
        add(
            any_runtime,
            Edit(tip_id, first.id, message_id=5, acks=acks),
            first.official_id,
            "telegram",
        )
        add(any_runtime, Reminder(tip_id, acks), first.official_id)
    url = any_runtime.db.url
    with any_runtime.db.read() as s:
        ids = sorted(s.scalars(select(Delivery.id)).all())
    assert ids
    any_runtime.db.dispose()
    downgrade(url, "0009")
    engine = any_runtime.db.engine
    columns = {c["name"] for c in inspect(engine).get_columns("deliveries")}
    assert "key" not in columns
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("deliveries")}
    assert "uq_deliveries_tip_id_official_id_purpose_round_channel" in uniques
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar_one() == len(ids)
    engine.dispose()
    upgrade(url, "0010")
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, key FROM deliveries")).all())
    assert keys == {i: f"legacy:{i}" for i in ids}
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("deliveries")}
    assert uniques == {"uq_deliveries_key"}
    assert not next(c for c in inspect(engine).get_columns("deliveries") if c["name"] == "key")[
        "nullable"
    ]
    engine.dispose()
    downgrade(url, "0009")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar_one() == len(ids)
        rounds = conn.execute(
            text("SELECT round FROM deliveries WHERE purpose IN ('edit', 'reminder')")
        ).scalars()
    # The old constraint holds again: edits have their old encoding back, reminders their count.
    assert sorted(rounds) == sorted([first.id * 1000 + 1, first.id * 1000 + 2, 1, 2])
    engine.dispose()
    upgrade(url)
    with any_runtime.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == len(ids)
