"""The Telegram report conversation: language, what, where, minors, danger, media, confirm.

State lives in the database (`conversations`), so any web or bot process can take the next
message. The draft is the tip itself, stored encrypted from the first words, so nothing typed is
lost if the reporter stops half-way: an idle draft is submitted by the sweeper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alerts.acks import handle_callback, handle_enrolment
from bot import burst_replies, bursts, consent, job_offer, replies, telegram_burst
from bot import services_directory as directory
from bot.chat_clearing import deletable_messages
from bot.context import IntakeContext
from bot.info_content import BY_KEY as TOPIC_BY_KEY
from bot.intake import (
    Caller,
    add_attachment,
    add_text,
    caller_from_telegram,
    claim_event,
    new_tip,
    pending_attachment,
    remember_reply_handle,
    submit,
)
from bot.replies import Reply
from bot.telegram_events import TelegramEvent
from locales.i18n import normalise_language
from models import store
from models.tables import Conversation, Tip

__all__ = ["Outcome", "TelegramEvent", "enqueue_outcome", "handle_event"]

ANSWERS = {"ans:yes": True, "ans:no": False, "ans:unknown": None}
JOB_ANSWERS = {"yes": True, "no": False, "unknown": None}
TYPED_ANSWERS = {
    **dict.fromkeys(("po", "yes", "y", "p"), "yes"),
    **dict.fromkeys(("jo", "no", "n", "j"), "no"),
    **dict.fromkeys(("nuk e di", "s'e di", "se di", "i don't know", "don't know", "?"), "unknown"),
}
REPORT_STEPS = {"what", "where", "minor", "danger", "media", "confirm"}
# Steps in which a message is part of the report being written (guided or a burst).
WRITING = REPORT_STEPS | {"burst"}


@dataclass(frozen=True)
class Outcome:
    """What to queue after the commit: replies to send and attachments to fetch."""

    outbound_ids: tuple[int, ...] = ()
    attachment_ids: tuple[int, ...] = ()


def handle_event(ctx: IntakeContext, event: TelegramEvent) -> Outcome:
    """Process one update exactly once; return what to queue after the commit."""
    with ctx.db.transaction() as session:
        inbound = claim_event(
            session,
            ctx,
            channel="telegram",
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
            store.drop_reply_handle(session, caller.reporter.id, "telegram")
            return Outcome()
        if not event.from_person:
            return Outcome()
        if ctx.alerts is not None and _official_update(session, ctx, event):
            return Outcome()  # deliveries it caused are enqueued after the commit
        assert event.user_id is not None
        assert event.chat_id is not None
        caller = caller_from_telegram(session, ctx, event.user_id)
        inbound.reporter_id = caller.reporter.id
        inbound.chat_message_id = event.message_id
        remember_reply_handle(session, ctx, caller, "telegram", str(event.chat_id))
        conversation = store.conversation_for(session, caller.reporter.id, "telegram")
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
                store.queue_outbound(
                    session,
                    ctx.vault,
                    channel="telegram",
                    reporter_id=caller.reporter.id,
                    payload=payload,
                ).id
            )
        pending = [a.id for a in tip.attachments if a.status == "pending"] if tip else []
    return Outcome(tuple(ids), tuple(pending))


def group_notice(session: Session, ctx: IntakeContext, chat_id: int) -> tuple[int, ...]:
    """Say once in a group or channel that reports are private, then leave it (nothing kept)."""
    first = claim_event(session, ctx, channel="telegram", event_id=f"group:{chat_id}", kind="other")
    if first is None:
        return ()
    notice = burst_replies.private_only().to_payload()
    row = store.queue_outbound(
        session,
        ctx.vault,
        channel="telegram",
        reporter_id=None,
        payload={**notice, "group_chat": chat_id, "leave": True},
    )
    return (row.id,)


def _official_update(session: Session, ctx: IntakeContext, event: TelegramEvent) -> bool:
    """Route an official's button press or enrolment code to alerts; False for everyone else."""
    assert ctx.alerts is not None
    assert event.chat_id is not None
    data = event.callback_data or ""
    if data[:2] in ("a:", "f:"):
        return handle_callback(
            session, ctx.alerts, data=data, chat_id=event.chat_id, callback_id=event.callback_id
        )
    words = (event.text or "").split()
    if len(words) == 2 and words[0] == "/start":
        return handle_enrolment(session, ctx.alerts, code=words[1], chat_id=event.chat_id)
    return False


