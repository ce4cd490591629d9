"""The review queue for officials: tips triage may have under-rated wait here until one looks.

A tip triage called "not a tip" or "low", or one a flood held for a digest, is listed oldest first
until an official acknowledges it or reviews it: "not a case", or another band, always with a
reason (encrypted, never audited). A band raised by review is alerted at once (alerts/review.py).
Only accounts linked to a roster official see the queue; ONAC and administrators get 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from alerts import complicity
from alerts import review as reviews
from console.auth import role_required
from console.exclusion import kept_out, reader_kind
from console.i18n import _, _n
from console.runtime import runtime
from console.tip_view import BAND_LABELS, CHANNEL_LABELS, label, neutralise
from locales.i18n import N_
from models import review, store
from models.accounts import TipReview, User
from models.crypto import DecryptionError, Vault
from models.tables import Tip

bp = Blueprint("review", __name__, url_prefix="/console")

# The queue shows the oldest tips first; more than this many waiting is itself the alarm.
SHOWN = 200
REASON_LABELS = {
    "not_a_tip": N_("Triage: not a tip"),
    "low": N_("Triage: low"),
    "held": N_("Held during a flood"),
}
DECISION_LABELS = {"not_a_case": N_("Not a case"), "reband": N_("Band changed")}
PROBLEMS = {
    "decision": N_("Choose “Not a case” or a band."),
    "band": N_("Choose the band to give the tip."),
    "reason": N_("Give the reason for your decision."),
    "long": N_("A reason may have at most %(n)s characters."),
}


def age_label(received_at: datetime, now: datetime) -> str:
    """How long a tip has waited, in hours up to two days and in days after that."""
    hours = int(review.age_hours(received_at, now))
    if hours < 48:
        return _n("%(n)d hour", "%(n)d hours", hours)
    return _n("%(n)d day", "%(n)d days", hours // 24)


@bp.app_context_processor
def review_helpers() -> dict[str, Any]:
    """The waiting count for the navigation (queried only where the template asks for it)."""

    def review_waiting() -> int:
        with runtime().db.read() as session:
            return review.waiting_summary(session, reader=reader_kind(session))[0]

    return {
        "review_waiting": review_waiting,
        "reason_label": lambda v: label(REASON_LABELS, v),
        "decision_label": lambda v: label(DECISION_LABELS, v),
    }


@bp.context_processor
def queue_labels() -> dict[str, Any]:
    """The labels the queue page shares with the tips pages."""
    return {
        "band_label": lambda v: label(BAND_LABELS, v or "none"),
        "channel_label": lambda v: label(CHANNEL_LABELS, v),
    }


def _official() -> None:
    """Refuse an official account that is not linked to the roster (as the tips pages do)."""
    if current_user.official_id is None:
        abort(403)


@bp.get("/review")
@role_required("official")
def index() -> str:
    """List the tips waiting for review, oldest first, with why each waits."""
    _official()
    rt = runtime()
    now = rt.alerts.clock()
    with rt.db.read() as session:
        reader = reader_kind(session)
        rows = review.waiting(session, SHOWN, reader=reader)
        total, _oldest = review.waiting_summary(session, reader=reader)
    return render_template(
        "review.html",
        rows=[{"row": r, "age": age_label(r.received_at, now)} for r in rows],
        total=total,
        shown=len(rows),
    )


@bp.post("/tips/<reference>/review")
@role_required("official")
def submit(reference: str) -> BaseResponse:
    """Record the signed-in official's review of a queued tip."""
    _official()
    rt = runtime()
    decision = request.form.get("decision", "")
    to_band = request.form.get("band", "")
    reason = request.form.get("reason", "")
    problem = reviews.check(decision, to_band, reason)
    target = reference.strip().upper()
    if problem is not None:
        flash(_(PROBLEMS[problem], n=reviews.MAX_REASON), "error")
        return redirect(url_for("tips.show", reference=target))
    with rt.db.transaction() as session:
        tip = store.tip_by_reference(session, target)
        if tip is None or not tip.submitted:
            abort(404)
        refused = kept_out(session, tip, "review")
        result = (
            "refused"
            if refused
            else reviews.review(
                session,
                rt.alerts,
                tip,
                user_id=current_user.user_id,
                actor=current_user.actor,
                decision=decision,
                to_band=to_band,
                reason=reason,
            )
        )
    if result == "refused":
        flash(_(complicity.REFUSED), "error")
        return redirect(url_for("review.index"))
    if result == "taken":
        flash(_("Another official reviewed this tip meanwhile."), "error")
    elif result == "gone":
        flash(_("This tip no longer waits for review."), "error")
    else:
        flash(_("Your review of tip %(reference)s was saved.", reference=target), "info")
        return redirect(url_for("review.index"))
    return redirect(url_for("tips.show", reference=target))


def tip_review(session: Session, vault: Vault, tip: Tip) -> dict[str, Any]:
    """What the tip page shows of review: why it waits (if it does) and the decisions so far."""
    found = []
    rows = session.execute(
        select(TipReview, User.username)
        .join(User, User.id == TipReview.user_id)
        .where(TipReview.tip_id == tip.id)
        .order_by(TipReview.at, TipReview.id)
    ).all()
    for item, username in rows:
        try:
            reason = vault.decrypt_text(item.reason_enc) if item.reason_enc else ""
        except DecryptionError:
            reason = ""
        found.append({"item": item, "author": username, "reason": neutralise(reason)})
    waiting = review.is_waiting(tip)
    return {
        "waiting": review.waiting_reason(tip.band, tip.alert_mode) if waiting else None,
        "reviews": found,
        "bands": reviews.REVIEW_BANDS,
        "max_reason": reviews.MAX_REASON,
    }
