"""Send one delivery to one official: lease it, render it, send it, record the outcome.

Every job re-reads the database first (an ack may have made an escalation pointless; another
worker may hold the row). Errors: RetryAfter waits as told; Forbidden (bot blocked or never
started) fails at once, marks a roster problem and falls back to the next channel; transient
errors back off, and after three failures the next channel is tried as well.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter
from twilio.base.exceptions import TwilioRestException

from alerts.context import AlertContext
from alerts.fanout import effective_band, new_delivery, next_channel
from alerts.messages import Message, render
from alerts.ratelimit import LocalLimiter, RedisLimiter
from alerts.telegram_sender import TelegramSender
from models.deliveries import Delivery
from models.roster import Official
from models.tables import Tip

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=20)  # longer than a send can take (10 s timeout)
MAX_ATTEMPTS = 8
FALLBACK_AFTER = 3
CANCEL_WHEN_COVERED = {"escalation", "reminder"}


@dataclass
class AlertServices:
    """The senders a delivery job uses."""

    actx: AlertContext
    telegram: TelegramSender
    twilio: Any
    limiter: LocalLimiter | RedisLimiter
    pool: ThreadPoolExecutor | None = None


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s ... up to 2 minutes."""
    return timedelta(seconds=min(120, 2**attempts))


def _claim(svc: AlertServices, delivery_id: int) -> tuple[Message, Delivery] | str:
    actx = svc.actx
    with actx.db.transaction() as session:
        now = actx.clock()
        d = session.get(Delivery, delivery_id, with_for_update={"skip_locked": True})
        if d is None or d.status != "pending" or d.next_attempt_at > now:
            return "skipped"
        tip = session.get(Tip, d.tip_id) if d.tip_id else None
        if d.purpose in CANCEL_WHEN_COVERED and tip is not None and tip.covered_at is not None:
            d.status = "cancelled"
            return "cancelled"
        d.attempts += 1
        d.next_attempt_at = now + LEASE  # the lease: no other worker sends it meanwhile
        official = session.get(Official, d.official_id)
        assert official is not None
        message = render(session, actx, d, official, tip)
        session.expunge(d)
        return message, d


def deliver(svc: AlertServices, delivery_id: int) -> str:
    """Send one delivery; return its resulting state."""
    claimed = _claim(svc, delivery_id)
    if isinstance(claimed, str):
        return claimed
    message, d = claimed
    try:
        provider_id = _send(svc, message, d)
    except RetryAfter as exc:
        wait = (
            exc.retry_after
            if isinstance(exc.retry_after, timedelta)
            else timedelta(seconds=float(exc.retry_after))
        )
        # Telegram's wait is respected; an official throttled again and again is also reached
        # on the next channel meanwhile.
        if d.attempts >= MAX_ATTEMPTS:
            return _finish(svc, delivery_id, "failed", error="rate limited (429)", fallback=True)
        return _finish(
            svc,
            delivery_id,
            "pending",
            error="rate limited (429)",
            wait=wait,
            fallback=d.attempts == FALLBACK_AFTER,
        )
    except Forbidden:
        return _finish(
            svc,
            delivery_id,
            "failed",
            error="Forbidden: bot blocked or not started",
            problem="blocked or never started the bot",
            fallback=True,
        )
    except BadRequest as exc:
        return _finish(svc, delivery_id, "failed", error=f"BadRequest: {exc.message[:80]}")
    except TwilioRestException as exc:
        permanent = exc.status in (400, 403, 404) and exc.code not in (20429,)
        if permanent:
            return _finish(svc, delivery_id, "failed", error=f"Twilio {exc.code}", fallback=True)
        return _transient(svc, delivery_id, d, f"Twilio {exc.status}")
    except Exception as exc:  # network trouble: the send may or may not have happened
        return _transient(svc, delivery_id, d, type(exc).__name__)
    return _finish(svc, delivery_id, "sent", provider_id=provider_id)


