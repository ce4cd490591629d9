"""No tip lost, no official missed: workers SIGKILLed mid-fan-out, Redis restarted empty.

Real PostgreSQL, real Redis, real `raporto worker` processes, the sandbox over HTTP.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.demo import DEMO_CHAT_BASE, seed_demo_roster
from alerts.queue import RQQueue
from models.base import utcnow
from models.deliveries import Delivery
from models.reference import find_reference
from models.tables import Tip
from tests.chaos import PrivateRedis, WorkerPool
from tests.conftest import env_for
from tests.e2e import Stack, running_stack
from tests.helpers import free_port, wait_until

# The chaos tests run one after another on one xdist worker (scripts/test: --dist loadgroup):
# each starts several processes, and two at once would starve each other of the two cores.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.xdist_group("chaos"),
]
MEMBERS = {str(DEMO_CHAT_BASE + i) for i in range(1, 7)}
# Each official receives every tip, one message per PER_CHAT seconds at most (Telegram's pace,
# quickened here: this test is about loss). Deadlines allow eight times the paced minimum, plus
# two minutes for the twenty replacement workers to start on a loaded machine.
PER_CHAT = 0.25


def paced_deadline(tips: int) -> float:
    return 120 + 8 * tips * PER_CHAT


@pytest.fixture
def chaos(tmp_path: Path, pg_url: str) -> Iterator[tuple[Stack, dict[str, str]]]:
    private = PrivateRedis(free_port()).start()
    try:
        # 100 tips in a minute would trip flood control (digests); this test is about loss.
        with running_stack(
            tmp_path,
            pg_url,
            queue=RQQueue(private.url),
            start_jobs=False,
            REDIS_URL=private.url,
            RAPORTO_FLOOD_OVERALL_PER_HOUR="100000",
            RAPORTO_TELEGRAM_PER_CHAT_INTERVAL=str(PER_CHAT),
        ) as stack:
            with stack.runtime.db.transaction() as s:
                seed_demo_roster(s, stack.runtime.vault, stack.runtime.pseudonym, utcnow())
            stack.sandbox.configure(latency=0.02)  # each Telegram call takes a while
            env = env_for(
                tmp_path,
                pg_url,
                REDIS_URL=private.url,
                RAPORTO_FLOOD_OVERALL_PER_HOUR="100000",
                RAPORTO_TELEGRAM_PER_CHAT_INTERVAL=str(PER_CHAT),
                PUBLIC_BASE_URL=stack.app_url,
                TELEGRAM_API_URL=stack.sandbox.url,
                TWILIO_API_URL=stack.sandbox.url,
            )
            stack.private_redis = private  # type: ignore[attr-defined]
            yield stack, env
    finally:
        private.stop()


def sent_alerts(stack: Stack) -> Counter[tuple[str, str]]:
    """(tip reference, official chat) → how many alert messages arrived."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in stack.sent("telegram", method="sendMessage"):
        reference = find_reference(m.text)
        if m.recipient in MEMBERS and reference:
            counts[(reference, m.recipient)] += 1
    return counts


def references(stack: Stack) -> set[str]:
    with stack.runtime.db.transaction() as s:
        return set(s.execute(select(Tip.reference)).scalars())


def send_tip(stack: Stack, index: int) -> None:
    result = stack.control(
        "/sandbox/twilio/sms",
        **{
            "from": f"+35569{index:07d}",
            "body": f"Vajza {index} punon natën në një lokal në Vlorë, i kanë marrë pasaportën",
        },
    )
    assert result["status"] == 200, result


def all_delivered(stack: Stack, tips: int) -> bool:
    counts = sent_alerts(stack)
    return len({pair for pair in counts}) == tips * 6


def test_killing_workers_mid_fan_out_loses_nothing(
    chaos: tuple[Stack, dict[str, str]], tmp_path: Path
) -> None:
    stack, env = chaos
    pool = WorkerPool(env, size=2, log_dir=tmp_path).start()
    rng = random.Random(11)
    try:
        for index in range(100):
            send_tip(stack, index)
            if index % 5 == 4 and pool.kills < 20:
                time.sleep(rng.uniform(0.05, 0.3))  # land the kill somewhere in a fan-out
                pool.kill_one(rng)
            pool.supervise()
        wait_until(
            lambda: (pool.supervise(), all_delivered(stack, 100))[1],
            timeout=paced_deadline(100),
            interval=0.5,
        )
    finally:
        pool.stop()
    assert pool.kills == 20
    counts = sent_alerts(stack)
    refs = references(stack)
    assert len(refs) == 100  # zero tips lost
    assert {ref for ref, _ in counts} == refs
    assert all(len({chat for r, chat in counts if r == ref}) == 6 for ref in refs)  # nobody missed
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= pool.kills  # at most one per kill (the send in flight)


def test_restarting_redis_empty_loses_nothing(
    chaos: tuple[Stack, dict[str, str]], tmp_path: Path
) -> None:
    stack, env = chaos
    private: PrivateRedis = stack.private_redis  # type: ignore[attr-defined]
    pool = WorkerPool(env, size=2, log_dir=tmp_path).start()
    try:
        for index in range(15):
            send_tip(stack, index)
        private.stop()  # every queued job is gone; webhooks still answer after their commit
        for index in range(15, 30):
            send_tip(stack, index)
            pool.supervise()
        private.start()
        wait_until(
            lambda: (pool.supervise(), all_delivered(stack, 30))[1],
            timeout=paced_deadline(30) + 30,
            interval=0.5,
        )
    finally:
        pool.stop()
    assert len(references(stack)) == 30
    with stack.runtime.db.transaction() as s:
        pending = s.execute(
            select(Delivery).where(Delivery.status == "pending", Delivery.purpose == "alert")
        ).all()
    assert pending == []
