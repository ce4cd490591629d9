"""The reporter wrote on WhatsApp: release the officials' messages held outside the 24-hour window.

The rule itself is `alerts/whatsapp_window.py:window_open`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.queue import Job
from bot.context import IntakeContext
from models.db import after_commit
from models.tables import OutboundMessage


def release_held(session: Session, ctx: IntakeContext, reporter_id: int) -> list[int]:
    """The reporter wrote: send their held WhatsApp messages now (enqueued after the commit)."""
    rows = session.execute(
        select(OutboundMessage)
        .where(
            OutboundMessage.reporter_id == reporter_id,
            OutboundMessage.channel == "whatsapp",
            OutboundMessage.status == "pending",
        )
        .with_for_update()
    ).scalars()
    ids: list[int] = []
    for row in rows:
        row.next_attempt_at = ctx.clock()
        ids.append(row.id)
    if ids:

        def enqueue() -> None:
            for outbound_id in ids:
                ctx.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="high")

        after_commit(session, enqueue)
    return ids
