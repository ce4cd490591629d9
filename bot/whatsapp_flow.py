"""WhatsApp intake (through Twilio): the SMS conversation, plus photos and voice notes.

A WhatsApp message runs `bot.sms_flow.handle_sms` with channel "whatsapp" (its own pseudonym,
conversation, consent and reply handle). Its media become pending attachments of the tip the
message made or joined, fetched by a job and then deleted at Twilio; the Media URLs are reduced
to their SIDs here, and the fetch builds the URL again from the configured API address, so a
request can never point the worker at another host. A message releases the questions held for
this reporter by WhatsApp's 24-hour window (`alerts.whatsapp_window`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from alerts.queue import Job
from bot.attachments import pending_attachment
from bot.context import IntakeContext
from bot.sms_flow import handle_sms
from bot.whatsapp_window import release_held
from models.db import after_commit
from models.tables import InboundMessage, Tip

MAX_MEDIA = 10  # Twilio's own limit per message
_MEDIA_URL = re.compile(
    r"/Accounts/(AC[0-9a-f]{32})/Messages/((?:MM|SM)[0-9a-f]{32})/Media/(ME[0-9a-f]{32})/?$"
)
# What an attachment is called by its content type; other types are not kept.
KINDS = {"image/": "photo", "audio/": "voice"}
# The text of a tip that is only a photo or a voice note: officials read it in either language,
# so a sign, not a word (the attachment itself is listed under the tip).
MEDIA_ONLY = {"photo": "📷", "voice": "🎙️"}


@dataclass(frozen=True)
class Media:
    """One photo or voice note still at Twilio, named by its SIDs only."""

    message_sid: str
    media_sid: str
    content_type: str
    kind: str


@dataclass
class Outcome:
    """A handled WhatsApp message: the TwiML reply and the attachments to fetch."""

    reply: str | None
    attachment_ids: list[int] = field(default_factory=list)


def media_of(form: Mapping[str, str], account_sid: str) -> list[Media]:
    """The message's photos and voice notes, from NumMedia / MediaUrlN / MediaContentTypeN."""
    try:
        count = min(int(form.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        return []
    found: list[Media] = []
    for n in range(max(count, 0)):
        match = _MEDIA_URL.search(form.get(f"MediaUrl{n}") or "")
        content_type = (form.get(f"MediaContentType{n}") or "").strip().lower()[:100]
        kind = next((k for prefix, k in KINDS.items() if content_type.startswith(prefix)), None)
        # Only this account's media: another account's URL is no file of this report.
        if match is None or kind is None or match.group(1) != account_sid:
            continue
        found.append(Media(match.group(2), match.group(3), content_type, kind))
    return found


def handle_whatsapp(
    ctx: IntakeContext,
    *,
    message_sid: str,
    sender: str,
    body: str,
    media: list[Media],
    late: bool = False,
) -> Outcome:
    """Store one WhatsApp message exactly once; return the reply and attachments to fetch."""
    outcome = Outcome(reply=None)
    text = body.strip() or (MEDIA_ONLY[media[0].kind] if media else "")

    def then(session: Session, inbound: InboundMessage) -> None:
        if inbound.reporter_id is not None:
            release_held(session, ctx, inbound.reporter_id)
        tip = session.get(Tip, inbound.tip_id) if inbound.tip_id is not None else None
        if tip is None or tip.purged_at is not None:
            return
        for item in media:
            source = {
                "provider": "whatsapp",
                "message_sid": item.message_sid,
                "media_sid": item.media_sid,
                "kind": item.kind,
                "content_type": item.content_type,
            }
            row = pending_attachment(
                session, ctx, tip, kind=item.kind, content_type=item.content_type, source=source
            )
            outcome.attachment_ids.append(row.id)
        ids = list(outcome.attachment_ids)
        if ids:

            def enqueue() -> None:
                for attachment_id in ids:
                    ctx.queue.enqueue(Job.FETCH_ATTACHMENT, attachment_id, queue="default")

            after_commit(session, enqueue)

    # `late` (replayed from the spool): the reply goes out on WhatsApp from the outbox.
    outcome.reply = handle_sms(
        ctx,
        message_sid=message_sid,
        sender=sender,
        body=text,
        channel="whatsapp",
        then=then,
        late=late,
    )
    return outcome
