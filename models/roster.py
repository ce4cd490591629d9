"""The Responsible Authority as data: agencies and officials, with effective dates.

Officials' contact details are encrypted; keyed hashes of their Telegram chat and phone number let
an inbound acknowledgement be matched to an official without storing either in clear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Agency(Base):
    """A member institution of the Responsible Authority (or ONAC, the coordinator)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_sq: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # police, social_services, labour_inspectorate, child_protection, health, education,
    # foreign_affairs, shelters, coordinator, other
    kind: Mapped[str] = mapped_column(String(32))
    active_from: Mapped[datetime] = mapped_column(default=utcnow)
    active_to: Mapped[datetime | None] = mapped_column()

    officials: Mapped[list[Official]] = relationship(back_populates="agency")


class Official(Base):
    """A person who receives alerts, acknowledges them and is escalated to."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # member, chair (escalations reach the chair), onac (the coordinator's duty officer)
    role: Mapped[str] = mapped_column(String(16), default="member")
    language: Mapped[str] = mapped_column(String(8), default="sq")
    telegram_chat_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    telegram_chat_key: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_key: Mapped[str | None] = mapped_column(String(64), index=True)
    channel_order: Mapped[list[str]] = mapped_column(default=lambda: ["telegram", "sms", "voice"])
    active_from: Mapped[datetime] = mapped_column(default=utcnow)
    active_to: Mapped[datetime | None] = mapped_column()
    # A one-time code sent to the bot as "/start <code>" links the official's chat; only its
    # keyed hash is stored.
    enrol_code_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrol_expires_at: Mapped[datetime | None] = mapped_column()
    # What is wrong with this official's channels (e.g. the bot was blocked), for the roster view.
    problems: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="officials")

    def active_at(self, when: datetime) -> bool:
        """Return True when the official (and their agency) serve at that time."""
        agency = self.agency
        return (
            self.active_from <= when
            and (self.active_to is None or when < self.active_to)
            and agency.active_from <= when
            and (agency.active_to is None or when < agency.active_to)
        )
