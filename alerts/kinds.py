"""The kinds of message a delivery carries: one frozen dataclass each, and the key that makes it
unique.

A delivery row stores its kind as `purpose` plus columns (`tip_id`, `round`) and `detail`;
`kind_of` reads it back and `new_delivery` (alerts/fanout.py) writes it. `delivery_key` names
what makes a message unique, and the unique `deliveries.key` column lets the database refuse a
second copy, whichever worker or tick writes it. A fallback is the same kind on another channel,
so every key of a kind sent per channel names the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.deliveries import Delivery, Purpose
from models.review import BAND_RANK


@dataclass(frozen=True)
class Alert:
    """A tip's first alert, once per official (and channel, for a fallback)."""

    tip_id: int


@dataclass(frozen=True)
class Escalation:
    """A rung of the ladder: re-notify, the chair, ONAC; `round` is the tip's new level."""

    tip_id: int
    round: int


@dataclass(frozen=True)
class Upgrade:
    """Later information raised the tip's band."""

    tip_id: int
    from_band: str
    to_band: str


@dataclass(frozen=True)
class Reminder:
    """An acknowledged tip without a follow-up status; `acks` counts the tip's acknowledgements.

    The reminder is due again after each new acknowledgement, and the count tells those apart.
    """

    tip_id: int
    acks: int


@dataclass(frozen=True)
class Digest:
    """Tips held in a flood, or their overdue repetition; `round` is the first tip's level.

    Each tip is flushed once (round 0) and escalated once per level, so the first tip listed and
    its round name one digest per official.
    """

    tip_ids: tuple[int, ...]
    overdue: bool
    round: int = 0


@dataclass(frozen=True)
class Notice:
    """A message to an official that is no alert: a text to translate, a tip's text, a summary.

    `cause` is what it answers (a Telegram update, a day's review summary): one notice per
    official and cause.
    """

    cause: str
    say: str | None = None  # a message id marked with N_ where it was queued
    params: dict[str, Any] = field(default_factory=dict)
    show_tip: int | None = None
    review_summary: dict[str, int] | None = None


@dataclass(frozen=True)
class Edit:
    """An edit of a sent Telegram alert to show who acknowledged, once per acknowledgement count."""

    tip_id: int
    of_delivery: int
    message_id: int
    acks: int


Kind = Alert | Escalation | Upgrade | Reminder | Digest | Notice | Edit

PURPOSES: dict[type, Purpose] = {
    Alert: Purpose.ALERT,
    Escalation: Purpose.ESCALATION,
    Upgrade: Purpose.UPGRADE,
    Reminder: Purpose.REMINDER,
    Digest: Purpose.DIGEST,
    Notice: Purpose.NOTICE,
    Edit: Purpose.EDIT,
}


def purpose_of(kind: Kind) -> Purpose:
    """The purpose stored for a kind."""
    return PURPOSES[type(kind)]


def tip_of(kind: Kind) -> int | None:
    """The tip a kind is about; None for digests (many tips) and notices."""
    match kind:
        case Digest() | Notice():
            return None
        case _:
            return kind.tip_id


def round_of(kind: Kind) -> int:
    """The `round` column: an escalation's or a digest's round, an upgrade's band rank."""
    match kind:
        case Escalation(round=r) | Digest(round=r):
            return r
        case Upgrade(to_band=band):
            return BAND_RANK.get(band, 0)
        case _:
            return 0


def detail_of(kind: Kind) -> dict[str, Any]:
    """The `detail` column: the kind's fields that have no column of their own."""
    match kind:
        case Upgrade(from_band=old, to_band=new):
            return {"from": old, "to": new}
        case Reminder(acks=acks):
            return {"acks": acks}
        case Digest(tip_ids=tips, overdue=overdue):
            return {"tips": list(tips), "overdue": overdue}
        case Notice():
            detail: dict[str, Any] = {"cause": kind.cause}
            if kind.say:
                detail.update(say=kind.say, params=dict(kind.params))
            if kind.show_tip is not None:
                detail["show_tip"] = kind.show_tip
            if kind.review_summary is not None:
                detail["review_summary"] = dict(kind.review_summary)
            return detail
        case Edit(of_delivery=original, message_id=message_id, acks=acks):
            return {"of_delivery": original, "message_id": message_id, "acks": acks}
        case _:
            return {}


def delivery_key(kind: Kind, official_id: int, channel: str) -> str:
    """What makes this message unique (the `deliveries.key` column)."""
    match kind:
        case Alert(tip_id=tip):
            return f"alert:{tip}:{official_id}:{channel}"
        case Escalation(tip_id=tip, round=r):
            return f"escalation:{tip}:{official_id}:{r}:{channel}"
        case Upgrade(tip_id=tip, to_band=band):
            return f"upgrade:{tip}:{official_id}:{band}:{channel}"
        case Reminder(tip_id=tip, acks=acks):
            return f"reminder:{tip}:{official_id}:{acks}:{channel}"
        case Digest(tip_ids=tips, round=r):
            # Flush and escalation list the same tips; the first tip's round tells them apart.
            first = tips[0] if tips else 0
            return f"digest:{official_id}:{first}:{r}:{channel}"
        case Notice(cause=cause):
            return f"notice:{official_id}:{cause}:{channel}"
        case Edit(of_delivery=original, acks=acks):
            # The original delivery fixes the official, the chat and the message.
            return f"edit:{original}:{acks}"


def _tip(d: Delivery) -> int:
    if d.tip_id is None:
        raise ValueError(f"delivery {d.id} ({d.purpose}) has no tip")
    return d.tip_id


def kind_of(d: Delivery) -> Kind:
    """Read a delivery row back as its kind (rows from before migration 0010 included)."""
    detail: dict[str, Any] = d.detail or {}
    match Purpose(d.purpose):
        case Purpose.ALERT:
            return Alert(_tip(d))
        case Purpose.ESCALATION:
            return Escalation(_tip(d), d.round)
        case Purpose.UPGRADE:
            return Upgrade(_tip(d), str(detail.get("from", "")), str(detail.get("to", "")))
        case Purpose.REMINDER:
            return Reminder(_tip(d), int(detail.get("acks", 0)))
        case Purpose.DIGEST:
            tips = tuple(int(t) for t in detail.get("tips", []))
            return Digest(tips, bool(detail.get("overdue")), d.round)
        case Purpose.NOTICE:
            return Notice(
                cause=str(detail.get("cause") or f"legacy:{d.id}"),
                say=detail.get("say"),
                params=dict(detail.get("params") or {}),
                show_tip=detail.get("show_tip"),
                review_summary=detail.get("review_summary"),
            )
        case Purpose.EDIT:
            # Edits from before 0010 kept their acknowledgement count in `round` (id*1000+acks).
            acks = int(detail.get("acks", d.round % 1000))
            return Edit(_tip(d), int(detail["of_delivery"]), int(detail["message_id"]), acks)
