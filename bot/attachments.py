"""A tip's files: photos, voice notes and recordings, stored encrypted or fetched later.

Like the rest of intake, everything here runs inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.context import IntakeContext
from models.tables import Attachment, Tip


def add_attachment(
    session: Session,
    ctx: IntakeContext,
    tip: Tip,
    *,
    kind: str,
    content_type: str,
    data: bytes,
) -> Attachment | None:
    """Encrypt and attach bytes to a tip; refuse (return None) above the size cap."""
    # One cap for every download and upload, held with the provider clients that fetch them.
    if len(data) > ctx.alerts.senders.max_attachment_bytes:
        return None
    attachment = Attachment(
        tip_id=tip.id,
        kind=kind,
        content_type=content_type,
        size=len(data),
        data_enc=ctx.vault.encrypt(data),
        created_at=ctx.clock(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def pending_attachment(
    session: Session,
    ctx: IntakeContext,
    tip: Tip,
    *,
    kind: str,
    content_type: str,
    source: dict[str, Any],
) -> Attachment:
    """Attach a file still at the provider; a job fetches it (the reference is encrypted)."""
    attachment = Attachment(
        tip_id=tip.id,
        kind=kind,
        content_type=content_type,
        size=0,
        status="pending",
        source_enc=ctx.vault.encrypt_json(source),
        created_at=ctx.clock(),
    )
    session.add(attachment)
    session.flush()
    return attachment
