"""Settings: the one place that reads the environment.

`load(env)` turns environment variables into a frozen `Settings`. In production a missing secret
stops start-up with a message naming every missing variable; in the embedded default (development)
secrets are generated once into the git-ignored instance folder and reused, so a laptop needs no
configuration and no secret is ever a constant in the code.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from cryptography.fernet import Fernet

from raporto.settings_checks import production_problems

PRODUCTION_SECRETS = (
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "SECRET_KEY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "HOTLINE_HMAC_SECRET",
    "RAPORTO_ENCRYPTION_KEYS",
    "RAPORTO_PSEUDONYM_KEY",
)

# The sandbox plays Telegram and Twilio locally; these credentials only ever reach the fakes.
SANDBOX_TELEGRAM_TOKEN = "100000:SANDBOX-raporto-offline-token"  # noqa: S105
SANDBOX_TWILIO_SID = "AC" + "0" * 32


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


@dataclass(frozen=True)
class Settings:
    """Everything the processes need to know, read once from the environment."""

    production: bool
    instance_path: Path
    database_url: str
    redis_url: str | None
    public_base_url: str
    secret_key: str
    telegram_bot_token: str
    telegram_webhook_secret: str
    twilio_account_sid: str
    twilio_auth_token: str
    hotline_hmac_secret: str
    encryption_keys: tuple[str, ...]
    pseudonym_key: bytes
    sandbox: bool = False
    telegram_api_url: str | None = None
    twilio_api_url: str | None = None
    twilio_sms_from: str = "+15005550006"
    # Twilio's connection overrides ("rc=3&rp=ct,5xx") as written after "#" on a webhook URL.
    twilio_connection_overrides: str = ""
    hotline_operator_numbers: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024
    max_attachment_bytes: int = 5 * 1024 * 1024
    max_recording_seconds: int = 180
    sms_burst_seconds: int = 120
    burst_quiet_seconds: int = 90
    content_retention_days: int = 365
    reply_handle_days: int = 30
    conversation_idle_minutes: int = 30
    hotline_window_seconds: int = 300
    log_level: str = "INFO"
    alert_content: str = "summary"
    alert_max_rounds: int = 3
    routing_policy: Mapping[str, object] = field(default_factory=dict)
    flood_per_reporter_per_hour: int = 5
    flood_overall_per_hour: int = 60
    reminder_hours: int = 24
    stats_k: int = 5
    telegram_per_chat_interval: float = 1.0
    telegram_paid_broadcast: bool = False
    full_text_in_telegram: bool = False
    console_session_minutes: int = 30
    review_summary_at: time = time(8, 0)
    alert_coverage: Mapping[str, object] = field(default_factory=dict)
    # Reverse proxies in front of the web process whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: int = 0
    # Bearer token that unlocks /health's details and its dead-man SMS ("" = nobody).
    health_token: str = ""
    # The inbound spool (models/spool.py): where it lives, its cap, when its age is an alarm.
    spool_dir: Path | None = None
    spool_max_bytes: int = 256 * 1024 * 1024
    spool_alarm_seconds: int = 600
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def queue_mode(self) -> str:
        """Name the queue backend: RQ on Redis, or the embedded in-process queue."""
        return "rq" if self.redis_url else "inprocess"


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the environment, refusing to start without production secrets."""
    env = dict(os.environ if env is None else env)
    production = env.get("RAPORTO_ENV", "development").strip().lower() == "production"
    instance = Path(env.get("RAPORTO_INSTANCE_PATH", "instance")).resolve()
    if production:
        missing = [name for name in PRODUCTION_SECRETS if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                "Raporto refuses to start in production without: " + ", ".join(missing)
            )
        if not env["PUBLIC_BASE_URL"].startswith("https://"):
            raise ConfigError("PUBLIC_BASE_URL must be https:// in production")
        problems = production_problems(env)
        if problems:
            raise ConfigError("Raporto refuses to start in production: " + "; ".join(problems))
        generated: dict[str, str] = {}
    else:
        generated = _development_secrets(instance)
    credentials = ("TELEGRAM_BOT_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    sandbox = not production and (
        env.get("RAPORTO_SANDBOX", "").lower() in {"1", "true", "yes"}
        or not any(env.get(name) for name in credentials)
    )

    def pick(name: str, sandbox_value: str | None = None) -> str:
        if env.get(name):
            return env[name]
        if sandbox and sandbox_value is not None:
            return sandbox_value
        return generated.get(name, "")

    keys = tuple(k.strip() for k in pick("RAPORTO_ENCRYPTION_KEYS").split(",") if k.strip())
    for key in keys:
        _check_fernet_key(key)
    return Settings(
        production=production,
        instance_path=instance,
        database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'raporto.sqlite'}",
        redis_url=env.get("REDIS_URL") or None,
        public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        secret_key=pick("SECRET_KEY"),
        telegram_bot_token=pick("TELEGRAM_BOT_TOKEN", SANDBOX_TELEGRAM_TOKEN),
        telegram_webhook_secret=pick("TELEGRAM_WEBHOOK_SECRET"),
        twilio_account_sid=pick("TWILIO_ACCOUNT_SID", SANDBOX_TWILIO_SID),
        twilio_auth_token=pick("TWILIO_AUTH_TOKEN"),
        hotline_hmac_secret=pick("HOTLINE_HMAC_SECRET"),
        encryption_keys=keys,
        pseudonym_key=_decode_key(pick("RAPORTO_PSEUDONYM_KEY")),
        sandbox=sandbox,
        telegram_api_url=env.get("TELEGRAM_API_URL") or None,
        twilio_api_url=env.get("TWILIO_API_URL") or None,
        twilio_sms_from=env.get("TWILIO_SMS_FROM", "+15005550006"),
        twilio_connection_overrides=env.get("TWILIO_CONNECTION_OVERRIDES", "").strip().lstrip("#"),
        hotline_operator_numbers=tuple(
            n.strip() for n in env.get("HOTLINE_OPERATOR_NUMBERS", "").split(",") if n.strip()
        ),
        max_body_bytes=_int(env, "RAPORTO_MAX_BODY_BYTES", 64 * 1024),
        max_attachment_bytes=_int(env, "RAPORTO_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024),
        sms_burst_seconds=_int(env, "RAPORTO_SMS_BURST_SECONDS", 120),
        burst_quiet_seconds=_int(env, "RAPORTO_BURST_QUIET_SECONDS", 90),
        content_retention_days=_int(env, "RAPORTO_CONTENT_RETENTION_DAYS", 365),
        reply_handle_days=_int(env, "RAPORTO_REPLY_HANDLE_DAYS", 30),
        conversation_idle_minutes=_int(env, "RAPORTO_CONVERSATION_IDLE_MINUTES", 30),
        log_level=env.get("RAPORTO_LOG_LEVEL", "INFO").upper(),
        alert_content=_choice(env, "RAPORTO_ALERT_CONTENT", ("summary", "full", "link")),
        alert_max_rounds=_int(env, "RAPORTO_ALERT_MAX_ROUNDS", 3),
        routing_policy=_json(env, "RAPORTO_ROUTING_POLICY"),
        flood_per_reporter_per_hour=_int(env, "RAPORTO_FLOOD_PER_REPORTER_PER_HOUR", 5),
        flood_overall_per_hour=_int(env, "RAPORTO_FLOOD_OVERALL_PER_HOUR", 60),
        reminder_hours=_int(env, "RAPORTO_REMINDER_HOURS", 24),
        stats_k=_int(env, "RAPORTO_STATS_K", 5),
        telegram_per_chat_interval=float(env.get("RAPORTO_TELEGRAM_PER_CHAT_INTERVAL", "1.0")),
        telegram_paid_broadcast=env.get("RAPORTO_TELEGRAM_PAID_BROADCAST", "0") in ("1", "true"),
        full_text_in_telegram=env.get("RAPORTO_FULL_TEXT_IN_TELEGRAM", "0") in ("1", "true"),
        console_session_minutes=_int(env, "RAPORTO_CONSOLE_SESSION_MINUTES", 30),
        review_summary_at=_clock_time(env, "RAPORTO_REVIEW_SUMMARY_AT", time(8, 0)),
        alert_coverage=_json(env, "RAPORTO_ALERT_COVERAGE"),
        trusted_proxies=_hops(env, "RAPORTO_TRUSTED_PROXIES"),
        health_token=_health_token(env),
        spool_dir=Path(env.get("RAPORTO_SPOOL_DIR") or instance / "spool").resolve(),
        spool_max_bytes=_int(env, "RAPORTO_SPOOL_MAX_MB", 256) * 1024 * 1024,
        spool_alarm_seconds=_int(env, "RAPORTO_SPOOL_ALARM_SECONDS", 600),
    )


