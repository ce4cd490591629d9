"""Helpers for the review-queue tests: tips in a given state, a queue that records, reviews."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alerts import review as reviews
from alerts.fanout import fan_out
from alerts.queue import Job, JobTable
from models import store
from models.base import utcnow
from models.tables import Tip
from raporto.runtime import Runtime


@dataclass
class RecordingQueue:
    """A job queue that only records what was enqueued (ids only), for after-commit checks."""

    jobs: list[tuple[Job, tuple[int, ...], str]] = field(default_factory=list)

    def enqueue(self, job: Job, *ids: int, queue: str = "default") -> bool:
        """Record the job."""
        self.jobs.append((job, ids, queue))
        return True

    def bind(self, table: JobTable) -> None:
        """Nothing runs here: the test reads what was enqueued."""

    def ping(self) -> bool:
        """Always reachable."""
        return True

    def workers(self) -> int:
        """One pretend worker, so /health does not turn red for want of one."""
        return 1


def make_tip(
    runtime: Runtime,
    *,
    band: str | None,
    received_at: datetime | None = None,
    alert_mode: str | None = None,
    text: str = "words of the tip",
    alerted: bool = False,
    **columns: Any,
) -> int:
    """Store a scored, submitted tip with this band (triage said the same); return its id.

    `alerted` runs the normal first fan-out, as intake does for a tip triage alerts at once.
    """
    with runtime.db.transaction() as s:
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text=text,
            language="sq",
            reporter_id=None,
            now=received_at or utcnow(),
        )
        tip.band, tip.triage_band, tip.triage_status = band, band, "done"
        tip.alert_mode = alert_mode
        for name, value in columns.items():
            setattr(tip, name, value)
        s.flush()
        if alerted:
            fan_out(s, runtime.alerts, tip)
        return tip.id


def do_review(
    runtime: Runtime,
    tip_id: int,
    user_id: int,
    decision: str,
    band: str = "",
    reason: str = "I read it",
) -> str:
    """Review a tip in its own transaction, as the console does; return the result."""
    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        return reviews.review(
            s,
            runtime.alerts,
            tip,
            user_id=user_id,
            actor=f"user:{user_id}",
            decision=decision,
            to_band=band,
            reason=reason,
        )
