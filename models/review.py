"""The review queue: which tips wait for an official's look, and officials' decisions as labels.

A tip triage called `not_a_tip` (never alerted) or `low` (alerted on the low queue with a day's
deadline), or one a flood held for a digest, waits here until an official reviews it or anyone
acknowledges it, so that no scoring mistake can hide a case. The decisions are pure functions
of clear columns, shared by the console, the sweeper's daily summary, `/health`, ONAC's
statistics and `raporto triage-eval --from-db`; the queries never read an encrypted column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from models.accounts import TipReview
from models.complicity import visible_to
from models.tables import Tip

# Bands ranked from "not a tip" to critical; an unscored tip ranks lowest.
BAND_RANK = {"not_a_tip": 0, "none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
# Tips triage put here are alerted on the low queue or not at all: an official must look.
QUEUE_BANDS = ("not_a_tip", "low")
# "digest": held during a flood, not sent yet; "digested": sent only as a line of a digest.
HELD_MODES = ("digest", "digested")
DECISIONS = ("not_a_case", "reband")
REVIEW_STATES = ("waiting", "reviewed", "not_needed")
# The outcomes of closed tips that are labels: the case was, or was not, trafficking.
OUTCOME_LABELS = {
    "confirmed_trafficking": "case",
    "not_trafficking": "not_a_case",
    "hoax": "not_a_case",
}


def rank(band: str | None) -> int:
    """Return a band's rank (0 for not a tip or unscored, 4 for critical)."""
    return BAND_RANK.get(band or "none", 0)


def waiting_reason(band: str | None, alert_mode: str | None) -> str | None:
    """Why a tip would wait for review: "held", "not_a_tip", "low", or None (it does not)."""
    if alert_mode in HELD_MODES:
        return "held"
    if band in QUEUE_BANDS:
        return band
    return None


def review_state(
    *,
    reviewed_at: datetime | None,
    first_ack_at: datetime | None,
    band: str | None,
    alert_mode: str | None,
) -> str:
    """Return "reviewed", "waiting" or "not_needed" for a submitted tip (ONAC's statistics).

    Retention does not change the state: a tip whose text was purged before anyone reviewed it
    stays "waiting", since the gate failed for it.
    """
    if reviewed_at is not None:
        return "reviewed"
    if first_ack_at is None and waiting_reason(band, alert_mode) is not None:
        return "waiting"
    return "not_needed"


def band_after_rescoring(
    *, working: str | None, reviewed: bool, previous_triage: str | None, new_triage: str
) -> str:
    """The working band after triage scored a tip again (later information).

    Before any review it is triage's band. After a review the official's band holds, unless the
    new scoring ranks above what triage said before: then the band rises to the higher of the two,
    and the usual band-raise alert follows.
    """
    if not reviewed or working is None:
        return new_triage
    if rank(new_triage) > rank(previous_triage) and rank(new_triage) > rank(working):
        return new_triage
    return working


def queue_conditions() -> tuple[ColumnElement[bool], ...]:
    """SQL conditions of a tip waiting for review (mirrors `waiting_reason`)."""
    return (
        Tip.submitted.is_(True),
        Tip.purged_at.is_(None),
        Tip.reviewed_at.is_(None),
        Tip.first_ack_at.is_(None),
        Tip.synthetic.is_(False),  # the canary's tips are never a person's work
        or_(Tip.band.in_(QUEUE_BANDS), Tip.alert_mode.in_(HELD_MODES)),
    )


def is_waiting(tip: Tip) -> bool:
    """True when this loaded tip waits for review (same rule as `queue_conditions`)."""
    return (
        tip.submitted
        and not tip.synthetic
        and tip.purged_at is None
        and tip.reviewed_at is None
        and tip.first_ack_at is None
        and waiting_reason(tip.band, tip.alert_mode) is not None
    )


@dataclass(frozen=True)
class QueueRow:
    """A waiting tip as the queue shows it: metadata only, never text."""

    reference: str
    channel: str
    received_at: datetime
    band: str | None
    reason: str


def waiting(session: Session, limit: int = 200, *, reader: str | None = None) -> list[QueueRow]:
    """Return the waiting tips, oldest first (`reader`: leave out tips implicating that kind)."""
    rows = session.execute(
        select(Tip.reference, Tip.channel, Tip.received_at, Tip.band, Tip.alert_mode)
        .where(*queue_conditions(), visible_to(reader))
        .order_by(Tip.received_at, Tip.id)
        .limit(limit)
    )
    return [
        QueueRow(reference, channel, received_at, band, waiting_reason(band, mode) or "")
        for reference, channel, received_at, band, mode in rows
    ]


def waiting_summary(session: Session, *, reader: str | None = None) -> tuple[int, datetime | None]:
    """Return how many tips wait for review and when the oldest of them arrived."""
    count, oldest = session.execute(
        select(func.count(), func.min(Tip.received_at)).where(
            *queue_conditions(), visible_to(reader)
        )
    ).one()
    return int(count), oldest


def age_hours(oldest: datetime | None, now: datetime) -> float:
    """Hours the oldest waiting tip has waited (0 when none waits)."""
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds() / 3600)


def latest_reviews(session: Session, tip_ids: list[int] | None = None) -> dict[int, TipReview]:
    """Return each reviewed tip's latest review, by tip id."""
    query = select(TipReview).order_by(TipReview.tip_id, TipReview.at, TipReview.id)
    if tip_ids is not None:
        query = query.where(TipReview.tip_id.in_(tip_ids))
    return {review.tip_id: review for review in session.scalars(query)}


@dataclass(frozen=True)
class Labelled:
    """Triage's band of a tip beside the officials' labels (no reference, no text)."""

    triage_band: str
    review_label: str | None
    outcome_label: str | None


def labelled(session: Session) -> list[Labelled]:
    """Return every submitted tip that officials labelled, by review or by a closing outcome."""
    reviews = latest_reviews(session)
    found: list[Labelled] = []
    rows: Any = session.execute(
        select(Tip.id, Tip.triage_band, Tip.outcome).where(Tip.submitted.is_(True)).order_by(Tip.id)
    )
    for tip_id, triage_band, outcome in rows:
        review = reviews.get(tip_id)
        review_label = None if review is None else review.to_band
        outcome_label = OUTCOME_LABELS.get(outcome or "")
        if review_label or outcome_label:
            found.append(Labelled(triage_band or "none", review_label, outcome_label))
    return found
