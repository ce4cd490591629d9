"""Helpers for tests: signing provider requests the way the providers do, counting rows."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
from typing import Any

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from models.tables import (
    Attachment,
    AuditEntry,
    Conversation,
    InboundMessage,
    OutboundMessage,
    ReplyHandle,
    Reporter,
    Tip,
)
from raporto.runtime import Runtime
from webhooks.security import hotline_signature

TABLES = (
    Tip,
    InboundMessage,
    Reporter,
    ReplyHandle,
    Conversation,
    OutboundMessage,
    Attachment,
    AuditEntry,
)


def row_counts(runtime: Runtime) -> dict[str, int]:
    """Count the rows of every table."""
    with runtime.db.transaction() as session:
        return {
            model.__tablename__: session.execute(
                select(func.count()).select_from(model)
            ).scalar_one()
            for model in TABLES
        }


def twilio_headers(runtime: Runtime, path: str, form: dict[str, str]) -> dict[str, str]:
    """Return the X-Twilio-Signature header Twilio would send for a form POSTed to path."""
    url = runtime.settings.public_base_url + path
    signature = RequestValidator(runtime.settings.twilio_auth_token).compute_signature(url, form)
    return {"X-Twilio-Signature": signature}


def twilio_sid(prefix: str, label: str) -> str:
    """Return the Twilio SID a readable label stands for (the same label, the same SID)."""
    if re.fullmatch(r"[A-Z]{2}[0-9a-f]{32}", label):
        return label
    return prefix + hashlib.sha256(label.encode()).hexdigest()[:32]


def sms_form(sender: str, body: str, sid: str) -> dict[str, str]:
    """Return the form Twilio posts for an inbound SMS (`sid` may be a label: see twilio_sid)."""
    return {
        "MessageSid": twilio_sid("SM", sid),
        "AccountSid": "AC" + "1" * 32,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }


def telegram_headers(runtime: Runtime) -> dict[str, str]:
    """Return the secret header Telegram sends."""
    return {
        "X-Telegram-Bot-Api-Secret-Token": runtime.settings.telegram_webhook_secret,
        "Content-Type": "application/json",
    }


def telegram_message(update_id: int, user_id: int, text: str, **user: Any) -> dict[str, Any]:
    """Return a private-chat message update."""
    sender = {"id": user_id, "is_bot": False, "first_name": user.get("first_name", "Ana")}
    if "username" in user:
        sender["username"] = user["username"]
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": sender,
            "text": text,
        },
    }


def telegram_callback(update_id: int, user_id: int, data: str) -> dict[str, Any]:
    """Return a button press update."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Ana"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "text": "menu",
            },
        },
    }


def hotline_request(
    runtime: Runtime, record: dict[str, Any], *, skew: int = 0
) -> tuple[bytes, dict[str, str]]:
    """Return a signed hotline body and headers."""
    body = json.dumps(record).encode()
    timestamp = str(int(time.time()) + skew)
    signature = hotline_signature(runtime.settings.hotline_hmac_secret, timestamp, body)
    return body, {
        "X-Raporto-Timestamp": timestamp,
        "X-Raporto-Signature": signature,
        "Content-Type": "application/json",
    }


def wait_until(predicate: Any, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll a predicate until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
