"""One report from many messages: a reporter's messages join the report they opened.

The rule per channel (docs/ARCHITECTURE.md has the table):

- Telegram: the first message opens a report that is not yet sent (`submitted` false) and holds
  it open until `burst_until` (the quiet period after the latest message). Each message joins it
  and moves `burst_until` on. The report goes to the officials when the quiet period passes (the
  sweeper), when the person presses Send, or at once when what was written so far is critical or
  urgent; messages that arrive while it is still open then join the sent report and re-score it
  (a raised band re-alerts).
- SMS: the first part is a report at once (a reply costs the reporter nothing and splits of a
  long SMS arrive seconds apart); parts within RAPORTO_SMS_BURST_SECONDS of the latest join it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.context import IntakeContext
from bot.intake import add_text
from models.tables import Tip

# Channels whose first message is a report at once; the others wait for the quiet period.
SUBMIT_AT_ONCE = frozenset({"sms"})


def quiet_period(ctx: IntakeContext, channel: str) -> timedelta:
    """How long a report stays open after its latest message on this channel."""
    if channel == "sms":
        return timedelta(seconds=ctx.limits.sms_burst_seconds)
    return timedelta(seconds=ctx.limits.burst_quiet_seconds)


def open_report(session: Session, ctx: IntakeContext, reporter_id: int, channel: str) -> Tip | None:
    """Return (locked) the reporter's report on this channel that is still open for messages."""
    return session.execute(
        select(Tip)
        .where(
            Tip.reporter_id == reporter_id,
            Tip.channel == channel,
            Tip.burst_until > ctx.clock(),
            Tip.purged_at.is_(None),
        )
        .order_by(Tip.id.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()


def hold(ctx: IntakeContext, tip: Tip) -> None:
    """Keep the report open for the channel's quiet period from now."""
    tip.burst_until = ctx.clock() + quiet_period(ctx, tip.channel)


def join(session: Session, ctx: IntakeContext, tip: Tip, text: str) -> None:
    """Add a message to an open report (re-scored if already sent) and keep it open."""
    if text.strip():
        add_text(session, ctx, tip, text)
    hold(ctx, tip)


def quiet_reports(session: Session, ctx: IntakeContext, limit: int = 200) -> list[Tip]:
    """Lock the unsent reports whose quiet period has passed (skipping any being written to)."""
    return list(
        session.execute(
            select(Tip)
            .where(
                Tip.submitted.is_(False),
                Tip.burst_until <= ctx.clock(),
                Tip.purged_at.is_(None),
            )
            .order_by(Tip.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
