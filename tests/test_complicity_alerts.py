"""Complicity beyond the first alert: escalation, band raises, digests, reminders, coverage."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from alerts.acks import acknowledge
from alerts.delivery import deliver
from alerts.escalation import tick
from models.base import utcnow
from models.deliveries import Delivery
from models.roster import Official
from models.tables import Tip
from raporto.runtime import Runtime
from tests.complicity_helpers import (
    PLAIN_TIP,
    POLICE_TIP,
    acknowledgers,
    audited,
    deliveries,
    officials_of,
    roster,
    submit,
    tip_row,
    widened,
)
from tests.conftest import make_runtime


def tick_at(runtime: Runtime, when: object, times: int = 1) -> int:
    """Run the sweeper's tick at a given time; return how many steps escalated."""
    runtime.alerts.clock = lambda: when  # type: ignore[assignment,return-value]
    return sum(tick(runtime.alerts)["escalated"] for _ in range(times))


def test_the_first_fan_out_stores_the_implicated_kinds_and_skips_their_officials(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, _ref = submit(any_runtime, POLICE_TIP)
    assert tip_row(any_runtime, tip_id).excluded_kinds == ["police"]
    police = set(officials_of(any_runtime, "police"))
    alerted = {d.official_id for d in deliveries(any_runtime, tip_id)}
    assert len(alerted) == 4 and not alerted & police


def test_no_rung_of_escalation_reaches_the_implicated_agency_and_its_chair_rung_goes_to_onac(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)  # the demo chair belongs to the police
    tip_id, _ref = submit(any_runtime, POLICE_TIP)
    # Far past every rung of every round: each tick climbs one step.
    assert tick_at(any_runtime, utcnow() + timedelta(days=2), times=12) == 9
    police = set(officials_of(any_runtime, "police"))
    onac = set(officials_of(any_runtime, "coordinator"))
    sent = deliveries(any_runtime, tip_id)
    assert not {d.official_id for d in sent} & police
    escalations = [d for d in sent if d.purpose == "escalation"]
    # Re-notified on SMS and in person: the four officials of the other agencies only.
    assert {d.official_id for d in escalations if d.channel == "sms"} == set(
        officials_of(any_runtime, "social_services")
        + officials_of(any_runtime, "labour_inspectorate")
    )
    # Each round's chair rung (the chair is police) and ONAC rung reach ONAC instead.
    assert len([d for d in escalations if d.official_id in onac]) == 6


def test_an_acknowledgement_by_the_implicated_agency_is_refused_audited_and_never_covers(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, _ref = submit(any_runtime, POLICE_TIP)
    chair = officials_of(any_runtime, "police")[0]
    with any_runtime.db.transaction() as s:
        tip, official = s.get(Tip, tip_id), s.get(Official, chair)
        assert tip is not None and official is not None
        assert acknowledge(s, any_runtime.alerts, tip, official, via="console") is False
    stored = tip_row(any_runtime, tip_id)
    assert acknowledgers(any_runtime, tip_id) == set()
    assert stored.covered_at is None and stored.first_ack_at is None and stored.status == "new"
    [entry] = audited(any_runtime, "complicity.refused")
    assert (entry.actor, entry.object_id, entry.detail["attempted"]) == (
        f"official:{chair}",
        str(tip_id),
        "ack",
    )
    assert not any(d.purpose == "edit" for d in deliveries(any_runtime, tip_id))


def test_later_information_implicating_an_agency_withdraws_its_coverage_and_re_alerts(
    any_runtime: Runtime,
) -> None:
    tip_id, _member = widened(any_runtime)
    police = set(officials_of(any_runtime, "police"))
    upgrades = deliveries(any_runtime, tip_id, purpose="upgrade")
    assert len(upgrades) == 4 and not {d.official_id for d in upgrades} & police
    stored = tip_row(any_runtime, tip_id)
    assert stored.covered_at is None and stored.ack_due_at is not None  # escalates again
    assert stored.excluded_kinds == ["police"] and stored.band == "high"
    # Escalation resumes for everybody else, never for the police.
    assert tick_at(any_runtime, utcnow() + timedelta(hours=2)) == 1
    escalations = deliveries(any_runtime, tip_id, purpose="escalation")
    assert escalations and not {d.official_id for d in escalations} & police


def test_the_implicated_agency_sees_no_edit_and_the_others_no_police_acknowledgement(
    any_runtime: Runtime,
) -> None:
    from alerts.messages import render

    tip_id, _member = widened(any_runtime)
    social = officials_of(any_runtime, "social_services")[0]
    police = set(officials_of(any_runtime, "police"))
    before = {d.id for d in deliveries(any_runtime, tip_id, purpose="edit")}
    with any_runtime.db.transaction() as s:
        tip, official = s.get(Tip, tip_id), s.get(Official, social)
        assert tip is not None and official is not None
        assert acknowledge(s, any_runtime.alerts, tip, official, via="console")
        assert tip.covered_at is not None
    edits = [d for d in deliveries(any_runtime, tip_id, purpose="edit") if d.id not in before]
    assert len(edits) == 4 and not {d.official_id for d in edits} & police
    with any_runtime.db.read() as s:
        edit = s.get(Delivery, edits[0].id)
        tip, reader = s.get(Tip, tip_id), s.get(Official, edits[0].official_id)
        assert edit is not None and tip is not None and reader is not None
        text = render(s, any_runtime.alerts, edit, reader, tip).text
    assert "Demo Drita Leka" in text and "Demo Besnik Kola" not in text


def test_a_reminder_never_goes_to_an_implicated_agency(any_runtime: Runtime) -> None:
    tip_id, member = widened(any_runtime)
    social = officials_of(any_runtime, "social_services")[0]
    with any_runtime.db.transaction() as s:
        tip, official = s.get(Tip, tip_id), s.get(Official, social)
        assert tip is not None and official is not None
        assert acknowledge(s, any_runtime.alerts, tip, official, via="console")
    hours = any_runtime.alerts.config.reminder_hours
    tick_at(any_runtime, utcnow() + timedelta(hours=hours, minutes=5))
    [reminder] = deliveries(any_runtime, tip_id, purpose="reminder")
    assert reminder.official_id == social != member


def test_a_delivery_written_before_the_tip_implicated_the_agency_is_cancelled_at_send_time(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, _ref = submit(any_runtime, PLAIN_TIP)
    police = officials_of(any_runtime, "police")[0]
    [pending] = [d for d in deliveries(any_runtime, tip_id) if d.official_id == police]
    with any_runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        tip.excluded_kinds = ["police"]  # as any path that forgot to withdraw would leave it
    assert deliver(any_runtime.alerts, pending.id) == "cancelled"
    assert deliveries(any_runtime, tip_id, id=pending.id)[0].status == "cancelled"


@pytest.fixture
def flooded(tmp_path: Path, database_url: str) -> Runtime:
    """One alert per reporter and hour; the next tips wait for a digest."""
    return make_runtime(tmp_path, database_url, RAPORTO_FLOOD_PER_REPORTER_PER_HOUR="1")


def test_digests_leave_the_tip_out_for_the_implicated_agency(flooded: Runtime) -> None:
    roster(flooded)
    submit(flooded, PLAIN_TIP)  # alerted at once
    held, _ref = submit(flooded, POLICE_TIP)  # held for the digest
    other, _ref2 = submit(flooded, "Në Shkodër një punëdhënës u ka marrë pasaportat punëtorëve.")
    assert tip_row(flooded, held).alert_mode == "digest"
    later = utcnow() + timedelta(minutes=flooded.alerts.config.digest_minutes + 1)
    flooded.alerts.clock = lambda: later
    assert tick(flooded.alerts)["digested"] == 2
    police = set(officials_of(flooded, "police"))
    digests = deliveries(flooded, purpose="digest")
    assert len(digests) == 6
    for d in digests:
        expected = [other] if d.official_id in police else [held, other]
        assert d.detail["tips"] == expected
    # Overdue: the repeated digests leave it out for the police as well.
    overdue = later + timedelta(hours=5)
    flooded.alerts.clock = lambda: overdue
    assert tick(flooded.alerts)["escalated"] == 3  # the two digested, and the first on its own
    repeated = [d for d in deliveries(flooded, purpose="digest") if d.detail["overdue"]]
    assert len(repeated) == 6
    for d in repeated:
        assert d.detail["tips"] == ([other] if d.official_id in police else [held, other])


def test_the_migration_marks_earlier_complicity_tips_and_downgrades(
    tmp_path: Path, database_url: str
) -> None:
    from models.db import normalise_url
    from models.migrate import downgrade, upgrade

    upgrade(database_url, "0006")
    engine = create_engine(normalise_url(database_url))
    with engine.begin() as conn:
        for ref, categories in (("AAA-1", '["control", "complicity"]'), ("BBB-2", '["control"]')):
            conn.execute(
                text(
                    "INSERT INTO tips (reference, channel, received_at, updated_at, answers,"
                    " status, parts, follow_ups, submitted, triage_status, escalation_level,"
                    " forms, categories) VALUES (:r, 'sms', :t, :t, '{}', 'new', 1, 0, true,"
                    " 'done', 0, '[]', :c)"
                ),
                {"r": ref, "t": utcnow(), "c": categories},
            )
    upgrade(database_url, "0007")
    with engine.begin() as conn:
        rows = dict(conn.execute(text("SELECT reference, excluded_kinds FROM tips")).all())
    decoded = {k: v if isinstance(v, list) else json.loads(v) for k, v in rows.items()}
    assert decoded == {"AAA-1": ["police"], "BBB-2": []}
    downgrade(database_url, "0006")
    assert "excluded_kinds" not in {c["name"] for c in inspect(engine).get_columns("tips")}
    engine.dispose()
