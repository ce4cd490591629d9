"""Flood digests: held tips sent as one message per official, acknowledged and escalated together.

A flood (more alerts per hour than configured, from one reporter or overall) is exactly when one
message per tip would bury the officials, so held tips travel as a list: "Acknowledge all" on
Telegram or "OK code" by SMS acknowledges every tip of that digest, and when some stay
unacknowledged past their band's deadline, one overdue digest per official repeats the list (to
ONAC too from the second round on) instead of one escalation per tip. Critical tips never wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts import complicity
from alerts.context import AlertContext
from alerts.fanout import deadline_minutes, effective_band, first_channel, new_delivery
from alerts.kinds import Digest
from alerts.roster import active_officials
from models.deliveries import Acknowledgement, Delivery
from models.roster import Official
from models.tables import Tip


def flush(session: Session, actx: AlertContext, now: datetime) -> int:
    """Send held tips as one digest per official once the oldest waited digest_minutes."""
    held = list(session.scalars(select(Tip).where(Tip.alert_mode == "digest").order_by(Tip.id)))
    if not held or held[0].received_at > now - timedelta(minutes=actx.config.digest_minutes):
        return 0
    for tip in held:
        tip.alert_mode = "digested"
        tip.ack_due_at = now + timedelta(minutes=_ack_minutes(actx, tip))
    rounds = {t.id: 0 for t in held}
    _send(session, actx, [t.id for t in held], now, overdue=False, with_onac=False, rounds=rounds)
    return len(held)


def escalate(session: Session, actx: AlertContext, now: datetime) -> int:
    """Repeat the overdue, unacknowledged digested tips in one digest per official."""
    overdue = list(
        session.scalars(
            select(Tip)
            .where(
                Tip.alert_mode == "digested",
                Tip.covered_at.is_(None),
                Tip.ack_due_at.is_not(None),
                Tip.ack_due_at <= now,
            )
            .order_by(Tip.id)
        )
    )
    claimed: list[Tip] = []
    rounds: dict[int, int] = {}  # each claimed tip's new level, which names its digest
    later_round = False
    for tip in overdue:
        level = tip.escalation_level
        last = level + 1 >= actx.config.max_rounds
        # Guarded by the level, so two workers ticking together escalate a tip once.
        done = session.execute(
            update(Tip)
            .where(Tip.id == tip.id, Tip.escalation_level == level, Tip.covered_at.is_(None))
            .values(
                escalation_level=level + 1,
                ack_due_at=None if last else now + timedelta(minutes=_ack_minutes(actx, tip)),
            )
        )
        if done.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(tip)
            rounds[tip.id] = level + 1
            later_round = later_round or level >= 1
    if claimed:
        ids = [t.id for t in claimed]
        _send(session, actx, ids, now, overdue=True, with_onac=later_round, rounds=rounds)
    return len(claimed)


def acknowledge_all(session: Session, actx: AlertContext, delivery: Delivery, via: str) -> int:
    """Acknowledge every tip of a digest for the official it was sent to; return how many new."""
    from alerts.acks import acknowledge  # imported here: alerts.acks imports this module

    official = session.get(Official, delivery.official_id)
    ids = list((delivery.detail or {}).get("tips", []))
    if official is None or not ids:
        return 0
    tips = session.scalars(select(Tip).where(Tip.id.in_(ids)).order_by(Tip.id))
    # A tip that came to implicate this official's agency after the digest was sent is skipped.
    allowed = [tip for tip in tips if not complicity.is_excluded(tip, official)]
    return sum(acknowledge(session, actx, tip, official, via=via) for tip in allowed)


def _ack_minutes(actx: AlertContext, tip: Tip) -> int:
    return deadline_minutes(actx, effective_band(tip))


def _send(
    session: Session,
    actx: AlertContext,
    tip_ids: list[int],
    now: datetime,
    *,
    overdue: bool,
    with_onac: bool,
    rounds: dict[int, int],
) -> None:
    roles = ("member", "chair", "onac") if with_onac else ("member", "chair")
    # The agencies each tip implicates: their officials' digests leave the tip out.
    kept_from = {
        tip_id: frozenset(kinds or ())
        for tip_id, kinds in session.execute(
            select(Tip.id, Tip.excluded_kinds).where(Tip.id.in_(tip_ids))
        )
    }
    acked: dict[int, set[int]] = {}
    for tip_id, official_id in session.execute(
        select(Acknowledgement.tip_id, Acknowledgement.official_id).where(
            Acknowledgement.tip_id.in_(tip_ids)
        )
    ):
        acked.setdefault(official_id, set()).add(tip_id)
    for official in active_officials(session, now):
        channel = first_channel(official)
        pending = [
            i
            for i in tip_ids
            if i not in acked.get(official.id, set())
            and official.agency.kind not in kept_from.get(i, ())
        ]
        if official.role not in roles or channel is None or not pending:
            continue
        new_delivery(
            session,
            actx,
            Digest(tuple(pending), overdue, rounds[pending[0]]),
            official=official,
            channel=channel,
            queue="low",
            now=now,
        )
