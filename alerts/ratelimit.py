"""Telegram's limits kept across every worker: about 1 message per second per chat, 30 overall.

Both limits are a GCRA token bucket (a "theoretical arrival time" per key): sustained rates are
held while short bursts pass at once, so a fan-out of six alerts is not spread over a second.
With Redis the state is shared by all processes (one atomic script per send); without it (the
embedded default, one process) a local lock does the same job. Keys hold hashes, never chat ids.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

PER_CHAT_SECONDS = 1.0
OVERALL_PER_SECOND = 30
# With `allow_paid_broadcast` (Bot API 7.11) Telegram lets a bot send up to 1000 messages per
# second, paying 0.1 Telegram Stars per message above the free 30; the per-chat limit stays.
PAID_OVERALL_PER_SECOND = 1000
# Bursts let through at once: three messages to one chat, one second's worth overall.
CHAT_BURST = 3


class Throttled(Exception):
    """A chat's queue is longer than a caller may wait: try again after `wait` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"throttled for {wait:.1f} s")
        self.wait = wait


_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return wait end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', 60000)
return 0
"""


def _gcra(tat: float, now: float, interval: float, tolerance: float) -> tuple[float, float]:
    """Return (wait, new theoretical arrival time) for one message."""
    tat = max(tat, now)
    wait = tat - tolerance - now
    return (wait, tat) if wait > 0 else (0.0, tat + interval)


class LocalLimiter:
    """In-process limiter for the embedded default."""

    def __init__(
        self, per_chat_seconds: float = PER_CHAT_SECONDS, overall: int = OVERALL_PER_SECOND
    ) -> None:
        self._per_chat = per_chat_seconds
        self._overall = overall
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}

    def _take(self, key: str, interval: float, burst: int) -> float:
        with self._lock:
            now = time.monotonic()
            wait, tat = _gcra(self._tat.get(key, now), now, interval, interval * (burst - 1))
            if wait <= 0:
                self._tat[key] = tat
            return wait

    def acquire(self, chat: str, max_wait: float | None = None) -> None:
        """Block until a message to this chat may be sent; raise Throttled past `max_wait`."""
        _acquire(self._take, "chat:" + chat, "all", self._per_chat, self._overall, max_wait)


class RedisLimiter:
    """Limiter shared through Redis by every worker process."""

    def __init__(
        self,
        connection: Any,
        per_chat_seconds: float = PER_CHAT_SECONDS,
        overall: int = OVERALL_PER_SECOND,
    ) -> None:
        self._redis = connection
        self._per_chat = per_chat_seconds
        self._overall = overall
        self._script = connection.register_script(_GCRA)

    def _take(self, key: str, interval: float, burst: int) -> float:
        now_us = int(time.time() * 1_000_000)
        interval_us = int(interval * 1_000_000)
        wait_us = self._script(keys=[key], args=[now_us, interval_us, interval_us * (burst - 1)])
        return int(wait_us) / 1_000_000

    def acquire(self, chat: str, max_wait: float | None = None) -> None:
        """Block until a message to this chat may be sent; raise Throttled past `max_wait`."""
        chat_key = "raporto:rl:chat:" + hashlib.sha256(chat.encode()).hexdigest()[:24]
        _acquire(self._take, chat_key, "raporto:rl:all", self._per_chat, self._overall, max_wait)


def _acquire(
    take: Callable[[str, float, int], float],
    chat_key: str,
    all_key: str,
    per_chat: float,
    overall: int,
    max_wait: float | None,
) -> None:
    # A taken token is never given back, so the chat's wait is checked before sleeping: a
    # caller holding a lease gives up (Throttled) rather than outlive it in a long queue.
    for key, interval, burst in (
        (chat_key, per_chat, CHAT_BURST),
        (all_key, 1.0 / overall, overall),
    ):
        if interval <= 0:
            continue
        waited = 0.0
        while (wait := take(key, interval, burst)) > 0:
            if key == chat_key and max_wait is not None and waited + wait > max_wait:
                raise Throttled(wait)
            time.sleep(wait)
            waited += wait
