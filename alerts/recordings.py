"""Fetch a call recording into encrypted storage, then delete it at Twilio."""

from __future__ import annotations

import logging
from typing import Any

from alerts.twilio_client import delete_recording, fetch_recording
from models.crypto import Vault
from models.db import Database
from models.tables import Attachment
from models.untrusted import is_twilio_sid

log = logging.getLogger(__name__)


def fetch_twilio_recording(
    db: Database,
    vault: Vault,
    client: Any,
    account_sid: str,
    auth_token: str,
    attachment_id: int,
    max_bytes: int,
) -> str:
    """Store a pending recording's audio encrypted and erase it at the provider."""
    with db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending" or row.source_enc is None:
            return "skipped"
        recording_sid = vault.decrypt_json(row.source_enc)["recording_sid"]
        if not is_twilio_sid(recording_sid, "RE"):
            # The webhook refuses such ids; one stored before it did never reaches a URL.
            row.status, row.source_enc = "failed", None
            log.warning("attachment %s: not a RecordingSid; not fetched", attachment_id)
            return "failed"
    try:
        data: bytes | None = fetch_recording(
            client, account_sid, auth_token, recording_sid, max_bytes
        )
    except ValueError:
        data = None
    with db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending":
            return "skipped"
        if data is None:
            row.status = "too_large"
        else:
            row.data_enc, row.size, row.status = vault.encrypt(data), len(data), "stored"
        row.source_enc = None
    # Delete after our commit: if this fails, the recording is only at the provider, where it
    # was anyway; the attempt is logged by id and can be repeated by hand.
    try:
        delete_recording(client, recording_sid)
    except Exception as exc:
        log.warning("attachment %s: provider delete failed (%s)", attachment_id, type(exc).__name__)
    return "stored" if data is not None else "too_large"
