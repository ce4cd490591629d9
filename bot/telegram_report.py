"""The guided report on Telegram: what, where, a minor?, danger now?, media, confirm.

Each function answers one event of bot/telegram_table.py; the table sets the next step. Every
step but WHAT is reached only with a draft (the table goes back to the menu when it is gone).
"""

from __future__ import annotations

from collections.abc import Callable

from bot import bursts, replies, telegram_burst
from bot.intake import add_text, new_tip, submit
from bot.replies import Reply
from bot.telegram_steps import Step, Turn
from models.enums import Channel

ANSWERS = {"yes": True, "no": False, "unknown": None}  # ans:<argument>
# The question each step asks again; any other step asks what happened.
QUESTIONS: dict[str, Callable[[str], Reply]] = {
    Step.MINOR: replies.ask_minor,
    Step.DANGER: replies.ask_danger,
    Step.MEDIA: replies.ask_media,
    Step.CONFIRM: replies.confirm,
}


def ask_what(t: Turn) -> list[Reply]:
    """Ask what happened (again)."""
    return [replies.ask_what(t.lang)]


def begin(t: Turn) -> list[Reply]:
    """The first words: the draft is stored (encrypted) now, so nothing typed is lost."""
    tip, _ = new_tip(
        t.session,
        t.ctx,
        channel=Channel.TELEGRAM,
        caller=t.caller,
        text=t.text,
        language=t.conv.language,
        submitted=False,
    )
    t.conv.tip_id = tip.id
    return [replies.ask_where(t.lang)]


def ask_where(t: Turn) -> list[Reply]:
    """Ask where (again)."""
    return [replies.ask_where(t.lang)]


def where_answered(t: Turn) -> list[Reply]:
    """A place (shared location or words), or Skip; then ask about a minor."""
    if t.ev.location is not None:
        telegram_burst.attach(t.session, t.ctx, t.report, t.ev)
    elif t.text:
        add_text(t.session, t.ctx, t.report, t.text)
    return [replies.ask_minor(t.lang)]


def _answered(t: Turn, key: str, question: Callable[[str], Reply]) -> list[Reply] | None:
    if t.argument not in ANSWERS:
        return None  # a forged answer: the step's default repeats the question
    t.report.answers = {**(t.report.answers or {}), key: ANSWERS[t.argument]}
    return [question(t.lang)]


def minor_answered(t: Turn) -> list[Reply] | None:
    """Yes, no or don't know to "is a minor involved?"; then ask about danger now."""
    return _answered(t, "minor", replies.ask_danger)


def danger_answered(t: Turn) -> list[Reply] | None:
    """Yes, no or don't know to "is someone in danger now?"; then ask for media."""
    return _answered(t, "danger_now", replies.ask_media)


def media_message(t: Turn) -> list[Reply]:
    """A file or location joins the draft (a caption too); words alone are added to it."""
    if t.ev.media is None and t.ev.location is None:
        return added_or_repeat(t)
    telegram_burst.attach(t.session, t.ctx, t.report, t.ev)
    if t.ev.media is not None and t.ev.text:  # a caption is part of the report
        add_text(t.session, t.ctx, t.report, t.ev.text)
    return [replies.media_received(t.lang)]


def media_done(t: Turn) -> list[Reply]:
    """No more media: ask to confirm."""
    return [replies.confirm(t.lang)]


def send(t: Turn) -> list[Reply]:
    """Send the draft to the officials; thanks, the reference code and the consent question."""
    submit(t.session, t.ctx, t.report)
    bursts.hold(t.ctx, t.report)  # a message written just after still joins this report
    return telegram_burst.sent(t.ctx, t.caller.reporter, t.lang, t.report)


def added_or_repeat(t: Turn) -> list[Reply]:
    """Free text where a button was expected is part of the report, then the question repeats."""
    question = QUESTIONS.get(t.step, replies.ask_what)
    if t.text:
        add_text(t.session, t.ctx, t.report, t.text)
        return [replies.added(t.lang), question(t.lang)]
    return [question(t.lang)]
