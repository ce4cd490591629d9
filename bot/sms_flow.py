"""SMS intake: keywords, follow-ups by reference code, multi-part bursts joined into one tip.

INFO, NDIHME, HELP or MENU answers a numbered menu (reply with a number) of the information topics
and services, each reply ASCII-folded and at most two segments; a number is a menu choice only
within RAPORTO_CONVERSATION_IDLE_MINUTES of the menu, otherwise it is a message like any other.
SQ or EN sets the language and answers with a confirmation that names no topic.

Replies are short and neutral (a code, no subject words), at most one per tip, and none at all to
a number that sent STOP. The reply to a new report also asks, once, whether questions from the
officials may be relayed to this number (`bot.consent`); STOP withdraws that too.

WhatsApp runs this same conversation (`channel` "whatsapp", from bot/whatsapp_flow.py) with its
own pseudonym, conversation, consent and reply handle, and its replies keep their letters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.ack_channels import handle_sms as handle_ack_sms
from alerts.queue import Job
from alerts.twilio_erasure import erase_later
from bot import bursts, consent, sms_replies
from bot import services_directory as directory
from bot.context import IntakeContext
from bot.follow_ups import follow_up, public_status
from bot.intake import Caller, caller_from_phone, claim_event, earlier_reply, new_tip
from bot.language import guess_language
from bot.sms_replies import SMS_CHOICES
from locales.i18n import gettext as _t
from models import reporter_outbox, store
from models.db import after_commit
from models.operators import normalise_number, number_facts
from models.tables import Conversation, InboundMessage

STOP = {"STOP", "STOPP", "NDALO", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START = {"START", "FILLO", "UNSTOP"}
HELP = {"HELP", "INFO", "NDIHME", "NDIHMË", "MENU", "MENY"}
LANGUAGE = {"SQ", "EN"}
KEYWORD_LANGUAGE = {
    "HELP": "en",
    "EN": "en",
    "NDIHME": "sq",
    "NDIHMË": "sq",
    "MENY": "sq",
    "SQ": "sq",
}


def keyword(body: str) -> str | None:
    """Return the keyword class of a one-word message ("stop", "start", "help", "language")."""
    word = body.strip().upper().rstrip(".!")
    if word in STOP:
        return "stop"
    if word in START:
        return "start"
    if word in HELP:
        return "help"
    if word in LANGUAGE:
        return "language"
    return None


def handle_sms(
    ctx: IntakeContext,
    *,
    message_sid: str,
    sender: str,
    body: str,
    late: bool = False,
    channel: str = "sms",
    then: Callable[[Session, InboundMessage], None] | None = None,
) -> str | None:
    """Store one inbound SMS exactly once; return the reply text, or None for no reply.

    `channel` "whatsapp" runs the same conversation for a WhatsApp message (bot/whatsapp_flow.py):
    its own pseudonym, conversation and reply handle, no officials' acknowledgements; `then`
    runs in the transaction once a new event is handled (its attachments, held questions).

    An official's "OK code" is routed before anything of a reporter is looked up or created: it
    is recorded as kind "ack" and never becomes a reporter, a tip or a citizen's contact.
    `late` (a replay from the spool, after the webhook's neutral answer): the reply goes out as
    an SMS from the outbox, committed with the event, and a repeated event gets no reply at all.
    """
    body = body.strip()
    lang = guess_language(body)
    with ctx.db.transaction() as session:
        inbound = claim_event(
            session,
            ctx,
            channel=channel,
            event_id=message_sid,
            kind=channel,
            facts=number_facts(_number(sender, channel)),
        )
        if inbound is None:
            reference = None if late else earlier_reply(session, ctx, channel, message_sid)
            if reference is None:
                return None
            # The same answer as the first delivery got, consent question included.
            caller = _caller(session, ctx, sender, channel)
            ask = not caller.reporter.follow_up_consent
            return consent.sms_receipt(lang, reference, ask=ask, channel=channel)
        # Twilio's record of this SMS holds the number and the words: deleted there soon after.
        erase_later(session, ctx.vault, "message", message_sid, now=ctx.clock())
        # Officials acknowledge by SMS from their roster numbers, never by WhatsApp.
        said = (
            handle_ack_sms(session, ctx.alerts, sender=sender, body=body)
            if channel == "sms"
            else None
        )
        reporter_id: int | None = None
        if said is not None:
            inbound.kind = "ack"
            reply: str | None = _t(lang, said)
        else:
            caller = _caller(session, ctx, sender, channel)
            reporter_id = caller.reporter.id
            reply = _citizen(session, ctx, caller, inbound, sender, body, lang, channel)
        if then is not None:
            then(session, inbound)
        if late and reply:
            late_reply(session, ctx, reporter_id, _number(sender, channel), reply, channel=channel)
            return None
        return reply


def _citizen(
    session: Session,
    ctx: IntakeContext,
    caller: Caller,
    inbound: InboundMessage,
    sender: str,
    body: str,
    lang: str,
    channel: str = "sms",
) -> str | None:
    """Handle a citizen's new SMS in the caller's transaction; return the reply."""
    inbound.reporter_id = caller.reporter.id
    reporter = caller.reporter
    kind = keyword(body)
    if kind == "stop":
        # On WhatsApp the flag means the same for that channel's own (separate) reporter.
        reporter.sms_opted_out = True
        consent.sms_withdraw(session, reporter, now=ctx.clock(), channel=channel)
        return sms_replies.sms_stopped(lang)
    if kind == "start":
        reporter.sms_opted_out = False
        return sms_replies.sms_help(lang, channel)
    choice = body.rstrip(".")
    if kind in ("help", "language"):
        if reporter.sms_opted_out:
            return None
        conversation = store.conversation_for(session, reporter.id, channel, now=ctx.clock())
        word = body.strip().upper().rstrip(".!")
        conversation.language = KEYWORD_LANGUAGE.get(word) or conversation.language or lang
        conversation.updated_at = ctx.clock()
        if kind == "language":
            # A confirmation, not the list: the topics' names on a lock screen would say what
            # the number is used for. An open menu stays open in the new language.
            return sms_replies.sms_language(conversation.language, channel)
        conversation.step = "menu"
        return sms_replies.sms_menu(conversation.language, channel)
    if choice in SMS_CHOICES and _in_menu(session, ctx, reporter.id, channel):
        if reporter.sms_opted_out:
            return None
        conversation = store.conversation_for(session, reporter.id, channel, now=ctx.clock())
        conversation.updated_at = ctx.clock()
        changes = directory.updates(session)
        return sms_replies.sms_choice(conversation.language or lang, choice, changes, channel)
    if not body:
        return None
    consent.sms_keep_reachable(session, ctx, caller, sender, channel)
    if not reporter.sms_opted_out:
        answered = consent.sms_answer(session, ctx, caller, sender, body, lang, channel)
        if answered is not None:
            return answered
    earlier = follow_up(session, ctx, body, caller)
    if earlier is not None:
        inbound.tip_id = earlier.tip.id
        if reporter.sms_opted_out:
            return None
        if earlier.added:
            return sms_replies.sms_added(lang, earlier.tip.reference)
        state = public_status(earlier.tip)
        return sms_replies.sms_status(lang, earlier.tip.reference, state, channel)
    joined = bursts.open_report(session, ctx, reporter.id, channel)
    if joined is not None:
        bursts.join(session, ctx, joined, body)
        inbound.tip_id = joined.id
        return None  # one acknowledgement per tip, not one per part
    tip, created = new_tip(session, ctx, channel=channel, caller=caller, text=body, language=None)
    bursts.hold(ctx, tip)
    inbound.tip_id = tip.id
    inbound.reply_reference = tip.reference
    if reporter.sms_opted_out or not created:
        return None
    return consent.sms_received_and_ask(session, ctx, reporter, tip, lang, channel)


def _number(sender: str, channel: str) -> str:
    """The phone number of a sender address (`whatsapp:+355…` on WhatsApp)."""
    return consent.number_of(sender) if channel == "whatsapp" else sender


def _caller(session: Session, ctx: IntakeContext, sender: str, channel: str) -> Caller:
    """The reporter behind a number; WhatsApp's pseudonym is its own, never the SMS one."""
    if channel != "whatsapp":
        return caller_from_phone(session, ctx, sender)
    e164 = consent.number_of(sender)
    reporter = store.reporter_for(session, ctx.pseudonym("wa", e164), now=ctx.clock())
    return Caller(reporter=reporter, facts=number_facts(e164))


def _in_menu(session: Session, ctx: IntakeContext, reporter_id: int, channel: str = "sms") -> bool:
    """Whether the number asked for the menu recently (a bare number is otherwise a message)."""
    conversation = session.execute(
        select(Conversation).where(
            Conversation.reporter_id == reporter_id, Conversation.channel == channel
        )
    ).scalar_one_or_none()
    idle = timedelta(minutes=ctx.limits.conversation_idle_minutes)
    return (
        conversation is not None
        and conversation.step == "menu"
        and conversation.updated_at > ctx.clock() - idle
    )


def late_reply(
    session: Session,
    ctx: IntakeContext,
    reporter_id: int | None,
    sender: str,
    text: str,
    *,
    channel: str = "sms",
) -> None:
    """Queue in the outbox the reply a spooled SMS or WhatsApp message missed in its TwiML."""
    number = normalise_number(sender) or sender.strip()
    # The number rides in the encrypted payload, which is erased once the message is sent.
    row = reporter_outbox.queue_outbound(
        session,
        ctx.vault,
        channel=channel,
        reporter_id=reporter_id,
        payload={"text": text, "to": number, "receipt": True},
        now=ctx.clock(),
    )
    outbound_id = row.id

    def enqueue() -> None:
        ctx.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="high")

    after_commit(session, enqueue)
