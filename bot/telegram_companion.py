"""The companion flows on Telegram: information, services near me, the job-offer check."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import consent, job_offer, replies
from bot import services_directory as directory
from bot.context import IntakeContext
from bot.info_content import BY_KEY as TOPIC_BY_KEY
from bot.intake import (
    Caller,
    new_tip,
)
from bot.replies import Reply
from bot.telegram_events import TelegramEvent
from models.tables import Conversation

JOB_ANSWERS = {"yes": True, "no": False, "unknown": None}
TYPED_ANSWERS = {
    **dict.fromkeys(("po", "yes", "y", "p"), "yes"),
    **dict.fromkeys(("jo", "no", "n", "j"), "no"),
    **dict.fromkeys(("nuk e di", "s'e di", "se di", "i don't know", "don't know", "?"), "unknown"),
}


def companion(
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
