"""Send queued replies to reporters and fetch their attachments: idempotent, retried, ids only.

Telegram replies go out here; SMS only for questions relayed to a reporter who agreed to them
(every other SMS is a TwiML answer to the reporter's own message), checked again at send time.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter
from twilio.base.exceptions import TwilioRestException

from alerts import twilio_erasure
from alerts.telegram_sender import TelegramSender
from alerts.twilio_erasure import ERASE_CHANNEL
from models import store
from models.base import utcnow
from models.crypto import Vault
from models.db import Database
from models.tables import Attachment, OutboundMessage, Reporter

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)


@dataclass
class ReplyServices:
    """What sending needs: the database, the keys, the Telegram sender and the Twilio client."""

    db: Database
    vault: Vault
    telegram: TelegramSender
    max_attachment_bytes: int = 5 * 1024 * 1024
    twilio: Any = None
    sms_from: str = ""


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next attempt: 2 s, 4 s, 8 s ... capped at 5 minutes."""
    return timedelta(seconds=min(300, 2**attempts))


def send_outbound(services: ReplyServices, outbound_id: int) -> str:
    """Send one outbox message to its reporter; return the resulting state."""
    with services.db.transaction() as session:
        row = store.claim_outbound(session, outbound_id, LEASE)
        if row is None:
            return "skipped"  # already sent, or another worker holds the lease
        payload = services.vault.decrypt_json(row.payload_enc) if row.payload_enc else {}
        handle = (
            store.reply_handle(session, services.vault, row.reporter_id, row.channel)
            if row.reporter_id is not None
            else None
        )
        if payload.get("to") is not None:
            handle = str(payload["to"])  # the late answer to a spooled SMS (bot/sms_flow.py)
        if row.reporter_id is None and payload.get("group_chat") is not None:
            handle = str(payload["group_chat"])  # a group the bot was added to, left at once
        attempts, channel = row.attempts, row.channel
        reporter = session.get(Reporter, row.reporter_id) if row.reporter_id is not None else None
        refusal = _refusal(channel, payload, reporter)
    if channel == ERASE_CHANNEL:
        return _erase(services, outbound_id, payload, attempts)
    if refusal is not None:
        return _finish(services, outbound_id, "failed", error=refusal)
    if handle is None:
        return _finish(services, outbound_id, "failed", error="reply handle expired")
    if channel == "sms":
        return _send_sms(services, outbound_id, handle, payload["text"], attempts)
    if payload.get("delete") is not None:
        return _clear_chat(services, outbound_id, int(handle), payload)
    if payload.get("leave"):
        return _leave_group(services, outbound_id, int(handle), payload["text"])
    try:
        if payload.get("answer_callback"):
            # A button press too old to answer is no reason to hold back the reply.
            with contextlib.suppress(BadRequest):
                services.telegram.answer_callback(payload["answer_callback"])
        message_id = services.telegram.send(int(handle), payload["text"], payload.get("buttons"))
    except RetryAfter as exc:
        wait = (
            exc.retry_after
            if isinstance(exc.retry_after, timedelta)
            else timedelta(seconds=float(exc.retry_after))
        )
        return _finish(services, outbound_id, "pending", error="rate limited", wait=wait)
    except (Forbidden, BadRequest) as exc:
        return _finish(services, outbound_id, "failed", error=type(exc).__name__)
    except Exception as exc:  # network trouble: the message may or may not have gone out
        if attempts >= MAX_ATTEMPTS:
            return _finish(services, outbound_id, "failed", error=type(exc).__name__)
        return _finish(
            services, outbound_id, "pending", error=type(exc).__name__, wait=backoff(attempts)
        )
    return _finish(services, outbound_id, "sent", provider_id=str(message_id))


def _refusal(channel: str, payload: dict[str, Any], reporter: Reporter | None) -> str | None:
    """Why a message may no longer go out: consent withdrawn or STOP since it was queued."""
    # A spooled SMS's late receipt is the answer its sender was owed, not a new message.
    unasked = channel == "sms" and not payload.get("receipt")
    if (payload.get("question") or unasked) and (
        reporter is None or not reporter.follow_up_consent
    ):
        return "no consent"
    if channel == "sms" and reporter is not None and reporter.sms_opted_out:
        return "opted out"
    return None


