"""The variables that place the service: its mode, storage, address, secrets and providers.

One group of `raporto.settings_fields.Environment`'s declarations (see that module for how a
variable is declared, parsed and documented); never read on its own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from raporto.settings_values import GENERATED, CommaList, Flag, var


class DeploymentVariables(BaseSettings):
    """Where Raporto runs and what it talks to: database, queue, public address, keys, APIs."""

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
