"""What intake needs from the outside world, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from alerts.context import AlertContext, OverServices
from models.base import utcnow
from models.spool import Spool


@dataclass(frozen=True)
class Limits:
    """Tunable limits of intake, from settings."""

    sms_burst_seconds: int = 120
    # A Telegram report stays open this long after the reporter's latest message.
    burst_quiet_seconds: int = 90
    reply_handle_days: int = 30
    conversation_idle_minutes: int = 30
    duplicate_window_hours: int = 24


@dataclass
class IntakeContext(OverServices):
    """What intake touches: the one services object, intake's limits and clock, nothing global.

    The database, keys and queue are the services object's (`alerts`), never copies; intake
    keeps a clock of its own because a replayed spooled event is stored at its arrival time
    while alerts about it go out now.
    """

    alerts: AlertContext
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], datetime] = utcnow
    # Set while spooled events are replayed (bot/spool_replay.py): `clock` is then the event's
    # arrival time, and the tips it creates are marked as stored late.
    replaying: bool = False
    spool: Spool | None = None

    def provider_key(self, channel: str, event_id: str) -> str:
        """Return the keyed hash under which a provider event is deduplicated."""
        return self.pseudonym("event:" + channel, event_id)
