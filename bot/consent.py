"""Whether officials may relay questions to a reporter: asked once after a report, withdrawable.

Telegram asks with Yes / No buttons under the thanks; "Stop questions" (under every relayed
question) or /stopquestions withdraws. SMS appends one line to the reply that confirms the report
("Reply PO or YES ..."), read only within RAPORTO_CONVERSATION_IDLE_MINUTES; STOP withdraws with
everything else. Consent is the reporter's (one pseudonym per chat or number), the latest answer
wins, and an SMS number is kept (encrypted, expiring) only once its owner said yes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alerts.content import fold
from bot import replies, sms_replies
from bot.context import IntakeContext
from bot.intake import Caller, remember_reply_handle
from bot.replies import Reply
from locales.i18n import gettext as _t
from models import store
from models.operators import normalise_number
from models.tables import Conversation, ReplyHandle, Reporter, Tip
from models.untrusted import parse_id

STOP_COMMANDS = {"/stopquestions", "/stop"}
SMS_YES = {"PO", "YES"}
SMS_NO = {"JO", "NO"}
SMS_STEP = "consent"


def record(
    session: Session,
    reporter: Reporter,
    tip: Tip | None,
    given: bool,
    channel: str,
    *,
    now: datetime,
) -> None:
    """Store the reporter's answer (and on the tip it was asked about) and audit it, ids only."""
    reporter.follow_up_consent = given
    if tip is not None:
        # Reassigned, not mutated: the JSON column only notices a new value.
        tip.answers = {**(tip.answers or {}), "follow_up_consent": given}
    store.audit(
        session,
        actor="reporter",
        action="reporter.consent",
        object_type="reporter",
        object_id=reporter.id,
        now=now,
        tip_id=tip.id if tip is not None else None,
        given=given,
        channel=channel,
    )


# Telegram --------------------------------------------------------------------------------------


def question(lang: str, tip: Tip) -> Reply:
    """Ask whether the officials handling this report may send questions to this chat."""
    text = _t(
        lang,
        "The officials handling report %(reference)s may want to ask you something. "
        "May they send you questions in this chat? They will not learn who you are, and you "
        "will not learn who they are. You can stop this at any time with /stopquestions.",
        reference=tip.reference,
    )
    return Reply(
        text,
        (
            (
                (_t(lang, "Yes, allow questions"), f"consent:yes:{tip.id}"),
                (_t(lang, "No"), f"consent:no:{tip.id}"),
            ),
        ),
    )


def thanks_and_ask(ctx: IntakeContext, reporter: Reporter, lang: str, tip: Tip) -> list[Reply]:
    """The thanks after a submitted report, then the consent question unless already agreed."""
    thanks = replies.thanks(lang, tip.reference, ctx.alerts.config.twilio_from)
    if reporter.follow_up_consent or "follow_up_consent" in (tip.answers or {}):
        return [thanks]
    return [thanks, question(lang, tip)]


def telegram_step(
    session: Session, caller: Caller, lang: str, data: str, text: str, *, now: datetime
) -> list[Reply] | None:
    """Answer a consent button or /stopquestions; None when the event is about something else."""
    reporter = caller.reporter
    if text.split("@")[0].lower() in STOP_COMMANDS or data == "consent:stop":
        if reporter.follow_up_consent:
            record(session, reporter, None, False, "telegram", now=now)
        return [_stopped(lang)]
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "consent" or parts[1] not in ("yes", "no"):
        return None
    tip_id = parse_id(parts[2])  # ASCII digits only: "²" passes isdigit() and int() raises
    tip = session.get(Tip, tip_id) if tip_id is not None else None
    if tip is None or tip.reporter_id != reporter.id:
        return [replies.main_menu(lang)]  # not this person's report: nothing is recorded
    given = parts[1] == "yes"
    record(session, reporter, tip, given, "telegram", now=now)
    if not given:
        return [_stopped(lang)]
    return [
        Reply(
            _t(
                lang,
                "Thank you. If the officials have a question about %(reference)s, it will "
                "arrive in this chat. To stop questions, send /stopquestions.",
                reference=tip.reference,
            ),
            (((_t(lang, "Back to menu"), "menu:home"),),),
        )
    ]


def _stopped(lang: str) -> Reply:
    return Reply(
        _t(lang, "Understood. No questions will be sent to you."),
        (((_t(lang, "Back to menu"), "menu:home"),),),
    )