def _choice(env: Mapping[str, str], name: str, options: tuple[str, ...]) -> str:
    value = env.get(name) or options[0]
    if value not in options:
        raise ConfigError(f"{name} must be one of {', '.join(options)}")
    return value


def _json(env: Mapping[str, str], name: str) -> dict[str, object]:
    raw = env.get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _hops(env: Mapping[str, str], name: str) -> int:
    """Parse a count of proxy hops: 0 (the default) means the peer address is the client."""
    raw = env.get(name, "").strip() or "0"
    if not raw.isascii() or not raw.isdigit() or int(raw) > 5:
        raise ConfigError(f"{name} must be a number of proxies from 0 to 5, got {raw!r}")
    return int(raw)


def _health_token(env: Mapping[str, str]) -> str:
    token = env.get("RAPORTO_HEALTH_TOKEN", "").strip()
    if token and len(token) < 32:
        raise ConfigError("RAPORTO_HEALTH_TOKEN must be at least 32 characters")
    return token


def _clock_time(env: Mapping[str, str], name: str, default: time) -> time:
    """Parse a local time of day written HH:MM (Tirana time)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    hours, sep, minutes = raw.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ConfigError(f"{name} must be a time of day written HH:MM, got {raw!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise ConfigError(f"{name} must be a time of day written HH:MM, got {raw!r}")
    return time(int(hours), int(minutes))


def _check_fernet_key(key: str) -> None:
    try:
        Fernet(key.encode())
    except ValueError as exc:
        raise ConfigError("RAPORTO_ENCRYPTION_KEYS holds a key that is not a Fernet key") from exc


def _decode_key(raw: str) -> bytes:
    # Accept urlsafe base64 (what `raporto keys generate` prints) so the key survives env files.
    try:
        key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ConfigError("RAPORTO_PSEUDONYM_KEY is not base64") from exc
    if len(key) < 32:
        raise ConfigError("RAPORTO_PSEUDONYM_KEY must hold at least 32 bytes")
    return key


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
