"""Consent to relayed questions on WhatsApp: the SMS rules, with the channel's own handle.

The words are the SMS ones (`bot.consent`), not folded to ASCII; what differs is where things
are kept: the
conversation, the reply handle and the audit carry channel "whatsapp", so a WhatsApp reporter
is never reached by SMS and STOP on one channel leaves the other alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import consent, sms_replies
from bot.context import IntakeContext
from bot.intake import Caller, remember_reply_handle
from locales.i18n import gettext as _t
from models import store
from models.operators import normalise_number
from models.tables import Conversation, ReplyHandle, Reporter, Tip

CHANNEL = "whatsapp"


def number_of(sender: str) -> str:
    """The E.164 number behind a `whatsapp:+355…` address (kept only encrypted, if at all)."""
    raw = sender.strip()
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:") :]
    return normalise_number(raw) or raw.strip()


def receipt(lang: str, reference: str, *, ask: bool) -> str:
    """The acknowledgement of a report, with the consent question when `ask` (SMS's words)."""
    received = sms_replies.sms_received(lang, reference)
    if not ask:
        return received
    question = _t(
        lang,
        "May the team handling it send you questions here? Reply PO or YES to allow; "
        "otherwise ignore this message.",
    )
    return received + " " + question


def received_and_ask(
    session: Session, ctx: IntakeContext, reporter: Reporter, tip: Tip, lang: str
) -> str:
    """Acknowledge a new WhatsApp report and ask for consent, unless given before."""
    if reporter.follow_up_consent:
        return receipt(lang, tip.reference, ask=False)
    conversation = store.conversation_for(session, reporter.id, CHANNEL, now=ctx.clock())
    conversation.step, conversation.tip_id = consent.SMS_STEP, tip.id
    conversation.language = conversation.language or lang
    conversation.updated_at = ctx.clock()
    return receipt(lang, tip.reference, ask=True)


def answer(
    session: Session, ctx: IntakeContext, caller: Caller, sender: str, body: str, lang: str
) -> str | None:
    """Take PO/YES or JO/NO right after the question; None when the message is not one."""
    word = " ".join(body.upper().strip(" .!").split())
    if word not in consent.SMS_YES and word not in consent.SMS_NO:
        return None
    reporter = caller.reporter
    conversation = session.execute(
        select(Conversation).where(
            Conversation.reporter_id == reporter.id, Conversation.channel == CHANNEL
        )
    ).scalar_one_or_none()
    idle = timedelta(minutes=ctx.limits.conversation_idle_minutes)
    if (
        conversation is None
        or conversation.step != consent.SMS_STEP
        or conversation.updated_at <= ctx.clock() - idle
    ):
        return None  # not asked lately: an ordinary message
    tip = session.get(Tip, conversation.tip_id) if conversation.tip_id else None
    conversation.step, conversation.updated_at = "answered", ctx.clock()
    lang = conversation.language or lang
    given = word in consent.SMS_YES
    consent.record(session, reporter, tip, given, CHANNEL, now=ctx.clock())
    if not given:
        forget_number(session, reporter)
        return _t(lang, "Understood. No questions will be sent to you.")
    remember_reply_handle(session, ctx, caller, CHANNEL, number_of(sender))
    return _t(
        lang,
        "Thank you. Questions about %(reference)s may come to this number. STOP ends all messages.",
        reference=tip.reference if tip is not None else "",
    )


def keep_reachable(session: Session, ctx: IntakeContext, caller: Caller, sender: str) -> None:
    """Refresh the encrypted number of a reporter who agreed, for a later question."""
    if caller.reporter.follow_up_consent and not caller.reporter.sms_opted_out:
        remember_reply_handle(session, ctx, caller, CHANNEL, number_of(sender))


def withdraw(session: Session, reporter: Reporter, *, now: datetime) -> None:
    """STOP withdraws consent too, and the number kept for questions is erased."""
    if reporter.follow_up_consent:
        consent.record(session, reporter, None, False, CHANNEL, now=now)
    forget_number(session, reporter)


def forget_number(session: Session, reporter: Reporter) -> None:
    """Delete the WhatsApp reply handle: it was kept only to relay questions."""
    session.execute(
        delete(ReplyHandle).where(
            ReplyHandle.reporter_id == reporter.id, ReplyHandle.channel == CHANNEL
        )
    )
