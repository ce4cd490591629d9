"""The Telegram report conversation: language, what, where, minors, danger, media, confirm.

State lives in the database (`conversations`), so any web or bot process can take the next
message. The draft is the tip itself, stored encrypted from the first words, so nothing typed is
lost if the reporter stops half-way: an idle draft is submitted by the sweeper.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from alerts.ack_channels import handle_callback, handle_enrolment
from alerts.queue import Job
from bot import burst_replies, consent, replies, telegram_burst
from bot.chat_clearing import deletable_messages
from bot.context import IntakeContext
from bot.intake import (
    Caller,
    caller_from_telegram,
    claim_event,
    remember_reply_handle,
)
from bot.language import known_language
from bot.replies import Reply
from bot.telegram_companion import companion
from bot.telegram_events import TelegramEvent
from bot.telegram_report import REPORT_STEPS, report_step
from locales.i18n import normalise_language
from models import store
from models.tables import Conversation, Tip

__all__ = ["Outcome", "TelegramEvent", "enqueue_outcome", "handle_event"]

# Steps in which a message is part of the report being written (guided or a burst).
WRITING = REPORT_STEPS | {"burst"}


@dataclass(frozen=True)
class Outcome:
    """What to queue after the commit: replies to send and attachments to fetch."""

    outbound_ids: tuple[int, ...] = ()
    attachment_ids: tuple[int, ...] = ()


def handle_event(ctx: IntakeContext, event: TelegramEvent) -> Outcome:
    """Process one update exactly once; return what to queue after the commit."""
    with ctx.db.transaction() as session:
        inbound = claim_event(
            session,
            ctx,
            channel="telegram",
            event_id=str(event.update_id),
            kind={"callback": "callback", "message": "message", "edit": "message"}.get(
                event.kind, "other"
            ),
        )
        if inbound is None:
            return Outcome()
        if event.kind == "group" and event.chat_id is not None:
            return Outcome(group_notice(session, ctx, event.chat_id))
        if event.kind == "blocked" and event.user_id is not None:
            caller = caller_from_telegram(session, ctx, event.user_id)
            store.drop_reply_handle(session, caller.reporter.id, "telegram")
            return Outcome()
        if not event.from_person:
            return Outcome()
        if ctx.alerts is not None and _official_update(session, ctx, event):
            return Outcome()  # deliveries it caused are enqueued after the commit
        assert event.user_id is not None
        assert event.chat_id is not None
        caller = caller_from_telegram(session, ctx, event.user_id)
        inbound.reporter_id = caller.reporter.id
        inbound.chat_message_id = event.message_id
        remember_reply_handle(session, ctx, caller, "telegram", str(event.chat_id))
        conversation = store.conversation_for(session, caller.reporter.id, "telegram")
        edited = telegram_burst.edit(session, ctx, caller, event) if event.kind == "edit" else None
        if edited is not None:  # added to its report silently, like any later message
            inbound.tip_id = edited.id
            return Outcome()
        out = _step(session, ctx, conversation, caller, event)
        conversation.updated_at = ctx.clock()
        session.flush()
        tip = session.get(Tip, conversation.tip_id) if conversation.tip_id else None
        if tip is not None:
            session.refresh(tip, ["attachments"])
        if tip is not None and event.kind != "callback" and conversation.step in WRITING:
            inbound.tip_id = tip.id  # an edit of this message later finds its report
        if tip is not None and tip.submitted:
            inbound.reply_reference = tip.reference
        ids = []
        for index, reply in enumerate(out):
            payload = reply.to_payload()
            if index == 0 and event.callback_id:
                payload["answer_callback"] = event.callback_id
            ids.append(
                store.queue_outbound(
                    session,
                    ctx.vault,
                    channel="telegram",
                    reporter_id=caller.reporter.id,
                    payload=payload,
                ).id
            )
        pending = [a.id for a in tip.attachments if a.status == "pending"] if tip else []
    return Outcome(tuple(ids), tuple(pending))


def group_notice(session: Session, ctx: IntakeContext, chat_id: int) -> tuple[int, ...]:
    """Say once in a group or channel that reports are private, then leave it (nothing kept)."""
    first = claim_event(session, ctx, channel="telegram", event_id=f"group:{chat_id}", kind="other")
    if first is None:
        return ()
    notice = burst_replies.private_only().to_payload()
    row = store.queue_outbound(
        session,
        ctx.vault,
        channel="telegram",
        reporter_id=None,
        payload={**notice, "group_chat": chat_id, "leave": True},
    )
    return (row.id,)


def _official_update(session: Session, ctx: IntakeContext, event: TelegramEvent) -> bool:
    """Route an official's button press or enrolment code to alerts; False for everyone else."""
    assert ctx.alerts is not None
    assert event.chat_id is not None
    data = event.callback_data or ""
    if data[:2] in ("a:", "f:", "g:"):
        return handle_callback(
            session, ctx.alerts, data=data, chat_id=event.chat_id, callback_id=event.callback_id
        )
    words = (event.text or "").split()
    if len(words) == 2 and words[0] == "/start":
        return handle_enrolment(session, ctx.alerts, code=words[1], chat_id=event.chat_id)
    return False


