"""The outbox engine decides every failed send the same way for both tables (alerts/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from twilio.base.exceptions import TwilioRestException

from alerts.outbox import (
    FALLBACK_AFTER,
    MAX_ATTEMPTS,
    OFFICIALS,
    REPLIES,
    Action,
    Outcome,
    backoff,
    classify,
    failed,
    retry,
    settle,
    take_lease,
)
from alerts.ratelimit import Throttled

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def twilio(status: int, code: int) -> TwilioRestException:
    return TwilioRestException(
        status, "https://api.twilio.com/x", msg="To +355691234567", code=code
    )


def test_the_two_policies_keep_their_numbers() -> None:
    assert (OFFICIALS.lease, REPLIES.lease) == (timedelta(seconds=20), timedelta(seconds=60))
    assert OFFICIALS.max_attempts == REPLIES.max_attempts == MAX_ATTEMPTS == 8
    assert (OFFICIALS.fallback_after, REPLIES.fallback_after) == (FALLBACK_AFTER, None)
    assert FALLBACK_AFTER == 3


@pytest.mark.parametrize(
    ("attempts", "officials", "replies"),
    [
        (1, 2, 2),
        (2, 4, 4),
        (6, 64, 64),
        (7, 120, 128),
        (8, 120, 256),
        (9, 120, 300),
        (20, 120, 300),
    ],
)
def test_backoff_doubles_up_to_each_policys_cap(
    attempts: int, officials: int, replies: int
) -> None:
    assert backoff(attempts, OFFICIALS) == timedelta(seconds=officials)
    assert backoff(attempts, REPLIES) == timedelta(seconds=replies)


def test_network_trouble_is_retried_then_falls_back_then_fails() -> None:
    exc = TimedOut()
    first = classify(exc, 1, OFFICIALS)
    assert first == Outcome(Action.RETRY, timedelta(seconds=2), "TimedOut")
    assert first.status == "pending" and not first.falls_back
    third = classify(exc, FALLBACK_AFTER, OFFICIALS)
    assert third.action is Action.FALLBACK and third.wait == timedelta(seconds=8)
    assert third.status == "pending" and third.falls_back
    assert classify(exc, FALLBACK_AFTER + 1, OFFICIALS).action is Action.RETRY
    before_last = classify(exc, MAX_ATTEMPTS - 1, OFFICIALS)
    assert before_last.action is Action.RETRY and before_last.status == "pending"
    last = classify(exc, MAX_ATTEMPTS, OFFICIALS)
    assert last == Outcome(Action.FALLBACK, None, "TimedOut")
    assert last.status == "failed" and last.falls_back


def test_replies_never_fall_back() -> None:
    exc = ConnectionError("reset")
    assert classify(exc, FALLBACK_AFTER, REPLIES) == Outcome(
        Action.RETRY, timedelta(seconds=8), "ConnectionError"
    )
    assert classify(exc, MAX_ATTEMPTS - 1, REPLIES).status == "pending"
    assert classify(exc, MAX_ATTEMPTS, REPLIES) == Outcome(Action.FAILED, None, "ConnectionError")


def test_our_own_pacing_is_retried_uncounted_without_an_error() -> None:
    outcome = classify(Throttled(12.5), MAX_ATTEMPTS, OFFICIALS)
    assert outcome == Outcome(Action.RETRY, timedelta(seconds=12.5), None, uncount=True)
    assert not outcome.falls_back


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize(("retry_after", "as_timedelta"), [(40, False), (40.0, False), (40, True)])
def test_telegram_rate_limits_wait_as_told(
    retry_after: int | float, as_timedelta: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 gives retry_after as seconds unless opted into a timedelta: both are understood.
    if as_timedelta:
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
    else:
        monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    exc = RetryAfter(retry_after)  # type: ignore[arg-type]
    assert isinstance(exc.retry_after, timedelta) == as_timedelta
    assert classify(exc, 1, OFFICIALS) == Outcome(
        Action.RETRY, timedelta(seconds=40), "rate limited (429)"
    )
    assert classify(exc, FALLBACK_AFTER, OFFICIALS).action is Action.FALLBACK
    at_the_end = classify(exc, MAX_ATTEMPTS, OFFICIALS)
    assert at_the_end.action is Action.FALLBACK and at_the_end.status == "failed"
    # A reply waits as told however often it was throttled: never failed, never uncounted.
    for attempts in (1, MAX_ATTEMPTS, MAX_ATTEMPTS + 5):
        assert classify(exc, attempts, REPLIES) == Outcome(
            Action.RETRY, timedelta(seconds=40), "rate limited (429)"
        )


def test_a_blocked_bot_fails_at_once_with_a_roster_problem() -> None:
    officials = classify(Forbidden("Forbidden: bot was blocked by the user"), 1, OFFICIALS)
    assert officials.action is Action.FALLBACK and officials.status == "failed"
    assert officials.error == "Forbidden" and officials.problem is not None
    assert "blocked" in officials.problem
    replies = classify(Forbidden("Forbidden: bot was blocked by the user"), 1, REPLIES)
    assert replies.action is Action.FAILED and replies.error == "Forbidden"


def test_a_bad_request_fails_without_fallback_or_the_providers_text() -> None:
    exc = BadRequest("Chat not found: +355691234567")
    for policy in (OFFICIALS, REPLIES):
        assert classify(exc, 1, policy) == Outcome(Action.FAILED, None, "BadRequest")


@pytest.mark.parametrize("status", [400, 403, 404])
def test_twilio_refusals_are_permanent(status: int) -> None:
    exc = twilio(status, 21211)
    assert classify(exc, 1, OFFICIALS) == Outcome(Action.FALLBACK, None, "Twilio 21211")
    assert classify(exc, 1, REPLIES) == Outcome(Action.FAILED, None, "Twilio 21211")


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (400, 20429), (500, 20500), (503, 0)])
def test_other_twilio_errors_are_transient(status: int, code: int) -> None:
    outcome = classify(twilio(status, code), 2, OFFICIALS)
    assert outcome == Outcome(Action.RETRY, timedelta(seconds=4), f"Twilio {status}")
    assert classify(twilio(status, code), MAX_ATTEMPTS, REPLIES).status == "failed"


def test_no_error_quotes_a_providers_message() -> None:
    excs: list[Exception] = [
        BadRequest("+355691234567"),
        Forbidden("+355691234567"),
        NetworkError("+355691234567"),
        twilio(404, 21211),
        twilio(500, 20500),
    ]
    for exc in excs:
        for policy in (OFFICIALS, REPLIES):
            assert "355" not in (classify(exc, 1, policy).error or "")


def test_an_outcome_keeps_its_wait_consistent() -> None:
    with pytest.raises(ValueError):
        Outcome(Action.RETRY, None, "x")
    with pytest.raises(ValueError):
        Outcome(Action.FAILED, timedelta(seconds=1), "x")
    assert failed("no consent") == Outcome(Action.FAILED, None, "no consent")
    assert retry(timedelta(seconds=30), None).status == "pending"


@dataclass
class Row:
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = NOW
    sent_at: datetime | None = None
    provider_message_id: str | None = None
    last_error: str | None = "earlier"


def test_lease_and_settle_record_the_lifecycle() -> None:
    row = Row()
    take_lease(row, NOW, OFFICIALS)
    assert (row.attempts, row.next_attempt_at) == (1, NOW + timedelta(seconds=20))
    assert settle(row, classify(Throttled(9), row.attempts, OFFICIALS), NOW, OFFICIALS) == "pending"
    assert (row.attempts, row.last_error) == (0, None)
    assert row.next_attempt_at == NOW + timedelta(seconds=9)

    take_lease(row, NOW, REPLIES)
    assert row.next_attempt_at == NOW + timedelta(seconds=60)
    assert settle(row, classify(TimedOut(), row.attempts, REPLIES), NOW, REPLIES) == "pending"
    assert (row.attempts, row.last_error) == (1, "TimedOut")
    assert row.next_attempt_at == NOW + timedelta(seconds=2)

    assert settle(row, "sent", NOW, REPLIES, "42") == "sent"
    assert (row.status, row.sent_at, row.provider_message_id, row.last_error) == (
        "sent",
        NOW,
        "42",
        None,
    )

    gone = Row()
    assert settle(gone, failed("no consent"), NOW, REPLIES) == "failed"
    assert (gone.status, gone.last_error, gone.next_attempt_at) == ("failed", "no consent", NOW)
    erased = Row()
    assert settle(erased, "done", NOW, REPLIES) == "done"
    assert erased.sent_at is None and erased.status == "done"