def _step(
    session: Session, ctx: IntakeContext, conv: Conversation, caller: Caller, ev: TelegramEvent
) -> list[Reply]:
    lang = conv.language or normalise_language(ev.language_code)
    data = ev.callback_data or ""
    text = (ev.text or "").strip()
    draft = session.get(Tip, conv.tip_id) if conv.tip_id else None
    if draft is not None and draft.submitted and conv.step in REPORT_STEPS:
        conv.step, draft = "menu", None  # the sweeper submitted an idle draft meanwhile
    if text.startswith("/start") and (conv.language or _known(ev.language_code)):
        # The language is known (chosen before, or Telegram's): not asked again.
        conv.language, conv.step = conv.language or _known(ev.language_code), "menu"
        return [replies.main_menu(conv.language or lang)]
    if text.startswith("/start") or data == "menu:lang":
        conv.step = "language"
        return [replies.language_picker()]
    if data.startswith("burst:"):
        return telegram_burst.button(session, ctx, conv, caller, lang, data)
    if data.startswith("lang:"):
        conv.language = normalise_language(data.split(":", 1)[1])
        conv.step = "menu"
        return [replies.main_menu(conv.language)]
    if data == "clear":
        # Send the deletions; say nothing after, so the chat is left empty.
        ids = deletable_messages(session, caller.reporter.id, ctx.clock())
        if ev.message_id is not None:
            ids.append(ev.message_id)
        return [Reply("", extra={"delete": ids, "callback_text": replies.cleared_text(lang)})]
    if data == "menu:home":
        conv.step = "menu"
        return [replies.main_menu(lang)]
    answered = consent.telegram_step(session, caller, lang, data, text)
    if answered is not None:
        return answered
    companion = _companion(session, ctx, conv, caller, lang, ev)
    if companion is not None:
        return companion
    if data == "menu:report":
        conv.step, conv.tip_id = "what", None
        return [replies.ask_what(lang)]
    if data == "cancel":
        if draft is not None and not draft.submitted:
            session.delete(draft)
        conv.step, conv.tip_id = "menu", None
        return [replies.cancelled(lang)]
    if (text or ev.media or ev.location) and conv.step not in REPORT_STEPS and not data:
        return telegram_burst.message(session, ctx, conv, caller, ev)[0]
    return _report_step(session, ctx, conv, caller, lang, ev, draft)


def _companion(
    session: Session,
    ctx: IntakeContext,
    conv: Conversation,
    caller: Caller,
    lang: str,
    ev: TelegramEvent,
) -> list[Reply] | None:
    """Information, services near me and the job-offer check; None when the event is not theirs."""
    data = ev.callback_data or ""
    if data == "menu:info":
        conv.step = "info"
        return [replies.info_topics(lang)]
    if data.startswith("info:") and data[5:] in TOPIC_BY_KEY:
        conv.step = "info"
        return [replies.info_topic(lang, data[5:])]
    if data == "svc:menu":
        conv.step = "services"
        return [replies.services_regions(lang)]
    if data.startswith("svc:q:") and directory.qark(data[6:]) is not None:
        conv.step = "services"
        return [replies.services_list(lang, data[6:], changes=directory.updates(session))]
    typed = (ev.text or "").strip()
    named = directory.qark_named(typed) if typed and conv.step == "services" else None
    if named is not None:  # a region typed instead of pressed
        return [replies.services_list(lang, named.code, changes=directory.updates(session))]
    if typed and conv.step.startswith("job:") and conv.step != "job:done":
        word = typed.lower().rstrip(".!")
        if word in TYPED_ANSWERS:  # "po", "jo", "yes"… typed instead of pressed: not a report
            return _job_step(session, ctx, conv, caller, lang, TYPED_ANSWERS[word])
    if ev.location is not None and conv.step == "services":
        nearest = directory.nearest_qark(*ev.location)  # computed here, never stored
        changes = directory.updates(session)
        return [replies.services_list(lang, nearest.code, by_location=True, changes=changes)]
    if data == "job:start":
        conv.step, conv.state_enc = "job:0", ctx.vault.encrypt_json({})
        return [replies.job_question(lang, 0)]
    if data.startswith("job:") and conv.step.startswith("job:"):
        return _job_step(session, ctx, conv, caller, lang, data[4:])
    return None


