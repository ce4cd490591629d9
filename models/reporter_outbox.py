"""The reporters' outbox: a message is queued in the transaction, sent after the commit.

A row is found when its next attempt is due and leased to one sender at a time; sending and
recording the result is alerts/reporter_replies.py's, through the outbox engine (alerts/outbox.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.crypto import Vault
from models.tables import OutboundMessage


def queue_outbound(
    session: Session,
    vault: Vault,
    *,
    channel: str,
    reporter_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> OutboundMessage:
    """Write a message to a reporter into the outbox; it is sent after the commit."""
    row = OutboundMessage(
        channel=channel,
        reporter_id=reporter_id,
        payload_enc=vault.encrypt_json(payload),
        status="pending",
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row


def due_outbound(
    session: Session,
    now: datetime,
    limit: int = 100,
    *,
    only: str | None = None,
    but: str | None = None,
) -> list[int]:
    """Return ids of outbox rows whose next attempt is due (of channel `only`, or all but `but`)."""
    stmt = (
        select(OutboundMessage.id)
        .where(OutboundMessage.status == "pending", OutboundMessage.next_attempt_at <= now)
        .order_by(OutboundMessage.id)
        .limit(limit)
    )
    if only is not None:
        stmt = stmt.where(OutboundMessage.channel == only)
    if but is not None:
        stmt = stmt.where(OutboundMessage.channel != but)
    return list(session.execute(stmt).scalars())


def claim_outbound(
    session: Session, outbound_id: int, lease: timedelta, *, now: datetime
) -> OutboundMessage | None:
    """Lease a pending outbox row to one sender so two workers never send it together."""
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == outbound_id,
            OutboundMessage.status == "pending",
            OutboundMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + lease, attempts=OutboundMessage.attempts + 1)
        .returning(OutboundMessage.id)
    )
    if result.scalar_one_or_none() is None:
        return None
    return session.get(OutboundMessage, outbound_id)
