"""Twilio REST resources as JSON, SMS segment counting, and Twilio's error shape.

Owns the JSON of Message, Call and Recording resources (complete enough for
twilio-python's instances), SIDs, dates in Twilio's RFC 2822 form, the GSM-7/UCS-2
segment count, the error body, and the progress (and status callbacks) of outbound SMS.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re
import secrets
import time
from typing import Any

from flask import Response, jsonify, request

from sandbox.faults import FaultRule, drop_connection
from sandbox.signature import post_form
from sandbox.state import SandboxState, utc_now

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def new_sid(prefix: str) -> str:
    """Return a Twilio-style SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def rfc2822(moment: dt.datetime) -> str:
    """Format a datetime the way Twilio's JSON does ("Tue, 25 Nov 2025 22:17:00 +0000")."""
    return email.utils.format_datetime(moment)


def num_segments(body: str) -> int:
    """Count SMS segments: GSM-7 160/153 septets, else UCS-2 70/67 code units."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in body):
        # Extension-table characters take an escape septet too.
        length, single, multi = sum(2 if c in GSM7_EXTENDED else 1 for c in body), 160, 153
    else:
        length, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if length <= single else math.ceil(length / multi)


class TwilioError(Exception):
    """A Twilio REST error answer."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> Response:
        """Return Twilio's JSON error body."""
        resp = jsonify(
            code=self.code,
            message=self.message,
            more_info=f"https://www.twilio.com/docs/errors/{self.code}",
            status=self.status,
        )
        resp.status_code = self.status
        return resp


def fault_error(rule: FaultRule) -> TwilioError:
    """Turn a fired fault rule into a Twilio error (or drop the connection)."""
    if rule.mode == "drop":
        raise drop_connection(request.environ)
    if rule.mode == "429":
        return TwilioError(429, rule.code or 20429, rule.description or "Too Many Requests")
    if rule.mode == "blocked":
        message = rule.description or "Attempt to send to unsubscribed recipient"
        return TwilioError(400, rule.code or 21610, message)
    if rule.mode == "5xx":
        status = rule.status or 500
        return TwilioError(status, rule.code or 20000 + status, rule.description or "Server error")
    return TwilioError(rule.status or 400, rule.code or 21211, rule.description or "Bad Request")


def _base(account_sid: str, kind: str, sid: str, created: dt.datetime) -> dict[str, Any]:
    uri = f"/2010-04-01/Accounts/{account_sid}/{kind}/{sid}.json"
    return {
        "sid": sid,
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "date_created": rfc2822(created),
        "date_updated": rfc2822(created),
        "uri": uri,
    }


def message_json(
    account_sid: str,
    form: dict[str, str],
    *,
    sid: str | None = None,
    direction: str = "outbound-api",
    status: str = "queued",
) -> dict[str, Any]:
    """Build a Message resource: a create request's, or (direction) one Twilio logs itself."""
    sid, body = sid or new_sid("SM"), form.get("Body", "")
    return {
        **_base(account_sid, "Messages", sid, utc_now()),
        "body": body,
        "to": form["To"],
        "from": form["From"],
        "status": status,
        "direction": direction,
        "num_segments": str(num_segments(body)),
        "num_media": "0",
        "date_sent": None,
        "error_code": None,
        "error_message": None,
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "price": None,
        "price_unit": "USD",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json",
            "feedback": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Feedback.json",
        },
    }


def call_json(account_sid: str, form: dict[str, str]) -> dict[str, Any]:
    """Build a Call resource for a create request."""
    sid = new_sid("CA")
    return {
        **_base(account_sid, "Calls", sid, utc_now()),
        "to": form["To"],
        "to_formatted": form["To"],
        "from": form["From"],
        "from_formatted": form["From"],
        "status": "queued",
        "direction": "outbound-api",
        "parent_call_sid": None,
        "phone_number_sid": None,
        "start_time": None,
        "end_time": None,
        "duration": None,
        "price": None,
        "price_unit": "USD",
        "answered_by": None,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": "0",
        "trunk_sid": None,
        "subresource_uris": {
            "recordings": f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}/Recordings.json",
        },
    }


def recording_json(state: SandboxState, account_sid: str, sid: str) -> dict[str, Any]:
    """Build the Recording resource for a stored recording."""
    with state.cond:
        rec = state.recordings.get(sid)
    if rec is None or rec.account_sid != account_sid:
        raise TwilioError(
            404,
            20404,
            f"The requested resource /2010-04-01/Accounts/"
            f"{account_sid}/Recordings/{sid}.json was not found",
        )
    return {
        **_base(account_sid, "Recordings", sid, rec.created),
        "call_sid": rec.call_sid,
        "conference_sid": None,
        "start_time": rfc2822(rec.created),
        "duration": str(rec.duration),
        "price": None,
        "price_unit": "USD",
        "status": "completed",
        "channels": 1,
        "source": "RecordVerb",
        "error_code": None,
        "encryption_details": None,
        "media_url": f"{state.config.sandbox_url or ''}/2010-04-01/Accounts/{account_sid}"
        f"/Recordings/{sid}",
        "subresource_uris": {
            "transcriptions": f"/2010-04-01/Accounts/{account_sid}/Recordings/{sid}"
            "/Transcriptions.json",
        },
    }


def send_status_callbacks(state: SandboxState, msg: dict[str, Any], url: str | None) -> None:
    """Move a created message to sent, then delivered; POST each status to `url`, if any."""
    # Twilio reports progress asynchronously; the sandbox compresses it into ~0.1 s. Until
    # then the message is "queued" and, as at Twilio, cannot be deleted (error 20009).
    for status in ("sent", "delivered"):
        time.sleep(0.05)
        with state.cond:
            # msg is the stored resource, so later fetches see the new status.
            msg["status"] = status
            state.cond.notify_all()
        if url is None:
            continue
        params = {
            "MessageSid": msg["sid"],
            "SmsSid": msg["sid"],
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": msg["account_sid"],
            "From": msg["from"],
            "To": msg["to"],
            "ApiVersion": "2010-04-01",
        }
        post_form(url, params, state.config.twilio_auth_token, timeout=5.0)
        # Lets tests wait_for the app's side effects of the callback.
        state.notify()
