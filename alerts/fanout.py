"""The transactional outbox: a submitted tip gets one delivery row per active official.

`fan_out` runs inside the tip's transaction, so the tip and its deliveries are committed together;
the delivery jobs are enqueued after that commit, by band, and the sweeper re-drives any that
stay pending. A flood of tips (per reporter or overall) is held for a digest, except critical.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import ack_codes, complicity
from alerts.context import BAND_QUEUES, AlertContext
from alerts.kinds import Alert, Kind, Upgrade, delivery_key, detail_of, purpose_of, round_of, tip_of
from alerts.roster import active_officials
from models.db import after_commit
from models.deliveries import Delivery, Purpose
from models.review import BAND_RANK
from models.roster import Official
from models.synthetic import CANARY_ROLE
from models.tables import Tip
from triage import alert_policy


def effective_band(tip: Tip) -> str:
    """The band alerts use: triage's or an official's, else a safe default (triage failed)."""
    scored = tip.triage_status == "done" or tip.reviewed_at is not None
    return alert_policy.effective_band(tip.band, scored=scored, channel=tip.channel)


def first_channel(official: Official, *, allow_voice: bool = False) -> str | None:
    """The official's preferred channel that is set up and working."""
    return alert_policy.first_channel(
        official.channel_order,
        telegram=bool(official.telegram_chat_enc),
        phone=bool(official.phone_enc),
        telegram_broken="telegram" in (official.problems or {}),
        allow_voice=allow_voice,
    )


def next_channel(official: Official, after: str) -> str | None:
    """The official's next channel after `after` (a fallback or an escalation)."""
    return alert_policy.next_channel(
        official.channel_order,
        after,
        telegram=bool(official.telegram_chat_enc),
        phone=bool(official.phone_enc),
    )


def deadline_minutes(actx: AlertContext, band: str) -> int:
    """Minutes within which a tip of this band must be acknowledged (one fallback for all)."""
    return alert_policy.ack_minutes(actx.policy, band)


def new_delivery(
    session: Session,
    actx: AlertContext,
    kind: Kind,
    *,
    official: Official,
    channel: str,
    queue: str,
    now: datetime,
    enqueue: bool = True,
) -> Delivery:
    """Add a pending delivery of a kind and (unless the caller batches) enqueue it after the commit.

    Its purpose, tip, round, detail and unique key all come from the kind.
    """
    delivery = Delivery(
        tip_id=tip_of(kind),
        official_id=official.id,
        purpose=purpose_of(kind),
        key=delivery_key(kind, official.id, channel),
        round=round_of(kind),
        channel=channel,
        queue=queue,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        ack_code=ack_codes.new_code(),
        detail=detail_of(kind),
    )
    session.add(delivery)
    session.flush()
    delivery_id = delivery.id
    if enqueue:
        after_commit(session, lambda: actx.enqueue_delivery(delivery_id, queue))
    return delivery


def flooded(session: Session, actx: AlertContext, tip: Tip, now: datetime) -> bool:
    """True when this reporter, or everybody, sent more alerts this hour than allowed."""
    hour = now - timedelta(hours=1)
    alerted = (
        select(func.count())
        .select_from(Tip)
        .where(Tip.alert_mode == "immediate", Tip.received_at >= hour, Tip.synthetic.is_(False))
    )
    if session.execute(alerted).scalar_one() >= actx.config.flood_overall_per_hour:
        return True
    if tip.reporter_id is None:
        return False
    own = alerted.where(Tip.reporter_id == tip.reporter_id)
    return session.execute(own).scalar_one() >= actx.config.flood_per_reporter_per_hour


def fan_out(session: Session, actx: AlertContext, tip: Tip, *, hold: bool = True) -> int:
    """Create the first round of deliveries for a submitted tip; return how many.

    The agencies a complicity tip implicates were recorded on the tip when it was scored
    (bot/scoring.py), so they are kept from it here. `hold=False` never holds the tip for a
    digest: an official's review raised it, and a person deciding a tip matters is exactly what
    a flood must not delay.
    """
    if tip.alert_mode is not None or tip.band == "not_a_tip":
        return 0
    now = actx.clock()
    band = effective_band(tip)
    canary = bool(tip.synthetic)
    if hold and not canary and band != "critical" and flooded(session, actx, tip, now):
        tip.alert_mode = "digest"  # held, never dropped: the digest tick sends it
        return 0
    tip.alert_mode = "immediate"
    queue = BAND_QUEUES.get(band, "default")
    ids: list[int] = []
    excluded = complicity.kinds_of(tip)
    for official in active_officials(session, now):
        # The canary's tip reaches the canary recipient alone, and no real tip ever does.
        if canary or official.role == CANARY_ROLE:
            if not (canary and official.role == CANARY_ROLE):
                continue
        elif not alert_policy.may_be_alerted(official.role, official.agency.kind, excluded):
            continue
        channel = first_channel(official)
        if channel is None:
            official.problems = {**(official.problems or {}), "channels": "none usable"}
            continue
        delivery = new_delivery(
            session,
            actx,
            Alert(tip.id),
            official=official,
            channel=channel,
            queue=queue,
            now=now,
            enqueue=False,
        )
        ids.append(delivery.id)
    # One job sends the whole fan-out at once; each delivery is still claimed on its own.
    after_commit(session, lambda: actx.enqueue_deliveries(ids, queue))
    if not canary:  # a canary tip has no deadline: it never escalates to a person
        tip.ack_due_at = tip.received_at + timedelta(minutes=deadline_minutes(actx, band))
    return len(ids)


def band_raised(session: Session, actx: AlertContext, tip: Tip, old_band: str) -> int:
    """Alert again when later information (an SMS part, a follow-up) raised a tip's band."""
    new_band = effective_band(tip)
    if BAND_RANK.get(new_band, 0) <= BAND_RANK.get(old_band, 0):
        return 0
    if tip.alert_mode is None:
        # First judged not a tip, now one: alert it as a new tip.
        return fan_out(session, actx, tip)
    if tip.alert_mode == "digest":
        if new_band != "critical":
            return 0  # still grouped; the digest shows the new band
        # Critical tips are never held: alert it now as if it had arrived critical.
        tip.alert_mode = None
        return fan_out(session, actx, tip)
    now = actx.clock()
    queue = BAND_QUEUES.get(new_band, "default")
    alerted = select(Delivery.official_id).where(
        Delivery.tip_id == tip.id, Delivery.purpose == Purpose.ALERT
    )
    ids: list[int] = []
    officials = session.scalars(select(Official).where(Official.id.in_(alerted.distinct())))
    for official in complicity.allowed(tip, officials):
        channel = first_channel(official)
        if channel is None:
            continue
        delivery = new_delivery(
            session,
            actx,
            Upgrade(tip.id, old_band, new_band),
            official=official,
            channel=channel,
            queue=queue,
            now=now,
            enqueue=False,
        )
        ids.append(delivery.id)
    after_commit(session, lambda: actx.enqueue_deliveries(ids, queue))
    if tip.covered_at is None:
        # The tighter deadline of the new band, counted from the moment it was raised.
        due = now + timedelta(minutes=deadline_minutes(actx, new_band))
        tip.ack_due_at = min(tip.ack_due_at, due) if tip.ack_due_at else due
    return len(ids)
