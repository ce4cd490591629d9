"""The periodic tick: replay the spool, re-drive lost work, submit idle drafts, escalate, summarise.

It also drives the deletions of reporters' records at Twilio (alerts/twilio_erasure.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select

from alerts import review_summary
from alerts.escalation import tick
from alerts.queue import Job
from alerts.redrive import redrive_deliveries
from alerts.twilio_erasure import ERASE_CHANNEL
from bot.context import IntakeContext
from bot.intake import submit
from bot.spool_replay import replay
from bot.telegram_burst import send_quiet_reports
from models import reporter_outbox
from models.tables import Attachment, Conversation, Tip

log = logging.getLogger(__name__)

STUCK_ATTACHMENT = timedelta(seconds=30)
ERASURES_PER_TICK = 20


def sweep_once(ctx: IntakeContext) -> dict[str, int]:
    """Replay the spool, enqueue due replies and stuck fetches, submit drafts; return counts."""
    # Events kept while the database was down go in first, in arrival order.
    replayed = replay(ctx, ctx.spool)["replayed"] if ctx.spool is not None else 0
    now = ctx.clock()
    idle_since = now - timedelta(minutes=ctx.limits.conversation_idle_minutes)
    with ctx.db.transaction() as session:
        outbound = reporter_outbox.due_outbound(session, now, but=ERASE_CHANNEL)
        # Deletions at Twilio can wait: a few per tick, on the last queue, so that after a
        # burst of SMS they never crowd out alerts and replies (each tick re-enqueues what
        # is still due until a job claims it).
        erasures = reporter_outbox.due_outbound(session, now, ERASURES_PER_TICK, only=ERASE_CHANNEL)
        attachments = list(
            session.execute(
                select(Attachment.id).where(
                    Attachment.status == "pending", Attachment.created_at <= now - STUCK_ATTACHMENT
                )
            ).scalars()
        )
        drafts = list(
            session.execute(
                select(Tip)
                .join(Conversation, Conversation.tip_id == Tip.id)
                .where(Tip.submitted.is_(False), Conversation.updated_at <= idle_since)
            ).scalars()
        )
        for tip in drafts:
            # Nothing typed is lost: an abandoned draft is sent as it is.
            submit(session, ctx, tip)
        # Reports written in several messages go out once their writer has been quiet.
        thanks = send_quiet_reports(session, ctx)
        outbound = [*outbound, *thanks]
    for outbound_id in outbound:
        ctx.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="high")
    for outbound_id in erasures:
        ctx.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="low")
    counts = {
        "outbound": len(outbound) - len(thanks),
        "erasures": len(erasures),
        "attachments": len(attachments),
        "drafts": len(drafts),
        "burst_replies": len(thanks),
        "spool": replayed,
    }
    counts["deliveries"] = redrive_deliveries(ctx.alerts, now)
    counts.update(tick(ctx.alerts))
    counts["review_summary"] = review_summary.send_if_due(ctx.alerts, ctx.alerts.clock())
    for attachment_id in attachments:
        ctx.queue.enqueue(Job.FETCH_ATTACHMENT, attachment_id)
    return counts


def sweeper_loop(intake: IntakeContext, stop: threading.Event, interval: float) -> None:
    """Call the sweeper every `interval` seconds until stopped (a worker's side thread)."""
    while not stop.wait(interval):
        try:
            sweep_once(intake)
        except Exception as exc:
            # A database that is down, or any one failure: the next tick tries again. The type
            # only: an exception's text can carry query parameters (a reply handle, a number).
            log.error("sweep failed: %s", type(exc).__name__)
