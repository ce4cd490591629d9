"""The outbox engine shared by officials' deliveries and replies to reporters.

Both tables are outboxes: a row is leased to one sender, sent, and its result recorded. What a
failed send means is decided here once (`classify`), from the exception, the attempts spent and
the message kind's `Policy`; recording it on the row is `settle`. What only one table does (an
official's roster problem and the next channel; a reply's payload wipe and Twilio erasure)
stays in `alerts/delivery.py` and `alerts/reporter_replies.py`, around these two calls.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from telegram.error import BadRequest, Forbidden, RetryAfter
from twilio.base.exceptions import TwilioRestException

from alerts.ratelimit import Throttled

MAX_ATTEMPTS = 8
FALLBACK_AFTER = 3
# Twilio refuses these for good (bad number, not allowed, no such resource), except its own
# "too many requests" code, which is worth waiting out.
TWILIO_PERMANENT_STATUS = (400, 403, 404)
TWILIO_TOO_MANY_REQUESTS = 20429
RATE_LIMITED = "rate limited (429)"


@dataclass(frozen=True)
class Policy:
    """How one kind of message is retried."""

    lease: timedelta  # longer than a send can take, so no other worker sends it meanwhile
    backoff_cap: int  # seconds
    max_attempts: int
    fallback_after: int | None  # attempts before the next channel is tried; None: no fallback
    rate_limit_counts: bool  # whether a provider's RetryAfter can end the row at max_attempts


# Officials' alerts (`deliveries`): short lease and backoff, the next channel after 3 failures.
OFFICIALS = Policy(
    lease=timedelta(seconds=20),
    backoff_cap=120,
    max_attempts=MAX_ATTEMPTS,
    fallback_after=FALLBACK_AFTER,
    rate_limit_counts=True,
)
# Replies to reporters (`outbound_messages`): one channel only, so nothing to fall back to.
REPLIES = Policy(
    lease=timedelta(seconds=60),
    backoff_cap=300,
    max_attempts=MAX_ATTEMPTS,
    fallback_after=None,
    rate_limit_counts=False,
)


class Action(enum.StrEnum):
    """What becomes of a row after a failed send."""

    RETRY = "retry"  # pending again after `wait`
    FALLBACK = "fallback"  # the next channel is tried; this row pending again if `wait` is set
    FAILED = "failed"  # given up, nothing else tried


@dataclass(frozen=True)
class Outcome:
    """The verdict on one failed send."""

    action: Action
    wait: timedelta | None
    # Exception type or provider code only: a provider's message may quote a phone number.
    error: str | None
    problem: str | None = None  # an official's roster problem worth showing to the admins
    uncount: bool = False  # our own pacing held it back: the attempt is given back

    def __post_init__(self) -> None:
        # A retry needs a time to retry at; a failed row has none.
        if (self.action is Action.RETRY and self.wait is None) or (
            self.action is Action.FAILED and self.wait is not None
        ):
            raise ValueError(f"{self.action} with wait {self.wait}")

    @property
    def status(self) -> str:
        """The row's status: pending while a retry is due, else failed."""
        return "pending" if self.wait is not None else "failed"

    @property
    def falls_back(self) -> bool:
        """Whether the next channel is tried."""
        return self.action is Action.FALLBACK


def failed(error: str) -> Outcome:
    """Give a row up for a reason of our own (no consent, no handle)."""
    return Outcome(Action.FAILED, None, error)


def retry(wait: timedelta, error: str | None) -> Outcome:
    """Try a row again after `wait`, whatever the attempts spent."""
    return Outcome(Action.RETRY, wait, error)


def backoff(attempts: int, policy: Policy) -> timedelta:
    """Return the wait before the next attempt: 2 s, 4 s, 8 s ... up to the policy's cap."""
    return timedelta(seconds=min(policy.backoff_cap, 2**attempts))


def classify(exc: Exception, attempts: int, policy: Policy) -> Outcome:
    """Decide what a failed send means, from the exception and the attempts already spent."""
    if isinstance(exc, Throttled):
        # Our own pacing, not a failed attempt: no attempt counted, no fallback.
        return Outcome(Action.RETRY, timedelta(seconds=exc.wait), None, uncount=True)
    if isinstance(exc, RetryAfter):
        wait = (
            exc.retry_after
            if isinstance(exc.retry_after, timedelta)
            else timedelta(seconds=float(exc.retry_after))
        )
        if not policy.rate_limit_counts:
            return retry(wait, RATE_LIMITED)
        # Telegram's wait is respected; a recipient throttled again and again is also reached
        # on the next channel meanwhile.
        return _transient(attempts, policy, RATE_LIMITED, wait)
    if isinstance(exc, Forbidden):  # bot blocked or never started: no retry will help
        return _permanent(policy, "Forbidden", problem="blocked or never started the bot")
    if isinstance(exc, BadRequest):
        # Our request was wrong (a bug to fix), not the channel: nothing else is tried.
        return failed("BadRequest")
    if isinstance(exc, TwilioRestException):
        if exc.status in TWILIO_PERMANENT_STATUS and exc.code != TWILIO_TOO_MANY_REQUESTS:
            return _permanent(policy, f"Twilio {exc.code}")
        return _transient(attempts, policy, f"Twilio {exc.status}")
    # Network trouble: the message may or may not have gone out.
    return _transient(attempts, policy, type(exc).__name__)


def _permanent(policy: Policy, error: str, problem: str | None = None) -> Outcome:
    action = Action.FAILED if policy.fallback_after is None else Action.FALLBACK
    return Outcome(action, None, error, problem)


def _transient(attempts: int, policy: Policy, error: str, wait: timedelta | None = None) -> Outcome:
    if attempts >= policy.max_attempts:
        return _permanent(policy, error)
    action = Action.FALLBACK if attempts == policy.fallback_after else Action.RETRY
    return Outcome(action, wait or backoff(attempts, policy), error)


class OutboxRow(Protocol):
    """The lifecycle columns `deliveries` and `outbound_messages` share."""

    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    provider_message_id: str | None
    last_error: str | None


def take_lease(row: OutboxRow, now: datetime, policy: Policy) -> None:
    """Count an attempt and hold the row for one sender for the policy's lease."""
    row.attempts += 1
    row.next_attempt_at = now + policy.lease


def settle(
    row: OutboxRow,
    result: Outcome | str,
    now: datetime,
    policy: Policy,
    provider_id: str | None = None,
) -> str:
    """Record a send's result on a leased row: an Outcome, or a success status; return it."""
    if isinstance(result, str):  # "sent", or "done" for an erasure Twilio confirmed
        row.status, row.last_error = result, None
        if result == "sent":
            row.sent_at, row.provider_message_id = now, provider_id
        return result
    row.status, row.last_error = result.status, result.error
    if result.wait is not None:
        # A zero wait (never expected from a provider) still backs off.
        row.next_attempt_at = now + (result.wait or backoff(row.attempts, policy))
        if result.uncount:
            row.attempts -= 1
    return result.status
