"""Related tips for officials: the links on a tip's page, "not related", and the cases view.

Two tips are related when they name the same phone number, plate, account, e-mail, IBAN or
business with its place (models/links.py keeps only kinds and keyed hashes). The pages show the
KIND of what links two tips, never the thing itself. Tips that implicate the reader's agency are
left out of both lists, and "not related" is refused when either tip implicates it. Only
accounts linked to a roster official see these pages; ONAC and administrators get 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from alerts import complicity
from console.auth import role_required
from console.exclusion import kept_out, reader_kind, submitted_tip
from console.i18n import _
from console.runtime import runtime
from console.tip_view import BAND_LABELS, label
from locales.i18n import N_
from models import clusters, links, store
from models.base import utcnow
from models.complicity import visible_to
from models.review import BAND_RANK
from models.tables import Tip

bp = Blueprint("related", __name__, url_prefix="/console")

# The most cases one page lists: largest and most recently active first.
SHOWN = 200
MAX_REASON = 500
# What links two tips, as the reader knows it (never the number, plate or account itself).
KIND_LABELS = {
    "phone": N_("phone number"),
    "plate": N_("vehicle plate"),
    "url": N_("web address"),
    "handle": N_("social-media account"),
    "email": N_("e-mail address"),
    "iban": N_("bank account (IBAN)"),
    "business": N_("business and place"),
    "place": N_("place"),
}


@bp.app_context_processor
def related_labels() -> dict[str, Any]:
    """The label of a linking kind, for the tip page's "Related tips" section."""
    return {"link_kind_label": lambda v: label(KIND_LABELS, v)}


@bp.context_processor
def case_labels() -> dict[str, Any]:
    """The labels the cases page shares with the tips pages."""
    return {"band_label": lambda v: label(BAND_LABELS, v or "none")}


def _official() -> None:
    """Refuse an official account that is not linked to the roster (as the tips pages do)."""
    if current_user.official_id is None:
        abort(403)


def tip_related(session: Session, tip: Tip) -> list[links.Related]:
    """The tips linked to this one that the signed-in official may see, newest first."""
    return links.related(session, tip.id, visible_to(reader_kind(session)))


def _highest_bands(session: Session, groups: list[clusters.Cluster]) -> list[str | None]:
    """The most urgent working band of each group, read in one query (None: none scored)."""
    ids = [t for c in groups for t in c.tip_ids]
    rows = session.execute(select(Tip.id, Tip.band).where(Tip.id.in_(ids))).all()
    bands: dict[int, str | None] = {tip_id: band for tip_id, band in rows}
    return [
        max((bands.get(t) for t in c.tip_ids), key=lambda b: BAND_RANK.get(b or "none", 0))
        for c in groups
    ]


@bp.get("/cases")
@role_required("official")
def cases() -> str:
    """List the groups of related tips, largest and most recently active first."""
    _official()
    with runtime().db.read() as session:
        found = clusters.clusters(session, visible_to(reader_kind(session)))
        shown = found[:SHOWN]
        bands = _highest_bands(session, shown)
    rows = [{"cluster": c, "band": b} for c, b in zip(shown, bands, strict=True)]
    return render_template("cases.html", rows=rows, total=len(found), shown=len(rows))


@bp.post("/tips/<reference>/unlink/<other_reference>")
@role_required("official")
def unlink(reference: str, other_reference: str) -> BaseResponse:
    """Record that two linked tips are not related (a reason is required, never audited)."""
    _official()
    rt = runtime()
    reason = request.form.get("reason", "").strip()
    target = reference.strip().upper()
    if not reason:
        flash(_("Give the reason why these tips are not related."), "error")
        return redirect(url_for("tips.show", reference=target))
    if len(reason) > MAX_REASON:
        flash(_("A reason may have at most %(n)s characters.", n=MAX_REASON), "error")
        return redirect(url_for("tips.show", reference=target))
    with rt.db.transaction() as session:
        tip = submitted_tip(session, reference)
        other = submitted_tip(session, other_reference)
        if other.id == tip.id:
            abort(404)
        # Both are checked (and each refusal audited) before anything is written.
        refused = [kept_out(session, t, "unlink") for t in (tip, other)]
        linked = not any(refused) and any(r.tip_id == other.id for r in tip_related(session, tip))
        done = linked and links.unlink(
            session,
            rt.vault,
            tip_id=tip.id,
            other_tip_id=other.id,
            user_id=current_user.user_id,
            reason=reason,
            now=utcnow(),
        )
        if done:
            store.audit(
                session,
                actor=current_user.actor,
                action="tip.unlink",
                now=utcnow(),
                object_type="tip",
                object_id=tip.id,
                other=other.id,
            )
        target, other_ref = tip.reference, other.reference
    if any(refused):
        flash(_(complicity.REFUSED), "error")
        return redirect(url_for("tips.index"))
    if done:
        message = _(
            "Tips %(reference)s and %(other)s are no longer shown as related.",
            reference=target,
            other=other_ref,
        )
        flash(message, "info")
    else:
        flash(_("These tips are not shown as related."), "error")
    return redirect(url_for("tips.show", reference=target))


def related_context(session: Session, tip: Tip) -> dict[str, Any]:
    """What the tip page shows of related tips: the rows and the reason's limit."""
    return {"rows": tip_related(session, tip), "max_reason": MAX_REASON}
