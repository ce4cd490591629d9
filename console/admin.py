"""Administration: accounts, the roster's health, enrolment codes, the audit log, settings.

One-time passwords and enrolment codes are shown once, in the response to the action that made
them (never stored in clear, never put in a redirect URL or the session). An admin or official
account an admin creates, or whose password an admin resets, signs in only once another admin
has confirmed it: no admin alone can give themselves an account that reads tips.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from alerts.roster import new_enrolment_code
from console.accounts import (
    AccountError,
    confirm,
    create_user,
    list_users,
    needs_confirmation,
    reset_password,
    set_disabled,
)
from console.auth import role_required
from console.i18n import _, current_language, role_label
from console.runtime import runtime
from models import store
from models.accounts import ROLES, User
from models.base import utcnow
from models.roster import Official
from models.tables import AuditEntry

bp = Blueprint("admin", __name__, url_prefix="/console/admin")

AUDIT_PAGE = 200
# Settings an administrator may read here; secrets never appear.
VISIBLE_SETTINGS = (
    "production",
    "sandbox",
    "queue_mode",
    "alert_content",
    "alert_max_rounds",
    "alert_coverage",
    "flood_per_reporter_per_hour",
    "flood_overall_per_hour",
    "reminder_hours",
    "telegram_per_chat_interval",
    "telegram_paid_broadcast",
    "content_retention_days",
    "reply_handle_days",
    "console_session_minutes",
    "stats_k",
)


def _officials() -> list[Official]:
    with runtime().db.read() as db:
        query = select(Official).options(selectinload(Official.agency)).order_by(Official.id)
        officials = list(db.scalars(query))
        for official in officials:
            _ = official.agency.name_en  # loaded before the session closes
        return officials


def _linkable(officials: list[Official]) -> list[Official]:
    """The roster entries an official's account may act as (never ONAC's)."""
    return [o for o in officials if o.role != "onac" and o.agency.kind != "coordinator"]


def _users_page(new_password: tuple[str, str] | None = None, pending: bool = False) -> str:
    with runtime().db.read() as db:
        users = list_users(db)
    return render_template(
        "admin_users.html",
        users=users,
        roles=ROLES,
        officials=_linkable(_officials()),
        new_password=new_password,
        pending=pending,
    )


@bp.get("")
@role_required("admin")
def users() -> str:
    """List accounts, with the form to add one."""
    return _users_page()


@bp.post("/users")
@role_required("admin")
def add_user() -> str | BaseResponse:
    """Create an account and show its one-time password once."""
    raw_official = request.form.get("official_id", "")
    role = request.form.get("role", "")
    pending = needs_confirmation(role)
    try:
        with runtime().db.transaction() as db:
            account = create_user(
                db,
                username=request.form.get("username", ""),
                role=role,
                official_id=int(raw_official)
                if raw_official.isascii() and raw_official.isdigit()
                else None,
                language=request.form.get("language", "sq"),
                actor=current_user.actor,
                pending_by=current_user.user_id if pending else None,
            )
    except AccountError as exc:
        # The reason in the page's language, roles by their names (never English in Albanian);
        # it follows a colon, so it starts in lower case.
        reason = exc.text(current_language(), roles=role_label)
        reason = reason[:1].lower() + reason[1:]
        flash(_("The account was not created: %(reason)s", reason=reason), "error")
        return redirect(url_for("admin.users"))
    return _users_page(new_password=(account.username, account.password), pending=pending)


@bp.post("/users/<int:user_id>/<action>")
@role_required("admin")
def user_action(user_id: int, action: str) -> str | BaseResponse:
    """Disable, enable, reset the password of, or confirm an account."""
    if action not in ("disable", "enable", "reset", "confirm"):
        abort(404)
    if user_id == current_user.user_id and action == "disable":
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("admin.users"))
    with runtime().db.transaction() as db:
        user = db.get(User, user_id)
        if user is None:
            abort(404)
        pending = needs_confirmation(user.role)
        if action == "confirm":
            try:
                confirm(db, user, admin_id=current_user.user_id, actor=current_user.actor)
            except AccountError as exc:
                flash(exc.text(current_language()), "error")
                return redirect(url_for("admin.users"))
        elif action == "reset":
            by = current_user.user_id if pending else None
            password = reset_password(db, user, actor=current_user.actor, pending_by=by)
            username = user.username
        else:
            set_disabled(db, user, action == "disable", actor=current_user.actor)
    if action == "reset":
        return _users_page(new_password=(username, password), pending=pending)
    flash(_("The account was updated."), "info")
    return redirect(url_for("admin.users"))


@bp.get("/roster")
@role_required("admin")
def roster() -> str:
    """The officials who receive alerts: channels set up, problems, enrolment."""
    return render_template("admin_roster.html", officials=_officials(), now=utcnow(), code=None)


@bp.post("/roster/<int:official_id>/enrol")
@role_required("admin")
def enrol(official_id: int) -> str:
    """Issue a one-time code that links the official's Telegram chat; show it once."""
    with runtime().db.transaction() as db:
        official = db.get(Official, official_id)
        if official is None:
            abort(404)
        code = new_enrolment_code(db, runtime().pseudonym, official, utcnow())
        name = official.name
        store.audit(
            db,
            actor=current_user.actor,
            action="official.enrol_code",
            now=utcnow(),
            object_type="official",
            object_id=official_id,
        )
    return render_template(
        "admin_roster.html", officials=_officials(), now=utcnow(), code=(name, code)
    )


@bp.get("/audit")
@role_required("admin")
def audit() -> str:
    """The latest entries of the append-only audit log, optionally by action."""
    action = request.args.get("action", "").strip()[:48]
    with runtime().db.read() as db:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = list(db.scalars(query))
    return render_template("admin_audit.html", entries=entries, action=action)


@bp.get("/settings")
@role_required("admin")
def settings() -> str:
    """The running service's settings that are not secrets."""
    current = runtime().settings
    values = [(name, getattr(current, name)) for name in VISIBLE_SETTINGS if hasattr(current, name)]
    return render_template("admin_settings.html", values=values)
