"""What the conversation engine needs from the outside world, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from alerts.context import AlertContext
from alerts.queue import JobQueue
from models.base import utcnow
from models.crypto import Pseudonymizer, Vault
from models.db import Database
from models.spool import Spool


@dataclass(frozen=True)
class Limits:
    """Tunable limits of intake, from settings."""

    sms_burst_seconds: int = 120
    # A Telegram report stays open this long after the reporter's latest message.
    burst_quiet_seconds: int = 90
    reply_handle_days: int = 30
    max_attachment_bytes: int = 5 * 1024 * 1024
    conversation_idle_minutes: int = 30
    duplicate_window_hours: int = 24


@dataclass
class IntakeContext:
    """Database, keys, queue and limits: everything intake touches, nothing global."""

    db: Database
    vault: Vault
    pseudonym: Pseudonymizer
    queue: JobQueue
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], datetime] = utcnow
    alerts: AlertContext | None = None
    # Set while spooled events are replayed (bot/spool_replay.py): `clock` is then the event's
    # arrival time, and the tips it creates are marked as stored late.
    replaying: bool = False
    spool: Spool | None = None

    def provider_key(self, channel: str, event_id: str) -> str:
        """Return the keyed hash under which a provider event is deduplicated."""
        return self.pseudonym("event:" + channel, event_id)
