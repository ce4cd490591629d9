"""Telegram's limits kept across every worker: about 1 message per second per chat, 30 overall.

With Redis the windows are shared by all processes; without it (the embedded default, one
process) a local lock does the same job.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from typing import Any

PER_CHAT_SECONDS = 1.0
OVERALL_PER_SECOND = 30


class LocalLimiter:
    """In-process limiter for the embedded default."""

    def __init__(self, per_chat_seconds: float = PER_CHAT_SECONDS) -> None:
        self._per_chat = per_chat_seconds
        self._lock = threading.Lock()
        self._next_for_chat: dict[str, float] = defaultdict(float)
        self._window: list[float] = []

    def acquire(self, chat: str) -> None:
        """Block until a message to this chat may be sent."""
        while True:
            with self._lock:
                now = time.monotonic()
                self._window = [t for t in self._window if now - t < 1.0]
                wait = max(
                    self._next_for_chat[chat] - now,
                    (self._window[0] + 1.0 - now)
                    if len(self._window) >= OVERALL_PER_SECOND
                    else 0.0,
                )
                if wait <= 0:
                    self._next_for_chat[chat] = now + self._per_chat
                    self._window.append(now)
                    return
            time.sleep(min(wait, 1.0))


class RedisLimiter:
    """Limiter shared through Redis by every worker process."""

    def __init__(self, connection: Any, per_chat_seconds: float = PER_CHAT_SECONDS) -> None:
        self._redis = connection
        self._per_chat_ms = int(per_chat_seconds * 1000)

    def acquire(self, chat: str) -> None:
        """Block until a message to this chat may be sent (keys hold hashes, never chat ids)."""
        key = "raporto:rl:chat:" + hashlib.sha256(chat.encode()).hexdigest()[:24]
        while self._per_chat_ms and not self._redis.set(key, 1, nx=True, px=self._per_chat_ms):
            time.sleep(max(self._redis.pttl(key), 10) / 1000)
        while True:
            second = int(time.time())
            overall = f"raporto:rl:all:{second}"
            count = self._redis.incr(overall)
            if count == 1:
                self._redis.expire(overall, 2)
            if count <= OVERALL_PER_SECOND:
                return
            time.sleep(max(0.0, second + 1 - time.time()))