def _step(
    session: Session, ctx: IntakeContext, conv: Conversation, caller: Caller, ev: TelegramEvent
) -> list[Reply]:
    lang = conv.language or normalise_language(ev.language_code)
    data = ev.callback_data or ""
    text = (ev.text or "").strip()
    draft = session.get(Tip, conv.tip_id) if conv.tip_id else None
    if draft is not None and draft.submitted and conv.step in REPORT_STEPS:
        conv.step, draft = "menu", None  # the sweeper submitted an idle draft meanwhile
    if text.startswith("/start") and (conv.language or known_language(ev.language_code)):
        # The language is known (chosen before, or Telegram's): not asked again.
        conv.language, conv.step = conv.language or known_language(ev.language_code), "menu"
        return [replies.main_menu(conv.language or lang)]
    if text.startswith("/start") or data == "menu:lang":
        conv.step = "language"
        return [replies.language_picker()]
    if data.startswith("burst:"):
        return telegram_burst.button(session, ctx, conv, caller, lang, data)
    if data.startswith("lang:"):
        conv.language = normalise_language(data.split(":", 1)[1])
        conv.step = "menu"
        return [replies.main_menu(conv.language)]
    if data == "clear":
        # Send the deletions; say nothing after, so the chat is left empty.
        ids = deletable_messages(session, caller.reporter.id, ctx.clock())
        if ev.message_id is not None:
            ids.append(ev.message_id)
        return [Reply("", extra={"delete": ids, "callback_text": replies.cleared_text(lang)})]
    if data == "menu:home":
        conv.step = "menu"
        return [replies.main_menu(lang)]
    answered = consent.telegram_step(session, caller, lang, data, text)
    if answered is not None:
        return answered
    offered = companion(session, ctx, conv, caller, lang, ev)
    if offered is not None:
        return offered
    if data == "menu:report":
        conv.step, conv.tip_id = "what", None
        return [replies.ask_what(lang)]
    if data == "cancel":
        if draft is not None and not draft.submitted:
            session.delete(draft)
        conv.step, conv.tip_id = "menu", None
        return [replies.cancelled(lang)]
    if (text or ev.media or ev.location) and conv.step not in REPORT_STEPS and not data:
        return telegram_burst.message(session, ctx, conv, caller, ev)[0]
    return report_step(session, ctx, conv, caller, lang, ev, draft)


def enqueue_outcome(ctx: IntakeContext, outcome: Outcome) -> None:
    """Queue the sends and fetches of a committed update (the sweeper covers a failed enqueue)."""
    for outbound_id in outcome.outbound_ids:
        ctx.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="high")
    for attachment_id in outcome.attachment_ids:
        ctx.queue.enqueue(Job.FETCH_ATTACHMENT, attachment_id, queue="default")
