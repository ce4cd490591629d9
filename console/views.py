"""The console's frame: landing page by role, language switch, error pages, static files."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from console.auth import role_required
from locales.i18n import LANGUAGES

bp = Blueprint(
    "views",
    __name__,
    url_prefix="/console",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)

LANDING = {"official": "tips.index", "onac": "stats.index", "admin": "admin.users"}


@bp.get("/")
@role_required("admin", "onac", "official")
def home() -> BaseResponse:
    """Send each role to its own first page."""
    return redirect(url_for(LANDING[current_user.role]))


@bp.post("/language")
def language() -> BaseResponse:
    """Switch the console's language (kept in the session)."""
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    back = request.form.get("back", "")
    target = back if back.startswith("/console") and not back.startswith("//") else None
    return redirect(target or url_for("auth.login"))


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException) -> BaseResponse | tuple[str, int]:
    """Render console errors as pages; other paths keep Flask's default (JSON for webhooks)."""
    if not request.path.startswith("/console"):
        return exc.get_response()
    return render_template("error.html", code=exc.code, name=exc.name), exc.code or 500
