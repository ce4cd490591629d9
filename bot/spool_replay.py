"""Replay the inbound spool (models/spool.py) into the database through the normal intake.

Run by every worker's sweeper, by each web process once it has spooled something or finds a
spool at start, and by `raporto spool replay`. Events go in arrival order, each under an exclusive
file lock, through the same handler its webhook calls, with the intake's clock set to the event's
arrival time (the tip carries its real arrival time and is marked as stored late). The file is
deleted only after the commit; a replayer killed in between leaves the file, and the next replay
finds the provider id already claimed, so the event still ends as exactly one tip.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from alerts.queue import Job
from bot.context import IntakeContext
from bot.hotline_intake import HotlineRecord, handle_record
from bot.sms_flow import handle_sms
from bot.telegram_flow import enqueue_outcome
from bot.telegram_intake import BadUpdate, take_update
from bot.voice_intake import call_started, recording_finished
from bot.whatsapp_flow import Media, handle_whatsapp
from models.crypto import DecryptionError
from models.spool import Spool, SpooledEvent

log = logging.getLogger(__name__)

# What "the database cannot take it now" looks like: the event stays in the spool for later.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def replay(ctx: IntakeContext, spool: Spool, *, limit: int | None = None) -> dict[str, int]:
    """Move spooled events into the database, oldest first; return the counts.

    Stops at the first sign that the database is still down (the rest wait for the next run).
    """
    counts = {"replayed": 0, "failed": 0, "busy": 0, "waiting": 0}
    spool.clean_temporary()
    for entry in spool.entries():
        if limit is not None and counts["replayed"] >= limit:
            break
        with spool.claim(entry) as mine:
            if not mine:
                counts["busy"] += 1  # another process is replaying it
                continue
            try:
                event = spool.read(entry)
            except (DecryptionError, ValueError, KeyError) as exc:
                log.error("spool %s: unreadable (%s); set aside", entry.id, type(exc).__name__)
                spool.set_aside(entry)
                counts["failed"] += 1
                continue
            try:
                dispatch(ctx, event)
            except DATABASE_DOWN:
                counts["waiting"] = len(spool.entries())
                log.warning("spool: the database is still unavailable; %s wait", counts["waiting"])
                return counts
            except Exception as exc:
                # A bug or a malformed event must not hold up the events behind it.
                log.error(
                    "spool %s: %s event refused (%s); set aside",
                    entry.id,
                    event.channel,
                    type(exc).__name__,
                )
                spool.set_aside(entry)
                counts["failed"] += 1
                continue
            spool.remove(entry)
            counts["replayed"] += 1
            late = (ctx.clock() - event.arrived_at).total_seconds()
            log.info("spool %s: %s event stored %.0f s late", entry.id, event.channel, late)
    return counts


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def dispatch(ctx: IntakeContext, event: SpooledEvent) -> None:
    """Hand one spooled event to the intake its webhook would have called."""
    late = replace(ctx, clock=_at(event.arrived_at), replaying=True)
    payload = event.payload
    if event.channel == "sms":
        handle_sms(
            late,
            message_sid=event.event_id,
            sender=str(payload["from"]),
            body=str(payload.get("body", "")),
            late=True,
        )
    elif event.channel == "whatsapp":
        handle_whatsapp(
            late,
            message_sid=event.event_id,
            sender=str(payload["from"]),
            body=str(payload.get("body", "")),
            media=[Media(**item) for item in payload.get("media", [])],
            late=True,
        )
    elif event.channel == "telegram":
        try:
            _update_id, outcome = take_update(late, payload["update"])
        except BadUpdate as exc:
            raise ValueError("not a Telegram update") from exc
        enqueue_outcome(ctx, outcome)
    elif event.channel == "hotline":
        try:
            record = HotlineRecord.model_validate(payload["record"])
        except ValidationError as exc:
            raise ValueError("not a hotline record") from exc
        handle_record(late, record)
    elif event.channel == "voice" and event.kind == "call":
        call_started(late, call_sid=event.event_id, sender=str(payload["from"]))
    elif event.channel == "voice" and event.kind == "recording":
        receipt = recording_finished(
            late,
            call_sid=str(payload["call_sid"]),
            recording_sid=event.event_id,
            sender=str(payload.get("from", "")),
            seconds=int(payload.get("seconds", 0)),
            lang=str(payload.get("lang", "sq")),
        )
        if receipt.attachment_id is not None:
            ctx.queue.enqueue(Job.FETCH_ATTACHMENT, receipt.attachment_id)
    else:
        raise ValueError(f"unknown spooled event {event.channel}/{event.kind}")
