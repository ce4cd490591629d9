"""The composition root's object graph: settings → database, keys, queue, senders, intake."""

from __future__ import annotations

import hashlib
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from alerts.context import AlertConfig, AlertContext
from alerts.delivery import AlertServices
from alerts.queue import InProcessQueue, JobQueue, RQQueue
from alerts.ratelimit import (
    OVERALL_PER_SECOND,
    PAID_OVERALL_PER_SECOND,
    LocalLimiter,
    RedisLimiter,
)
from alerts.reporter_replies import ReplyServices
from alerts.telegram_sender import TelegramSender
from alerts.twilio_client import make_client
from bot.context import IntakeContext, Limits
from models.crypto import Pseudonymizer, Vault
from models.db import Database
from models.spool import Spool
from raporto import jobs
from raporto.settings import ConfigError, Settings
from triage.policy import RoutingPolicy

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a process needs, built once from Settings."""

    settings: Settings
    db: Database
    vault: Vault
    pseudonym: Pseudonymizer
    queue: JobQueue
    intake: IntakeContext
    alerts: AlertContext
    _telegram: TelegramSender | None = field(default=None, repr=False)
    _twilio: Any = field(default=None, repr=False)
    _limiter: LocalLimiter | RedisLimiter | None = field(default=None, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)

    def telegram(self) -> TelegramSender:
        """Return this process's Telegram sender (created on first use)."""
        if self._telegram is None:
            self._telegram = TelegramSender(
                self.settings.telegram_bot_token,
                self.settings.telegram_api_url,
                paid_broadcast=self.settings.telegram_paid_broadcast,
            )
        return self._telegram

    def twilio(self) -> Any:
        """Return this process's Twilio client (created on first use)."""
        if self._twilio is None:
            s = self.settings
            self._twilio = make_client(s.twilio_account_sid, s.twilio_auth_token, s.twilio_api_url)
        return self._twilio

    def alert_services(self) -> AlertServices:
        """Return what delivering alerts needs (the limiter is shared through Redis in RQ mode)."""
        if self._limiter is None:
            interval = self.settings.telegram_per_chat_interval
            overall = (
                PAID_OVERALL_PER_SECOND
                if self.settings.telegram_paid_broadcast
                else OVERALL_PER_SECOND
            )
            self._limiter = (
                RedisLimiter(self.queue.connection, interval, overall)
                if isinstance(self.queue, RQQueue)
                else LocalLimiter(interval, overall)
            )
        if self._pool is None:
            # Several sends at once: a tip's six alerts go out together, not one after another.
            self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="deliver")
        return AlertServices(self.alerts, self.telegram(), self.twilio(), self._limiter, self._pool)

    def replies(self) -> ReplyServices:
        """Return what sending replies needs."""
        return ReplyServices(
            self.db,
            self.vault,
            self.telegram(),
            self.settings.max_attachment_bytes,
            # Only questions relayed to reporters who agreed go out by SMS from the outbox.
            twilio=self.twilio(),
            sms_from=self.settings.twilio_sms_from,
        )


def build_runtime(settings: Settings, queue: JobQueue | None = None) -> Runtime:
    """Wire the object graph for one process."""
    db = Database(settings.database_url)
    vault = Vault(settings.encryption_keys)
    pseudonym = Pseudonymizer(settings.pseudonym_key)
    if queue is None:
        queue = RQQueue(settings.redis_url) if settings.redis_url else InProcessQueue()
    limits = Limits(
        sms_burst_seconds=settings.sms_burst_seconds,
        burst_quiet_seconds=settings.burst_quiet_seconds,
        reply_handle_days=settings.reply_handle_days,
        max_attachment_bytes=settings.max_attachment_bytes,
        conversation_idle_minutes=settings.conversation_idle_minutes,
    )
    alerts = AlertContext(
        db=db,
        vault=vault,
        pseudonym=pseudonym,
        queue=queue,
        # Derived, not configured: one secret less to manage, and distinct from session signing.
        signing_key=hmac.new(
            settings.secret_key.encode(), b"raporto-alert-callbacks", hashlib.sha256
        ).digest(),
        policy=RoutingPolicy.from_mapping(settings.routing_policy),
        config=AlertConfig(
            content=settings.alert_content,
            public_base_url=settings.public_base_url,
            max_rounds=settings.alert_max_rounds,
            reminder_hours=settings.reminder_hours,
            flood_per_reporter_per_hour=settings.flood_per_reporter_per_hour,
            flood_overall_per_hour=settings.flood_overall_per_hour,
            twilio_from=settings.twilio_sms_from,
            review_summary_at=settings.review_summary_at,
            full_text_in_telegram=settings.full_text_in_telegram,
            **_coverage(settings),
        ),
    )
    spool = Spool(
        settings.spool_dir or settings.instance_path / "spool",
        vault,
        pseudonym,
        settings.spool_max_bytes,
    )
    intake = IntakeContext(
        db=db,
        vault=vault,
        pseudonym=pseudonym,
        queue=queue,
        limits=limits,
        alerts=alerts,
        spool=spool,
    )
    runtime = Runtime(settings, db, vault, pseudonym, queue, intake, alerts)
    # Jobs enqueued through this queue run with this runtime's services.
    queue.bind(jobs.table(runtime))
    return runtime


def _coverage(settings: Settings) -> dict[str, Any]:
    """Route → agency kinds required before a tip counts as covered, if configured."""
    coverage: dict[str, tuple[str, ...]] = {}
    for route, kinds in settings.alert_coverage.items():
        if not isinstance(kinds, list):
            raise ConfigError("RAPORTO_ALERT_COVERAGE maps each route to a list of agency kinds")
        coverage[str(route)] = tuple(str(k) for k in kinds)
    return {"coverage": coverage} if coverage else {}
