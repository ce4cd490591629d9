"""A tip whose band rises after later information (an SMS part, a follow-up) is alerted again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from alerts.demo import seed_demo_roster
from bot.intake import add_text, submit
from models import store
from models.base import utcnow
from models.deliveries import Delivery
from models.tables import Tip
from raporto.runtime import Runtime

LOW = "Kushëriri do të kalojë kufirin pa pasaportë me një gomone."
NOT_A_TIP = "Përshëndetje, si funksionon kjo linjë?"
CRITICAL = (
    "Vajza është 15 vjeçe, ia morën pasaportën dhe e mbajnë të mbyllur në Durrës, "
    "e detyrojnë të punojë pa pagesë"
)


def submitted(runtime: Runtime, text: str, reporter_id: int | None = None) -> int:
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow() - timedelta(days=1))
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text=text,
            language="sq",
            reporter_id=reporter_id,
            now=utcnow(),
        )
        submit(s, runtime.intake, tip)
        return tip.id


def deliveries(runtime: Runtime, tip_id: int, purpose: str) -> list[Delivery]:
    with runtime.db.transaction() as s:
        query = select(Delivery).where(Delivery.tip_id == tip_id, Delivery.purpose == purpose)
        return list(s.scalars(query))


def add(runtime: Runtime, tip_id: int, text: str) -> Tip:
    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        add_text(s, runtime.intake, tip, text)
        return tip


def test_a_low_tip_raised_to_critical_alerts_everyone_again_and_tightens_the_deadline(
    runtime: Runtime,
) -> None:
    tip_id = submitted(runtime, LOW)
    first = deliveries(runtime, tip_id, "alert")
    assert len(first) == 6
    with runtime.db.transaction() as s:
        before = s.get(Tip, tip_id)
        assert before is not None and before.band == "low" and before.ack_due_at is not None
        due_before = before.ack_due_at
    tip = add(runtime, tip_id, CRITICAL)
    assert tip.band == "critical"
    # The categories that fired are kept in clear for ONAC's counts (labels, never words).
    assert {"control", "documents"} <= set(tip.categories)
    upgrades = deliveries(runtime, tip_id, "upgrade")
    assert {d.official_id for d in upgrades} == {d.official_id for d in first}
    assert all(d.detail == {"from": "low", "to": "critical"} for d in upgrades)
    assert all(d.queue == "critical" for d in upgrades)
    assert tip.ack_due_at is not None and tip.ack_due_at < due_before


def test_more_information_that_does_not_raise_the_band_sends_nothing(runtime: Runtime) -> None:
    tip_id = submitted(runtime, LOW)
    add(runtime, tip_id, "Një fqinj punon në Greqi")
    assert deliveries(runtime, tip_id, "upgrade") == []


def test_a_tip_first_judged_not_a_tip_is_alerted_when_it_becomes_one(runtime: Runtime) -> None:
    tip_id = submitted(runtime, NOT_A_TIP)
    assert deliveries(runtime, tip_id, "alert") == []
    add(runtime, tip_id, CRITICAL)
    assert len(deliveries(runtime, tip_id, "alert")) == 6


def test_a_tip_held_for_a_digest_is_alerted_at_once_when_it_becomes_critical(
    runtime: Runtime,
) -> None:
    with runtime.db.transaction() as s:
        reporter_id = store.reporter_for(s, "r" * 64, now=utcnow()).id
    limit = runtime.alerts.config.flood_per_reporter_per_hour
    ids = [submitted(runtime, LOW, reporter_id) for _ in range(limit + 1)]
    held = ids[-1]
    with runtime.db.transaction() as s:
        tip = s.get(Tip, held)
        assert tip is not None and tip.alert_mode == "digest"
    add(runtime, held, CRITICAL)
    with runtime.db.transaction() as s:
        tip = s.get(Tip, held)
        assert tip is not None and tip.alert_mode == "immediate"
        count = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.tip_id == held))
    assert count == 6
