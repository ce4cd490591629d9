"""Failed attempts counted in the database, so every web process and worker shares one count.

Used for guesses that must not be free: reference codes quoted by a sender whose code matches no
tip, and officials' SMS acknowledgement codes. The key is always a keyed pseudonym (never a
number or a chat id); rows older than a day are dropped whenever a new one is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

# Nothing counted here looks further back than this; older rows are pruned on each write.
KEEP = timedelta(days=1)


class Attempt(Base):
    """One failed attempt of a kind ("reference", "ack_sms") by a keyed pseudonym."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_kind_key_at", "kind", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def failures(session: Session, kind: str, key: str, since: datetime) -> int:
    """Return how many failed attempts of this kind the key made since a time."""
    stmt = (
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.kind == kind, Attempt.key == key, Attempt.at >= since)
    )
    return int(session.scalar(stmt) or 0)


def record_failure(session: Session, kind: str, key: str, now: datetime) -> None:
    """Count one failed attempt, and forget attempts older than a day."""
    session.execute(delete(Attempt).where(Attempt.at < now - KEEP))
    session.add(Attempt(kind=kind, key=key, at=now))
    session.flush()


def exceeded(
    session: Session, kind: str, key: str, *, limit: int, window: timedelta, now: datetime
) -> bool:
    """True when the key has used up its failed attempts in the window."""
    return failures(session, kind, key, now - window) >= limit
