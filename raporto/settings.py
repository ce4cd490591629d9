"""Settings: the one place that reads the environment.

Each variable is declared once, with its type, default and description, in
`raporto.settings_fields.Environment` (pydantic-settings). `load(env)` parses the environment
through it, turns every invalid value into a `ConfigError` naming the variable (never a secret's
value) and derives the frozen `Settings` the processes use. In production a missing secret stops
start-up with a message naming every missing variable; in the embedded default (development)
secrets are generated once into the git-ignored instance folder and reused, so a laptop needs no
configuration and no secret is ever a constant in the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import ValidationError
from pydantic_settings import SettingsError

from raporto.settings_checks import production_problems
from raporto.settings_fields import Environment, describe, required_in_production

# DATABASE_URL, REDIS_URL, PUBLIC_BASE_URL and the secrets, as declared in settings_fields.
PRODUCTION_SECRETS = required_in_production()

# The sandbox plays Telegram and Twilio locally; these credentials only ever reach the fakes.
SANDBOX_TELEGRAM_TOKEN = "100000:SANDBOX-raporto-offline-token"  # noqa: S105
SANDBOX_TWILIO_SID = "AC" + "0" * 32


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


@dataclass(frozen=True)
class Settings:
    """Everything the processes need to know, read once from the environment by `load`.

    Defaults live in `Environment`, not here: `load` sets every field that comes from a variable.
    """

    production: bool
    instance_path: Path
    database_url: str
    redis_url: str | None
    public_base_url: str
    # Whether PUBLIC_BASE_URL was set: if not, `raporto serve` uses the address it listens on.
    public_base_url_given: bool
    secret_key: str
    telegram_bot_token: str
    telegram_webhook_secret: str
    twilio_account_sid: str
    twilio_auth_token: str
    hotline_hmac_secret: str
    encryption_keys: tuple[str, ...]
    pseudonym_key: bytes
    # Newest first; they key the hashes of what links tips (models.crypto.EntityKeys).
    entity_keys: tuple[bytes, ...]
    sandbox: bool
    telegram_api_url: str | None
    twilio_api_url: str | None
    twilio_sms_from: str
    # Twilio's connection overrides ("rc=3&rp=ct,5xx") as written after "#" on a webhook URL.
    twilio_connection_overrides: str
    hotline_operator_numbers: tuple[str, ...]
    max_body_bytes: int
    max_attachment_bytes: int
    sms_burst_seconds: int
    burst_quiet_seconds: int
    content_retention_days: int
    reply_handle_days: int
    conversation_idle_minutes: int
    log_level: str
    log_format: str  # "text" or "json" (raporto/logs.py)
    alert_content: str
    alert_max_rounds: int
    routing_policy: Mapping[str, object]
    flood_per_reporter_per_hour: int
    flood_overall_per_hour: int
    reminder_hours: int
    stats_k: int
    telegram_per_chat_interval: float
    telegram_paid_broadcast: bool
    full_text_in_telegram: bool
    console_session_minutes: int
    review_summary_at: time
    # The daily canary (raporto/canary.py): its hour (None: off) and its test recipient.
    canary_at: time | None
    canary_telegram_chat: str
    canary_sms: str
    alert_coverage: Mapping[str, object]
    # Reverse proxies in front of the web process whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: int
    # Bearer token that unlocks /health's details and its dead-man SMS ("" = nobody).
    health_token: str
    # Bearer token Prometheus sends to /metrics ("" = none: production answers 404).
    metrics_token: str
    # PROMETHEUS_MULTIPROC_DIR: where this host's processes write the metrics /metrics adds up.
    metrics_dir: Path
    # The inbound spool (models/spool.py): where it lives, its cap, when its age is an alarm.
    spool_dir: Path | None
    spool_max_bytes: int
    spool_alarm_seconds: int
    # The web report form's onion address, sent as Onion-Location ("" = none).
    onion_url: str
    # Encrypts `raporto backup` files; none of the service's keys (None = backups refused).
    backup_key: bytes | None
    # Not variables: fixed limits of the voice menu and of the call centre's signatures.
    max_recording_seconds: int = 180
    hotline_window_seconds: int = 300
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def queue_mode(self) -> str:
        """Name the queue backend: RQ on Redis, or the embedded in-process queue."""
        return "rq" if self.redis_url else "inprocess"


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """Parse the environment's variables, or raise ConfigError naming every invalid one."""
    try:
        return Environment.read(os.environ if env is None else env)
    except ValidationError as exc:
        # `from None`: pydantic's own message quotes the input, and the input may be a secret.
        raise ConfigError(describe(exc)) from None
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the environment, refusing to start without production secrets."""
    values = read_environment(env)
    production = values.production
    instance = values.instance_path.resolve()
    if production:
        missing = [name for name in PRODUCTION_SECRETS if not values.given(name)]
        if missing:
            raise ConfigError(
                "Raporto refuses to start in production without: " + ", ".join(missing)
            )
        if not values.public_base_url.startswith("https://"):
            raise ConfigError("PUBLIC_BASE_URL must be https:// in production")
        problems = production_problems(values)
        if problems:
            raise ConfigError("Raporto refuses to start in production: " + "; ".join(problems))
        generated: dict[str, str] = {}
    else:
        generated = _development_secrets(instance)
    credentials = ("TELEGRAM_BOT_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    sandbox = not production and (
        values.sandbox or not any(values.given(name) for name in credentials)
    )

    def pick(name: str, sandbox_value: str | None = None) -> str:
        if values.given(name):
            return values.given(name)
        if sandbox and sandbox_value is not None:
            return sandbox_value
        return generated.get(name, "")

    keys = tuple(k.strip() for k in pick("RAPORTO_ENCRYPTION_KEYS").split(",") if k.strip())
    for key in keys:
        _check_fernet_key(key)
    return Settings(
        production=production,
        instance_path=instance,
        database_url=values.database_url or f"sqlite:///{instance / 'raporto.sqlite'}",
        redis_url=values.redis_url or None,
        public_base_url=values.public_base_url.rstrip("/"),
        public_base_url_given=bool(values.given("PUBLIC_BASE_URL").strip()),
        secret_key=pick("SECRET_KEY"),
        telegram_bot_token=pick("TELEGRAM_BOT_TOKEN", SANDBOX_TELEGRAM_TOKEN),
        telegram_webhook_secret=pick("TELEGRAM_WEBHOOK_SECRET"),
        twilio_account_sid=pick("TWILIO_ACCOUNT_SID", SANDBOX_TWILIO_SID),
        twilio_auth_token=pick("TWILIO_AUTH_TOKEN"),
        hotline_hmac_secret=pick("HOTLINE_HMAC_SECRET"),
        encryption_keys=keys,
        pseudonym_key=_decode_key(pick("RAPORTO_PSEUDONYM_KEY")),
        entity_keys=_entity_keys(pick("RAPORTO_ENTITY_KEYS"), pick("RAPORTO_PSEUDONYM_KEY")),
        sandbox=sandbox,
        telegram_api_url=values.telegram_api_url or None,
        twilio_api_url=values.twilio_api_url or None,
        twilio_sms_from=values.twilio_sms_from,
        twilio_connection_overrides=values.twilio_connection_overrides.strip().lstrip("#"),
        hotline_operator_numbers=values.hotline_operator_numbers,
        max_body_bytes=values.max_body_bytes,
        max_attachment_bytes=values.max_attachment_bytes,
        sms_burst_seconds=values.sms_burst_seconds,
        burst_quiet_seconds=values.burst_quiet_seconds,
        content_retention_days=values.content_retention_days,
        reply_handle_days=values.reply_handle_days,
        conversation_idle_minutes=values.conversation_idle_minutes,
        log_level=values.log_level.upper(),
        log_format=values.log_format,
        alert_content=values.alert_content,
        alert_max_rounds=values.alert_max_rounds,
        routing_policy=values.routing_policy,
        flood_per_reporter_per_hour=values.flood_per_reporter_per_hour,
        flood_overall_per_hour=values.flood_overall_per_hour,
        reminder_hours=values.reminder_hours,
        stats_k=values.stats_k,
        telegram_per_chat_interval=values.telegram_per_chat_interval,
        telegram_paid_broadcast=values.telegram_paid_broadcast,
        full_text_in_telegram=values.full_text_in_telegram,
        console_session_minutes=values.console_session_minutes,
        review_summary_at=values.review_summary_at,
        canary_at=values.canary_at,
        canary_telegram_chat=values.canary_telegram_chat.strip(),
        canary_sms=values.canary_sms.strip(),
        alert_coverage=values.alert_coverage,
        trusted_proxies=values.trusted_proxies,
        health_token=values.health_token.get_secret_value(),
        metrics_token=values.metrics_token.get_secret_value(),
        metrics_dir=(values.metrics_dir or instance / "metrics").resolve(),
        spool_dir=(values.spool_dir or instance / "spool").resolve(),
        spool_max_bytes=values.spool_max_mb * 1024 * 1024,
        spool_alarm_seconds=values.spool_alarm_seconds,
        onion_url=values.onion_url.strip(),
        backup_key=(
            _decode_key(values.given("RAPORTO_BACKUP_KEY").strip(), "RAPORTO_BACKUP_KEY")
            if values.given("RAPORTO_BACKUP_KEY").strip()
            else None
        ),
    )


def _check_fernet_key(key: str) -> None:
    try:
        Fernet(key.encode())
    except ValueError as exc:
        raise ConfigError("RAPORTO_ENCRYPTION_KEYS holds a key that is not a Fernet key") from exc


def _decode_key(raw: str, name: str = "RAPORTO_PSEUDONYM_KEY") -> bytes:
    # Accept urlsafe base64 (what `raporto keys generate` prints) so the key survives env files.
    try:
        key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ConfigError(f"{name} is not base64") from exc
    if len(key) < 32:
        raise ConfigError(f"{name} must hold at least 32 bytes")
    return key


def _entity_keys(raw: str, pseudonym_raw: str) -> tuple[bytes, ...]:
    keys = tuple(_decode_key(k.strip(), "RAPORTO_ENTITY_KEYS") for k in raw.split(",") if k.strip())
    if keys:
        return keys
    # Development instances made before entity keys existed: derive one from the pseudonym key
    # (production refuses to start without RAPORTO_ENTITY_KEYS, so this never runs there).
    derived = hmac.new(_decode_key(pseudonym_raw), b"raporto-entity-key", hashlib.sha256)
    return (derived.digest(),)


def new_pseudonym_key() -> str:
    """Return a fresh 256-bit pseudonym key, base64-encoded."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def _development_secrets(instance: Path) -> dict[str, str]:
    """Generate development secrets once into the instance folder and reuse them."""
    path = instance / "dev-secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    instance.mkdir(parents=True, exist_ok=True)
    data = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TELEGRAM_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "HOTLINE_HMAC_SECRET": secrets.token_urlsafe(32),
        "RAPORTO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "RAPORTO_PSEUDONYM_KEY": new_pseudonym_key(),
        "RAPORTO_ENTITY_KEYS": new_pseudonym_key(),
    }
    tmp = instance / f".dev-secrets.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    try:
        # link() refuses to overwrite: when two processes start together, the first one wins
        # and the other reads its keys, so both encrypt with the same key.
        os.link(tmp, path)
    except FileExistsError:
        data = json.loads(path.read_text())
    finally:
        tmp.unlink()
    return data
