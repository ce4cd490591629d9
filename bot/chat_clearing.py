"""Clear this chat: delete the bot's and the person's Telegram messages where Telegram allows.

Telegram lets a bot delete messages in a private chat for 48 hours; older ones stay and the
person is told so. Only message numbers are kept for this, never their text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import InboundMessage, OutboundMessage
from models.untrusted import is_ascii_digits

WINDOW = timedelta(hours=48)


def deletable_messages(session: Session, reporter_id: int, now: datetime) -> list[int]:
    """Return the ids of the chat's messages, both sides, still deletable (newest first)."""
    since = now - WINDOW
    mine = session.execute(
        select(InboundMessage.chat_message_id).where(
            InboundMessage.channel == "telegram",
            InboundMessage.reporter_id == reporter_id,
            InboundMessage.received_at >= since,
            InboundMessage.chat_message_id.is_not(None),
        )
    )
    theirs = session.execute(
        select(OutboundMessage.provider_message_id).where(
            OutboundMessage.channel == "telegram",
            OutboundMessage.reporter_id == reporter_id,
            OutboundMessage.status == "sent",
            OutboundMessage.sent_at >= since,
            OutboundMessage.provider_message_id.is_not(None),
        )
    )
    ids = {int(i) for (i,) in mine if i is not None}
    ids |= {int(i) for (i,) in theirs if i is not None and is_ascii_digits(i)}
    return sorted(ids, reverse=True)
