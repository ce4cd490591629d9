"""What links tips: keyed hashes of the entities a tip names, and the links officials undid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class TipEntity(Base):
    """One thing a tip names (a phone number, a plate, a handle...), as a keyed hash only.

    The words stay inside the encrypted tip; the hash (HMAC under `RAPORTO_ENTITY_KEYS`, see
    models.crypto.EntityKeys) is what two tips share when they name the same thing.
    """

    __tablename__ = "tip_entities"
    __table_args__ = (
        UniqueConstraint("tip_id", "kind", "digest"),
        # Linking a new tip is one indexed look-up per entity it names.
        Index("ix_tip_entities_kind_digest", "kind", "digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    # Which entity key made the digest (a fingerprint): rotation rehashes the others.
    key_id: Mapped[str] = mapped_column(String(8))
    # A place alone is weak context: it never links tips into a case by itself.
    strong: Mapped[bool] = mapped_column(Boolean, default=True)


class TipUnlink(Base):
    """An official's decision that two tips are not related, whatever they share.

    Stored once per pair (`tip_id` < `other_tip_id`) and read by every link query, so it holds
    when either tip is scored again.
    """

    __tablename__ = "tip_unlinks"
    __table_args__ = (UniqueConstraint("tip_id", "other_tip_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    other_tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Encrypted like a note: a reason may quote what the tips say.
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
