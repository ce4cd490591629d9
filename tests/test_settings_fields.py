"""Settings are declared once (raporto/settings_fields.py) and parsed one way (issue 14, item 9)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from raporto.settings import PRODUCTION_SECRETS, ConfigError, Settings, load, read_environment
from raporto.settings_fields import Environment
from tests.conftest import env_for

FLAGS = [
    ("RAPORTO_TELEGRAM_PAID_BROADCAST", "telegram_paid_broadcast"),
    ("RAPORTO_FULL_TEXT_IN_TELEGRAM", "full_text_in_telegram"),
]


def settings(tmp_path: Path, **extra: str) -> Settings:
    return load(env_for(tmp_path, "sqlite://", **extra))


def refusal(tmp_path: Path, **extra: str) -> str:
    with pytest.raises(ConfigError) as error:
        settings(tmp_path, **extra)
    return str(error.value)


def test_unset_variables_take_their_declared_defaults(tmp_path: Path) -> None:
    loaded = load({"RAPORTO_INSTANCE_PATH": str(tmp_path / "instance")})
    declared = Environment.variables()
    for name, attribute in [
        ("RAPORTO_MAX_BODY_BYTES", "max_body_bytes"),
        ("RAPORTO_STATS_K", "stats_k"),
        ("RAPORTO_CONSOLE_SESSION_MINUTES", "console_session_minutes"),
        ("RAPORTO_REVIEW_SUMMARY_AT", "review_summary_at"),
        ("RAPORTO_TELEGRAM_PER_CHAT_INTERVAL", "telegram_per_chat_interval"),
        ("TWILIO_SMS_FROM", "twilio_sms_from"),
        ("RAPORTO_TRUSTED_PROXIES", "trusted_proxies"),
        ("RAPORTO_FULL_TEXT_IN_TELEGRAM", "full_text_in_telegram"),
    ]:
        assert getattr(loaded, attribute) == declared[name].default, name
    assert loaded.spool_max_bytes == declared["RAPORTO_SPOOL_MAX_MB"].default * 1024 * 1024
    assert loaded.public_base_url == declared["PUBLIC_BASE_URL"].default
    assert loaded.review_summary_at == time(8, 0) and loaded.alert_content == "summary"


def test_values_are_parsed(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path,
        RAPORTO_STATS_K="10",
        RAPORTO_REVIEW_SUMMARY_AT="7:05",
        RAPORTO_ROUTING_POLICY='{"critical": {"ack_minutes": 10}}',
        HOTLINE_OPERATOR_NUMBERS=" +355691234567, ,+355681234567",
        RAPORTO_SPOOL_MAX_MB="2",
        TWILIO_CONNECTION_OVERRIDES="#rc=3&rp=ct,5xx",
        RAPORTO_LOG_LEVEL="debug",
        PUBLIC_BASE_URL="https://tips.example.org/",
    )
    assert loaded.stats_k == 10 and loaded.review_summary_at == time(7, 5)
    assert loaded.routing_policy == {"critical": {"ack_minutes": 10}}
    assert loaded.hotline_operator_numbers == ("+355691234567", "+355681234567")
    assert loaded.spool_max_bytes == 2 * 1024 * 1024
    assert loaded.twilio_connection_overrides == "rc=3&rp=ct,5xx"
    assert loaded.log_level == "DEBUG" and loaded.public_base_url == "https://tips.example.org"


@pytest.mark.parametrize(("variable", "attribute"), FLAGS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_every_flag_is_parsed_the_same_one_way(
    tmp_path: Path, variable: str, attribute: str, text: str, expected: bool
) -> None:
    assert getattr(settings(tmp_path, **{variable: text}), attribute) is expected


@pytest.mark.parametrize("variable", [v for v, _ in FLAGS] + ["RAPORTO_SANDBOX"])
def test_a_flag_that_is_neither_yes_nor_no_is_refused_by_name(
    tmp_path: Path, variable: str
) -> None:
    message = refusal(tmp_path, **{variable: "maybe"})
    assert message.startswith(variable) and "0, false, no or off" in message


def test_the_sandbox_flag_follows_the_same_words(tmp_path: Path) -> None:
    assert settings(tmp_path, RAPORTO_SANDBOX="yes").sandbox
    assert not settings(tmp_path, RAPORTO_SANDBOX="off").sandbox


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RAPORTO_MAX_BODY_BYTES", "lots", "RAPORTO_MAX_BODY_BYTES must be an integer, got 'lots'"),
        ("RAPORTO_STATS_K", "0", "RAPORTO_STATS_K must be positive"),
        ("RAPORTO_SPOOL_MAX_MB", "-5", "RAPORTO_SPOOL_MAX_MB must be positive"),
        (
            "RAPORTO_ALERT_CONTENT",
            "all",
            "RAPORTO_ALERT_CONTENT must be one of summary, full, link",
        ),
        ("RAPORTO_ROUTING_POLICY", "{", "RAPORTO_ROUTING_POLICY is not valid JSON"),
        ("RAPORTO_ALERT_COVERAGE", "[]", "RAPORTO_ALERT_COVERAGE must be a JSON object"),
        ("RAPORTO_TELEGRAM_PER_CHAT_INTERVAL", "x", "RAPORTO_TELEGRAM_PER_CHAT_INTERVAL must be"),
        ("RAPORTO_TRUSTED_PROXIES", "9", "RAPORTO_TRUSTED_PROXIES must be a number of proxies"),
        ("RAPORTO_REVIEW_SUMMARY_AT", "25:00", "RAPORTO_REVIEW_SUMMARY_AT must be a time of day"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    assert refusal(tmp_path, **{variable: value}).startswith(message)


def test_every_bad_variable_is_named_at_once(tmp_path: Path) -> None:
    message = refusal(tmp_path, RAPORTO_STATS_K="x", RAPORTO_FULL_TEXT_IN_TELEGRAM="maybe")
    assert "RAPORTO_STATS_K" in message and "RAPORTO_FULL_TEXT_IN_TELEGRAM" in message


def test_a_refused_secret_is_never_echoed(tmp_path: Path) -> None:
    token = "hunter2-short-health-token"  # set, but shorter than 32 characters
    with pytest.raises(ConfigError) as error:
        settings(tmp_path, RAPORTO_HEALTH_TOKEN=token)
    assert "RAPORTO_HEALTH_TOKEN must be at least 32 characters" in str(error.value)
    assert token not in str(error.value)
    # Nor in a chained exception a traceback would print: pydantic's own message quotes inputs.
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_secrets_stay_out_of_the_parsed_environments_repr(tmp_path: Path) -> None:
    env = env_for(tmp_path, "sqlite://")
    parsed = read_environment(env)
    for name in PRODUCTION_SECRETS[3:]:
        assert env[name] not in repr(parsed), name
    assert parsed.given("SECRET_KEY") == env["SECRET_KEY"]


def test_a_blank_variable_counts_as_unset(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path, RAPORTO_STATS_K="", RAPORTO_REVIEW_SUMMARY_AT="  ", TWILIO_SMS_FROM=" "
    )
    assert loaded.stats_k == 5 and loaded.review_summary_at == time(8, 0)
    assert loaded.twilio_sms_from == "+15005550006"


def test_an_explicit_environment_is_the_only_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPORTO_STATS_K", "9")
    monkeypatch.setenv("raporto_stats_k", "8")
    assert settings(tmp_path).stats_k == 5  # names are case-sensitive, os.environ is not read
    monkeypatch.setenv("RAPORTO_INSTANCE_PATH", str(tmp_path / "instance"))
    assert load().stats_k == 9  # without a mapping, the process environment


def test_no_env_file_or_secrets_folder_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("RAPORTO_STATS_K=9\n")
    assert read_environment({}).stats_k == 5


def test_production_variables_are_the_declared_ones() -> None:
    assert PRODUCTION_SECRETS == (
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
        "RAPORTO_ENTITY_KEYS",
    )


def test_a_whitespace_secret_is_missing_in_production(tmp_path: Path) -> None:
    env = {name: "x" for name in PRODUCTION_SECRETS}
    env.update(RAPORTO_ENV="Production", PUBLIC_BASE_URL="https://tips.example.org", SECRET_KEY=" ")
    with pytest.raises(ConfigError, match="without: SECRET_KEY$"):
        load(env)
