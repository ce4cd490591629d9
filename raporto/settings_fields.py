"""Every environment variable Raporto reads, declared once: its name, type, default and meaning.

`Environment` is a pydantic-settings model with one `Field` per variable. The variable's name is
the field's alias (the deployment interface: never rename one), its default is the field's
default, and its description is the text of the README's configuration table, which
`scripts/settings_table` generates from these declarations (tests/test_settings_docs.py fails
when the README differs). `raporto.settings.load` is the only caller: it reads the environment
through `Environment.read`, turns validation errors into `ConfigError` and derives `Settings`.

One parser per kind of value: a blank variable (empty or spaces) counts as unset; a flag is
1/true/yes/on or 0/false/no/off (any case); a count is a positive integer. Validation messages
name the variable and never contain a secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from raporto.settings_values import (
    ALERT_CONTENTS,
    GENERATED,
    CommaList,
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


class Environment(BaseSettings):
    """The environment variables, parsed and validated; build with `Environment.read(env)`."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        frozen=True,
        validate_default=False,
    )

    raporto_env: str = var(
        "RAPORTO_ENV",
        "development",
        "`production` refuses to start without strong secrets; anything else is development "
        "(secrets generated into the instance folder, the sandbox without provider credentials)",
    )
    instance_path: Path = var(
        "RAPORTO_INSTANCE_PATH",
        Path("instance"),
        "folder for the development SQLite database, generated secrets and the spool",
    )
    database_url: str = var(
        "DATABASE_URL",
        "",
        "PostgreSQL, e.g. `postgresql://raporto@db/raporto` (psycopg 3)",
        production=True,
        shown="SQLite in the instance folder",
    )
    redis_url: str = var(
        "REDIS_URL",
        "",
        "Redis for the job queues, e.g. `redis://queue:6379/0` (password and TLS as your Redis "
        "needs); unset, jobs run in the process",
        production=True,
    )
    public_base_url: str = var(
        "PUBLIC_BASE_URL",
        "http://127.0.0.1:8000",
        "the `https://` address Twilio and Telegram call; signatures are checked against it, "
        "never against forwarded headers",
        production=True,
    )
    secret_key: SecretStr = var(
        "SECRET_KEY",
        SecretStr(""),
        "Flask session key: at least 32 random characters "
        '(`python3 -c "import secrets; print(secrets.token_urlsafe(32))"`)',
        production=True,
        shown=GENERATED,
    )
    telegram_bot_token: SecretStr = var(
        "TELEGRAM_BOT_TOKEN",
        SecretStr(""),
        "the bot's token, from BotFather",
        production=True,
        shown="the sandbox's",
    )
    telegram_webhook_secret: SecretStr = var(
        "TELEGRAM_WEBHOOK_SECRET",
        SecretStr(""),
        "the secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`: at least 16 random "
        "characters (`A-Z a-z 0-9 _ -`)",
        production=True,
        shown=GENERATED,
    )
    twilio_account_sid: SecretStr = var(
        "TWILIO_ACCOUNT_SID",
        SecretStr(""),
        "the Twilio account",
        production=True,
        shown="the sandbox's",
    )
    twilio_auth_token: SecretStr = var(
        "TWILIO_AUTH_TOKEN",
        SecretStr(""),
        "the primary auth token: signs every webhook and deletes reporters' records at Twilio "
        "(at least 16 characters, as Twilio's are)",
        production=True,
        shown=GENERATED,
    )
    hotline_hmac_secret: SecretStr = var(
        "HOTLINE_HMAC_SECRET",
        SecretStr(""),
        "shared with the 116 006 call centre's system: at least 16 random characters",
        production=True,
        shown=GENERATED,
    )
    encryption_keys: SecretStr = var(
        "RAPORTO_ENCRYPTION_KEYS",
        SecretStr(""),
        "comma-separated Fernet keys, newest first (`raporto keys generate`); a key of zeros, "
        "counting or repeating bytes is refused",
        production=True,
        shown=GENERATED,
    )
    pseudonym_key: SecretStr = var(
        "RAPORTO_PSEUDONYM_KEY",
        SecretStr(""),
        "32+ random bytes, base64 (`raporto keys generate`); losing it splits every reporter's "
        "history; all-equal, counting or repeating bytes are refused",
        production=True,
        shown=GENERATED,
    )
    entity_keys: SecretStr = var(
        "RAPORTO_ENTITY_KEYS",
        SecretStr(""),
        "comma-separated 32+ byte keys, base64, newest first (`raporto keys generate`): they hash "
        "what links tips (numbers, plates, handles named in them); `raporto keys rotate` rehashes "
        "under the newest; losing them only unlinks tips until the next rotation from the texts",
        production=True,
        shown=GENERATED,
    )
    sandbox: Flag = var(
        "RAPORTO_SANDBOX",
        False,
        "development only: play Telegram and Twilio locally even with credentials set (without "
        "them the sandbox runs anyway)",
    )
    telegram_api_url: str = var(
        "TELEGRAM_API_URL",
        "",
        "another Telegram Bot API server (the sandbox's in development); refused in production "
        "unless `RAPORTO_ALLOW_API_OVERRIDE` is set",
        shown="Telegram",
    )
    twilio_api_url: str = var(
        "TWILIO_API_URL",
        "",
        "another Twilio API address (the sandbox's in development); refused in production "
        "unless `RAPORTO_ALLOW_API_OVERRIDE` is set",
        shown="Twilio",
    )
    allow_api_override: Flag = var(
        "RAPORTO_ALLOW_API_OVERRIDE",
        False,
        "1 says the `TELEGRAM_API_URL` or `TWILIO_API_URL` address is yours, e.g. a "
        "self-hosted Telegram Bot API server",
    )
    twilio_sms_from: str = var(
        "TWILIO_SMS_FROM", "+15005550006", "the number Raporto's SMS are sent from"
    )
    twilio_connection_overrides: str = var(
        "TWILIO_CONNECTION_OVERRIDES",
        "",
        "the connection overrides written after `#` on the Twilio webhook URLs, e.g. "
        "`rc=3&rp=ct,5xx` (Twilio signs the URL with them)",
    )
    hotline_operator_numbers: CommaList = var(
        "HOTLINE_OPERATOR_NUMBERS",
        (),
        'comma-separated numbers the voice menu\'s "operator" choice rings at once',
    )
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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what `read` passes: no .env file, no secrets folder, no implicit os.environ.
        return (init_settings,)

    @classmethod
    def read(cls, env: Mapping[str, str]) -> Environment:
        """Parse the variables of `env` (raises pydantic's ValidationError)."""
        return cls(**_MappingSource(cls, env)())

    @classmethod
    def variables(cls) -> dict[str, FieldInfo]:
        """Each variable's name and declaration, in declaration order."""
        return {info.alias: info for info in cls.model_fields.values() if info.alias}

    @property
    def production(self) -> bool:
        return self.raporto_env.strip().lower() == "production"

    def given(self, name: str) -> str:
        """The text set for variable `name`, or "" when it was unset or empty."""
        for field_name, info in type(self).model_fields.items():
            if info.alias == name:
                if field_name not in self.model_fields_set:
                    return ""
                value = getattr(self, field_name)
                return value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        raise KeyError(name)


def required_in_production() -> tuple[str, ...]:
    """The variables production refuses to start without, in declaration order."""
    return tuple(
        name
        for name, info in Environment.variables().items()
        if isinstance(info.json_schema_extra, dict)
        and info.json_schema_extra.get("required_in_production")
    )


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source, over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._mapping = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # A blank variable (empty or only spaces, as `NAME=` in an env file) counts as unset.
        return {k: v for k, v in self._mapping.items() if v.strip()}


def describe(error: ValidationError) -> str:
    """One clause per invalid variable, naming it; pydantic's input values are left out."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else "the environment"
        cause = (problem.get("ctx") or {}).get("error")
        custom = problem["type"] == "value_error" and cause
        why = str(cause) if custom else f"is invalid: {problem['msg']}"
        lines.append(f"{name} {why}")
    return "; ".join(lines)