# SMS -------------------------------------------------------------------------------------------


def number_of(sender: str) -> str:
    """The E.164 number behind an SMS sender or a `whatsapp:+355…` address."""
    raw = sender.strip()
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:") :]
    return normalise_number(raw) or raw.strip()


def _said(text: str, channel: str) -> str:
    # SMS is folded to GSM-7 (one segment, no surprises); WhatsApp keeps its ë and ç.
    return fold(text) if channel == "sms" else text


def sms_receipt(lang: str, reference: str, *, ask: bool, channel: str = "sms") -> str:
    """A text channel's acknowledgement of a report, with the consent question when `ask`."""
    received = sms_replies.sms_received(lang, reference)
    if not ask:
        return _said(received, channel)
    question = _t(
        lang,
        "May the team handling it send you questions here? Reply PO or YES to allow; "
        "otherwise ignore this message.",
    )
    return _said(received + " " + question, channel)


def sms_received_and_ask(
    session: Session,
    ctx: IntakeContext,
    reporter: Reporter,
    tip: Tip,
    lang: str,
    channel: str = "sms",
) -> str:
    """Acknowledge a new SMS or WhatsApp report and ask for consent, unless agreed before."""
    if reporter.follow_up_consent:
        return sms_receipt(lang, tip.reference, ask=False, channel=channel)
    conversation = store.conversation_for(session, reporter.id, channel, now=ctx.clock())
    conversation.step, conversation.tip_id = SMS_STEP, tip.id
    conversation.language = conversation.language or lang
    conversation.updated_at = ctx.clock()
    return sms_receipt(lang, tip.reference, ask=True, channel=channel)


def sms_answer(
    session: Session,
    ctx: IntakeContext,
    caller: Caller,
    sender: str,
    body: str,
    lang: str,
    channel: str = "sms",
) -> str | None:
    """Take PO/YES or JO/NO right after the question; None when the message is not one."""
    word = " ".join(body.upper().strip(" .!").split())
    if word not in SMS_YES and word not in SMS_NO:
        return None
    reporter = caller.reporter
    conversation = session.execute(
        select(Conversation).where(
            Conversation.reporter_id == reporter.id, Conversation.channel == channel
        )
    ).scalar_one_or_none()
    idle = timedelta(minutes=ctx.limits.conversation_idle_minutes)
    if (
        conversation is None
        or conversation.step != SMS_STEP
        or conversation.updated_at <= ctx.clock() - idle
    ):
        return None  # not asked lately: an ordinary message
    tip = session.get(Tip, conversation.tip_id) if conversation.tip_id else None
    conversation.step, conversation.updated_at = "answered", ctx.clock()
    lang = conversation.language or lang
    given = word in SMS_YES
    record(session, reporter, tip, given, channel, now=ctx.clock())
    if not given:
        forget_number(session, reporter, channel)
        return _said(_t(lang, "Understood. No questions will be sent to you."), channel)
    remember_reply_handle(session, ctx, caller, channel, number_of(sender))
    reference = tip.reference if tip is not None else ""
    return _said(
        _t(
            lang,
            "Thank you. Questions about %(reference)s may come to this number. "
            "STOP ends all messages.",
            reference=reference,
        ),
        channel,
    )


def sms_keep_reachable(
    session: Session, ctx: IntakeContext, caller: Caller, sender: str, channel: str = "sms"
) -> None:
    """Refresh the encrypted number of a reporter who agreed, so a later question can reach them."""
    if caller.reporter.follow_up_consent and not caller.reporter.sms_opted_out:
        remember_reply_handle(session, ctx, caller, channel, number_of(sender))


def sms_withdraw(
    session: Session, reporter: Reporter, *, now: datetime, channel: str = "sms"
) -> None:
    """STOP withdraws consent too, and the number kept for questions is erased."""
    if reporter.follow_up_consent:
        record(session, reporter, None, False, channel, now=now)
    forget_number(session, reporter, channel)


def forget_number(session: Session, reporter: Reporter, channel: str = "sms") -> None:
    """Delete the channel's reply handle: it was kept only to relay questions."""
    session.execute(
        delete(ReplyHandle).where(
            ReplyHandle.reporter_id == reporter.id, ReplyHandle.channel == channel
        )
    )
