"""Questions from officials relayed to reporters who agreed, revealing neither side to the other.

The console calls `can_ask` and `ask_reporter` inside its own transaction. A question goes out
through the reporters' outbox (`outbound_messages`) after the commit, like every reply, and says
only that it comes from "the team handling" the report: no name, no agency. The reporter answers
by quoting the reference code, which the follow-up path (`bot.follow_ups.follow_up`) adds to the
tip.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.content import fold
from alerts.queue import Job
from bot.context import IntakeContext
from bot.language import guess_language
from bot.replies import Reply
from locales.i18n import gettext as _t
from locales.i18n import normalise_language
from models import reporter_outbox, store
from models.accounts import ReporterQuestion
from models.base import utcnow
from models.db import after_commit
from models.tables import Conversation, ReplyHandle, Reporter, Tip

MAX_QUESTION_CHARS = 1000
# Voice and hotline reports have no channel a question could go back on.
# WhatsApp's questions wait for its 24-hour window at send time (alerts/reporter_replies.py).
RELAY_CHANNELS = ("telegram", "sms", "whatsapp")


def _refusal(session: Session, tip: Tip) -> str | None:
    """Why no question can be sent ("no_consent" or "unreachable"), or None when one can."""
    reporter = session.get(Reporter, tip.reporter_id) if tip.reporter_id is not None else None
    if reporter is None or not reporter.follow_up_consent:
        return "no_consent"
    if tip.channel not in RELAY_CHANNELS or tip.purged_at is not None:
        return "unreachable"
    if tip.channel in ("sms", "whatsapp") and reporter.sms_opted_out:
        return "unreachable"
    handle = session.execute(
        select(ReplyHandle.id).where(
            ReplyHandle.reporter_id == reporter.id,
            ReplyHandle.channel == tip.channel,
            ReplyHandle.expires_at > utcnow(),
        )
    ).first()
    return None if handle is not None else "unreachable"


def can_ask(session: Session, tip: Tip) -> bool:
    """Whether a question may be relayed: consent, no STOP, and a live reply handle."""
    return _refusal(session, tip) is None


def _language(session: Session, intake: IntakeContext, tip: Tip) -> str:
    """The reporter's language: the tip's, their conversation's, else guessed from the tip."""
    if tip.language:
        return normalise_language(tip.language)
    chosen = session.execute(
        select(Conversation.language).where(
            Conversation.reporter_id == tip.reporter_id, Conversation.channel == tip.channel
        )
    ).scalar_one_or_none()
    if chosen:
        return normalise_language(chosen)
    return guess_language(store.tip_text(intake.vault, tip))


def message(lang: str, channel: str, reference: str, question: str) -> Reply:
    """The relayed question as the reporter reads it: nothing about who asks it."""
    if channel in ("sms", "whatsapp"):
        # Neutral like every SMS reply (a phone may be read by someone else); SMS in the plain
        # alphabet, WhatsApp with its letters (no buttons outside a template).
        text = _t(
            lang,
            "About your message %(reference)s, from the team handling it: %(question)s "
            "To answer, reply with %(reference)s and your answer, or ignore this message. "
            "STOP ends all messages.",
            reference=reference,
            question=question,
        )
        return Reply(fold(text) if channel == "sms" else text, extra={"question": True})
    text = _t(
        lang,
        "A question about your report %(reference)s from the team handling it:\n\n"
        "%(question)s\n\n"
        "To answer, write %(reference)s and then your answer. If you prefer not to answer, "
        "you can ignore this message.",
        reference=reference,
        question=question,
    )
    return Reply(text, (((_t(lang, "Stop questions"), "consent:stop"),),), extra={"question": True})


def ask_reporter(
    session: Session,
    intake: IntakeContext,
    tip: Tip,
    question: str,
    *,
    actor: str,
    user_id: int,
) -> str:
    """Relay an official's question to the tip's reporter: "queued", "no_consent", "unreachable"."""
    text = question.strip()
    if not text:
        raise ValueError("The question is empty.")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(f"The question is longer than {MAX_QUESTION_CHARS} characters.")
    refusal = _refusal(session, tip)
    row = ReporterQuestion(
        tip_id=tip.id,
        user_id=user_id,
        body_enc=intake.vault.encrypt_text(text),
        status="refused" if refusal else "queued",
        created_at=intake.clock(),
    )
    session.add(row)
    if refusal is None and tip.reporter_id is not None:
        lang = _language(session, intake, tip)
        outbound = reporter_outbox.queue_outbound(
            session,
            intake.vault,
            channel=tip.channel,
            reporter_id=tip.reporter_id,
            payload=message(lang, tip.channel, tip.reference, text).to_payload(),
            now=intake.clock(),
        )
        row.outbound_id = outbound.id
        outbound_id = outbound.id

        def enqueue() -> None:
            # Only once committed; were the enqueue lost, the sweeper sends the row anyway.
            intake.queue.enqueue(Job.SEND_OUTBOUND, outbound_id, queue="high")

        after_commit(session, enqueue)
    session.flush()
    result = refusal or "queued"
    store.audit(
        session,
        actor=actor,
        action="tip.ask",
        object_type="tip",
        object_id=tip.id,
        now=intake.clock(),
        question_id=row.id,
        user_id=user_id,
        result=result,
    )
    return result
