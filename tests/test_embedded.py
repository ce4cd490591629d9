"""`raporto serve`'s public URL: PUBLIC_BASE_URL when set, else the address it listens on."""

from __future__ import annotations

from pathlib import Path

import pytest

from raporto.embedded import embedded_public_url
from raporto.settings import load
from tests.conftest import env_for


def without_public_url(tmp_path: Path, sqlite_url: str, **extra: str) -> dict[str, str]:
    """Return a sandbox environment where nobody set PUBLIC_BASE_URL (unless `extra` does)."""
    env = env_for(tmp_path, sqlite_url, RAPORTO_SANDBOX="1")
    del env["PUBLIC_BASE_URL"]
    return {**env, **extra}


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 18800, "http://127.0.0.1:18800"),
        ("localhost", 8000, "http://localhost:8000"),
        ("192.168.1.20", 9000, "http://192.168.1.20:9000"),
        ("0.0.0.0", 18800, "http://127.0.0.1:18800"),  # noqa: S104 - listening everywhere
        ("::", 18800, "http://127.0.0.1:18800"),
        ("", 18800, "http://127.0.0.1:18800"),
        ("::1", 18800, "http://[::1]:18800"),
    ],
)
def test_without_public_base_url_the_url_follows_host_and_port(
    tmp_path: Path, sqlite_url: str, host: str, port: int, expected: str
) -> None:
    env = without_public_url(tmp_path, sqlite_url)
    settings = load(env)
    assert settings.public_base_url == "http://127.0.0.1:8000"  # what Settings alone can know
    assert not settings.public_base_url_given
    assert embedded_public_url(settings, host, port) == expected


def test_an_explicit_public_base_url_wins_over_the_port(tmp_path: Path, sqlite_url: str) -> None:
    env = without_public_url(tmp_path, sqlite_url, PUBLIC_BASE_URL="https://tunnel.example.org/")
    settings = load(env)
    assert embedded_public_url(settings, "127.0.0.1", 18800) == "https://tunnel.example.org"
    # Even when it names the default port: set explicitly, it is what the provider calls.
    env["PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"
    assert embedded_public_url(load(env), "127.0.0.1", 18800) == "http://127.0.0.1:8000"


def test_an_empty_public_base_url_counts_as_unset(tmp_path: Path, sqlite_url: str) -> None:
    env = without_public_url(tmp_path, sqlite_url, PUBLIC_BASE_URL="  ")
    assert embedded_public_url(load(env), "127.0.0.1", 18800) == "http://127.0.0.1:18800"


def test_the_process_environment_is_read_when_none_is_given(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = without_public_url(tmp_path, sqlite_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert embedded_public_url(load(), "127.0.0.1", 18800) == "http://127.0.0.1:18800"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://tips.example.org")
    assert embedded_public_url(load(), "127.0.0.1", 18800) == "https://tips.example.org"
