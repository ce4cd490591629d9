"""The console's frame: landing page by role, language switch, error pages, static files."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from console.auth import role_required
from console.i18n import _, current_language
from locales.i18n import LANGUAGES, N_

bp = Blueprint(
    "views",
    __name__,
    url_prefix="/console",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)

LANDING = {"official": "tips.index", "onac": "stats.index", "admin": "admin.users"}
# What an error page says, in the page's language: (title, sentence). Werkzeug's own English
# name and description are never shown.
ERRORS = {
    400: (N_("Invalid request"), N_("The request was not valid. Reload the page and try again.")),
    403: (N_("Not allowed"), N_("Your account may not open this page.")),
    404: (N_("Page not found"), N_("This page does not exist.")),
    405: (
        N_("Invalid request"),
        N_("This page does not accept that request. Go back and try again."),
    ),
    413: (N_("Request too large"), N_("What you sent is larger than the console accepts.")),
    500: (N_("Server error"), N_("Something went wrong. Try again.")),
}


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
    code = exc.code or 500
    title, message = ERRORS.get(code, ERRORS[500])
    page = {"code": code, "title": _(title), "message": _(message), "lang": current_language()}
    try:
        return render_template("error.html", **page), code
    except Exception:  # noqa: BLE001
        # The full page loads the signed-in account; when the database is what failed, the
        # error still gets a page of its own in the reader's language, not Werkzeug's English.
        current_app.logger.exception("console: the error page could not be rendered")
        return render_template("error_plain.html", **page), code
