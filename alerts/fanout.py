"""The transactional outbox: a submitted tip gets one delivery row per active official.

`fan_out` runs inside the tip's transaction, so the tip and its deliveries are committed together;
the delivery jobs are enqueued after that commit, by band, and the sweeper re-drives any that
stay pending. A flood of tips (per reporter or overall) is held for a digest, except critical.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import ack_codes, complicity
from alerts.context import BAND_QUEUES, AlertContext
from alerts.roster import active_officials
from models.db import after_commit
from models.deliveries import Delivery
from models.review import BAND_RANK
from models.roster import Official
from models.tables import Tip

ALERT_ROLES = ("member", "chair")


def effective_band(tip: Tip) -> str:
    """The band alerts use: triage's or an official's, else a safe default (triage failed)."""
    if tip.band and (tip.triage_status == "done" or tip.reviewed_at is not None):
        return tip.band
    # A recording nobody has listened to, or a tip triage failed on: an official must look.
    return "medium" if tip.channel == "voice" else "high"


def first_channel(official: Official, *, allow_voice: bool = False) -> str | None:
    """The official's preferred channel that is set up and working."""
    for channel in official.channel_order:
        if (
            channel == "telegram"
            and official.telegram_chat_enc
            and "telegram" not in (official.problems or {})
        ):
            return channel
        if channel == "sms" and official.phone_enc:
            return channel
        if channel == "voice" and allow_voice and official.phone_enc:
            return channel
    return None


def next_channel(official: Official, after: str) -> str | None:
    """The official's next channel after `after` (a fallback or an escalation)."""
    order = [c for c in official.channel_order if c != "voice"] + ["voice"]
    for channel in order[order.index(after) + 1 :] if after in order else order:
        if channel in ("sms", "voice") and official.phone_enc:
            return channel
        if channel == "telegram" and official.telegram_chat_enc:
            return channel
    return None


def new_delivery(
    session: Session,
    actx: AlertContext,
    *,
    tip: Tip | None,
    official: Official,
    channel: str,
    purpose: str,
    round_: int,
    queue: str,
    now: datetime,
    detail: dict | None = None,  # type: ignore[type-arg]
    enqueue: bool = True,
) -> Delivery:
    """Add a pending delivery and (unless the caller batches) enqueue it after the commit."""
    delivery = Delivery(
        tip_id=tip.id if tip else None,
        official_id=official.id,
        purpose=purpose,
        round=round_,
        channel=channel,
        queue=queue,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        ack_code=ack_codes.new_code(),
        detail=detail or {},
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
        .where(Tip.alert_mode == "immediate", Tip.received_at >= hour)
    )
    if session.execute(alerted).scalar_one() >= actx.config.flood_overall_per_hour:
        return True
    if tip.reporter_id is None:
        return False
    own = alerted.where(Tip.reporter_id == tip.reporter_id)
    return session.execute(own).scalar_one() >= actx.config.flood_per_reporter_per_hour


def fan_out(
    session: Session,
    actx: AlertContext,
    tip: Tip,
    assessment: dict | None,  # type: ignore[type-arg]
    *,
    hold: bool = True,
) -> int:
    """Create the first round of deliveries for a submitted tip; return how many.

    `hold=False` never holds the tip for a digest: an official's review raised it, and a person
    deciding a tip matters is exactly what a flood must not delay.
    """
    # Recorded before anything else: a tip never alerted is still listed in the console.
    complicity.record(tip, assessment)
    if tip.alert_mode is not None or tip.band == "not_a_tip":
        return 0
    now = actx.clock()
    band = effective_band(tip)
    if hold and band != "critical" and flooded(session, actx, tip, now):
        tip.alert_mode = "digest"  # held, never dropped: the digest tick sends it
        return 0
    tip.alert_mode = "immediate"
    queue = BAND_QUEUES.get(band, "default")
    ids: list[int] = []
    for official in complicity.allowed(tip, active_officials(session, now)):
        if official.role not in ALERT_ROLES:
            continue
        channel = first_channel(official)
        if channel is None:
            official.problems = {**(official.problems or {}), "channels": "none usable"}
            continue
        delivery = new_delivery(
            session,
            actx,
            tip=tip,
            official=official,
            channel=channel,
            purpose="alert",
            round_=0,
            queue=queue,
            now=now,
            enqueue=False,
        )
        ids.append(delivery.id)
    # One job sends the whole fan-out at once; each delivery is still claimed on its own.
    after_commit(session, lambda: actx.enqueue_deliveries(ids, queue))
    minutes = actx.policy.bands[band].ack_minutes if band in actx.policy.bands else 60
    tip.ack_due_at = tip.received_at + timedelta(minutes=minutes)
    return len(ids)


def band_raised(
    session: Session,
    actx: AlertContext,
    tip: Tip,
    old_band: str,
    assessment: dict[str, Any] | None,
) -> int:
    """Alert again when later information (an SMS part, a follow-up) raised a tip's band."""
    complicity.record(tip, assessment)
    new_band = effective_band(tip)
    if BAND_RANK.get(new_band, 0) <= BAND_RANK.get(old_band, 0):
        return 0
    if tip.alert_mode is None:
        # First judged not a tip, now one: alert it as a new tip.
        return fan_out(session, actx, tip, assessment)
    if tip.alert_mode == "digest":
        if new_band != "critical":
            return 0  # still grouped; the digest shows the new band
        # Critical tips are never held: alert it now as if it had arrived critical.
        tip.alert_mode = None
        return fan_out(session, actx, tip, assessment)
    now = actx.clock()
    queue = BAND_QUEUES.get(new_band, "default")
    alerted = select(Delivery.official_id).where(
        Delivery.tip_id == tip.id, Delivery.purpose == "alert"
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
            tip=tip,
            official=official,
            channel=channel,
            purpose="upgrade",
            round_=BAND_RANK[new_band],
            queue=queue,
            now=now,
            detail={"from": old_band, "to": new_band},
            enqueue=False,
        )
        ids.append(delivery.id)
    after_commit(session, lambda: actx.enqueue_deliveries(ids, queue))
    if tip.covered_at is None and new_band in actx.policy.bands:
        # The tighter deadline of the new band, counted from the moment it was raised.
        due = now + timedelta(minutes=actx.policy.bands[new_band].ack_minutes)
        tip.ack_due_at = min(tip.ack_due_at, due) if tip.ack_due_at else due
    return len(ids)
