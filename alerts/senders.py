"""The provider side of the services object: this process's Telegram and Twilio clients, made
on first use, the shared pacing of Telegram sends, and the pool that sends a fan-out at once.

One `Senders` hangs off the one `AlertContext` the composition root builds, so officials' alerts,
replies to reporters and attachment fetches all reach the providers through the same clients.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from alerts.ratelimit import LocalLimiter, RedisLimiter
from alerts.telegram_sender import TelegramSender


@dataclass
class Senders:
    """Provider clients and sending settings; each client is created once, when first needed."""

    make_telegram: Callable[[], TelegramSender]
    make_twilio: Callable[[], Any]
    make_limiter: Callable[[], LocalLimiter | RedisLimiter]
    sms_from: str = "+15005550006"
    max_attachment_bytes: int = 5 * 1024 * 1024
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    _made: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._made:
                self._made[name] = make()
            return self._made[name]

    def telegram(self) -> TelegramSender:
        """Return this process's Telegram sender."""
        sender: TelegramSender = self._once("telegram", self.make_telegram)
        return sender

    def twilio(self) -> Any:
        """Return this process's Twilio client."""
        return self._once("twilio", self.make_twilio)

    def limiter(self) -> LocalLimiter | RedisLimiter:
        """Return the pacing of Telegram sends (shared through Redis when workers are)."""
        limiter: LocalLimiter | RedisLimiter = self._once("limiter", self.make_limiter)
        return limiter

    def pool(self) -> ThreadPoolExecutor:
        """Return the pool that sends a tip's alerts together, not one after another."""
        pool: ThreadPoolExecutor = self._once(
            "pool", lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="deliver")
        )
        return pool
