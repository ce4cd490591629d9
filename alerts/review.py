"""An official's review of a queued tip: "not a case" or a new band, alerted at once if raised.

Runs in the caller's transaction with the tip's row locked, so two officials reviewing together
record one decision; the other is told someone was first. A band raised by review goes through
the normal fan-out: a tip never alerted is alerted as new, a tip held or digested in a flood is
alerted on its own now (never held again), and a tip already alerted gets the band-raise message.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from alerts.context import AlertContext
from alerts.fanout import band_raised, deadline_minutes, effective_band, fan_out
from models import store
from models.accounts import TipReview
from models.review import DECISIONS, HELD_MODES, is_waiting, rank
from models.tables import Tip

# The bands an official may give; "not a case" is its own decision (stored as not_a_tip).
REVIEW_BANDS = ("critical", "high", "medium", "low")
MAX_REASON = 500


def check(decision: str, to_band: str, reason: str) -> str | None:
    """Return what is wrong with a review ("decision", "band", "reason", "long"), or None."""
    if decision not in DECISIONS:
        return "decision"
    if decision == "reband" and to_band not in REVIEW_BANDS:
        return "band"
    if not reason.strip():
        return "reason"
    if len(reason.strip()) > MAX_REASON:
        return "long"
    return None


def review(
    session: Session,
    actx: AlertContext,
    tip: Tip,
    *,
    user_id: int,
    actor: str,
    decision: str,
    to_band: str,
    reason: str,
) -> str:
    """Record a review; return "reviewed", "taken" (another official was first) or "gone".

    "gone": the tip no longer waits (acknowledged meanwhile). Raises ValueError on bad input,
    which callers check first with `check`.
    """
    problem = check(decision, to_band, reason)
    if problem is not None:
        raise ValueError(f"invalid review: {problem}")
    # The row lock first, then a fresh read: a second reviewer waits here for the first one's
    # commit and then sees the tip reviewed (SQLite serialises the whole transaction instead).
    session.refresh(tip, with_for_update=True)
    if tip.reviewed_at is not None:
        return "taken"
    if not is_waiting(tip):
        return "gone"
    now = actx.clock()
    before, from_band = effective_band(tip), tip.band
    new_band = "not_a_tip" if decision == "not_a_case" else to_band
    row = TipReview(
        tip_id=tip.id,
        user_id=user_id,
        at=now,
        decision=decision,
        from_band=from_band,
        to_band=new_band,
        reason_enc=actx.vault.encrypt_text(reason.strip()),
    )
    session.add(row)
    tip.band, tip.reviewed_at, tip.updated_at = new_band, now, now
    if decision == "not_a_case":
        # An official has read it and decided: no more escalation of an unacknowledged low tip.
        tip.ack_due_at = None
    alerted = _alert_if_raised(session, actx, tip, before) if rank(new_band) > rank(before) else 0
    session.flush()
    # Ids and bands only: the reason may quote the tip and is never audited.
    store.audit(
        session,
        actor=actor,
        action="tip.review",
        now=now,
        object_type="tip",
        object_id=tip.id,
        review=row.id,
        decision=decision,
        **{"from": from_band, "to": new_band},
        alerted=alerted,
    )
    return "reviewed"


def _alert_if_raised(session: Session, actx: AlertContext, tip: Tip, before: str) -> int:
    """Alert a tip whose band the review raised; return how many deliveries were written."""
    if tip.alert_mode in HELD_MODES:
        # Held for a digest, or sent only as a digest's line: alerted on its own now.
        tip.alert_mode = None
    if tip.alert_mode is None:
        count = fan_out(session, actx, tip, hold=False)
        # The deadline runs from the review, not from an arrival that may be days old.
        minutes = deadline_minutes(actx, effective_band(tip))
        tip.ack_due_at = actx.clock() + timedelta(minutes=minutes)
        return count
    return band_raised(session, actx, tip, before)
