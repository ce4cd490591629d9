"""The Telegram conversation as a table: in which step, which event goes to which handler, and on.

An event is looked up in ANYWHERE first (menu buttons and commands work in every step), then in
the row of the current step, then the row's `otherwise`. A handler that returns None declines
(a button naming a topic this version lacks): the lookup goes on to the next place. When a
handled rule names a step, the conversation moves there; None means the handler chooses (or the
step stays). Steps and events are declared in bot/telegram_steps.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot import consent, replies, telegram_burst
from bot import telegram_companion as companion
from bot import telegram_report as report
from bot.chat_clearing import deletable_messages
from bot.language import known_language
from bot.replies import Reply
from bot.telegram_steps import (
    JOB_QUESTIONS,
    REPORT_STEPS,
    Button,
    Event,
    Said,
    Step,
    Turn,
    event_of,
)
from locales.i18n import normalise_language

Handler = Callable[[Turn], list[Reply] | None]


@dataclass(frozen=True)
class Rule:
    """A handler, and the step the conversation moves to when it handles the event."""

    handler: Handler
    to: Step | None = None  # None: the handler sets the step, or it stays


@dataclass(frozen=True)
class Row:
    """What one step does with each event it knows, and with every other one."""

    on: Mapping[Event, Rule]
    otherwise: Rule


# Handlers that apply in every step -----------------------------------------------------------


def start(t: Turn) -> list[Reply]:
    """/start: the menu when the language is known (chosen or Telegram's), else the picker."""
    known = t.conv.language or known_language(t.ev.language_code)
    if known:
        t.conv.language, t.conv.step = known, Step.MENU
        return [replies.main_menu(known)]
    t.conv.step = Step.LANGUAGE
    return [replies.language_picker()]


def language_picker(t: Turn) -> list[Reply]:
    """The language picker."""
    return [replies.language_picker()]


def set_language(t: Turn) -> list[Reply]:
    """Keep the language chosen (anything unknown becomes the default) and show the menu."""
    t.conv.language = normalise_language(t.argument)
    return [replies.main_menu(t.conv.language)]


def home(t: Turn) -> list[Reply]:
    """The main menu."""
    return [replies.main_menu(t.lang)]


def clear_chat(t: Turn) -> list[Reply]:
    """Delete the chat's messages; say nothing after, so the chat is left empty."""
    ids = deletable_messages(t.session, t.caller.reporter.id, t.ctx.clock())
    if t.ev.message_id is not None:
        ids.append(t.ev.message_id)
    return [Reply("", extra={"delete": ids, "callback_text": replies.cleared_text(t.lang)})]


def consent_answer(t: Turn) -> list[Reply] | None:
    """Allow or refuse the officials' questions, or /stopquestions (bot/consent.py)."""
    data = t.callback.data if t.callback is not None else ""
    return consent.telegram_step(t.session, t.caller, t.lang, data, t.text, now=t.ctx.clock())


def burst_button(t: Turn) -> list[Reply]:
    """Send or Cancel under the first reply of a burst."""
    return telegram_burst.button(t.session, t.ctx, t.conv, t.caller, t.lang, t.argument)


def new_report(t: Turn) -> list[Reply]:
    """Start the guided report, with no draft yet."""
    t.conv.tip_id = None
    return [replies.ask_what(t.lang)]


def cancel(t: Turn) -> list[Reply]:
    """Drop the draft not yet sent and go back to the menu."""
    if t.draft is not None and not t.draft.submitted:
        t.session.delete(t.draft)
    t.conv.tip_id = None
    return [replies.cancelled(t.lang)]


# Handlers outside the guided report ------------------------------------------------------------


def burst_message(t: Turn) -> list[Reply]:
    """A message outside the guided report opens a report, or joins the one open (a burst)."""
    return telegram_burst.message(t.session, t.ctx, t.conv, t.caller, t.ev)[0]


def lost_draft(t: Turn) -> list[Reply]:
    """The draft was purged or cancelled elsewhere: back to the menu, to start again."""
    t.conv.step = Step.MENU
    return [replies.main_menu(t.lang)]


def stray(t: Turn) -> list[Reply]:
    """A button from another step, or nothing: the menu, or "what happened?" with a draft."""
    return lost_draft(t) if t.draft is None else report.added_or_repeat(t)


# The table -------------------------------------------------------------------------------------

ANYWHERE: Mapping[Event, Rule] = {
    Said.START: Rule(start),  # menu, or the language picker when no language is known
    Said.STOP: Rule(consent_answer),
    Button.CONSENT_STOP: Rule(consent_answer),
    Button.CONSENT: Rule(consent_answer),
    Button.LANGUAGE_MENU: Rule(language_picker, Step.LANGUAGE),
    Button.LANGUAGE: Rule(set_language, Step.MENU),
    Button.HOME: Rule(home, Step.MENU),
    Button.CLEAR: Rule(clear_chat),
    Button.BURST: Rule(burst_button),  # menu, or stays when the report was sent already
    Button.REPORT: Rule(new_report, Step.WHAT),
    Button.CANCEL: Rule(cancel, Step.MENU),
    Button.INFO: Rule(companion.info_topics, Step.INFO),
    Button.INFO_TOPIC: Rule(companion.info_topic, Step.INFO),
    Button.SERVICES: Rule(companion.services_regions, Step.SERVICES),
    Button.REGION: Rule(companion.services_in, Step.SERVICES),
    Button.JOB_START: Rule(companion.job_start, JOB_QUESTIONS[0]),
}

# Outside the guided report, anything a person writes or sends is a report (bot/telegram_burst.py).
OUTSIDE: Mapping[Event, Rule] = {
    Said.TEXT: Rule(burst_message),  # → burst (a follow-up to an earlier report: stays)
    Said.FILE: Rule(burst_message),
    Said.LOCATION: Rule(burst_message),
}
STRAY = Rule(stray)
ASKING_JOB = Row(
    {
        **OUTSIDE,
        Said.TEXT: Rule(companion.typed_job_answer),  # → the next question, or a burst
        Button.JOB: Rule(companion.job_button),  # → next question, back, the result, or menu
    },
    STRAY,
)
ADDED_OR_REPEAT = Rule(report.added_or_repeat)  # free text joins the draft; the question again

STEPS: Mapping[Step, Row] = {
    Step.START: Row(OUTSIDE, STRAY),
    Step.LANGUAGE: Row(OUTSIDE, STRAY),
    Step.MENU: Row(OUTSIDE, STRAY),
    Step.BURST: Row(OUTSIDE, STRAY),
    Step.INFO: Row(OUTSIDE, STRAY),
    Step.SERVICES: Row(
        {
            **OUTSIDE,
            Said.TEXT: Rule(companion.typed_region),  # a region's name, else a burst
            Said.LOCATION: Rule(companion.nearest_services),
        },
        STRAY,
    ),
    **dict.fromkeys(JOB_QUESTIONS, ASKING_JOB),
    Step.JOB_DONE: Row({**OUTSIDE, Button.JOB: Rule(companion.job_button)}, STRAY),
    Step.WHAT: Row({Said.TEXT: Rule(report.begin, Step.WHERE)}, Rule(report.ask_what)),
    Step.WHERE: Row(
        {
            Said.TEXT: Rule(report.where_answered, Step.MINOR),
            Said.LOCATION: Rule(report.where_answered, Step.MINOR),
            Button.SKIP: Rule(report.where_answered, Step.MINOR),
        },
        Rule(report.ask_where),
    ),
    Step.MINOR: Row({Button.ANSWER: Rule(report.minor_answered, Step.DANGER)}, ADDED_OR_REPEAT),
    Step.DANGER: Row({Button.ANSWER: Rule(report.danger_answered, Step.MEDIA)}, ADDED_OR_REPEAT),
    Step.MEDIA: Row(
        {
            Button.MEDIA_DONE: Rule(report.media_done, Step.CONFIRM),
            Said.FILE: Rule(report.media_message),
            Said.LOCATION: Rule(report.media_message),
            Said.TEXT: Rule(report.media_message),  # a caption comes with its file
        },
        ADDED_OR_REPEAT,
    ),
    Step.CONFIRM: Row({Button.CONFIRM_SEND: Rule(report.send, Step.MENU)}, ADDED_OR_REPEAT),
}
# Steps that only exist with a draft; without one (purged, cancelled elsewhere) they lead home.
NEEDS_DRAFT = REPORT_STEPS - {Step.WHAT}


def _apply(rule: Rule, t: Turn) -> list[Reply] | None:
    out = rule.handler(t)
    if out is not None and rule.to is not None:
        t.conv.step = rule.to
    return out


def dispatch(t: Turn) -> list[Reply]:
    """Answer one event by the table; return the replies."""
    if t.draft is not None and t.draft.submitted and t.step in REPORT_STEPS:
        t.conv.step, t.draft = Step.MENU, None  # the sweeper submitted an idle draft meanwhile
    event = event_of(t.ev, t.callback)
    anywhere = ANYWHERE.get(event)
    out = _apply(anywhere, t) if anywhere is not None else None
    if out is not None:
        return out
    step = t.step
    if step in NEEDS_DRAFT and t.draft is None:
        return lost_draft(t)
    row = STEPS[step]
    rule = row.on.get(event)
    out = _apply(rule, t) if rule is not None else None
    if out is not None:
        return out
    return _apply(row.otherwise, t) or []
