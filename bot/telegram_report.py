"""The guided report on Telegram: what, where, a minor?, danger now?, media, confirm."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import bursts, replies, telegram_burst
from bot.context import IntakeContext
from bot.intake import (
    Caller,
    add_text,
    new_tip,
    submit,
)
from bot.replies import Reply
from bot.telegram_events import TelegramEvent
from models.tables import Conversation, Tip

ANSWERS = {"ans:yes": True, "ans:no": False, "ans:unknown": None}
REPORT_STEPS = {"what", "where", "minor", "danger", "media", "confirm"}


def report_step(
    session: Session,
    ctx: IntakeContext,
    conv: Conversation,
    caller: Caller,
    lang: str,
    ev: TelegramEvent,
    draft: Tip | None,
) -> list[Reply]:
    """One answer in the guided report; free text where a button was expected joins it."""
    data, text = ev.callback_data or "", (ev.text or "").strip()
    if conv.step == "what":
        if not text:
            return [replies.ask_what(lang)]
        tip, _ = new_tip(
            session,
            ctx,
            channel="telegram",
            caller=caller,
            text=text,
            language=conv.language,
            submitted=False,
        )
        conv.tip_id, conv.step = tip.id, "where"
        return [replies.ask_where(lang)]
    if draft is None:  # the draft was purged or cancelled elsewhere: start again
        conv.step = "menu"
        return [replies.main_menu(lang)]
    if conv.step == "where":
        if ev.location is not None:
            telegram_burst.attach(session, ctx, draft, ev)
        elif text:
            add_text(session, ctx, draft, text)
        elif data != "skip":
            return [replies.ask_where(lang)]
        conv.step = "minor"
        return [replies.ask_minor(lang)]
    if conv.step in {"minor", "danger"}:
        if data in ANSWERS:
            key = "minor" if conv.step == "minor" else "danger_now"
            draft.answers = {**(draft.answers or {}), key: ANSWERS[data]}
            conv.step = "danger" if conv.step == "minor" else "media"
            return [replies.ask_danger(lang) if conv.step == "danger" else replies.ask_media(lang)]
        return _added_or_repeat(session, ctx, draft, lang, text, conv.step)
    if conv.step == "media":
        return _media_step(session, ctx, conv, draft, lang, ev)
    if conv.step == "confirm" and data == "confirm:send":
        submit(session, ctx, draft)
        bursts.hold(ctx, draft)  # a message written just after still joins this report
        conv.step = "menu"
        return telegram_burst.sent(ctx, caller.reporter, lang, draft)
    return _added_or_repeat(session, ctx, draft, lang, text, conv.step)


def _media_step(
    session: Session,
    ctx: IntakeContext,
    conv: Conversation,
    draft: Tip,
    lang: str,
    ev: TelegramEvent,
) -> list[Reply]:
    if ev.callback_data == "media:done":
        conv.step = "confirm"
        return [replies.confirm(lang)]
    if ev.media is not None or ev.location is not None:
        telegram_burst.attach(session, ctx, draft, ev)
        if ev.media is not None and ev.text:  # a caption is part of the report
            add_text(session, ctx, draft, ev.text)
        return [replies.media_received(lang)]
    return _added_or_repeat(session, ctx, draft, lang, (ev.text or "").strip(), "media")


def _added_or_repeat(
    session: Session, ctx: IntakeContext, draft: Tip, lang: str, text: str, step: str
) -> list[Reply]:
    """Free text where a button was expected is part of the report, then the question repeats."""
    question = {
        "minor": replies.ask_minor,
        "danger": replies.ask_danger,
        "media": replies.ask_media,
        "confirm": replies.confirm,
    }.get(step, replies.ask_what)
    if text:
        add_text(session, ctx, draft, text)
        return [replies.added(lang), question(lang)]
    return [question(lang)]
