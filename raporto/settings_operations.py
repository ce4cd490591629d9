"""The variables that tune the running service: limits, retention, logs, alerts, monitoring.

One group of `raporto.settings_fields.Environment`'s declarations (see that module for how a
variable is declared, parsed and documented); never read on its own.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, SecretStr
from pydantic_settings import BaseSettings

from raporto.settings_values import (
    ALERT_CONTENTS,
    Count,
    Flag,
    JsonObject,
    one_of,
    parse_clock,
    parse_health_token,
    parse_hops,
    parse_number,
    var,
)


class OperationVariables(BaseSettings):
    """How the service behaves once running: sizes, durations, logging, alerting, spool, backup."""

    max_body_bytes: Count = var(
        "RAPORTO_MAX_BODY_BYTES",
        64 * 1024,
        "bytes: a webhook body above this gets 413, sent chunked or not",
    )
    max_attachment_bytes: Count = var(
        "RAPORTO_MAX_ATTACHMENT_BYTES",
        5 * 1024 * 1024,
        "bytes: the largest attachment kept with a tip",
    )
    sms_burst_seconds: Count = var(
        "RAPORTO_SMS_BURST_SECONDS", 120, "how long an SMS report stays open for more messages"
    )
    burst_quiet_seconds: Count = var(
        "RAPORTO_BURST_QUIET_SECONDS",
        90,
        "how long a Telegram report stays open for more messages",
    )
    content_retention_days: Count = var(
        "RAPORTO_CONTENT_RETENTION_DAYS", 365, "`raporto purge` erases tip content older than this"
    )
    reply_handle_days: Count = var(
        "RAPORTO_REPLY_HANDLE_DAYS",
        30,
        "`raporto purge` erases reply handles (and Twilio deletion references) older than this",
    )
    conversation_idle_minutes: Count = var(
        "RAPORTO_CONVERSATION_IDLE_MINUTES", 30, "a reporter's conversation ends after this idle"
    )
    log_level: str = var("RAPORTO_LOG_LEVEL", "INFO", "Python logging level")
    log_format: Annotated[Literal["text", "json"], one_of(("text", "json"))] = var(
        "RAPORTO_LOG_FORMAT",
        "text",
        "`text` (one line a person reads) or `json` (one JSON object a line, for a log collector)",
    )
    alert_content: Annotated[Literal["summary", "full", "link"], one_of(ALERT_CONTENTS)] = var(
        "RAPORTO_ALERT_CONTENT",
        "summary",
        "what an alert carries: `summary`, `full` (never to ONAC) or `link`",
    )
    alert_max_rounds: Count = var(
        "RAPORTO_ALERT_MAX_ROUNDS",
        3,
        "how many times an unacknowledged alert's escalation ladder runs",
    )
    routing_policy: JsonObject = var(
        "RAPORTO_ROUTING_POLICY",
        {},
        'JSON object overriding the routing policy, e.g. `{"critical": {"ack_minutes": 10}}`',
    )
    flood_per_reporter_per_hour: Count = var(
        "RAPORTO_FLOOD_PER_REPORTER_PER_HOUR",
        5,
        "alerted tips per hour from one reporter beyond which non-critical ones are held for "
        "a digest",
    )
    flood_overall_per_hour: Count = var(
        "RAPORTO_FLOOD_OVERALL_PER_HOUR",
        60,
        "alerted tips per hour overall beyond which non-critical ones are held for a digest",
    )
    reminder_hours: Count = var(
        "RAPORTO_REMINDER_HOURS",
        24,
        "hours after an acknowledgement until the official is reminded of the tip",
    )
    stats_k: Count = var(
        "RAPORTO_STATS_K", 5, "the smallest count a publishable statistics export shows"
    )
    telegram_per_chat_interval: Annotated[float, BeforeValidator(parse_number)] = var(
        "RAPORTO_TELEGRAM_PER_CHAT_INTERVAL",
        1.0,
        "seconds between two Telegram messages to one chat",
    )
    telegram_paid_broadcast: Flag = var(
        "RAPORTO_TELEGRAM_PAID_BROADCAST",
        False,
        "1 pays Telegram to exceed 30 messages/s (see `docs/ARCHITECTURE.md`)",
    )
    full_text_in_telegram: Flag = var(
        "RAPORTO_FULL_TEXT_IN_TELEGRAM",
        False,
        'with 1 an alert gets a "Show full text" button that sends the words into the '
        "official's chat, where they stay after `raporto purge` (never to ONAC)",
    )
    console_session_minutes: Count = var(
        "RAPORTO_CONSOLE_SESSION_MINUTES", 30, "console sessions end after this idle"
    )
    review_summary_at: Annotated[time, BeforeValidator(parse_clock)] = var(
        "RAPORTO_REVIEW_SUMMARY_AT",
        time(8, 0),
        "when (`HH:MM`, Tirana time) ONAC's duty officers get the daily summary of the review "
        "queue",
    )
    canary_at: Annotated[time | None, BeforeValidator(parse_clock)] = var(
        "RAPORTO_CANARY_AT",
        None,
        "when (`HH:MM`, Tirana time) the worker runs `raporto canary` each day (unset: never)",
    )
    canary_telegram_chat: str = var(
        "RAPORTO_CANARY_TELEGRAM_CHAT",
        "",
        "the Telegram chat id of the canary's test recipient (never an official's)",
    )
    canary_sms: str = var(
        "RAPORTO_CANARY_SMS",
        "",
        "the phone number (E.164) of the canary's test recipient (never an official's)",
    )
    alert_coverage: JsonObject = var(
        "RAPORTO_ALERT_COVERAGE",
        {},
        "JSON object: each route to the agency kinds that must be alerted before a tip counts as "
        'covered, e.g. `{"child": ["police"]}`',
    )
    trusted_proxies: Annotated[int, BeforeValidator(parse_hops)] = var(
        "RAPORTO_TRUSTED_PROXIES",
        0,
        "reverse proxies (0 to 5) in front of the web process whose `X-Forwarded-For` and "
        "`X-Forwarded-Proto` are believed",
    )
    health_token: Annotated[SecretStr, BeforeValidator(parse_health_token)] = var(
        "RAPORTO_HEALTH_TOKEN",
        SecretStr(""),
        "32+ random characters: a bearer token that unlocks `/health`'s details and its "
        "dead-man SMS (unset: nobody)",
    )
    metrics_token: Annotated[SecretStr, BeforeValidator(parse_health_token)] = var(
        "RAPORTO_METRICS_TOKEN",
        SecretStr(""),
        "32+ random characters: the bearer token Prometheus sends to `/metrics` (unset: "
        "production answers 404; development answers only this machine)",
    )
    metrics_dir: Path | None = var(
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        "where every process of this host writes its metrics for `/metrics` to add up (a "
        "local folder; dead processes' files are folded into one archive at each start)",
        shown="instance/metrics",
    )
    spool_dir: Path | None = var(
        "RAPORTO_SPOOL_DIR",
        None,
        "where the web process keeps events the database cannot take (its own disk)",
        shown="instance/spool",
    )
    spool_max_mb: Count = var("RAPORTO_SPOOL_MAX_MB", 256, "the spool's cap, in MiB")
    spool_alarm_seconds: Count = var(
        "RAPORTO_SPOOL_ALARM_SECONDS",
        600,
        "`/health` turns red when a spooled event has waited longer",
    )
    onion_url: str = var(
        "RAPORTO_ONION_URL",
        "",
        "the form's Tor onion address (`http://….onion`): sent as `Onion-Location` on `/report` "
        "(see `docs/DEPLOY.md`)",
    )
    backup_key: SecretStr = var(
        "RAPORTO_BACKUP_KEY",
        SecretStr(""),
        "32+ random bytes, base64 (`raporto keys generate`): encrypts `raporto backup` files; "
        "none of the service's keys, needed only by `raporto backup` and `raporto restore`; "
        "losing it makes every backup useless",
        shown="none (backup and restore refuse to run)",
    )
