"""WhatsApp's customer-service window: free-form messages only within 24 hours of the person's.

A question from the officials outside the window is not sent (never as a template, never as an
SMS): its outbox row waits, uncounted, until the reporter writes again. The rule is a pure
function here, below the reply sender that applies it (`alerts/reporter_replies.py`); the release
when the reporter writes is intake's (`bot/whatsapp_window.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

WINDOW = timedelta(hours=24)
# Sent a few minutes before the window closes, a message could reach Twilio after it did.
MARGIN = timedelta(minutes=5)
# How long a held message waits at most: the reply handle it needs expires sooner (30 days).
HOLD = timedelta(days=366)
WAITING = "waiting for the reporter"


def window_open(last_message_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form WhatsApp message may go out now, given the person's last message."""
    if last_message_at is None:
        return False
    # SQLite gives back naive datetimes; every time Raporto stores is UTC.
    if last_message_at.tzinfo is None:
        last_message_at = last_message_at.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return last_message_at <= now < last_message_at + WINDOW - MARGIN
