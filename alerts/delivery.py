"""Send one delivery to one official: lease it, render it, send it, record the outcome.

Every job re-reads the database first (an ack may have made an escalation pointless; another
worker may hold the row). Errors are classified by the outbox engine (`alerts/outbox.py`, policy
OFFICIALS): RetryAfter waits as told; Forbidden (bot blocked or never started) fails at once,
marks a roster problem and falls back to the next channel; transient errors back off, and after
three failures the next channel is tried as well. Roster problems and fallback are done here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import complicity, metrics
from alerts.acks import edit_if_acknowledged
from alerts.context import AlertContext
from alerts.fanout import effective_band, new_delivery, next_channel
from alerts.kinds import delivery_key, kind_of
from alerts.messages import Message, render
from alerts.outbox import FALLBACK_AFTER as FALLBACK_AFTER
from alerts.outbox import MAX_ATTEMPTS as MAX_ATTEMPTS
from alerts.outbox import OFFICIALS, Outcome, classify, settle, take_lease
from models.deliveries import Delivery, Purpose
from models.roster import Official
from models.tables import Tip
from triage import alert_policy

log = logging.getLogger(__name__)

# The longest a leased delivery waits for its chat's turn; beyond it the lease is given back
# with the time to wait, so a backlog never outlives a lease (which would send it twice).
MAX_QUEUE_WAIT = 8.0
CANCEL_WHEN_COVERED = {Purpose.ESCALATION, Purpose.REMINDER}
# Kinds sent again on the official's next channel when one fails (a notice or an edit is not).
FALLS_BACK = {Purpose.ALERT, Purpose.ESCALATION, Purpose.DIGEST, Purpose.REMINDER, Purpose.UPGRADE}


def _lease(
    session: Session, actx: AlertContext, d: Delivery, now: datetime
) -> tuple[Message, Delivery] | str:
    """Check a locked delivery, lease it and render it (inside the claiming transaction)."""
    if d.status != "pending" or d.next_attempt_at > now:
        return "skipped"
    tip = session.get(Tip, d.tip_id) if d.tip_id else None
    if d.purpose in CANCEL_WHEN_COVERED and tip is not None and tip.covered_at is not None:
        d.status = "cancelled"
        return "cancelled"
    official = session.get(Official, d.official_id)
    assert official is not None
    if complicity.delivery_kept_from(session, d, tip, official):
        d.status = "cancelled"  # the tip came to implicate this official's agency
        return "cancelled"
    take_lease(d, now, OFFICIALS)  # no other worker sends it meanwhile (20 s > 10 s timeout)
    message = render(session, actx, d, official, tip)
    session.flush()
    session.expunge(d)
    return message, d


def _claim(actx: AlertContext, delivery_id: int) -> tuple[Message, Delivery] | str:
    with actx.db.transaction() as session:
        d = session.get(Delivery, delivery_id, with_for_update={"skip_locked": True})
        return "skipped" if d is None else _lease(session, actx, d, actx.clock())


def _claim_many(
    actx: AlertContext, delivery_ids: Sequence[int]
) -> list[tuple[Message, Delivery] | str]:
    """Lease several deliveries in one transaction (a fan-out's rows, tip and officials)."""
    with actx.db.transaction() as session:
        now = actx.clock()
        rows = session.scalars(
            select(Delivery)
            .where(Delivery.id.in_(delivery_ids))
            .order_by(Delivery.id)
            .with_for_update(skip_locked=True)
        ).all()
        # Loaded once here, then served from the session's identity map while rendering.
        session.scalars(select(Tip).where(Tip.id.in_({d.tip_id for d in rows if d.tip_id}))).all()
        session.scalars(
            select(Official).where(Official.id.in_({d.official_id for d in rows}))
        ).all()
        claimed = {d.id: _lease(session, actx, d, now) for d in rows}
    return [claimed.get(i, "skipped") for i in delivery_ids]


def deliver(actx: AlertContext, delivery_id: int) -> str:
    """Send one delivery; return its resulting state."""
    claimed = _claim(actx, delivery_id)
    return claimed if isinstance(claimed, str) else _send_claimed(actx, *claimed)


def _send_claimed(actx: AlertContext, message: Message, d: Delivery) -> str:
    """Send a leased delivery and record the outcome."""
    delivery_id = d.id
    try:
        provider_id = _send(actx, message, d)
    except Exception as exc:  # retried, fallen back or failed: see alerts/outbox.py
        metrics.provider_error(exc)
        return _finish(actx, delivery_id, classify(exc, d.attempts, OFFICIALS))
    return _finish(actx, delivery_id, "sent", provider_id=provider_id)


def deliver_many(actx: AlertContext, delivery_ids: Sequence[int]) -> list[str]:
    """Send several deliveries at once (a tip's fan-out): leased together, sent in parallel."""
    if len(delivery_ids) < 2:
        return [deliver(actx, i) for i in delivery_ids]
    claims = _claim_many(actx, delivery_ids)

    def send(claim: tuple[Message, Delivery] | str) -> str:
        return claim if isinstance(claim, str) else _send_claimed(actx, *claim)

    return list(actx.senders.pool().map(send, claims))


def _send(actx: AlertContext, message: Message, d: Delivery) -> str:
    if d.channel == "telegram":
        telegram = actx.senders.telegram()
        assert message.chat_id is not None
        if message.edit_message_id is not None:
            telegram.edit(message.chat_id, message.edit_message_id, message.text, message.buttons)
            return str(message.edit_message_id)
        if not message.text:
            return ""
        actx.senders.limiter().acquire(str(message.chat_id), max_wait=MAX_QUEUE_WAIT)
        return str(telegram.send(message.chat_id, message.text, message.buttons))
    assert message.phone is not None
    twilio = actx.senders.twilio()
    if d.channel == "sms":
        sent = twilio.messages.create(
            to=message.phone, from_=actx.config.twilio_from, body=message.text
        )
        return str(sent.sid)
    call = twilio.calls.create(
        to=message.phone, from_=actx.config.twilio_from, url=message.call_url, method="POST"
    )
    return str(call.sid)


def _finish(
    actx: AlertContext, delivery_id: int, result: Outcome | str, provider_id: str | None = None
) -> str:
    """Record a send's result; on failure also the roster problem and the next channel."""
    outcome = result if isinstance(result, Outcome) else None
    with actx.db.transaction() as session:
        d = session.get(Delivery, delivery_id)
        if d is None or d.status != "pending":
            return result if isinstance(result, str) else result.status
        now = actx.clock()
        status = settle(d, result, now, OFFICIALS, provider_id)
        timings: list[tuple[str, str, float]] = []
        if outcome is None:
            # An acknowledgement may have come while this was on its way: edit it too.
            edit_if_acknowledged(session, actx, d, provider_id)
            timings = _alert_timings(session, d, now)
        else:
            _after_failure(session, actx, d, outcome)
    for which, band, seconds in timings:  # observed once the send is committed
        metrics.alert_sent(which, band, seconds)
    if outcome is not None and outcome.error:
        log.warning("delivery %s (%s): %s, %s", delivery_id, d.channel, status, outcome.error)
    return status


def _alert_timings(session: Session, d: Delivery, now: datetime) -> list[tuple[str, str, float]]:
    """Whether this sent alert is its tip's first and whether it is its last, with the delay."""
    if d.purpose != Purpose.ALERT or d.tip_id is None:
        return []
    # Locked (after the delivery, as edit_if_acknowledged does) so that the finishers of one
    # tip's alerts take turns: exactly one sees itself first, and one sees nothing pending.
    tip = session.get(Tip, d.tip_id, with_for_update=True)
    if tip is None:
        return []
    counts: dict[str, int] = {
        status: n
        for status, n in session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.tip_id == tip.id, Delivery.purpose == Purpose.ALERT)
            .group_by(Delivery.status)
        ).all()
    }
    seconds = (now - tip.received_at).total_seconds()
    band = effective_band(tip)
    timings = []
    if counts.get("sent", 0) + counts.get("delivered", 0) == 1:
        timings.append(("first", band, seconds))
    if not counts.get("pending"):  # a fallback still to go is pending too
        timings.append(("last", band, seconds))
    return timings


