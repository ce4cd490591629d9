"""Every query intake needs: dedupe, reporters, tips, reply handles, conversations, audit.

The reporters' outbox (messages to them, sent after the commit) is models/reporter_outbox.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import sources
from models.crypto import Vault
from models.db import insert_ignore
from models.reference import new_reference
from models.tables import (
    AuditEntry,
    Conversation,
    InboundMessage,
    ReplyHandle,
    Reporter,
    Tip,
)


def claim_inbound(
    session: Session,
    *,
    channel: str,
    provider_key: str,
    kind: str,
    now: datetime,
    operator: str | None = None,
    country: str | None = None,
) -> InboundMessage | None:
    """Insert the event's dedupe row; return it, or None when the event was seen before."""
    stmt = insert_ignore(
        session,
        InboundMessage,
        {
            "channel": channel,
            "provider_key": provider_key,
            "kind": kind,
            "received_at": now,
            "operator": operator,
            "country": country,
        },
        ["channel", "provider_key"],
    ).returning(InboundMessage.id)
    new_id = session.execute(stmt).scalar_one_or_none()
    if new_id is None:
        return None
    return session.get(InboundMessage, new_id)


def previous_inbound(session: Session, channel: str, provider_key: str) -> InboundMessage | None:
    """Return the stored row of an event seen before."""
    stmt = select(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.provider_key == provider_key
    )
    return session.execute(stmt).scalar_one_or_none()


def reporter_for(session: Session, pseudonym: str, *, now: datetime) -> Reporter:
    """Return the reporter with this pseudonym, creating it atomically if new."""
    session.execute(
        insert_ignore(
            session,
            Reporter,
            {"pseudonym": pseudonym, "first_seen": now, "last_seen": now},
            ["pseudonym"],
        )
    )
    reporter = session.execute(select(Reporter).where(Reporter.pseudonym == pseudonym)).scalar_one()
    reporter.last_seen = now
    return reporter


def create_tip(
    session: Session,
    vault: Vault,
    *,
    channel: str,
    text: str,
    language: str | None,
    reporter_id: int | None,
    now: datetime,
    operator: str | None = None,
    country: str | None = None,
    dedupe_key: str | None = None,
    answers: dict[str, Any] | None = None,
    submitted: bool = True,
) -> Tip:
    """Store a new tip received at `now` with a fresh reference code and its text encrypted."""
    for _ in range(8):
        reference = new_reference()
        nested = session.begin_nested()
        exists = session.execute(select(Tip.id).where(Tip.reference == reference)).first()
        if exists:
            nested.rollback()
            continue
        tip = Tip(
            reference=reference,
            channel=channel,
            received_at=now,
            language=language,
            text_enc=vault.encrypt_text(sources.clean(text)),
            reporter_id=reporter_id,
            operator=operator,
            country=country,
            dedupe_key=dedupe_key,
            answers=dict(answers or {}),
            submitted=submitted,
            forms=[],
        )
        session.add(tip)
        session.flush()
        nested.commit()
        return tip
    raise RuntimeError("could not allocate a unique reference code")


def append_to_tip(
    session: Session,
    vault: Vault,
    tip: Tip,
    text: str,
    source: str | None = None,
    *,
    now: datetime,
) -> None:
    """Add a further part (another SMS of a burst, follow-up information) to a tip's text.

    `source` ("same" or "other") marks a part added with the reference code (models.sources).
    """
    text = sources.clean(text)
    if source is not None:
        text = f"{sources.mark(source)} {text}"
    current = vault.decrypt_text(tip.text_enc) if tip.text_enc else ""
    joined = f"{current}\n{text}" if current else text
    tip.text_enc = vault.encrypt_text(joined)
    tip.parts += 1
    tip.triage_status = "pending"
    tip.updated_at = now


def tip_text(vault: Vault, tip: Tip) -> str:
    """Return a tip's decrypted text ("" after retention purged it)."""
    return vault.decrypt_text(tip.text_enc) if tip.text_enc else ""


def tip_by_reference(session: Session, reference: str) -> Tip | None:
    """Return the tip with this reference code."""
    return session.execute(select(Tip).where(Tip.reference == reference)).scalar_one_or_none()


def tip_by_dedupe_key(session: Session, dedupe_key: str, since: datetime) -> Tip | None:
    """Return a recent tip with the same keyed content hash (the same report sent twice)."""
    stmt = (
        select(Tip)
        .where(Tip.dedupe_key == dedupe_key, Tip.received_at >= since)
        .order_by(Tip.id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def set_reply_handle(
    session: Session,
    vault: Vault,
    *,
    reporter_id: int,
    channel: str,
    handle: str,
    days: int,
    now: datetime,
) -> None:
    """Store (or refresh) the encrypted way to answer this reporter, expiring after `days`."""
    row = session.execute(
        select(ReplyHandle).where(
            ReplyHandle.reporter_id == reporter_id, ReplyHandle.channel == channel
        )
    ).scalar_one_or_none()
    if row is None:
        row = ReplyHandle(reporter_id=reporter_id, channel=channel, handle_enc=b"")
        session.add(row)
    row.handle_enc = vault.encrypt_text(handle)
    row.created_at = now
    row.expires_at = now + timedelta(days=days)


def reply_handle(
    session: Session, vault: Vault, reporter_id: int, channel: str, *, now: datetime
) -> str | None:
    """Return the decrypted reply handle if it exists and has not expired."""
    row = session.execute(
        select(ReplyHandle).where(
            ReplyHandle.reporter_id == reporter_id,
            ReplyHandle.channel == channel,
            ReplyHandle.expires_at > now,
        )
    ).scalar_one_or_none()
    return vault.decrypt_text(row.handle_enc) if row else None


def drop_reply_handle(session: Session, reporter_id: int, channel: str) -> None:
    """Forget how to answer a reporter on a channel (they blocked the bot)."""
    session.execute(
        delete(ReplyHandle).where(
            ReplyHandle.reporter_id == reporter_id, ReplyHandle.channel == channel
        )
    )


def conversation_for(
    session: Session, reporter_id: int, channel: str, *, now: datetime
) -> Conversation:
    """Return the reporter's conversation on a channel, creating it if new."""
    session.execute(
        insert_ignore(
            session,
            Conversation,
            {
                "reporter_id": reporter_id,
                "channel": channel,
                "step": "start",
                "updated_at": now,
            },
            ["reporter_id", "channel"],
        )
    )
    # Locked: one reporter's messages are handled one after another, so two messages of a
    # burst arriving together cannot both start a report.
    return session.execute(
        select(Conversation)
        .where(Conversation.reporter_id == reporter_id, Conversation.channel == channel)
        .with_for_update()
    ).scalar_one()


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    now: datetime,
    **detail: Any,
) -> None:
    """Append an audit entry; callers pass ids and counts only, never content."""
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            detail=detail,
        )
    )
