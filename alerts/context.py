"""The services object every layer below the root uses, handed in by the composition root."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from alerts.queue import Job, JobQueue
from alerts.senders import Senders
from models.base import utcnow
from models.crypto import EntityKeys, Pseudonymizer, Vault
from models.db import Database
from triage.policy import RoutingPolicy

BAND_QUEUES = {"critical": "critical", "high": "high", "medium": "default", "low": "low"}


@dataclass(frozen=True)
class AlertConfig:
    """Tunable behaviour of alerts, from settings."""

    # full: the tip's text; summary: band, indicators, place; link: only a console link.
    content: str = "summary"
    public_base_url: str = "http://127.0.0.1:8000"
    max_rounds: int = 3
    # route → agency kinds whose acknowledgement is required before the tip counts as covered.
    coverage: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "child": ("social_services", "child_protection"),
            "labour": ("labour_inspectorate",),
        }
    )
    reminder_hours: int = 24
    flood_per_reporter_per_hour: int = 5
    flood_overall_per_hour: int = 60
    digest_minutes: int = 10
    pending_bound_seconds: int = 120
    twilio_from: str = "+15005550006"
    # Local time (Tirana) of ONAC's daily review-queue summary.
    review_summary_at: time = time(8, 0)
    # "Show full text" sends a tip's words into the official's chat, where they outlive
    # retention; off, the alert's console link is the way to read them.
    full_text_in_telegram: bool = False


@dataclass
class AlertContext:
    """The services object: database, keys, queue, clock, senders, policy and configuration.

    Built once by the composition root (raporto/runtime.py); intake (bot/context.py) wraps the
    same object, so nothing below the root holds a second copy of any of these.
    """

    db: Database
    vault: Vault
    pseudonym: Pseudonymizer
    queue: JobQueue
    signing_key: bytes
    senders: Senders
    # Keys of the hashes that link tips naming the same number, plate or handle (issue 17).
    entity_keys: EntityKeys
    policy: RoutingPolicy = field(default_factory=RoutingPolicy.default)
    config: AlertConfig = field(default_factory=AlertConfig)
    clock: Callable[[], datetime] = utcnow

    def sign(self, *parts: object) -> str:
        """Return a short HMAC tag over the parts (callback data, call URLs)."""
        message = ":".join(str(p) for p in parts).encode()
        digest = hmac.new(self.signing_key, message, hashlib.sha256).digest()
        return digest[:9].hex()

    def verify(self, tag: str, *parts: object) -> bool:
        """Check a tag in constant time."""
        return hmac.compare_digest(tag.encode(), self.sign(*parts).encode())

    def enqueue_delivery(self, delivery_id: int, queue: str) -> None:
        """Queue one delivery job (ids only); a failure is left to the sweeper."""
        self.queue.enqueue(Job.DELIVER, delivery_id, queue=queue)

    def enqueue_deliveries(self, delivery_ids: list[int], queue: str) -> None:
        """Queue one job that sends several deliveries at once (ids only)."""
        if delivery_ids:
            self.queue.enqueue(Job.DELIVER_MANY, *delivery_ids, queue=queue)


class OverServices:
    """The services object's database, keys and queue, read through `alerts` (never copied)."""

    alerts: AlertContext

    @property
    def db(self) -> Database:
        """The database."""
        return self.alerts.db

    @property
    def vault(self) -> Vault:
        """The encryption keys."""
        return self.alerts.vault

    @property
    def pseudonym(self) -> Pseudonymizer:
        """The keyed hash for identifiers."""
        return self.alerts.pseudonym

    @property
    def queue(self) -> JobQueue:
        """The job queue."""
        return self.alerts.queue
