"""Job entry points named in the queue: integer ids in, the runtime of this process wired here."""

from __future__ import annotations

from alerts.delivery import deliver as _deliver
from alerts.delivery import deliver_many as _deliver_many
from alerts.recordings import fetch_twilio_recording
from alerts.reporter_replies import fetch_telegram_attachment
from alerts.reporter_replies import send_outbound as _send_outbound
from bot.sweeper import sweep_once
from models.tables import Attachment
from raporto.runtime import current


def send_outbound(outbound_id: int) -> str:
    """Send one queued reply to a reporter."""
    return _send_outbound(current().replies(), outbound_id)


def deliver(delivery_id: int) -> str:
    """Send one delivery to an official."""
    return _deliver(current().alert_services(), delivery_id)


def deliver_many(*delivery_ids: int) -> list[str]:
    """Send a tip's deliveries to its officials at once."""
    return _deliver_many(current().alert_services(), delivery_ids)


def fetch_attachment(attachment_id: int) -> str:
    """Fetch a pending attachment from its provider into encrypted storage."""
    runtime = current()
    with runtime.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending" or row.source_enc is None:
            return "skipped"
        provider = runtime.vault.decrypt_json(row.source_enc).get("provider")
    if provider == "twilio":
        s = runtime.settings
        return fetch_twilio_recording(
            runtime.db,
            runtime.vault,
            runtime.twilio(),
            s.twilio_account_sid,
            s.twilio_auth_token,
            attachment_id,
            s.max_attachment_bytes,
        )
    return fetch_telegram_attachment(runtime.replies(), attachment_id)


def sweep() -> dict[str, int]:
    """Re-drive what is due: unsent replies, unfetched attachments, idle drafts."""
    return sweep_once(current().intake)
