"""Paid broadcasts: above Telegram's free 30 messages per second, when the operator allows it."""

from __future__ import annotations

from pathlib import Path

from alerts.ratelimit import LocalLimiter
from alerts.telegram_sender import TelegramSender
from sandbox import SandboxServer
from tests.conftest import make_runtime

TOKEN = "123456:TEST-token"


def immediate_sends(limiter: LocalLimiter, n: int) -> int:
    # Distinct chats, so only the overall limit can hold a message back.
    interval, burst = 1.0 / limiter._overall, limiter._overall
    return sum(limiter._take("all", interval, burst) <= 0 for _ in range(n))


def test_the_free_limit_holds_the_31st_message_of_a_second() -> None:
    assert immediate_sends(LocalLimiter(0, overall=30), 40) == 30


def test_paid_broadcast_lifts_the_overall_limit_to_1000() -> None:
    assert immediate_sends(LocalLimiter(0, overall=1000), 400) == 400


def test_the_sender_asks_telegram_for_a_paid_broadcast_only_when_configured() -> None:
    with SandboxServer(telegram_token=TOKEN) as server:
        TelegramSender(TOKEN, server.url, paid_broadcast=True).send(900001, "alert")
        TelegramSender(TOKEN, server.url).send(900002, "alert")
        sent = {m.recipient: m.extra["message"] for m in server.state.messages("telegram")}
    assert sent["900001"].get("allow_paid_broadcast") is True
    assert "allow_paid_broadcast" not in sent["900002"]


def test_the_setting_reaches_the_shared_limiter(tmp_path: Path, sqlite_url: str) -> None:
    paid = make_runtime(tmp_path, sqlite_url, RAPORTO_TELEGRAM_PAID_BROADCAST="1")
    free = make_runtime(tmp_path / "free", f"sqlite:///{tmp_path / 'free.sqlite'}")
    assert paid.alerts.senders.limiter()._overall == 1000
    assert free.alerts.senders.limiter()._overall == 30