def _after_failure(session: Session, actx: AlertContext, d: Delivery, outcome: Outcome) -> None:
    official = session.get(Official, d.official_id)
    assert official is not None
    # Shown to the admins: why this official is hard to reach on this channel.
    if outcome.problem or (outcome.falls_back and outcome.error):
        official.problems = {
            **(official.problems or {}),
            d.channel: outcome.problem or outcome.error,
        }
    if outcome.falls_back and d.purpose in FALLS_BACK:
        _fall_back(session, actx, d, official)


def _fall_back(session: Any, actx: AlertContext, d: Delivery, official: Official) -> None:
    channel = next_channel(official, d.channel)
    if channel is None or not alert_policy.fallback_allowed(channel, d.purpose):
        official.problems = {**(official.problems or {}), "fallback": "no further channel"}
        return
    tip = session.get(Tip, d.tip_id) if d.tip_id else None
    kind = kind_of(d)  # the same message on the next channel
    key = delivery_key(kind, official.id, channel)
    if session.scalar(select(Delivery.id).where(Delivery.key == key)) is None:
        queue = (
            d.queue
            if tip is None
            else {"critical": "critical", "high": "high"}.get(effective_band(tip), d.queue)
        )
        new_delivery(
            session,
            actx,
            kind,
            official=official,
            channel=channel,
            queue=queue,
            now=actx.clock(),
        )
