"""The composition root's object graph: settings → database, keys, queue, senders, intake."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from alerts.context import AlertConfig, AlertContext, OverServices
from alerts.queue import InProcessQueue, JobQueue, RQQueue
from alerts.ratelimit import (
    OVERALL_PER_SECOND,
    PAID_OVERALL_PER_SECOND,
    LocalLimiter,
    RedisLimiter,
)
from alerts.senders import Senders
from alerts.telegram_sender import TelegramSender
from alerts.twilio_client import make_client
from bot.context import IntakeContext, Limits
from models.crypto import EntityKeys, Pseudonymizer, Vault
from models.db import Database
from models.spool import Spool
from raporto import jobs, monitoring
from raporto.settings import ConfigError, Settings
from triage.policy import RoutingPolicy

log = logging.getLogger(__name__)


@dataclass
class Runtime(OverServices):
    """What a process needs, built once from Settings: the services object and intake over it."""

    settings: Settings
    alerts: AlertContext  # the one services object
    intake: IntakeContext  # intake's view of the same services

    def telegram(self) -> TelegramSender:
        """Return this process's Telegram sender (created on first use)."""
        return self.alerts.senders.telegram()

    def twilio(self) -> Any:
        """Return this process's Twilio client (created on first use)."""
        return self.alerts.senders.twilio()


def _senders(settings: Settings, queue: JobQueue) -> Senders:
    """The provider clients, made on first use (the limiter is shared through Redis in RQ mode)."""
    s = settings
    overall = PAID_OVERALL_PER_SECOND if s.telegram_paid_broadcast else OVERALL_PER_SECOND

    def limiter() -> LocalLimiter | RedisLimiter:
        if isinstance(queue, RQQueue):
            return RedisLimiter(queue.connection, s.telegram_per_chat_interval, overall)
        return LocalLimiter(s.telegram_per_chat_interval, overall)

    return Senders(
        make_telegram=lambda: TelegramSender(
            s.telegram_bot_token, s.telegram_api_url, paid_broadcast=s.telegram_paid_broadcast
        ),
        make_twilio=lambda: make_client(
            s.twilio_account_sid, s.twilio_auth_token, s.twilio_api_url
        ),
        make_limiter=limiter,
        max_attachment_bytes=s.max_attachment_bytes,
        twilio_account_sid=s.twilio_account_sid,
        twilio_auth_token=s.twilio_auth_token,
    )


def build_runtime(settings: Settings, queue: JobQueue | None = None) -> Runtime:
    """Wire the object graph for one process."""
    # First: this process's counters go to the host's folder that /metrics adds up.
    monitoring.enable(settings)
    db = Database(settings.database_url)
    vault = Vault(settings.encryption_keys)
    pseudonym = Pseudonymizer(settings.pseudonym_key)
    if queue is None:
        queue = RQQueue(settings.redis_url) if settings.redis_url else InProcessQueue()
    limits = Limits(
        sms_burst_seconds=settings.sms_burst_seconds,
        burst_quiet_seconds=settings.burst_quiet_seconds,
        reply_handle_days=settings.reply_handle_days,
        conversation_idle_minutes=settings.conversation_idle_minutes,
    )
    alerts = AlertContext(
        db=db,
        vault=vault,
        pseudonym=pseudonym,
        queue=queue,
        senders=_senders(settings, queue),
        entity_keys=EntityKeys(settings.entity_keys),
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
    intake = IntakeContext(alerts=alerts, limits=limits, spool=spool)
    runtime = Runtime(settings, alerts, intake)
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
