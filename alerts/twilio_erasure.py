"""Delete reporters' SMS and call records at Twilio: its log would otherwise re-identify them.

Twilio keeps every message's body and both numbers, and every call's number, until they are
deleted. Raporto has what it needs once the event is committed, so each inbound SMS, each inbound
call and each question sent to a reporter is queued for deletion in the same transaction: an
outbox row (channel `erase`) whose payload, the kind and the sid, is encrypted like every other
and dropped when Twilio confirms. The sweeper drives the rows like any pending reply; Twilio
refuses to delete a call still up or a message still in transit (error 20009), so those are tried
again later, with a growing wait, until done.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from models import reporter_outbox
from models.crypto import Vault

ERASE_CHANNEL = "erase"
# Twilio's own formats; anything else never reaches an API path.
SIDS = {"message": re.compile(r"(SM|MM)[0-9a-f]{32}"), "call": re.compile(r"CA[0-9a-f]{32}")}
# Twilio asks to wait at least a minute after a message or the end of a call before deleting.
FIRST_TRY = timedelta(seconds=60)
MAX_WAIT = timedelta(hours=1)
NOT_COMPLETE = 20009


def erase_later(
    session: Session, vault: Vault, kind: str, sid: str, *, now: datetime
) -> int | None:
    """Queue the deletion of a Twilio record in this transaction; return the outbox row's id."""
    if kind not in SIDS or not SIDS[kind].fullmatch(sid):
        return None  # not a Twilio sid (a test, a forgery): nothing at Twilio to delete
    row = reporter_outbox.queue_outbound(
        session,
        vault,
        channel=ERASE_CHANNEL,
        reporter_id=None,
        payload={"erase": kind, "sid": sid},
        now=now,
    )
    row.next_attempt_at = now + FIRST_TRY
    return row.id


def retry_wait(attempts: int) -> timedelta:
    """The wait before the next try: 30 s, 1, 2, 4 minutes ... at most an hour."""
    return min(MAX_WAIT, timedelta(seconds=30 * 2 ** max(0, attempts - 1)))


def erase(client: Any, kind: str, sid: str) -> tuple[bool, str | None]:
    """Delete one record through the twilio client; return (done, why not)."""
    if kind not in SIDS or not SIDS[kind].fullmatch(sid):
        return True, "not a Twilio sid"
    resource = client.messages(sid) if kind == "message" else client.calls(sid)
    try:
        resource.delete()
    except TwilioRestException as exc:
        if exc.status == 404:
            return True, None  # already gone (deleted before, or never kept)
        if exc.code == NOT_COMPLETE:
            return False, "not complete yet"
        return False, f"Twilio {exc.status}"
    except Exception as exc:  # network trouble: try again later
        return False, type(exc).__name__
    return True, None
