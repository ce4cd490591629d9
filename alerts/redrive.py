"""Re-drive deliveries that are due but whose job was lost (Redis restarted, worker killed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from alerts.context import AlertContext
from models.deliveries import Delivery

# A job normally runs within milliseconds of its enqueue; only rows due for longer than this are
# considered lost (or are retries whose backoff has passed) and enqueued again.
GRACE = timedelta(seconds=3)


def redrive_deliveries(actx: AlertContext, now: datetime, limit: int = 500) -> int:
    """Enqueue every pending delivery due for longer than GRACE; return how many."""
    with actx.db.transaction() as session:
        due = session.execute(
            select(Delivery.id, Delivery.queue)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now - GRACE)
            .order_by(Delivery.id)
            .limit(limit)
        ).all()
    for delivery_id, queue in due:
        actx.enqueue_delivery(delivery_id, queue)
    return len(due)
