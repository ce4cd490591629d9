"""Telegram pacing: a caller holding a lease is told to come back rather than outwait it."""

from __future__ import annotations

import uuid

import pytest
import redis

from alerts.ratelimit import CHAT_BURST, LocalLimiter, RedisLimiter, Throttled
from tests.conftest import REDIS_URL


def limiters() -> list[LocalLimiter | RedisLimiter]:
    return [LocalLimiter(per_chat_seconds=5.0), RedisLimiter(redis.Redis.from_url(REDIS_URL), 5.0)]


@pytest.mark.redis
@pytest.mark.parametrize("index", [0, 1], ids=["local", "redis"])
def test_a_burst_passes_then_a_long_queue_throttles_with_the_wait(index: int) -> None:
    limiter = limiters()[index]
    chat = "chat-" + uuid.uuid4().hex  # a fresh key in the shared Redis
    for _ in range(CHAT_BURST):
        limiter.acquire(chat, max_wait=1.0)  # a short burst passes at once
    with pytest.raises(Throttled) as caught:
        limiter.acquire(chat, max_wait=1.0)
    assert 4.0 < caught.value.wait <= 5.0  # the next turn of a 5 s per-chat interval
    with pytest.raises(Throttled):  # nothing was taken by the refused call
        limiter.acquire(chat, max_wait=1.0)
    limiter.acquire("other-" + chat, max_wait=1.0)  # other chats are not held up
