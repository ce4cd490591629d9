"""Send queued replies to reporters and fetch their attachments: idempotent, retried, ids only.

Telegram replies go out here; SMS and WhatsApp only for questions relayed to a reporter who
agreed to them (every other SMS is a TwiML answer to the reporter's own message), checked again at
send time. A WhatsApp message outside the 24-hour window is held until the reporter writes again
(`alerts.whatsapp_window`), never sent as a template or an SMS instead.
Failed sends are classified by the outbox engine (`alerts/outbox.py`, policy REPLIES); wiping a
payload once it is no longer needed and queueing Twilio's deletion are done here.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram.error import BadRequest, Forbidden

from alerts import metrics, twilio_erasure
from alerts.context import AlertContext
from alerts.outbox import REPLIES, Action, Outcome, backoff, classify, failed, retry, settle
from alerts.twilio_erasure import ERASE_CHANNEL
from alerts.whatsapp_media import fetch_whatsapp_media
from alerts.whatsapp_window import HOLD, WAITING, window_open
from models import reporter_outbox, store
from models.tables import Attachment, OutboundMessage, Reporter

log = logging.getLogger(__name__)

# Channels whose messages go out through Twilio's Messages API to a number.
TEXT_CHANNELS = ("sms", "whatsapp")


def send_outbound(actx: AlertContext, outbound_id: int) -> str:
    """Send one outbox message to its reporter; return the resulting state."""
    with actx.db.transaction() as session:
        now = actx.clock()
        row = reporter_outbox.claim_outbound(session, outbound_id, REPLIES.lease, now=now)
        if row is None:
            return "skipped"  # already sent, or another worker holds the lease
        payload = actx.vault.decrypt_json(row.payload_enc) if row.payload_enc else {}
        handle = (
            store.reply_handle(session, actx.vault, row.reporter_id, row.channel, now=now)
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
        last_seen = reporter.last_seen if reporter is not None else None
    if channel == ERASE_CHANNEL:
        return _erase(actx, outbound_id, payload, attempts)
    if refusal is not None:
        return _finish(actx, outbound_id, failed(refusal))
    if handle is None:
        return _finish(actx, outbound_id, failed("reply handle expired"))
    if channel == "sms":
        return _send_sms(actx, outbound_id, handle, payload["text"], attempts)
    if channel == "whatsapp":
        if not window_open(last_seen, actx.clock()):
            # Held, uncounted, until the reporter's next message releases it.
            return _finish(actx, outbound_id, Outcome(Action.RETRY, HOLD, WAITING, uncount=True))
        return _send_sms(actx, outbound_id, handle, payload["text"], attempts, whatsapp=True)
    if payload.get("delete") is not None:
        return _clear_chat(actx, outbound_id, int(handle), payload)
    if payload.get("leave"):
        return _leave_group(actx, outbound_id, int(handle), payload["text"])
    try:
        if payload.get("answer_callback"):
            # A button press too old to answer is no reason to hold back the reply.
            with contextlib.suppress(BadRequest):
                actx.senders.telegram().answer_callback(payload["answer_callback"])
        message_id = actx.senders.telegram().send(
            int(handle), payload["text"], payload.get("buttons")
        )
    except Exception as exc:  # retried or failed: see alerts/outbox.py
        metrics.provider_error(exc)
        return _finish(actx, outbound_id, classify(exc, attempts, REPLIES))
    return _finish(actx, outbound_id, "sent", provider_id=str(message_id))


def _refusal(channel: str, payload: dict[str, Any], reporter: Reporter | None) -> str | None:
    """Why a message may no longer go out: consent withdrawn or STOP since it was queued."""
    # A spooled SMS's late receipt is the answer its sender was owed, not a new message.
    unasked = channel in TEXT_CHANNELS and not payload.get("receipt")
    if (payload.get("question") or unasked) and (
        reporter is None or not reporter.follow_up_consent
    ):
        return "no consent"
    if channel in TEXT_CHANNELS and reporter is not None and reporter.sms_opted_out:
        return "opted out"
    return None


def _send_sms(
    actx: AlertContext,
    outbound_id: int,
    number: str,
    text: str,
    attempts: int,
    *,
    whatsapp: bool = False,
) -> str:
    """Send a relayed question by SMS or WhatsApp (Twilio); permanent refusals are not retried."""
    prefix = "whatsapp:" if whatsapp else ""
    try:
        sent = actx.senders.twilio().messages.create(
            to=prefix + number, from_=prefix + actx.config.twilio_from, body=text
        )
    except Exception as exc:  # retried or failed: see alerts/outbox.py
        metrics.provider_error(exc)
        return _finish(actx, outbound_id, classify(exc, attempts, REPLIES))
    # The question and the reporter's number stay in Twilio's log until deleted there too.
    return _finish(actx, outbound_id, "sent", provider_id=str(sent.sid), erase=str(sent.sid))


def _erase(actx: AlertContext, outbound_id: int, payload: dict[str, Any], attempts: int) -> str:
    """Delete a reporter's SMS or call record at Twilio; tried again until Twilio confirms."""
    if not payload.get("sid"):
        return _finish(actx, outbound_id, failed("reference purged"))
    done, why = twilio_erasure.erase(actx.senders.twilio(), payload["erase"], payload["sid"])
    if done:
        return _finish(actx, outbound_id, "done")
    return _finish(actx, outbound_id, retry(twilio_erasure.retry_wait(attempts), why))


