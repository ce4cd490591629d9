"""Authenticate provider requests before anything is parsed or stored.

Twilio: `X-Twilio-Signature` checked by the twilio package's RequestValidator over the URL built
from PUBLIC_BASE_URL (never from forwarded headers a client could spoof). Telegram: the
`X-Telegram-Bot-Api-Secret-Token` header. Hotline: HMAC-SHA256 over timestamp and body with a
five-minute window. Failure is 403 and nothing is written; a signed Twilio request whose ids
(MessageSid, CallSid, RecordingSid, AccountSid) are not Twilio's formats is 400, nothing written.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from models.untrusted import is_ascii_digits, is_twilio_sid

F = TypeVar("F", bound=Callable[..., Any])

TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HOTLINE_SIGNATURE = "X-Raporto-Signature"
HOTLINE_TIMESTAMP = "X-Raporto-Timestamp"

# The Twilio ids Raporto stores or puts in API paths, with the kinds each may be.
TWILIO_IDS = {
    "MessageSid": ("SM", "MM"),
    "SmsSid": ("SM", "MM"),
    "SmsMessageSid": ("SM", "MM"),
    "CallSid": ("CA",),
    "RecordingSid": ("RE",),
    "AccountSid": ("AC",),
}


def public_url() -> str:
    """Return the URL the provider called, as configured, with the exact query string."""
    base = current_app.config["PUBLIC_BASE_URL"]
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signed_urls() -> list[str]:
    """Return the URLs Twilio may have signed for this request.

    Twilio signs the URL as configured, connection overrides ("#rc=3&rp=ct,5xx") included,
    although the fragment never reaches the server. With TWILIO_CONNECTION_OVERRIDES set, the
    URL with that fragment counts as well as the bare one (the URLs our TwiML hands out have none).
    """
    url = public_url()
    overrides = current_app.config.get("TWILIO_CONNECTION_OVERRIDES") or ""
    return [url, f"{url}#{overrides}"] if overrides else [url]


def bad_twilio_id(form: Mapping[str, str]) -> str | None:
    """Return a message naming the first Twilio id in the form that is not of its kind."""
    for field, kinds in TWILIO_IDS.items():
        value = form.get(field)
        if value and not is_twilio_sid(value, *kinds):
            return f"{field} must be {' or '.join(kinds)} followed by 32 hexadecimal digits"
    return None


def twilio_signed(view: F) -> F:
    """Refuse (403) a Twilio webhook whose signature does not match the configured URL.

    A signed request whose ids are not Twilio's formats is refused with 400 before anything is
    stored: those ids are kept and later put in API paths (recordings, deletions).
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
        if not signature or not any(
            validator.validate(url, request.form, signature) for url in signed_urls()
        ):
            abort(403)
        problem = bad_twilio_id(request.form)
        if problem is not None:
            return Response(problem, status=400, mimetype="text/plain")
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
        if not is_ascii_digits(timestamp) or len(timestamp) > 12:
            abort(403)  # Unix seconds in ASCII; int() would also read "١٧٠٠…" or "1_700…"
        skew = abs(time.time() - int(timestamp))
        if skew > window:
            abort(403)  # a replayed capture: the body may be right but it is too old
        body = request.get_data(cache=True)
        expected = hotline_signature(current_app.config["HOTLINE_HMAC_SECRET"], timestamp, body)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
