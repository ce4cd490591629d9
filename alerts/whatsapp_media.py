"""Fetch a WhatsApp photo or voice note from Twilio into encrypted storage, then delete it there.

The URL is built from the configured API address and the SIDs kept (encrypted) with the pending
attachment, never taken from a request. The media is streamed under the account's credentials
and cut off above the attachment cap.
"""

from __future__ import annotations

import logging

import requests

from alerts.context import AlertContext
from models.tables import Attachment
from models.untrusted import is_twilio_sid

log = logging.getLogger(__name__)


def media_url(base_url: str, account_sid: str, message_sid: str, media_sid: str) -> str:
    """The media's content URL at Twilio (or the sandbox)."""
    return (
        f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
        f"/Messages/{message_sid}/Media/{media_sid}"
    )


def download(url: str, auth: tuple[str, str], max_bytes: int) -> bytes | None:
    """Stream the media; None above max_bytes, an exception on any other failure."""
    with requests.get(url, auth=auth, timeout=15, stream=True) as response:
        if response.status_code != 200:
            raise RuntimeError(f"media fetch answered {response.status_code}")
        data = bytearray()
        for chunk in response.iter_content(64 * 1024):
            data.extend(chunk)
            if len(data) > max_bytes:
                return None
    return bytes(data)


def fetch_whatsapp_media(actx: AlertContext, attachment_id: int, source: dict[str, str]) -> str:
    """Store a pending WhatsApp attachment encrypted and delete the media at Twilio."""
    message_sid, media_sid = source.get("message_sid", ""), source.get("media_sid", "")
    if not is_twilio_sid(message_sid, "MM", "SM") or not is_twilio_sid(media_sid, "ME"):
        with actx.db.transaction() as session:
            row = session.get(Attachment, attachment_id)
            if row is not None and row.status == "pending":
                row.status, row.source_enc = "failed", None
        return "failed"
    senders = actx.senders
    client = senders.twilio()
    account_sid = senders.twilio_account_sid
    url = media_url(client.api.base_url, account_sid, message_sid, media_sid)
    # A failure raises: the job is retried, and the sweeper enqueues a pending attachment again.
    data = download(url, (account_sid, senders.twilio_auth_token), senders.max_attachment_bytes)
    with actx.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending":
            return "skipped"
        if data is None:
            row.status = "too_large"
        else:
            row.data_enc, row.size, row.status = actx.vault.encrypt(data), len(data), "stored"
            row.content_type = source.get("content_type") or row.content_type
        row.source_enc = None
    # Deleted after our commit; a failed delete is logged by id (the message's own erasure
    # follows through the outbox).
    try:
        client.messages(message_sid).media(media_sid).delete()
    except Exception as exc:
        log.warning("attachment %s: media delete failed (%s)", attachment_id, type(exc).__name__)
    return "stored" if data is not None else "too_large"
