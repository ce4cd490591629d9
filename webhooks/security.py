"""Authenticate provider requests before anything is parsed or stored.

Twilio: `X-Twilio-Signature` checked by the twilio package's RequestValidator over the URL built
from PUBLIC_BASE_URL (never from forwarded headers a client could spoof). Telegram: the
`X-Telegram-Bot-Api-Secret-Token` header. Hotline: HMAC-SHA256 over timestamp and body with a
five-minute window. Failure is 403 and nothing is written.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

F = TypeVar("F", bound=Callable[..., Any])

TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HOTLINE_SIGNATURE = "X-Raporto-Signature"
HOTLINE_TIMESTAMP = "X-Raporto-Timestamp"


def public_url() -> str:
    """Return the URL the provider called, as configured, with the exact query string."""
    base = current_app.config["PUBLIC_BASE_URL"]
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def twilio_signed(view: F) -> F:
    """Refuse (403) a Twilio webhook whose signature does not match the configured URL."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
        if not signature or not validator.validate(public_url(), request.form, signature):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def telegram_signed(view: F) -> F:
    """Refuse (403) a Telegram update without the webhook's secret token."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        expected = current_app.config["TELEGRAM_WEBHOOK_SECRET"].encode()
        given = request.headers.get(TELEGRAM_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def hotline_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 the hotline system sends for a body."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def hotline_signed(view: F) -> F:
    """Refuse (403) a hotline record with a bad signature or a timestamp outside the window."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        timestamp = request.headers.get(HOTLINE_TIMESTAMP, "")
        signature = request.headers.get(HOTLINE_SIGNATURE, "")
        window = current_app.config["HOTLINE_WINDOW_SECONDS"]
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            abort(403)
        if skew > window:
            abort(403)  # a replayed capture: the body may be right but it is too old
        body = request.get_data(cache=True)
        expected = hotline_signature(current_app.config["HOTLINE_HMAC_SECRET"], timestamp, body)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
