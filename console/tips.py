"""The officials' view of tips: the list, one tip's page, its attachments, and their actions.

Only accounts linked to a roster official see tips (ONAC and administrators get 403). Every view
of a tip and every download is audited (ids only); actions post, redirect and flash.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from alerts import complicity
from bot import relay
from console import tip_actions
from console.auth import role_required
from console.exclusion import kept_out, reader_kind, submitted_tip
from console.i18n import _
from console.related import related_context
from console.review import tip_review
from console.runtime import runtime
from console.tip_view import (
    BAND_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    OUTCOME_LABELS,
    PER_PAGE,
    STATUS_LABELS,
    build_page,
    display_kind,
    label,
    list_tips,
    media_type,
)
from models import store
from models.base import utcnow
from models.crypto import DecryptionError
from models.tables import Attachment, Tip
from models.untrusted import is_ascii_digits

bp = Blueprint("tips", __name__, url_prefix="/console")

ATTACHMENT_CSP = "default-src 'none'"


@bp.context_processor
def labels() -> dict[str, Any]:
    """Label and time helpers for the tips templates."""
    return {
        "band_label": lambda v: label(BAND_LABELS, v or "none"),
        "status_label": lambda v: label(STATUS_LABELS, v),
        "outcome_label": lambda v: label(OUTCOME_LABELS, v),
        "channel_label": lambda v: label(CHANNEL_LABELS, v),
        "state_label": lambda v: label(DELIVERY_LABELS, v),
    }


@bp.after_app_request
def attachment_headers(response: Response) -> Response:
    """Give downloaded attachments the strictest policy (after the console's own headers)."""
    # Registered with the blueprint, before the console's header hook: Flask runs app hooks in
    # reverse order, so this one runs after it and its policy is the one sent.
    if request.endpoint == "tips.attachment" and response.status_code == 200:
        response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


def _official_id() -> int:
    """The signed-in official's roster id; an official account without one may not see tips."""
    official_id = current_user.official_id
    if official_id is None:
        abort(403)
    return int(official_id)


@bp.get("/tips")
@role_required("official")
def index() -> str:
    """List tips by band and status, most urgent and newest first."""
    _official_id()
    band = request.args.get("band", "")
    status = request.args.get("status", "")
    band = band if band in BAND_LABELS else ""
    status = status if status in STATUS_LABELS else ""
    page = request.args.get("page", "1")
    number = min(max(1, int(page)), 100_000) if is_ascii_digits(page) and len(page) < 9 else 1
    with runtime().db.read() as session:
        rows, total = list_tips(
            session,
            band=band or None,
            status=status or None,
            page=number,
            reader=reader_kind(session),
        )
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template(
        "tips.html",
        rows=rows,
        total=total,
        page=number,
        pages=pages,
        band=band,
        status=status,
        bands=list(BAND_LABELS),
        statuses=list(STATUS_LABELS),
    )


@bp.get("/tips/<reference>")
@role_required("official")
def show(reference: str) -> str:
    """Show one tip: its text as inert text, the triage explanation, routing and actions."""
    official_id = _official_id()
    rt = runtime()
    # Audited before anything is decrypted: an attempt that fails half-way still shows.
    with rt.db.transaction() as session:
        tip = submitted_tip(session, reference)
        # A tip implicating the reader's agency answers as one that does not exist (audited).
        refused = kept_out(session, tip, "view")
        if not refused:
            store.audit(
                session,
                actor=current_user.actor,
                action="tip.view",
                now=utcnow(),
                object_type="tip",
                object_id=tip.id,
            )
    if refused:
        abort(404)
    # Rendered inside the read: the loaded rows are detached once it ends.
    with rt.db.read() as session:
        tip = submitted_tip(session, reference)
        if reader_kind(session) in complicity.kinds_of(tip):
            abort(404)  # implicated since the check above
        page = build_page(session, rt.vault, tip, official_id)
        return render_template(
            "tip.html",
            page=page,
            tip=tip,
            review=tip_review(session, rt.vault, tip),
            related=related_context(session, tip),
            next_statuses=tip_actions.next_statuses(tip.status),
            outcomes=list(OUTCOME_LABELS),
            can_ask=not page.purged and _can_ask(session, tip),
            max_note=tip_actions.MAX_NOTE,
            max_question=tip_actions.MAX_QUESTION,
        )


def _can_ask(session: Session, tip: Tip) -> bool:
    """Whether the "ask the reporter" form is offered (the bot decides: consent, a channel)."""
    return bool(relay.can_ask(session, tip))


@bp.get("/tips/<reference>/attachments/<int:attachment_id>")
@role_required("official")
def attachment(reference: str, attachment_id: int) -> Response:
    """Serve an attachment's decrypted bytes: images and audio inline, the rest as a download."""
    _official_id()
    rt = runtime()
    with rt.db.transaction() as session:
        tip = submitted_tip(session, reference)
        item = session.get(Attachment, attachment_id)
        if item is None or item.tip_id != tip.id or item.data_enc is None:
            abort(404)
        refused = kept_out(session, tip, "attachment")
        if not refused:
            store.audit(
                session,
                actor=current_user.actor,
                action="tip.attachment",
                now=utcnow(),
                object_type="tip",
                object_id=tip.id,
                attachment=attachment_id,
            )
        sealed, content_type = item.data_enc, (item.content_type or "")
    if refused:
        abort(404)  # the tip implicates the reader's agency (the attempt is audited)
    try:
        data = rt.vault.decrypt(sealed)
    except DecryptionError:
        abort(404)
    response = Response(data)
    if display_kind(content_type) != "file":
        response.headers["Content-Type"] = media_type(content_type)
    else:
        response.headers["Content-Type"] = "application/octet-stream"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="attachment-{attachment_id}.bin"'
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _act(reference: str, action: str) -> BaseResponse:
    """Run one action in a transaction, flash its result and redirect back to the tip."""
    official_id = _official_id()
    rt = runtime()
    form = request.form
    with rt.db.transaction() as session:
        tip = submitted_tip(session, reference)
        refused = kept_out(session, tip, action)
        if refused:
            message, category = _(complicity.REFUSED), "error"
        elif tip.purged_at is not None and action != "status":
            message, category = _("The content of this tip was deleted."), "error"
        elif action == "ack":
            message, category = tip_actions.do_acknowledge(session, rt.alerts, tip, official_id)
        elif action == "status":
            message, category = tip_actions.do_status(
                session,
                tip,
                form.get("status", ""),
                form.get("outcome", ""),
                current_user.actor,
            )
        elif action == "note":
            message, category = tip_actions.do_note(
                session,
                rt.vault,
                tip,
                form.get("body", ""),
                current_user.user_id,
                current_user.actor,
            )
        else:
            message, category = tip_actions.do_ask(
                session,
                rt.intake,
                tip,
                form.get("question", ""),
                current_user.user_id,
                current_user.actor,
            )
        target = tip.reference
    flash(message, category)
    if refused:
        return redirect(url_for("tips.index"))
    return redirect(url_for("tips.show", reference=target))


@bp.post("/tips/<reference>/acknowledge")
@role_required("official")
def acknowledge(reference: str) -> BaseResponse:
    """Acknowledge the tip as the signed-in official."""
    return _act(reference, "ack")


@bp.post("/tips/<reference>/status")
@role_required("official")
def status(reference: str) -> BaseResponse:
    """Move the tip to the next status (an outcome is required to close it)."""
    return _act(reference, "status")


@bp.post("/tips/<reference>/notes")
@role_required("official")
def note(reference: str) -> BaseResponse:
    """Add an encrypted note to the tip."""
    return _act(reference, "note")


@bp.post("/tips/<reference>/ask")
@role_required("official")
def ask(reference: str) -> BaseResponse:
    """Relay a question to the reporter, if they agreed to follow-up."""
    return _act(reference, "ask")
