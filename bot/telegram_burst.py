"""Typed messages, media and edits outside the guided flow: one report from a burst.

A person who never presses a button writes a report in several short messages. The first opens
a report (bot/bursts.py) and gets one short reply with Send and Cancel; the next ones join it
silently; the thanks, the reference code and the consent question come once, when it is sent.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import burst_replies, bursts, companion_replies, consent, replies
from bot.attachments import add_attachment, pending_attachment
from bot.context import IntakeContext
from bot.follow_ups import follow_up, public_status
from bot.intake import Caller, add_text, new_tip, submit
from bot.language import detect_language, known_language
from bot.replies import Reply
from bot.scoring import asked_for_information, pressing
from bot.telegram_events import TelegramEvent
from bot.telegram_steps import Step
from models import reporter_outbox
from models.enums import Channel
from models.tables import Conversation, InboundMessage, Reporter, Tip
from models.untrusted import parse_id

EDIT_MARK = "✎ "  # shown to officials before the new wording of an edited message


def choose_language(conv: Conversation, ev: TelegramEvent, text: str) -> tuple[str, bool]:
    """The reply language of a first message, and whether to offer the language picker.

    What the person wrote decides first, then Telegram's language_code; only when neither is
    Albanian or English is the picker shown, once (the language is kept, so never asked again).
    """
    if conv.language is not None:
        return conv.language, False
    chosen = detect_language(text) if text else None
    code = known_language(ev.language_code)
    conv.language = chosen or code or "sq"
    return conv.language, chosen is None and code is None


def message(
    session: Session, ctx: IntakeContext, conv: Conversation, caller: Caller, ev: TelegramEvent
) -> tuple[list[Reply], Tip | None]:
    """A message outside the guided flow; return the replies and the report it joined."""
    text = (ev.text or "").strip()
    lang, ask = choose_language(conv, ev, text)
    if text and ev.media is None:
        earlier = follow_up(session, ctx, text, caller)
        if earlier is not None:
            if earlier.added:
                return [replies.follow_up_added(lang, earlier.tip.reference)], earlier.tip
            reference = earlier.tip.reference
            return [replies.status(lang, reference, public_status(earlier.tip))], earlier.tip
    tip = bursts.open_report(session, ctx, caller.reporter.id, Channel.TELEGRAM)
    opened = tip is None
    if tip is None:
        # Never merged with an older identical text: a burst is new words, and Telegram
        # redeliveries are already recognised by their update id.
        tip, _ = new_tip(
            session,
            ctx,
            channel=Channel.TELEGRAM,
            caller=caller,
            text=text,
            language=conv.language,
            submitted=False,
            dedupe=False,
        )
        bursts.hold(ctx, tip)
    else:
        bursts.join(session, ctx, tip, text)
    attach(session, ctx, tip, ev)
    conv.tip_id, conv.step = tip.id, Step.BURST
    if not tip.submitted and pressing(ctx, tip):
        submit(session, ctx, tip)  # critical or danger now: the officials do not wait
        out = sent(ctx, caller.reporter, lang, tip)
    elif opened:
        out = [burst_replies.received(lang, tip.id)]
    else:
        out = []  # one reply per burst, not one per message
    return (out + [replies.language_picker()] if ask and out else out), tip


def sent(ctx: IntakeContext, reporter: Reporter, lang: str, tip: Tip) -> list[Reply]:
    """The replies to a report just sent: thanks and code, consent, and answers to a question.

    A report that also asks something ("what should I do?") is scored as a report, and the person
    gets the information topics too: a question never hides a case, nor a case the answer.
    """
    out = consent.thanks_and_ask(ctx, reporter, lang, tip)
    return [*out, companion_replies.info_topics(lang)] if asked_for_information(ctx, tip) else out


def attach(session: Session, ctx: IntakeContext, tip: Tip, ev: TelegramEvent) -> None:
    """Add the event's file (fetched later by a job) and location to a report."""
    if ev.media is not None:
        source = {
            "provider": "telegram",
            "file_id": ev.media.file_id,
            "kind": ev.media.kind,
            "content_type": ev.media.content_type,
        }
        pending_attachment(
            session, ctx, tip, kind=ev.media.kind, content_type=ev.media.content_type, source=source
        )
    if ev.location is not None:
        point = {"lat": ev.location[0], "lon": ev.location[1]}
        data = json.dumps(point).encode()
        add_attachment(
            session, ctx, tip, kind="location", content_type="application/json", data=data
        )


def edit(session: Session, ctx: IntakeContext, caller: Caller, ev: TelegramEvent) -> Tip | None:
    """Add an edited message to the report its original joined; None when none is known."""
    if ev.message_id is None or not (ev.text or "").strip():
        return None
    tip_id = session.execute(
        select(InboundMessage.tip_id)
        .where(
            InboundMessage.reporter_id == caller.reporter.id,
            InboundMessage.channel == Channel.TELEGRAM,
            InboundMessage.chat_message_id == ev.message_id,
            InboundMessage.tip_id.is_not(None),
        )
        .order_by(InboundMessage.id)
        .limit(1)
    ).scalar_one_or_none()
    tip = session.get(Tip, tip_id, with_for_update=True) if tip_id is not None else None
    if tip is None or tip.purged_at is not None:
        return None
    add_text(session, ctx, tip, EDIT_MARK + (ev.text or "").strip())
    if tip.burst_until is not None and tip.burst_until > ctx.clock():
        bursts.hold(ctx, tip)
    return tip


def button(
    session: Session, ctx: IntakeContext, conv: Conversation, caller: Caller, lang: str, arg: str
) -> list[Reply]:
    """Send or Cancel under the first reply of a burst; `arg` follows "burst:" ("send:<id>")."""
    action, raw_id = (arg.split(":") + ["", ""])[:2]  # anything after the id is ignored
    tip_id = parse_id(raw_id)
    tip = session.get(Tip, tip_id, with_for_update=True) if tip_id is not None else None
    if tip is None or tip.reporter_id != caller.reporter.id or tip.purged_at is not None:
        conv.step = Step.MENU
        return [replies.main_menu(lang)]  # not this person's report, or already deleted
    if tip.submitted:
        return [burst_replies.already_sent(lang, tip.reference)]
    if action == "cancel":
        session.delete(tip)
        conv.step, conv.tip_id = Step.MENU, None
        return [replies.cancelled(lang)]
    submit(session, ctx, tip)
    conv.step = Step.MENU
    return sent(ctx, caller.reporter, lang, tip)


def send_quiet_reports(session: Session, ctx: IntakeContext) -> list[int]:
    """Send the reports whose quiet period passed; queue each one's thanks; return the ids."""
    queued = []
    for tip in bursts.quiet_reports(session, ctx):
        submit(session, ctx, tip)
        reporter = session.get(Reporter, tip.reporter_id) if tip.reporter_id else None
        if reporter is None or tip.channel != Channel.TELEGRAM:
            continue
        conv = session.execute(
            select(Conversation).where(
                Conversation.reporter_id == reporter.id, Conversation.channel == Channel.TELEGRAM
            )
        ).scalar_one_or_none()
        if conv is not None and conv.tip_id == tip.id and conv.step == Step.BURST:
            conv.step = Step.MENU
        lang = (conv.language if conv else None) or tip.language or "sq"
        for reply in sent(ctx, reporter, lang, tip):
            row = reporter_outbox.queue_outbound(
                session,
                ctx.vault,
                channel=Channel.TELEGRAM,
                reporter_id=reporter.id,
                payload=reply.to_payload(),
                now=ctx.clock(),
            )
            queued.append(row.id)
    return queued