def _clear_chat(
    actx: AlertContext, outbound_id: int, chat_id: int, payload: dict[str, object]
) -> str:
    """Delete each listed message of the chat (Telegram refuses those older than 48 hours)."""
    callback = payload.get("answer_callback")
    if isinstance(callback, str):
        with contextlib.suppress(BadRequest):
            actx.senders.telegram().answer_callback(
                callback, str(payload.get("callback_text") or "")
            )
    ids = payload.get("delete")
    deleted = sum(actx.senders.telegram().delete(chat_id, int(i)) for i in ids or [])  # type: ignore[attr-defined]
    return _finish(actx, outbound_id, "sent", provider_id=f"deleted:{deleted}")


def _finish(
    actx: AlertContext,
    outbound_id: int,
    result: Outcome | str,
    *,
    provider_id: str | None = None,
    erase: str | None = None,
) -> str:
    """Record a send's result; the payload is wiped once it is no longer needed."""
    with actx.db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        if row is None or row.status != "pending":
            return result if isinstance(result, str) else result.status
        now = actx.clock()
        status = settle(row, result, now, REPLIES, provider_id)
        if status != "pending":  # sent, done (an erasure confirmed) or failed
            row.payload_enc = None
        if status == "sent" and erase is not None:
            # In the same commit, so the deletion is never forgotten.
            twilio_erasure.erase_later(session, actx.vault, "message", erase, now=now)
    if isinstance(result, Outcome) and result.error:
        log.warning("outbound %s: %s (%s)", outbound_id, status, result.error)
    return status


def _leave_group(actx: AlertContext, outbound_id: int, chat_id: int, text: str) -> str:
    """Say that reports are private, then leave; a channel may refuse the message, not the exit."""
    with contextlib.suppress(Forbidden, BadRequest):
        actx.senders.telegram().send(chat_id, text)
    try:
        actx.senders.telegram().leave(chat_id)
    except (Forbidden, BadRequest):
        pass  # already removed from the group: nothing left to do
    except Exception as exc:  # network trouble: leaving is retried
        return _finish(actx, outbound_id, retry(backoff(1, REPLIES), type(exc).__name__))
    return _finish(actx, outbound_id, "sent")


def fetch_telegram_attachment(actx: AlertContext, attachment_id: int) -> str:
    """Download a pending Telegram (or WhatsApp) photo or voice note into encrypted storage."""
    with actx.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending" or row.source_enc is None:
            return "skipped"
        source = actx.vault.decrypt_json(row.source_enc)
    if source.get("provider") == "whatsapp":
        return fetch_whatsapp_media(actx, attachment_id, source)
    if source.get("provider") != "telegram":
        return "skipped"
    data = actx.senders.telegram().download(source["file_id"], actx.senders.max_attachment_bytes)
    with actx.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending":
            return "skipped"
        if data is None:
            row.status, row.source_enc = "too_large", None
            return "too_large"
        row.data_enc = actx.vault.encrypt(data)
        row.size = len(data)
        row.content_type = source.get("content_type") or (
            "image/jpeg" if source.get("kind") == "photo" else "audio/ogg"
        )
        row.status, row.source_enc = "stored", None
    return "stored"
