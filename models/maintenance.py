"""Retention and key rotation: content goes after its period, counts stay; old keys retire."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, select, update
from sqlalchemy.orm import Session

from models.accounts import TipReview
from models.crypto import Vault
from models.tables import Attachment, Conversation, OutboundMessage, ReplyHandle, Tip

ENCRYPTED = (
    (Tip, ("text_enc", "triage_enc")),
    (Attachment, ("data_enc", "source_enc")),
    (ReplyHandle, ("handle_enc",)),
    (Conversation, ("state_enc",)),
    (OutboundMessage, ("payload_enc",)),
    (TipReview, ("reason_enc",)),
)


def _count(session: Session, statement: Executable) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def purge(
    session: Session, *, now: datetime, content_days: int, handle_days: int
) -> dict[str, int]:
    """Delete tip content older than content_days and reply handles older than handle_days.

    The tip rows stay with their aggregate fields (channel, band, month, qark...), so ONAC's
    statistics do not change; the text, the triage quotes and the attachments are gone.
    """
    content_cutoff = now - timedelta(days=content_days)
    old_tips = select(Tip.id).where(Tip.received_at < content_cutoff, Tip.purged_at.is_(None))
    attachments = _count(session, delete(Attachment).where(Attachment.tip_id.in_(old_tips)))
    # An official's review reason may quote the tip: it goes with the text; the decision stays.
    session.execute(
        update(TipReview)
        .where(TipReview.tip_id.in_(old_tips))
        .values(reason_enc=None)
        .execution_options(synchronize_session=False)
    )
    tips = _count(
        session,
        update(Tip)
        .where(Tip.received_at < content_cutoff, Tip.purged_at.is_(None))
        .values(text_enc=None, triage_enc=None, dedupe_key=None, purged_at=now)
        .execution_options(synchronize_session=False),
    )
    handles = _count(
        session,
        delete(ReplyHandle).where(
            (ReplyHandle.created_at < now - timedelta(days=handle_days))
            | (ReplyHandle.expires_at < now)
        ),
    )
    conversations = _count(
        session, delete(Conversation).where(Conversation.updated_at < content_cutoff)
    )
    outbound = _count(
        session,
        update(OutboundMessage)
        .where(OutboundMessage.created_at < now - timedelta(days=handle_days))
        .values(payload_enc=None)
        .execution_options(synchronize_session=False),
    )
    return {
        "tips": tips,
        "attachments": attachments,
        "reply_handles": handles,
        "conversations": conversations,
        "outbound": outbound,
    }


def rotate_keys(session: Session, vault: Vault) -> int:
    """Re-encrypt every encrypted value under the newest key; return how many were rewritten."""
    count = 0
    for model, columns in ENCRYPTED:
        for row in session.execute(select(model)).scalars():
            for column in columns:
                token = getattr(row, column)
                if token:
                    setattr(row, column, vault.rotate(token))
                    count += 1
        session.flush()
    return count