def _job_step(
    session: Session, ctx: IntakeContext, conv: Conversation, caller: Caller, lang: str, action: str
) -> list[Reply]:
    """One answer (or Back, or Send) in the job-offer check; answers stay encrypted in state_enc."""
    answers: dict[str, bool | None] = (
        ctx.vault.decrypt_json(conv.state_enc) if conv.state_enc else {}
    )
    done = conv.step == "job:done"
    index = len(job_offer.QUESTIONS) if done else int(conv.step.split(":")[1])
    if action == "back":
        if index == 0:
            conv.step, conv.state_enc = "menu", None
            return [replies.main_menu(lang)]
        conv.step = f"job:{index - 1}"
        return [replies.job_question(lang, index - 1)]
    if action == "report" and done:
        result = job_offer.assess(answers)
        tip, _ = new_tip(
            session,
            ctx,
            channel="telegram",
            caller=caller,
            text=replies.job_report_text(lang, answers, result),
            language=conv.language,
            answers={"job_offer": answers, "job_risk": result.level},
        )
        conv.tip_id, conv.step, conv.state_enc = tip.id, "menu", None
        return consent.thanks_and_ask(caller.reporter, lang, tip)
    if action not in JOB_ANSWERS or done:
        step = min(index, len(job_offer.QUESTIONS) - 1)
        conv.step = f"job:{step}"
        return [replies.job_question(lang, step)]
    answers[job_offer.QUESTIONS[index].key] = JOB_ANSWERS[action]
    conv.state_enc = ctx.vault.encrypt_json(answers)
    if index + 1 < len(job_offer.QUESTIONS):
        conv.step = f"job:{index + 1}"
        return [replies.job_question(lang, index + 1)]
    conv.step = "job:done"
    return [replies.job_result(lang, job_offer.assess(answers))]


def _known(code: str | None) -> str | None:
    """Telegram's language_code when it is one of ours ("en-GB" counts as "en")."""
    base = (code or "").split("-")[0].lower()
    return base if base in ("sq", "en") else None


def _report_step(
    session: Session,
    ctx: IntakeContext,
    conv: Conversation,
    caller: Caller,
    lang: str,
    ev: TelegramEvent,
    draft: Tip | None,
) -> list[Reply]:
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
            _attach(
                session,
                ctx,
                draft,
                "location",
                "application/json",
                json.dumps({"lat": ev.location[0], "lon": ev.location[1]}).encode(),
            )
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
        return consent.thanks_and_ask(caller.reporter, lang, draft)
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
    if ev.media is not None:
        source = {
            "provider": "telegram",
            "file_id": ev.media.file_id,
            "kind": ev.media.kind,
            "content_type": ev.media.content_type,
        }
        pending_attachment(session, ctx, draft, kind=ev.media.kind, content_type="", source=source)
        if ev.text:  # a caption is part of the report
            add_text(session, ctx, draft, ev.text)
        return [replies.media_received(lang)]
    if ev.location is not None:
        _attach(
            session,
            ctx,
            draft,
            "location",
            "application/json",
            json.dumps({"lat": ev.location[0], "lon": ev.location[1]}).encode(),
        )
        return [replies.media_received(lang)]
    return _added_or_repeat(session, ctx, draft, lang, (ev.text or "").strip(), "media")


def _attach(
    session: Session, ctx: IntakeContext, tip: Tip, kind: str, content_type: str, data: bytes
) -> None:
    add_attachment(session, ctx, tip, kind=kind, content_type=content_type, data=data)


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


def enqueue_outcome(ctx: IntakeContext, outcome: Outcome) -> None:
    """Queue the sends and fetches of a committed update (the sweeper covers a failed enqueue)."""
    for outbound_id in outcome.outbound_ids:
        ctx.queue.enqueue("raporto.jobs.send_outbound", outbound_id, queue="high")
    for attachment_id in outcome.attachment_ids:
        ctx.queue.enqueue("raporto.jobs.fetch_attachment", attachment_id, queue="default")
