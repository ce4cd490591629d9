"""The periodic tick: re-drive lost work, submit idle drafts, escalate, send daily summaries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from alerts import review_summary
from alerts.escalation import tick
from alerts.redrive import redrive_deliveries
from bot.context import IntakeContext
from bot.intake import submit
from bot.telegram_burst import send_quiet_reports
from models import store
from models.tables import Attachment, Conversation, Tip

STUCK_ATTACHMENT = timedelta(seconds=30)


def sweep_once(ctx: IntakeContext) -> dict[str, int]:
    """Enqueue due replies and stuck fetches, submit idle drafts; return the counts."""
    now = ctx.clock()
    idle_since = now - timedelta(minutes=ctx.limits.conversation_idle_minutes)
    with ctx.db.transaction() as session:
        outbound = store.due_outbound(session, now)
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
        ctx.queue.enqueue("raporto.jobs.send_outbound", outbound_id, queue="high")
    counts = {
        "outbound": len(outbound) - len(thanks),
        "attachments": len(attachments),
        "drafts": len(drafts),
        "burst_replies": len(thanks),
    }
    if ctx.alerts is not None:
        counts["deliveries"] = redrive_deliveries(ctx.alerts, now)
        counts.update(tick(ctx.alerts))
        counts["review_summary"] = review_summary.send_if_due(ctx.alerts, ctx.alerts.clock())
    for attachment_id in attachments:
        ctx.queue.enqueue("raporto.jobs.fetch_attachment", attachment_id)
    return counts
