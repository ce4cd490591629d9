"""Closed sets stored as plain strings (VARCHAR on both databases, never native enums)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where a contact came from."""

    TELEGRAM = "telegram"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    VOICE = "voice"
    HOTLINE = "hotline"
    CONSOLE = "console"


class TipStatus(StrEnum):
    """The officials' workflow for a tip."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    REFERRED = "referred"
    CLOSED = "closed"


class TriageStatus(StrEnum):
    """Whether triage has scored the tip yet."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboundStatus(StrEnum):
    """Delivery state of a message Raporto sends; it only ever moves forward."""

    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
