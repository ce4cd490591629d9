"""The Telegram report conversation: language, what, where, minors, danger, media, confirm.

State lives in the database (`conversations`), so any web or bot process can take the next
message. The draft is the tip itself, stored encrypted from the first words, so nothing typed is
lost if the reporter stops half-way: an idle draft is submitted by the sweeper. Which step does
what with which event is the table in bot/telegram_table.py; this module claims the update first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from alerts.ack_channels import handle_callback, handle_enrolment
from alerts.queue import Job
from bot import burst_replies, telegram_burst
from bot.context import IntakeContext
from bot.intake import (
    Caller,
    caller_from_telegram,
    claim_event,
    remember_reply_handle,
)
from bot.replies import Reply
from bot.telegram_events import TelegramEvent
from bot.telegram_steps import OFFICIAL_BUTTONS, WRITING, Turn, parse_callback
from bot.telegram_table import dispatch
from locales.i18n import normalise_language
from models import reporter_outbox, store
from models.enums import Channel
from models.tables import Conversation, Tip

__all__ = ["CallbackAnswer", "Outcome", "TelegramEvent", "enqueue_outcome", "handle_event"]


@dataclass(frozen=True)
class CallbackAnswer:
    """The answer to an official's button press, given after the commit, never stored."""

    callback_query_id: str
    text: str

    def webhook_reply(self) -> dict[str, str]:
        """The webhook response body that makes Telegram answer the press for us."""
        return {
            "method": "answerCallbackQuery",
            "callback_query_id": self.callback_query_id,
            "text": self.text,
        }


@dataclass(frozen=True)
class Outcome:
    """What to do after the commit: replies to send, attachments to fetch, a press to answer."""

    outbound_ids: tuple[int, ...] = ()
    attachment_ids: tuple[int, ...] = ()
    answer: CallbackAnswer | None = None


def handle_event(ctx: IntakeContext, event: TelegramEvent) -> Outcome:
    """Process one update exactly once; return what to queue after the commit."""
    with ctx.db.transaction() as session:
        inbound = claim_event(
            session,
            ctx,
            channel=Channel.TELEGRAM,
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
            store.drop_reply_handle(session, caller.reporter.id, Channel.TELEGRAM)
            return Outcome()
        if not event.from_person:
            return Outcome()
        official = _official_update(session, ctx, event)
        if official is not None:
            return official  # deliveries it caused are enqueued after the commit
        assert event.user_id is not None
        assert event.chat_id is not None
        caller = caller_from_telegram(session, ctx, event.user_id)
        inbound.reporter_id = caller.reporter.id
        inbound.chat_message_id = event.message_id
        remember_reply_handle(session, ctx, caller, Channel.TELEGRAM, str(event.chat_id))
        conversation = store.conversation_for(
            session, caller.reporter.id, Channel.TELEGRAM, now=ctx.clock()
        )
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
                reporter_outbox.queue_outbound(
                    session,
                    ctx.vault,
                    channel=Channel.TELEGRAM,
                    reporter_id=caller.reporter.id,
                    payload=payload,
                    now=ctx.clock(),
                ).id
            )
        pending = [a.id for a in tip.attachments if a.status == "pending"] if tip else []
    return Outcome(tuple(ids), tuple(pending))


def group_notice(session: Session, ctx: IntakeContext, chat_id: int) -> tuple[int, ...]:
    """Say once in a group or channel that reports are private, then leave it (nothing kept)."""
    first = claim_event(
        session, ctx, channel=Channel.TELEGRAM, event_id=f"group:{chat_id}", kind="other"
    )
    if first is None:
        return ()
    notice = burst_replies.private_only().to_payload()
    row = reporter_outbox.queue_outbound(
        session,
        ctx.vault,
        channel=Channel.TELEGRAM,
        reporter_id=None,
        payload={**notice, "group_chat": chat_id, "leave": True},
        now=ctx.clock(),
    )
    return (row.id,)


def _official_update(session: Session, ctx: IntakeContext, event: TelegramEvent) -> Outcome | None:
    """Route an official's button press or enrolment code to alerts; None for everyone else."""
    assert event.chat_id is not None
    data = event.callback_data or ""
    pressed = parse_callback(data)
    if pressed is not None and pressed.button in OFFICIAL_BUTTONS:
        done = handle_callback(
            session, ctx.alerts, data=data, chat_id=event.chat_id, update_id=event.update_id
        )
        if done is None:
            return None
        if done.answer and event.callback_id:
            return Outcome(answer=CallbackAnswer(event.callback_id, done.answer))
        return Outcome()
    words = (event.text or "").split()
    if len(words) == 2 and words[0] == "/start":
        enrolled = handle_enrolment(
            session, ctx.alerts, code=words[1], chat_id=event.chat_id, update_id=event.update_id
        )
        return Outcome() if enrolled else None
    return None


def _step(
    session: Session, ctx: IntakeContext, conv: Conversation, caller: Caller, ev: TelegramEvent
) -> list[Reply]:
    """Answer one event of a person's conversation, by the table of bot/telegram_table.py."""
    turn = Turn(
        session=session,
        ctx=ctx,
        conv=conv,
        caller=caller,
        lang=conv.language or normalise_language(ev.language_code),
        ev=ev,
        draft=session.get(Tip, conv.tip_id) if conv.tip_id else None,
        callback=parse_callback(ev.callback_data),
    )
    return dispatch(turn)


def enqueue_outcome(ctx: IntakeContext, outcome: Outcome) -> None:
    """Queue the sends and fetches of a committed update (the sweeper covers a failed enqueue)."""
    for outbound_id in outcome.outbound_ids:
        ctx.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="high")
    for attachment_id in outcome.attachment_ids:
        ctx.queue.enqueue(Job.FETCH_ATTACHMENT, attachment_id, queue="default")
