"""The web console: officials' tips, ONAC statistics, accounts and (in development) a simulator."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

from console.i18n import _, _n, current_language, local_time, number, place_name, role_label

csrf = CSRFProtect()

# Everything the console needs is served by the app: no CDN, no inline script or style.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def register(app: Flask, *, production: bool, session_minutes: int, simulator: bool) -> None:
    """Mount the console's blueprints, sessions, CSRF protection and security headers."""
    from console.auth import bp as auth_bp
    from console.auth import login_manager
    from console.views import bp as views_bp

    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=session_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="raporto_session",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires
        WTF_CSRF_SSL_STRICT=production,
        # The webhooks authenticate by signature; only the console's forms carry CSRF tokens.
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    app.jinja_env.globals.update(
        _=_,
        _n=_n,
        current_language=current_language,
        role_label=role_label,
        local_time=local_time,
        number=number,
        place_name=place_name,
    )
    app.jinja_env.autoescape = True
    from console.admin import bp as admin_bp
    from console.related import bp as related_bp
    from console.review import bp as review_bp
    from console.stats_views import bp as stats_bp
    from console.tips import bp as tips_bp

    for blueprint in (auth_bp, views_bp, tips_bp, review_bp, related_bp, stats_bp, admin_bp):
        app.register_blueprint(blueprint)
    if simulator:
        from console.simulator import bp as simulator_bp

        app.register_blueprint(simulator_bp)

    @app.before_request
    def console_csrf() -> None:
        if request.path.startswith("/console") and request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()

    @app.after_request
    def console_headers(response: Response) -> Response:
        if request.path.startswith("/console"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
            response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        return response