def deliver_many(svc: AlertServices, delivery_ids: Sequence[int]) -> list[str]:
    """Send several deliveries at once (a tip's fan-out); each is claimed and finished alone."""
    if svc.pool is None or len(delivery_ids) < 2:
        return [deliver(svc, i) for i in delivery_ids]
    return list(svc.pool.map(lambda i: deliver(svc, i), delivery_ids))


def _transient(svc: AlertServices, delivery_id: int, d: Delivery, error: str) -> str:
    if d.attempts >= MAX_ATTEMPTS:
        return _finish(svc, delivery_id, "failed", error=error, fallback=True)
    return _finish(
        svc,
        delivery_id,
        "pending",
        error=error,
        wait=backoff(d.attempts),
        fallback=d.attempts == FALLBACK_AFTER,
    )


def _send(svc: AlertServices, message: Message, d: Delivery) -> str:
    if d.channel == "telegram":
        assert message.chat_id is not None
        if message.answer_callback:
            try:
                svc.telegram.answer_callback(message.answer_callback, message.callback_text)
            except BadRequest:
                log.info("delivery %s: callback too old to answer", d.id)
        if message.edit_message_id is not None:
            svc.telegram.edit(
                message.chat_id, message.edit_message_id, message.text, message.buttons
            )
            return str(message.edit_message_id)
        if not message.text:
            return ""
        svc.limiter.acquire(str(message.chat_id))
        return str(svc.telegram.send(message.chat_id, message.text, message.buttons))
    assert message.phone is not None
    if d.channel == "sms":
        sent = svc.twilio.messages.create(
            to=message.phone, from_=svc.actx.config.twilio_from, body=message.text
        )
        return str(sent.sid)
    call = svc.twilio.calls.create(
        to=message.phone, from_=svc.actx.config.twilio_from, url=message.call_url, method="POST"
    )
    return str(call.sid)


def _finish(
    svc: AlertServices,
    delivery_id: int,
    status: str,
    *,
    error: str | None = None,
    wait: timedelta | None = None,
    provider_id: str | None = None,
    problem: str | None = None,
    fallback: bool = False,
) -> str:
    actx = svc.actx
    with actx.db.transaction() as session:
        d = session.get(Delivery, delivery_id)
        if d is None or d.status != "pending":
            return status
        now = actx.clock()
        d.status, d.last_error = status, error
        if status == "sent":
            d.sent_at, d.provider_message_id = now, provider_id
        elif status == "pending":
            d.next_attempt_at = now + (wait or backoff(d.attempts))
        official = session.get(Official, d.official_id)
        assert official is not None
        if problem or (fallback and error):
            official.problems = {**(official.problems or {}), d.channel: problem or error}
        if fallback and d.purpose in ("alert", "escalation", "digest", "reminder", "upgrade"):
            _fall_back(session, actx, d, official)
    if error:
        log.warning("delivery %s (%s): %s, %s", delivery_id, d.channel, status, error)
    return status


def _fall_back(session: Any, actx: AlertContext, d: Delivery, official: Official) -> None:
    channel = next_channel(official, d.channel)
    if channel is None or (channel == "voice" and d.purpose != "escalation"):
        official.problems = {**(official.problems or {}), "fallback": "no further channel"}
        return
    tip = session.get(Tip, d.tip_id) if d.tip_id else None
    exists = (
        session.query(Delivery)
        .filter_by(
            tip_id=d.tip_id,
            official_id=d.official_id,
            purpose=d.purpose,
            round=d.round,
            channel=channel,
        )
        .first()
    )
    if exists is None:
        queue = (
            d.queue
            if tip is None
            else {"critical": "critical", "high": "high"}.get(effective_band(tip), d.queue)
        )
        new_delivery(
            session,
            actx,
            tip=tip,
            official=official,
            channel=channel,
            purpose=d.purpose,
            round_=d.round,
            queue=queue,
            now=actx.clock(),
            detail=dict(d.detail or {}),
        )
