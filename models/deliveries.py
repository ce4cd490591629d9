"""Deliveries to officials (the alerts outbox), acknowledgements and out-of-band ops alerts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Purpose(StrEnum):
    """What a delivery is for; each has its own message kind (alerts/kinds.py)."""

    ALERT = "alert"
    ESCALATION = "escalation"
    UPGRADE = "upgrade"
    REMINDER = "reminder"
    DIGEST = "digest"
    NOTICE = "notice"
    EDIT = "edit"


class Delivery(Base):
    """One message to one official on one channel; written in the tip's commit, sent after it."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int | None] = mapped_column(
        ForeignKey("tips.id", ondelete="CASCADE"), index=True
    )
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default=Purpose.ALERT)
    # What makes this message unique, derived from its kind (alerts/kinds.py `delivery_key`):
    # a second insert of the same message fails in the database, whatever the kind.
    key: Mapped[str] = mapped_column(String(200))
    round: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(16), default="default")
    # pending → sent → delivered, or failed; cancelled when an ack made it pointless
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    # Short code an official sends back ("OK 4821") from the enrolled number.
    ack_code: Mapped[str | None] = mapped_column(String(8))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # The kind's own fields (a digest's tips, a notice's text key); alerts/kinds.py reads them.
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Acknowledgement(Base):
    """An official taking a tip; one per official and tip however often they press."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("tip_id", "official_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    via: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OpsAlert(Base):
    """An out-of-band alert to ONAC about the service itself (dead-man), one per kind and window."""

    __tablename__ = "ops_alerts"
    __table_args__ = (UniqueConstraint("kind", "window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    window: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