def _send_sms(
    services: ReplyServices, outbound_id: int, number: str, text: str, attempts: int
) -> str:
    """Send a relayed question by SMS (Twilio); permanent refusals are not retried."""
    if services.twilio is None:
        return _finish(services, outbound_id, "failed", error="no SMS sender")
    try:
        sent = services.twilio.messages.create(to=number, from_=services.sms_from, body=text)
    except TwilioRestException as exc:
        if exc.status in (400, 403, 404) or attempts >= MAX_ATTEMPTS:
            return _finish(services, outbound_id, "failed", error=f"Twilio {exc.code}")
        error = f"Twilio {exc.status}"
        return _finish(services, outbound_id, "pending", error=error, wait=backoff(attempts))
    except Exception as exc:  # network trouble: the message may or may not have gone out
        if attempts >= MAX_ATTEMPTS:
            return _finish(services, outbound_id, "failed", error=type(exc).__name__)
        error = type(exc).__name__
        return _finish(services, outbound_id, "pending", error=error, wait=backoff(attempts))
    # The question and the reporter's number stay in Twilio's log until deleted there too.
    return _finish(services, outbound_id, "sent", provider_id=str(sent.sid), erase=str(sent.sid))


def _erase(
    services: ReplyServices, outbound_id: int, payload: dict[str, Any], attempts: int
) -> str:
    """Delete a reporter's SMS or call record at Twilio; tried again until Twilio confirms."""
    if not payload.get("sid"):
        return _finish(services, outbound_id, "failed", error="reference purged")
    why: str | None = "no Twilio client"
    done = False
    if services.twilio is not None:
        done, why = twilio_erasure.erase(services.twilio, payload["erase"], payload["sid"])
    if done:
        return _finish(services, outbound_id, "done")
    wait = twilio_erasure.retry_wait(attempts)
    return _finish(services, outbound_id, "pending", error=why, wait=wait)


def _clear_chat(
    services: ReplyServices, outbound_id: int, chat_id: int, payload: dict[str, object]
) -> str:
    """Delete each listed message of the chat (Telegram refuses those older than 48 hours)."""
    callback = payload.get("answer_callback")
    if isinstance(callback, str):
        with contextlib.suppress(BadRequest):
            services.telegram.answer_callback(callback, str(payload.get("callback_text") or ""))
    ids = payload.get("delete")
    deleted = sum(services.telegram.delete(chat_id, int(i)) for i in ids or [])  # type: ignore[attr-defined]
    return _finish(services, outbound_id, "sent", provider_id=f"deleted:{deleted}")


def _finish(
    services: ReplyServices,
    outbound_id: int,
    status: str,
    *,
    error: str | None = None,
    wait: timedelta | None = None,
    provider_id: str | None = None,
    erase: str | None = None,
) -> str:
    with services.db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        if row is None or row.status != "pending":
            return status
        now = utcnow()
        row.status = status
        row.last_error = error
        if status == "sent":
            row.sent_at = now
            row.provider_message_id = provider_id
            row.payload_enc = None  # sent: the text is no longer needed
            if erase is not None:  # in the same commit, so the deletion is never forgotten
                twilio_erasure.erase_later(session, services.vault, "message", erase, now=now)
        elif status == "pending":
            row.next_attempt_at = now + (wait or backoff(row.attempts))
        else:
            # done (an erasure confirmed) or failed: the payload is no longer needed
            row.payload_enc = None
    if error:
        log.warning("outbound %s: %s (%s)", outbound_id, status, error)
    return status


def _leave_group(services: ReplyServices, outbound_id: int, chat_id: int, text: str) -> str:
    """Say that reports are private, then leave; a channel may refuse the message, not the exit."""
    with contextlib.suppress(Forbidden, BadRequest):
        services.telegram.send(chat_id, text)
    try:
        services.telegram.leave(chat_id)
    except (Forbidden, BadRequest):
        pass  # already removed from the group: nothing left to do
    except Exception as exc:  # network trouble: leaving is retried
        return _finish(services, outbound_id, "pending", error=type(exc).__name__, wait=backoff(1))
    return _finish(services, outbound_id, "sent")


def fetch_telegram_attachment(services: ReplyServices, attachment_id: int) -> str:
    """Download a pending Telegram photo or voice note into encrypted storage."""
    with services.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending" or row.source_enc is None:
            return "skipped"
        source = services.vault.decrypt_json(row.source_enc)
    if source.get("provider") != "telegram":
        return "skipped"
    data = services.telegram.download(source["file_id"], services.max_attachment_bytes)
    with services.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending":
            return "skipped"
        if data is None:
            row.status, row.source_enc = "too_large", None
            return "too_large"
        row.data_enc = services.vault.encrypt(data)
        row.size = len(data)
        row.content_type = source.get("content_type") or (
            "image/jpeg" if source.get("kind") == "photo" else "audio/ogg"
        )
        row.status, row.source_enc = "stored", None
    return "stored"
