"""The Flask application factory: webhooks, health, and (in the sandbox) the fakes' message log."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Flask, Response, abort, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from alerts import deadman
from models import review
from models.base import utcnow
from models.spool import SpoolFull
from raporto.logs import configure
from raporto.runtime import Runtime, build_runtime
from raporto.settings import Settings, load
from raporto.spool_drain import Drainer
from webhooks.limits import BodyLimit

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the web application; nothing is connected until a request needs it."""
    if runtime is None:
        runtime = build_runtime(settings or load())
    settings = runtime.settings
    configure(settings.log_level, settings.log_format)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        PUBLIC_BASE_URL=settings.public_base_url,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        TELEGRAM_WEBHOOK_SECRET=settings.telegram_webhook_secret,
        HOTLINE_HMAC_SECRET=settings.hotline_hmac_secret,
        HOTLINE_WINDOW_SECONDS=settings.hotline_window_seconds,
        HOTLINE_OPERATOR_NUMBERS=settings.hotline_operator_numbers,
        MAX_RECORDING_SECONDS=settings.max_recording_seconds,
        TWILIO_CONNECTION_OVERRIDES=settings.twilio_connection_overrides,
        RAPORTO_SANDBOX=settings.sandbox,
        RAPORTO_SIMULATOR=settings.sandbox,
        RAPORTO_ONION_URL=settings.onion_url,
    )
    if settings.trusted_proxies:
        # The client's address (sign-in throttling, loopback checks) is the one the trusted
        # proxies forwarded; without them every client would share the proxy's address.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    # Before Flask sees the request: a chunked body over the limit is refused, not cut to it.
    # The web form's photo needs more than a webhook body (REPORT_FORM_PATHS, below).
    form_limit = report_body_limit(runtime)
    app.wsgi_app = PathLimits(  # type: ignore[method-assign]
        BodyLimit(app.wsgi_app, settings.max_body_bytes),
        BodyLimit(app.wsgi_app, form_limit),
    )
    app.extensions["raporto"] = runtime
    app.extensions["raporto.intake"] = runtime.intake
    spool = runtime.intake.spool
    if spool is not None:
        drainer = Drainer(runtime.intake, spool)
        app.extensions["raporto.spool"] = spool
        app.extensions["raporto.spool_kick"] = drainer.kick
        app.extensions["raporto.spool_drainer"] = drainer
        if spool.entries():
            drainer.kick()  # events kept before a restart go in as soon as the database can

    from webhooks.hotline import bp as hotline_bp
    from webhooks.telegram import bp as telegram_bp
    from webhooks.twilio_alert_call import bp as alert_call_bp
    from webhooks.twilio_sms import bp as sms_bp
    from webhooks.twilio_voice import bp as voice_bp
    from webhooks.twilio_whatsapp import bp as whatsapp_bp

    for blueprint in (telegram_bp, sms_bp, whatsapp_bp, voice_bp, hotline_bp, alert_call_bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def refuse_oversized() -> None:
        # Refuse by the declared length before authentication reads anything; a body without
        # one (chunked) was read to the limit and a byte more by BodyLimit, below.
        length = request.content_length
        limit = form_limit if request.path in REPORT_FORM_PATHS else settings.max_body_bytes
        if length is not None and length > limit:
            abort(413)
        if request.path in REPORT_FORM_PATHS:
            request.max_content_length = form_limit

    @app.get("/health")
    def health() -> tuple[Response, int]:
        """Report a status to anyone; details and the dead-man's SMS only with the token."""
        detailed = _bearer_ok(settings.health_token)
        state = health_state(runtime, alert_onac=detailed)
        code = 200 if state["ok"] else 503
        # Pending alerts, workers and the review queue tell an outsider when nobody is watching.
        return jsonify(state if detailed else {"status": state["status"]}), code

    @app.errorhandler(OperationalError)
    def database_down(_exc: Exception) -> tuple[Response, int]:
        # The provider retries a 503; a 200 is never sent without a commit (or the spool).
        return jsonify(error="database unavailable"), 503

    @app.errorhandler(SpoolFull)
    def spool_full(exc: SpoolFull) -> tuple[Response, int]:
        # Neither the database nor the spool can keep the event: 503 makes Twilio call the
        # fallback URL (another host) and Telegram send the update again later.
        log.error("inbound event refused with 503: database down and %s", exc)
        return jsonify(error="database unavailable and spool full"), 503

    @app.after_request
    def no_store(response: Response) -> Response:
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if settings.production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    from console import register as register_console

    # The simulator drives the sandbox providers, so it exists only where they do.
    register_console(
        app,
        production=settings.production,
        session_minutes=settings.console_session_minutes,
        simulator=settings.sandbox,
    )
    from console.report_views import bp as report_bp

    app.register_blueprint(report_bp)  # the anonymous web form, /report
    from raporto.metrics_view import register as register_metrics

    register_metrics(app, runtime)  # /metrics, and every answer counted by endpoint and status
    if settings.sandbox:
        from raporto.sandbox_view import register

        register(app)
    return app


# The web form takes a photo: its body may be as large as an attachment plus the text.
REPORT_FORM_PATHS = ("/report",)
FORM_TEXT_BYTES = 256 * 1024


def report_body_limit(runtime: Runtime) -> int:
    """The largest body /report accepts: one attachment and the form's text fields."""
    return int(runtime.alerts.senders.max_attachment_bytes) + FORM_TEXT_BYTES


class PathLimits:
    """WSGI: the web form's paths go through their own body limit, everything else the webhooks'."""

    def __init__(self, default: Any, form: Any) -> None:
        self.default = default
        self.form = form

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Dispatch by path to the limit that applies."""
        path = environ.get("PATH_INFO", "")
        chosen = self.form if path in REPORT_FORM_PATHS else self.default
        return chosen(environ, start_response)


def spool_problems(status: dict[str, Any], alarm_seconds: int) -> list[str]:
    """The spool's alarms: events waiting too long to be replayed, events the intake refused."""
    problems = []
    if status["waiting"] and status["oldest_seconds"] >= alarm_seconds:
        problems.append("spool_not_draining")
    if status["failed"]:
        problems.append("spool_events_failed")
    if status["bytes"] >= 0.8 * status["max_bytes"]:
        problems.append("spool_nearly_full")  # at the cap, webhooks answer 503
    return problems


# A tip waiting longer than this for an official's review turns /health amber (still 200).
REVIEW_AMBER_HOURS = 24


def _bearer_ok(token: str) -> bool:
    """True when the request carries `Authorization: Bearer <RAPORTO_HEALTH_TOKEN>`."""
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def health_state(runtime: Runtime, *, alert_onac: bool = False) -> dict[str, Any]:
    """Return the state of the database, the queue, the alerts and the review queue.

    "status" is red (503) when something is broken, amber (200) when a tip has waited for review
    longer than a day, green otherwise. With `alert_onac`, a broken alert pipeline also texts
    ONAC's duty officers (the dead-man), once per problem and half-hour.
    """
    try:
        database = runtime.db.ping()
    except Exception:
        database = False
    queue = runtime.queue.ping()
    state: dict[str, Any] = {
        "ok": database and queue,
        "database": "ok" if database else "down",
        "queue": ("ok" if queue else "down"),
        "queue_backend": runtime.settings.queue_mode,
    }
    if database:
        now = utcnow()
        alerts = deadman.check(runtime.alerts, runtime.queue.workers(), now)
        state["alerts"] = alerts
        if alerts["problems"]:
            state["ok"] = False
        if alerts["problems"] and alert_onac:
            deadman.alert_onac(runtime.alerts, runtime.twilio(), alerts["problems"], now)
        with runtime.db.read() as session:
            waiting, oldest = review.waiting_summary(session)
        hours = review.age_hours(oldest, runtime.alerts.clock())
        state["review"] = {"waiting": waiting, "oldest_hours": round(hours, 1)}
    spool = runtime.intake.spool
    if spool is not None:
        state["spool"] = spool.status(utcnow())
        problems = spool_problems(state["spool"], runtime.settings.spool_alarm_seconds)
        if problems:
            state["ok"] = False
            state["spool"]["problems"] = problems
            if database and alert_onac:
                deadman.alert_onac(runtime.alerts, runtime.twilio(), problems, utcnow())
    if not state["ok"]:
        state["status"] = "red"
    elif state.get("review", {}).get("oldest_hours", 0) > REVIEW_AMBER_HOURS:
        state["status"] = "amber"
    else:
        state["status"] = "green"
    return state
