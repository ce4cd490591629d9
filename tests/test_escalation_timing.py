"""Escalation with an accelerated clock: each step within 30 s of its deadline, none after cover.

The sweeper ticks every TICK within a minute of each deadline and acknowledgement; between them
a correct sweeper has nothing to do, so it ticks every QUIET_EVERY ticks there and each of those
ticks must do nothing. (Ticking every 10 s through the 13 hours took 4,680 ticks and half a
minute on PostgreSQL; the ticks that can act are the same ones.)
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from alerts.acks import acknowledge
from alerts.demo import seed_demo_roster
from alerts.escalation import ladder, tick
from alerts.fanout import fan_out
from models import store
from models.base import utcnow
from models.deliveries import Delivery
from models.roster import Agency, Official
from models.tables import Tip
from raporto.runtime import Runtime

TICK = timedelta(seconds=10)  # twice the sweeper's real interval (5 s)
NEAR = timedelta(minutes=1)  # around an event, every tick is taken
QUIET_EVERY = 30  # elsewhere, one tick in 30 (every 5 minutes)
IDLE = {"escalated": 0, "reminded": 0, "digested": 0}


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def ticks(start: datetime, horizon: datetime, events: Iterable[datetime]) -> Iterator[datetime]:
    """The ticks on the TICK grid up to the horizon: all near an event, a sample elsewhere."""
    events = list(events)
    step = 0
    while (now := start + (step + 1) * TICK) <= horizon:
        step += 1
        if step % QUIET_EVERY == 0 or near(now, events):
            yield now


def near(moment: datetime, events: Iterable[datetime]) -> bool:
    """Whether a moment is within NEAR of one of the events."""
    return any(abs(moment - event) <= NEAR for event in events)


def test_escalations_fire_on_time_and_never_after_an_acknowledgement(any_runtime: Runtime) -> None:
    runtime, actx = any_runtime, any_runtime.alerts
    start = utcnow().replace(microsecond=0)
    clock = Clock(start)
    actx.clock = clock
    rng = random.Random(7)
    plan: dict[int, datetime | None] = {}  # tip id → when it gets covered (None: never)
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, start - timedelta(days=1))
        for index in range(24):
            band = ("critical", "high", "medium")[index % 3]
            tip = store.create_tip(
                s,
                runtime.vault,
                channel="sms",
                text=f"tip {index}",
                language="sq",
                reporter_id=None,
                now=start,
            )
            tip.band, tip.triage_status = band, "done"
            tip.triage_enc = runtime.vault.encrypt_json({"routes": [], "indicators": []})
            assert fan_out(s, actx, tip) == 6
            plan[tip.id] = rng.choice([None, start + timedelta(minutes=rng.randint(1, 400))])
    covered_at: dict[int, datetime] = {}
    horizon = start + timedelta(hours=13)
    deadlines = {
        start + timedelta(minutes=step.minutes)
        for band in ("critical", "high", "medium")
        for step in ladder(actx, band)
    }
    acks = {when for when in plan.values() if when is not None}
    quiet = 0
    for now in ticks(start, horizon, deadlines | acks):
        clock.now = now
        due = [
            tip_id
            for tip_id, when in plan.items()
            if when is not None and tip_id not in covered_at and now >= when
        ]
        with runtime.db.transaction() as s:
            for tip_id in due:
                covered = s.get(Tip, tip_id)
                assert covered is not None
                official = (
                    s.execute(select(Official).join(Agency).where(Agency.kind == "police"))
                    .scalars()
                    .first()
                )
                assert official is not None
                acknowledge(s, actx, covered, official, via="console")
                assert covered.covered_at is not None
                covered_at[tip_id] = now
        counts = tick(actx)
        if not near(now, deadlines):
            assert counts == IDLE, (now - start, counts)  # nothing is due between deadlines
            quiet += 1
    assert clock.now >= horizon and quiet > 100
    with runtime.db.transaction() as s:
        tips = {t.id: t for t in s.execute(select(Tip)).scalars()}
        escalations = s.execute(select(Delivery).where(Delivery.purpose == "escalation")).scalars()
        by_tip: dict[int, set[int]] = {}
        for d in escalations:
            assert d.tip_id is not None
            tip = tips[d.tip_id]
            steps = ladder(actx, tip.band or "high")
            deadline = tip.received_at + timedelta(minutes=steps[d.round - 1].minutes)
            lag = d.created_at - deadline
            assert timedelta(0) <= lag <= timedelta(seconds=30), (tip.band, d.round, lag)
            if d.tip_id in covered_at:
                assert d.created_at < covered_at[d.tip_id]  # none after the acknowledgement
            by_tip.setdefault(d.tip_id, set()).add(d.round)
    for tip_id, tip in tips.items():
        steps = ladder(actx, tip.band or "high")
        due = [
            i + 1
            for i, step in enumerate(steps)
            if start + timedelta(minutes=step.minutes)
            <= min(covered_at.get(tip_id, horizon), horizon) - timedelta(seconds=30)
        ]
        assert set(due) <= by_tip.get(tip_id, set()), (tip.band, due)  # none missed
    never = [t for t, when in plan.items() if when is None]
    assert never and all(by_tip.get(t) for t in never)  # the silent ones were escalated
