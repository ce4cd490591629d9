"""Production refuses trivial secrets and provider API overrides (issue 12, item 14)."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from raporto.cli import main
from raporto.settings import ConfigError, load, new_pseudonym_key
from raporto.settings_checks import weak_key, weak_text
from tests.conftest import env_for


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A production environment whose every secret is strong (the sandbox never runs there)."""
    env = env_for(
        tmp_path,
        "postgresql://raporto@db/raporto",
        RAPORTO_ENV="production",
        REDIS_URL="redis://queue:6379/0",
        SECRET_KEY="k7PqR2vX9mZ4tL8wB3nY6cF1hJ5sD0gA",
        TELEGRAM_WEBHOOK_SECRET="tg_9fK2mQ7xL4pZ8wR1",
        TWILIO_AUTH_TOKEN="3f9a1c7e5b2d8046a9c3e1f7b5d20486",
        HOTLINE_HMAC_SECRET="Hq4-Wz8nTr2Lp6Xy",
        RAPORTO_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        RAPORTO_PSEUDONYM_KEY=new_pseudonym_key(),
        RAPORTO_ENTITY_KEYS=new_pseudonym_key(),
    )
    env.pop("RAPORTO_SANDBOX")
    env.update(extra)
    return env


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as error:
        load(env)
    return str(error.value)


def test_a_strong_production_environment_starts(tmp_path: Path) -> None:
    settings = load(production_env(tmp_path))
    assert settings.production and not settings.sandbox
    assert settings.telegram_api_url is None and settings.twilio_api_url is None


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SECRET_KEY", "x", "shorter than 32"),
        ("SECRET_KEY", "changeme" * 4, "not random"),
        ("SECRET_KEY", "a" * 64, "not random"),
        ("TELEGRAM_WEBHOOK_SECRET", "s", "shorter than 16"),
        ("TWILIO_AUTH_TOKEN", "0" * 32, "not random"),
        ("HOTLINE_HMAC_SECRET", "short-secret", "shorter than 16"),
        ("RAPORTO_PSEUDONYM_KEY", b64(bytes(32)), "not random"),
        ("RAPORTO_PSEUDONYM_KEY", b64(bytes(range(32))), "not random"),
        ("RAPORTO_PSEUDONYM_KEY", b64(b"\x01\x02" * 16), "not random"),
        ("RAPORTO_PSEUDONYM_KEY", b64(b"k" * 8), "fewer than 32 bytes"),
        ("RAPORTO_ENCRYPTION_KEYS", b64(bytes(32)), "key 1 is not random"),
        ("RAPORTO_ENTITY_KEYS", b64(bytes(range(32))), "key 1 is not random"),
    ],
)
def test_production_refuses_a_trivial_secret_and_names_it(
    tmp_path: Path, name: str, value: str, reason: str
) -> None:
    message = refusal(production_env(tmp_path, **{name: value}))
    assert name in message and reason in message
    assert value not in message or len(value) < 4  # the secret itself is never echoed


def test_an_old_weak_encryption_key_behind_a_good_one_is_refused_too(tmp_path: Path) -> None:
    keys = f"{Fernet.generate_key().decode()},{b64(bytes(32))}"
    assert "key 2 is not random" in refusal(production_env(tmp_path, RAPORTO_ENCRYPTION_KEYS=keys))


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    message = refusal(
        production_env(tmp_path, SECRET_KEY="x", HOTLINE_HMAC_SECRET="y", TWILIO_API_URL="http://x")
    )
    assert "SECRET_KEY" in message and "HOTLINE_HMAC_SECRET" in message
    assert "TWILIO_API_URL" in message


@pytest.mark.parametrize("name", ["TELEGRAM_API_URL", "TWILIO_API_URL"])
def test_production_refuses_provider_api_overrides_unless_allowed(
    tmp_path: Path, name: str
) -> None:
    env = production_env(tmp_path, **{name: "https://relay.example.net"})
    message = refusal(env)
    assert name in message and "RAPORTO_ALLOW_API_OVERRIDE=1" in message
    env["RAPORTO_ALLOW_API_OVERRIDE"] = "0"
    refusal(env)
    env["RAPORTO_ALLOW_API_OVERRIDE"] = "1"
    settings = load(env)
    assert (settings.telegram_api_url or settings.twilio_api_url) == "https://relay.example.net"


def test_development_keeps_its_generated_secrets_and_the_sandbox_urls(tmp_path: Path) -> None:
    settings = load(
        {
            "RAPORTO_INSTANCE_PATH": str(tmp_path / "instance"),
            "TWILIO_API_URL": "http://127.0.0.1:8001",
            "SECRET_KEY": "dev",
        }
    )
    assert settings.twilio_api_url == "http://127.0.0.1:8001" and settings.secret_key == "dev"


def test_the_command_line_refuses_a_weak_production_start_clearly(tmp_path: Path) -> None:
    env = production_env(tmp_path, RAPORTO_PSEUDONYM_KEY=b64(bytes(32)))
    result = CliRunner().invoke(main, ["purge"], env=env)
    assert result.exit_code != 0
    assert "refuses to start in production" in result.output
    assert "RAPORTO_PSEUDONYM_KEY" in result.output


def test_random_secrets_are_never_called_weak() -> None:
    # Seeded, so the run is the same every time; the thresholds' false-refusal odds are < 1e-6.
    rng = random.Random(20260412)
    alphabet_hex = "0123456789abcdef"
    alphabet_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(2000):
        assert weak_key(rng.randbytes(32)) is None
        assert weak_text("".join(rng.choice(alphabet_hex) for _ in range(32)), 16) is None
        assert weak_text("".join(rng.choice(alphabet_b64) for _ in range(43)), 32) is None
        assert weak_text("".join(rng.choice(alphabet_b64) for _ in range(16)), 16) is None
    assert weak_key(base64.urlsafe_b64decode(Fernet.generate_key())) is None
