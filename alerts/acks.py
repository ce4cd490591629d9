"""Acknowledgements: by Telegram button, SMS "OK code", keypad in a call, or the console.

An acknowledgement counts once per official and tip; the channels that carry one check it first
(alerts/ack_channels.py). An official of an agency the tip implicates is refused (audited) and
their acknowledgement never counts towards coverage. When a tip becomes
covered (by default one acknowledgement; a route can require an agency), pending escalations are
cancelled and every official's alert is edited to say who acknowledged and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts import complicity
from alerts.context import AlertContext
from alerts.fanout import new_delivery
from alerts.kinds import Edit, delivery_key
from models import store
from models.db import insert_ignore
from models.deliveries import Acknowledgement, Delivery, Purpose
from models.roster import Agency, Official
from models.tables import Tip
from triage import alert_policy

# Telegram messages edited to show who acknowledged (their Acknowledge button goes away).
EDITABLE = (Purpose.ALERT, Purpose.ESCALATION, Purpose.UPGRADE)


def required_kinds(actx: AlertContext, routes: list[str]) -> set[str]:
    """Agency kinds whose acknowledgement a tip's routes require (any one kind per route)."""
    return {kind for route in routes for kind in actx.config.coverage.get(route, ())}


def is_covered(session: Session, actx: AlertContext, tip: Tip, routes: Sequence[str]) -> bool:
    """True when the acknowledgements so far satisfy the coverage policy."""
    kinds = set(
        session.execute(
            select(Agency.kind)
            .join(Acknowledgement, Acknowledgement.agency_id == Agency.id)
            .where(Acknowledgement.tip_id == tip.id)
        ).scalars()
    )
    return alert_policy.covered(kinds, complicity.kinds_of(tip), routes, actx.config.coverage)


def acknowledge(
    session: Session, actx: AlertContext, tip: Tip, official: Official, via: str
) -> bool:
    """Record an acknowledgement; return False when this official had already acknowledged."""
    # The tip's row lock first, as a send's finish takes it first too: an alert that reaches
    # Telegram while this runs is either seen as sent here or sees this acknowledgement there.
    session.refresh(tip, with_for_update=True)
    if complicity.is_excluded(tip, official):
        # Callers check first (try_acknowledge); this keeps every path closed.
        complicity.refuse(session, tip, f"official:{official.id}", "ack", via, now=actx.clock())
        return False
    now = actx.clock()
    inserted = session.execute(
        insert_ignore(
            session,
            Acknowledgement,
            {
                "tip_id": tip.id,
                "official_id": official.id,
                "agency_id": official.agency_id,
                "via": via,
                "at": now,
            },
            ["tip_id", "official_id"],
        ).returning(Acknowledgement.id)
    ).scalar_one_or_none()
    if inserted is None:
        store.audit(
            session,
            actor=f"official:{official.id}",
            action="ack.duplicate",
            now=now,
            object_type="tip",
            object_id=tip.id,
            via=via,
        )
        return False
    store.audit(
        session,
        actor=f"official:{official.id}",
        action="ack",
        now=now,
        object_type="tip",
        object_id=tip.id,
        via=via,
    )
    if tip.first_ack_at is None:
        tip.first_ack_at = now
    if tip.status == "new":
        tip.status = "acknowledged"
    tip.reminder_due_at = now + timedelta(hours=actx.config.reminder_hours)
    if tip.covered_at is None and is_covered(session, actx, tip, tip.routes):
        tip.covered_at = now
        session.execute(
            update(Delivery)
            .where(
                Delivery.tip_id == tip.id,
                Delivery.status == "pending",
                Delivery.purpose.in_((Purpose.ESCALATION, Purpose.REMINDER)),
            )
            .values(status="cancelled")
        )
    _edit_alerts(session, actx, tip, now)
    return True


def try_acknowledge(
    session: Session, actx: AlertContext, tip: Tip, official: Official, via: str
) -> str:
    """Acknowledge unless the tip implicates the official's agency: "acked", "already", "refused".

    A refusal is audited (ids only) and changes nothing else: no acknowledgement, no coverage,
    no edit of the other officials' alerts.
    """
    session.refresh(tip, with_for_update=True)  # the exclusions as of now, under the row lock
    if complicity.is_excluded(tip, official):
        complicity.refuse(session, tip, f"official:{official.id}", "ack", via, now=actx.clock())
        return "refused"
    return "acked" if acknowledge(session, actx, tip, official, via) else "already"


def _edit_alerts(session: Session, actx: AlertContext, tip: Tip, now: object) -> None:
    """Queue an edit of every sent Telegram alert of the tip, showing who acknowledged."""
    sent = (
        session.execute(
            select(Delivery)
            .where(
                Delivery.tip_id == tip.id,
                Delivery.channel == "telegram",
                Delivery.purpose.in_(EDITABLE),
                Delivery.status.in_(("sent", "delivered")),
                Delivery.provider_message_id.is_not(None),
            )
            # The pressed button's delivery is already in this session, loaded before its send
            # finished: refresh it, or its message id would still read as missing.
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    acks = (
        session.execute(select(Acknowledgement.id).where(Acknowledgement.tip_id == tip.id))
        .scalars()
        .all()
    )
    for d in sent:
        if (d.provider_message_id or "").isdigit():
            _queue_edit(session, actx, tip, d, len(acks), int(d.provider_message_id or 0))


def edit_if_acknowledged(
    session: Session, actx: AlertContext, d: Delivery, message_id: str | None
) -> None:
    """An alert that reached Telegram after someone acknowledged: edit it at once as well."""
    if d.channel != "telegram" or d.purpose not in EDITABLE or d.tip_id is None:
        return
    if not (message_id or "").isdigit():
        return
    # Locking the tip orders this with a concurrent acknowledgement (which locks it first):
    # one of the two always sees the other.
    tip = session.get(Tip, d.tip_id, with_for_update=True)
    acks = session.scalar(
        select(func.count()).select_from(Acknowledgement).where(Acknowledgement.tip_id == d.tip_id)
    )
    if acks and tip is not None:
        _queue_edit(session, actx, tip, d, acks, int(message_id or 0))


def _queue_edit(
    session: Session, actx: AlertContext, tip: Tip, d: Delivery, acks: int, message_id: int
) -> None:
    official = session.get(Official, d.official_id)
    assert official is not None
    if complicity.is_excluded(tip, official):
        return  # who took the tip is none of an implicated agency's business
    edit = Edit(tip.id, d.id, message_id, acks)
    exists = session.scalar(
        select(Delivery.id).where(Delivery.key == delivery_key(edit, official.id, d.channel))
    )
    if exists is not None:
        return  # the acknowledgement and the send's finish both saw it: one edit is enough
    new_delivery(
        session, actx, edit, official=official, channel="telegram", queue="high", now=actx.clock()
    )
