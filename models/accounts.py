"""Console accounts, officials' notes and reviews, questions to reporters, services updates.

Passwords are argon2 hashes and TOTP secrets are ciphertext; notes and questions are encrypted like
tip text, because they quote it. Failed logins are kept as keyed hashes of the account name and
the address, so the rate limit works across web processes without storing either in clear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

ROLES = ("admin", "onac", "official")


class User(Base):
    """A person who signs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # An official's account is linked to the roster so that acknowledging in the console counts
    # as that official's acknowledgement.
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The last accepted TOTP time step: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="sq")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on sign-out, password change or disable: sessions with an older value are refused.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when an admin created (or reset the password of) an admin or official account: the id
    # of that admin. The account cannot sign in until another admin confirms, so no single
    # admin can hand themselves an account that reads tips.
    pending_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()


class LoginFailure(Base):
    """One failed sign-in, by keyed hash of the account name and of the address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    address_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TipNote(Base):
    """What an official recorded about a tip (encrypted)."""

    __tablename__ = "tip_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TipReview(Base):
    """An official's decision on a tip from the review queue: "not a case" or a new band.

    The reason is encrypted like a note, because it may quote the tip; the decision and the bands
    stay in clear, as they are the labels triage is evaluated against.
    """

    __tablename__ = "tip_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # not_a_case | reband
    decision: Mapped[str] = mapped_column(String(16))
    from_band: Mapped[str | None] = mapped_column(String(16))
    to_band: Mapped[str] = mapped_column(String(16))
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class ReporterQuestion(Base):
    """A question from an official relayed to a reporter who agreed to follow-up."""

    __tablename__ = "reporter_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # queued (an outbound message exists), refused (no consent or no way to reach the reporter)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    outbound_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceUpdate(Base):
    """A change ONAC made to an entry of the services directory (applied over the packaged file).

    Kept as a log in the database rather than by rewriting the installed file: every web and
    worker process, on every server, sees the same directory, and each change says who made it.
    """

    __tablename__ = "service_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
