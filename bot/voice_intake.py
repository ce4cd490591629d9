"""Voice intake: a call is a contact; a finished recording becomes a tip with the audio attached.

The audio is fetched by a job into encrypted storage and then deleted at the provider, as is the
call's record once the call has ended; the tip waits for an official to listen (no Albanian
speech recognition is relied on).
"""

from __future__ import annotations

from dataclasses import dataclass

from alerts.twilio_erasure import erase_later
from bot.attachments import pending_attachment
from bot.context import IntakeContext
from bot.intake import caller_from_phone, claim_event, earlier_reply, new_tip
from locales.i18n import gettext as _t
from models import synthetic


@dataclass(frozen=True)
class RecordingReceipt:
    """The reference to read to the caller, and the attachment to fetch (None on a repeat)."""

    reference: str
    attachment_id: int | None


def call_started(ctx: IntakeContext, *, call_sid: str, sender: str) -> None:
    """Count an inbound call once, with its operator and country (the number is discarded)."""
    with ctx.db.transaction() as session:
        caller = caller_from_phone(session, ctx, sender)
        inbound = claim_event(
            session,
            ctx,
            channel="voice",
            event_id=f"{call_sid}:start",
            kind="call",
            facts=caller.facts,
        )
        if inbound is not None:
            inbound.reporter_id = caller.reporter.id
            # Twilio's record of the call holds the caller's number: deleted once the call ends.
            erase_later(session, ctx.vault, "call", call_sid, now=ctx.clock())


def recording_finished(
    ctx: IntakeContext, *, call_sid: str, recording_sid: str, sender: str, seconds: int, lang: str
) -> RecordingReceipt:
    """Store a recorded report once per RecordingSid; return what to tell the caller."""
    with ctx.db.transaction() as session:
        caller = caller_from_phone(session, ctx, sender)
        inbound = claim_event(
            session,
            ctx,
            channel="voice",
            event_id=recording_sid,
            kind="recording",
            facts=caller.facts,
        )
        if inbound is None:
            reference = earlier_reply(session, ctx, "voice", recording_sid) or ""
            return RecordingReceipt(reference=reference, attachment_id=None)
        text = _t(
            lang, "Voice message of %(seconds)d seconds (listen to the recording).", seconds=seconds
        )
        tip, _ = new_tip(
            session,
            ctx,
            channel="voice",
            caller=caller,
            text=text,
            language=lang,
            # A CallSid shaped like the canary's marker is checked by submit (models/synthetic.py).
            answers={"voice": True, **_call_marker(call_sid)},
            dedupe=False,
        )
        attachment = pending_attachment(
            session,
            ctx,
            tip,
            kind="recording",
            content_type="audio/wav",
            source={"provider": "twilio", "recording_sid": recording_sid, "call_sid": call_sid},
        )
        inbound.reporter_id = caller.reporter.id
        inbound.tip_id = tip.id
        inbound.reply_reference = tip.reference
        return RecordingReceipt(reference=tip.reference, attachment_id=attachment.id)


def _call_marker(call_sid: str) -> dict[str, str]:
    marker = synthetic.marker_of_call(call_sid)
    return {"canary_marker": marker} if marker else {}
