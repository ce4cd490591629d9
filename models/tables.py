"""The tables. Content and reply handles are ciphertext; reporters exist only as keyed pseudonyms.

Nothing here holds a phone number, Telegram id, username or tip text in clear: `*_enc` columns are
Fernet tokens written by `models.crypto.Vault`, and `Reporter.pseudonym` is an HMAC whose key lives
outside the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Reporter(Base):
    """A reporter known only by a keyed pseudonym of their channel identity."""

    __tablename__ = "reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    # STOP on SMS: no message is ever sent to this number again.
    sms_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_consent: Mapped[bool] = mapped_column(Boolean, default=False)


class Tip(Base):
    """One report of suspected trafficking."""

    __tablename__ = "tips"
    __table_args__ = (
        Index("ix_tips_reporter_channel_received", "reporter_id", "channel", "received_at"),
        Index("ix_tips_band_status", "band", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    language: Mapped[str | None] = mapped_column(String(8))
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Answers of the guided flow (minor, danger now, consent): booleans only, no free text.
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="new")
    outcome: Mapped[str | None] = mapped_column(String(32))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id", ondelete="SET NULL"))
    operator: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    # Keyed hash of reporter + normalised text: the same report sent twice joins one tip.
    dedupe_key: Mapped[str | None] = mapped_column(String(64), index=True)
    parts: Mapped[int] = mapped_column(Integer, default=1)
    follow_ups: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[bool] = mapped_column(Boolean, default=True)
    # While the reporter keeps writing, their next messages join this tip until this moment
    # (bot/bursts.py); each message moves it on by the channel's quiet period.
    burst_until: Mapped[datetime | None] = mapped_column(index=True)
    # Triage: aggregate fields in clear for statistics, the full explanation encrypted
    # (it quotes the tip's words).
    triage_status: Mapped[str] = mapped_column(String(16), default="pending")
    band: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    minor: Mapped[bool | None] = mapped_column(Boolean)
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    forms: Mapped[list[str]] = mapped_column(default=list)
    # Indicator categories that fired (control, documents, ...): labels, never words, for ONAC.
    categories: Mapped[list[str]] = mapped_column(default=list)
    # Agency kinds a complicity tip implicates: their officials never receive, see or act on it
    # (alerts/complicity.py). Only ever widened, by each scoring and fan-out.
    excluded_kinds: Mapped[list[str]] = mapped_column(default=list)
    # Triage's special routes (child, complicity, labour): labels in clear, so acknowledgements
    # and coverage never decrypt the explanation to read them.
    routes: Mapped[list[str]] = mapped_column(default=list)
    qark: Mapped[str | None] = mapped_column(String(32))
    triage_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What triage said at its latest scoring; `band` is the working band (an official's review
    # may have changed it), and the two side by side are the labels triage is measured against.
    triage_band: Mapped[str | None] = mapped_column(String(16))
    # When an official reviewed the tip in the review queue (models/review.py).
    reviewed_at: Mapped[datetime | None] = mapped_column(index=True)
    purged_at: Mapped[datetime | None] = mapped_column()
    # Alerts: when the required acknowledgement is due, how far escalation went, when the tip
    # counted as covered, and whether it waits for a digest (flood handling).
    alert_mode: Mapped[str | None] = mapped_column(String(16))
    ack_due_at: Mapped[datetime | None] = mapped_column(index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    covered_at: Mapped[datetime | None] = mapped_column()
    first_ack_at: Mapped[datetime | None] = mapped_column()
    reminder_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The web form's one-time passphrase (console/report_views.py), as an argon2 hash only:
    # with the reference code it opens the report's status page; nothing else identifies the
    # person who wrote it.
    passphrase_hash: Mapped[str | None] = mapped_column(String(128))
    # The canary's own tips (raporto/canary.py, marked by models/synthetic.py): alerted only to
    # the canary recipient, never counted, listed, linked or reviewed, and deleted after the run.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="tip", cascade="all, delete-orphan", passive_deletes=True
    )


class InboundMessage(Base):
    """One provider event; the unique key makes every delivery after the first a no-op."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "provider_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # HMAC of the provider's event id (update_id, MessageSid, CallSid+step, RecordingSid):
    # kept after retention as a tombstone, so an old captured request cannot re-create a tip.
    provider_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id", ondelete="SET NULL"))
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="SET NULL"))
    operator: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    # What the reporter was told (a reference code), so a retried delivery gets the same answer.
    reply_reference: Mapped[str | None] = mapped_column(String(16))
    # The person's own Telegram message, kept only so "clear this chat" can delete it.
    chat_message_id: Mapped[int | None] = mapped_column(Integer)


class Attachment(Base):
    """A photo, voice note, call recording or shared location, encrypted and size-capped."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # "pending" until a job has fetched the bytes from the provider (Telegram file, Twilio
    # recording); the provider reference is encrypted too and erased once fetched.
    status: Mapped[str] = mapped_column(String(16), default="stored")
    source_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tip: Mapped[Tip] = relationship(back_populates="attachments")


class ReplyHandle(Base):
    """How to answer a reporter (chat id or number), encrypted and expiring."""

    __tablename__ = "reply_handles"
    __table_args__ = (UniqueConstraint("reporter_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    handle_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Conversation(Base):
    """Where a reporter is in a guided flow; the draft is encrypted, shared by all processes."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("reporter_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    step: Mapped[str] = mapped_column(String(32), default="start")
    state_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboundMessage(Base):
    """A message to a reporter, written in the same commit as its cause and sent after it."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporters.id", ondelete="CASCADE"), index=True
    )
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(200))


class AuditEntry(Base):
    """Append-only record of who did what to which object; never content, never pseudonyms."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
