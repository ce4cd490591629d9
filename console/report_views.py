"""GET/POST /report and /report/status: the anonymous web form, no JavaScript, no cookie.

The page needs nothing but HTML and the app's own stylesheet (Tor Browser's safest mode works).
Its forms carry a signed, time-limited token (itsdangerous) instead of a session: nothing is set
in the browser before or after a report. Flask's session is never touched here.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.context import IntakeContext
from bot.services_directory import qarks
from console.report_intake import (
    SUBMISSIONS_PER_HOUR,
    WebReport,
    address_key,
    answer_question,
    open_status,
    over_limit,
    submit_report,
)
from console.report_photo import PhotoRefused, clean_photo
from console.report_words import new_passphrase
from locales.i18n import N_, normalise_language
from locales.i18n import gettext as _t

log = logging.getLogger(__name__)

bp = Blueprint(
    "report",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/report/static",
)

# A form may be filled in slowly (on a phone, in hiding): two hours, then a fresh token.
TOKEN_MAX_AGE = 2 * 60 * 60
MAX_TEXT_CHARS = 20_000
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="raporto-" + purpose)


def new_token(purpose: str = "report") -> str:
    """A signed form token carrying a fresh random nonce (the submission's identity)."""
    return _serializer(purpose).dumps(secrets.token_urlsafe(16))


def token_nonce(token: str, purpose: str = "report") -> str | None:
    """The nonce of a valid, unexpired token; None when forged, expired or missing."""
    try:
        nonce = _serializer(purpose).loads(token or "", max_age=TOKEN_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    return nonce if isinstance(nonce, str) and 8 <= len(nonce) <= 64 else None


def _ctx() -> IntakeContext:
    ctx: IntakeContext = current_app.extensions["raporto.intake"]
    return ctx


def _lang() -> str:
    return normalise_language(request.values.get("lang") or "sq")


def _page(template: str, status: int = 200, **params: Any) -> tuple[str, int]:
    lang = params.pop("lang", None) or _lang()

    def t(msgid: str, **values: Any) -> str:
        return _t(lang, msgid, **values)

    places = [(q.code, q.name(lang)) for q in qarks()]
    return render_template(template, _=t, lang=lang, places=places, **params), status


def _flag(name: str) -> bool | None:
    value = request.form.get(name, "")
    return {"yes": True, "no": False}.get(value)


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def database_down(exc: Exception) -> tuple[str, int]:
    """A page in the reader's language, not the webhooks' JSON: nothing was stored, send again."""
    # Not spooled: the answer must carry a code and a passphrase, which need the database.
    log.warning("web report refused with 503: database unavailable (%s)", type(exc).__name__)
    return _page("report_unavailable.html", 503)


@bp.get("/report")
def form() -> tuple[str, int]:
    """The empty report form."""
    return _page("report_form.html", token=new_token(), values={})


@bp.post("/report")
def send() -> tuple[str, int]:
    """Take one report: check the token and the limits, clean the photo, store, show the code."""
    values = {k: request.form.get(k, "")[:MAX_TEXT_CHARS] for k in ("text", "qark", "minor")}
    values.update({k: request.form.get(k, "")[:8] for k in ("danger", "language")})
    text = values["text"].strip()
    nonce = token_nonce(request.form.get("token", ""))
    if nonce is None:
        error = N_("This form has expired. Check your text and send it again.")
        return _page("report_form.html", 400, token=new_token(), values=values, error=error)
    if not text:
        error = N_("Please write what you saw or know.")
        return _page("report_form.html", 400, token=new_token(), values=values, error=error)
    ctx = _ctx()
    key = address_key(ctx, request.remote_addr)
    if over_limit(ctx, "web_submit", key, SUBMISSIONS_PER_HOUR):
        return _page("report_limited.html", 429)
    photo = _photo()
    if isinstance(photo, str):
        return _page("report_form.html", 400, token=new_token(), values=values, error=photo)
    lang = _lang()
    written_in = values["language"] if values["language"] in ("sq", "en") else None
    report = WebReport(
        text=text,
        language=written_in or lang,
        qark=values["qark"] or None,
        minor=_flag("minor"),
        danger_now=_flag("danger"),
        photo=photo,
    )
    result = submit_report(ctx, nonce, report, new_passphrase(lang), key)
    log.info("web report stored%s", " (form sent again)" if result.duplicate else "")
    return _page("report_done.html", result=result)


def _photo() -> bytes | None | str:
    """The uploaded photo cleaned of metadata, None without one, or an error msgid."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    cap = _ctx().alerts.senders.max_attachment_bytes
    data = upload.stream.read(cap + 1)
    if not data:
        return None
    if len(data) > cap:
        return N_("The photo is too large.")
    try:
        return clean_photo(data)
    except PhotoRefused:
        return N_("This file is not a photo we can read (JPEG or PNG).")


@bp.get("/report/status")
def status_form() -> tuple[str, int]:
    """Ask for the reference code and the passphrase."""
    return _page("report_status.html", token=new_token("status"), view=None)


@bp.post("/report/status")
def status() -> tuple[str, int]:
    """Show a report's status and questions, or append the reporter's answer."""
    code = request.form.get("code", "")[:32]
    passphrase = request.form.get("passphrase", "")[:200]
    if token_nonce(request.form.get("token", ""), "status") is None:
        error = N_("This form has expired. Please enter your code and passphrase again.")
        return _page("report_status.html", 400, token=new_token("status"), view=None, error=error)
    ctx = _ctx()
    key = address_key(ctx, request.remote_addr)
    answer = request.form.get("answer", "")[:MAX_TEXT_CHARS]
    if answer.strip():
        view = answer_question(ctx, code, passphrase, answer, key)
    else:
        view = open_status(ctx, code, passphrase, key)
    if view is None:
        # One answer for a wrong code, a wrong passphrase and too many tries.
        error = N_("The code or the passphrase is not right, or there were too many tries.")
        return _page("report_status.html", 403, token=new_token("status"), view=None, error=error)
    return _page(
        "report_status.html",
        token=new_token("status"),
        view=view,
        code=view.reference,
        passphrase=passphrase,
        answered=bool(answer.strip()),
    )


def _onion_base(url: str) -> str:
    """The onion address without a trailing slash, or "" when the setting is not one."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host.endswith(".onion"):
        return ""
    return f"{parts.scheme}://{parts.netloc}"


@bp.after_request
def headers(response: Response) -> Response:
    """No framing, no third party, no referrer; the onion address for Tor Browser."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    onion = _onion_base(current_app.config.get("RAPORTO_ONION_URL", ""))
    if onion:
        response.headers["Onion-Location"] = onion + request.path
    return response
