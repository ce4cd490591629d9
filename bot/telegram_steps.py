"""The vocabulary of the Telegram conversation: its steps, its buttons, and what a person did.

The steps are stored in `conversations.step` and the buttons' data sits under messages already
sent, so the string values here are a format: renaming one strands rows and buttons in the wild.
The table that says which handler answers which event in which step is bot/telegram_table.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.consent import STOP_COMMANDS
from bot.context import IntakeContext
from bot.intake import Caller
from bot.job_offer import QUESTIONS
from bot.telegram_events import TelegramEvent
from models.tables import Conversation, Tip


class Step(StrEnum):
    """Where a person is in the conversation (the stored value of `conversations.step`)."""

    START = "start"  # a new row: nothing chosen yet (models/store.py conversation_for)
    LANGUAGE = "language"  # the language picker is shown
    MENU = "menu"
    BURST = "burst"  # typed messages are joining one report (bot/telegram_burst.py)
    WHAT = "what"  # the guided report, one question per step…
    WHERE = "where"
    MINOR = "minor"
    DANGER = "danger"
    MEDIA = "media"
    CONFIRM = "confirm"  # …until Send
    INFO = "info"
    SERVICES = "services"
    # The job-offer check: one step per question of bot/job_offer.py QUESTIONS, then the result.
    JOB_0 = "job:0"
    JOB_1 = "job:1"
    JOB_2 = "job:2"
    JOB_3 = "job:3"
    JOB_4 = "job:4"
    JOB_5 = "job:5"
    JOB_6 = "job:6"
    JOB_7 = "job:7"
    JOB_DONE = "job:done"


# The guided report: a message here answers the question asked, it never opens a burst.
REPORT_STEPS = frozenset({Step.WHAT, Step.WHERE, Step.MINOR, Step.DANGER, Step.MEDIA, Step.CONFIRM})
# Steps in which a message is part of the report being written (guided or a burst).
WRITING = REPORT_STEPS | {Step.BURST}
JOB_QUESTIONS = tuple(Step(f"job:{i}") for i in range(len(QUESTIONS)))  # fails if one is missing
JOB_STEPS = frozenset({*JOB_QUESTIONS, Step.JOB_DONE})


def stored_step(raw: str) -> Step:
    """The step of a stored row; a value this version does not know starts over, like a new row."""
    try:
        return Step(raw)
    except ValueError:
        return Step.START


def job_index(step: Step) -> int:
    """The question a job-offer step is at (the number of questions once done)."""
    return len(QUESTIONS) if step is Step.JOB_DONE else JOB_QUESTIONS.index(step)


class Button(StrEnum):
    """Callback data the bot sends: the whole data, or (ending in ":") a prefix of an argument."""

    LANGUAGE_MENU = "menu:lang"
    HOME = "menu:home"
    REPORT = "menu:report"
    INFO = "menu:info"
    SERVICES = "svc:menu"
    JOB_START = "job:start"
    CLEAR = "clear"
    CANCEL = "cancel"
    SKIP = "skip"
    MEDIA_DONE = "media:done"
    CONFIRM_SEND = "confirm:send"
    CONSENT_STOP = "consent:stop"
    LANGUAGE = "lang:"  # lang:<code>
    INFO_TOPIC = "info:"  # info:<topic key>
    REGION = "svc:q:"  # svc:q:<qark code>
    JOB = "job:"  # job:<yes|no|unknown|back|report>
    ANSWER = "ans:"  # ans:<yes|no|unknown>
    BURST = "burst:"  # burst:<send|cancel>:<tip id>
    CONSENT = "consent:"  # consent:<yes|no>:<tip id>
    # An official's buttons under an alert (alerts/ack_channels.py): ack, full text, digest ack.
    OFFICIAL_ACK = "a:"
    OFFICIAL_FULL_TEXT = "f:"
    OFFICIAL_DIGEST = "g:"

    @property
    def takes_argument(self) -> bool:
        """Whether the data goes on after this value."""
        return self.value.endswith(":")


OFFICIAL_BUTTONS = frozenset(
    {Button.OFFICIAL_ACK, Button.OFFICIAL_FULL_TEXT, Button.OFFICIAL_DIGEST}
)
# Longest first, so "svc:q:" is tried before a shorter prefix could take it.
_PREFIXES = sorted((b for b in Button if b.takes_argument), key=lambda b: -len(b.value))


@dataclass(frozen=True)
class Callback:
    """A button press: which button, and the argument after its prefix ("" for whole data)."""

    button: Button
    argument: str = ""

    @property
    def data(self) -> str:
        """The callback data this press carries, byte for byte."""
        return self.button.value + self.argument


def parse_callback(data: str | None) -> Callback | None:
    """Parse callback data once; None for data no button of ours carries.

    Whole data wins over a prefix: "job:start" is JOB_START, not JOB with "start". The argument
    is not checked here (topics and regions live elsewhere); its handler checks it.
    """
    if not data:
        return None
    try:
        whole = Button(data)
    except ValueError:
        pass
    else:
        if not whole.takes_argument:
            return Callback(whole)
    for prefix in _PREFIXES:
        if data.startswith(prefix.value):
            return Callback(prefix, data[len(prefix.value) :])
    return None


class Said(StrEnum):
    """What a message was, as the conversation tells them apart."""

    START = "/start"  # any text starting with /start (an official's enrolment code went first)
    STOP = "/stopquestions"  # /stopquestions or /stop: no more questions from the officials
    TEXT = "text"  # words, a caption too (a file sent with it goes with them)
    FILE = "file"  # a photo, voice note, video or document without words
    LOCATION = "location"
    OTHER = "other"  # an unknown button, or a message with nothing left in it


Event = Said | Button


def event_of(ev: TelegramEvent, callback: Callback | None) -> Event:
    """The event a Telegram update is to the conversation."""
    if ev.kind == "callback":
        return callback.button if callback is not None else Said.OTHER
    text = (ev.text or "").strip()
    if text.startswith("/start"):
        return Said.START
    if text.split("@")[0].lower() in STOP_COMMANDS:
        return Said.STOP
    if text:
        return Said.TEXT
    if ev.media is not None:
        return Said.FILE
    return Said.LOCATION if ev.location is not None else Said.OTHER


@dataclass
class Turn:
    """One event in one conversation: everything a handler reads or changes."""

    session: Session
    ctx: IntakeContext
    conv: Conversation
    caller: Caller
    lang: str
    ev: TelegramEvent
    draft: Tip | None  # the report the conversation points at, if it still exists
    callback: Callback | None

    @property
    def text(self) -> str:
        """The message's words (a caption too), trimmed."""
        return (self.ev.text or "").strip()

    @property
    def argument(self) -> str:
        """The argument of the button pressed ("" when none)."""
        return self.callback.argument if self.callback is not None else ""

    @property
    def report(self) -> Tip:
        """The draft, in a step that cannot be reached without one (the table checks first)."""
        assert self.draft is not None
        return self.draft

    @property
    def step(self) -> Step:
        """The conversation's current step."""
        return stored_step(self.conv.step)
