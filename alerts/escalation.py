"""Escalation, reminders and digests, driven by timers stored in the database.

`tick` runs every few seconds in every worker (the sweeper). A tip whose required acknowledgement
is overdue moves one step along its band's ladder: re-notify the officials who have not
acknowledged on their next channel (a call as well for critical tips), then the chair, then ONAC;
the ladder repeats at most `max_rounds` times. Each step is a row update guarded by the level it
expects, so two workers ticking together escalate once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts import complicity, digests, metrics
from alerts.context import BAND_QUEUES, AlertContext
from alerts.fanout import effective_band, first_channel, new_delivery
from alerts.kinds import Escalation, Reminder
from alerts.roster import active_officials
from models.deliveries import Acknowledgement
from models.roster import Agency, Official
from models.tables import Tip
from triage import alert_policy
from triage.alert_policy import Step


def ladder(actx: AlertContext, band: str) -> list[Step]:
    """The steps of every round for a band, in time order."""
    return alert_policy.ladder(actx.policy, band, actx.config.max_rounds)


def tick(actx: AlertContext) -> dict[str, int]:
    """Escalate overdue tips, send due reminders and flush digests; return the counts."""
    now = actx.clock()
    counts = {"escalated": 0, "reminded": 0, "digested": 0}
    with actx.db.transaction() as session:
        due = session.execute(
            select(Tip.id, Tip.escalation_level).where(
                Tip.covered_at.is_(None),
                Tip.ack_due_at.is_not(None),
                Tip.ack_due_at <= now,
                Tip.alert_mode == "immediate",
            )
        ).all()
    for tip_id, level in due:
        with actx.db.transaction() as session:
            counts["escalated"] += _escalate(session, actx, tip_id, level, now)
    with actx.db.transaction() as session:
        counts["reminded"] = _remind(session, actx, now)
        counts["digested"] = digests.flush(session, actx, now)
        digest_rounds = digests.escalate(session, actx, now)
    counts["escalated"] += digest_rounds
    metrics.escalated("digest", digest_rounds)  # counted once committed
    return counts


def _escalate(session: Session, actx: AlertContext, tip_id: int, level: int, now: datetime) -> int:
    tip = session.get(Tip, tip_id)
    if tip is None:
        return 0
    steps = ladder(actx, effective_band(tip))
    following = steps[level + 1].minutes if level + 1 < len(steps) else None
    claimed = session.execute(
        update(Tip)
        .where(Tip.id == tip_id, Tip.escalation_level == level, Tip.covered_at.is_(None))
        .values(
            escalation_level=level + 1,
            ack_due_at=tip.received_at + timedelta(minutes=following) if following else None,
        )
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return 0  # another worker took this step
    session.refresh(tip)
    step = steps[level] if level < len(steps) else None
    if step is None:
        return 0
    acked = set(
        session.execute(
            select(Acknowledgement.official_id).where(Acknowledgement.tip_id == tip.id)
        ).scalars()
    )
    band = effective_band(tip)
    queue = BAND_QUEUES.get(band, "default")
    # Every rung, the chair's and ONAC's included, skips the agencies a complicity tip implicates.
    serving = active_officials(session, now)
    officials = complicity.allowed(tip, serving)
    if step.action == "renotify":
        for official in officials:
            if official.role == "onac" or official.id in acked:
                continue
            for channel in _renotify_channels(official, band):
                new_delivery(
                    session,
                    actx,
                    Escalation(tip.id, level + 1),
                    official=official,
                    channel=channel,
                    queue=queue,
                    now=now,
                )
    else:
        chairs = [o for o in serving if o.role == "chair"]
        # The chair's own agency implicated: the rung goes to the one above it, ONAC.
        role = alert_policy.escalation_role(
            step.action, chair_excluded=bool(chairs) and not complicity.allowed(tip, chairs)
        )
        for official in officials:
            first = first_channel(official)
            if official.role == role and first and official.id not in acked:
                new_delivery(
                    session,
                    actx,
                    Escalation(tip.id, level + 1),
                    official=official,
                    channel=first,
                    queue=queue,
                    now=now,
                )
    metrics.escalated(band)  # labels: the band only
    return 1


def _renotify_channels(official: Official, band: str) -> list[str]:
    """Re-notify on the next channel: SMS where there is a number, and a call if critical."""
    return alert_policy.renotify_channels(
        band, phone=bool(official.phone_enc), telegram=bool(official.telegram_chat_enc)
    )


def _remind(session: Session, actx: AlertContext, now: datetime) -> int:
    """Remind the acknowledging official of a tip left without a follow-up status."""
    tips = (
        session.execute(
            select(Tip).where(
                Tip.reminder_due_at.is_not(None),
                Tip.reminder_due_at <= now,
                Tip.status == "acknowledged",
            )
        )
        .scalars()
        .all()
    )
    for tip in tips:
        tip.reminder_due_at = None  # once per acknowledgement
        # The first acknowledgement that counts: never one of an agency the tip implicates.
        first = (
            session.execute(
                select(Acknowledgement)
                .join(Agency, Agency.id == Acknowledgement.agency_id)
                .where(
                    Acknowledgement.tip_id == tip.id,
                    Agency.kind.not_in(sorted(complicity.kinds_of(tip))),
                )
                .order_by(Acknowledgement.at)
            )
            .scalars()
            .first()
        )
        official = session.get(Official, first.official_id) if first else None
        channel = first_channel(official) if official else None
        if official is not None and channel is not None:
            # Due again after each new acknowledgement: their count tells the reminders apart.
            acks = session.scalar(
                select(func.count())
                .select_from(Acknowledgement)
                .where(Acknowledgement.tip_id == tip.id)
            )
            new_delivery(
                session,
                actx,
                Reminder(tip.id, int(acks or 0)),
                official=official,
                channel=channel,
                queue="default",
                now=now,
            )
    return len(tips)
