"""The companion flows on Telegram: information, services near me, the job-offer check.

Each function answers one event of bot/telegram_table.py; None hands the event on to the step's
default there, as when a button names a topic or region this version does not have.
"""

from __future__ import annotations

from bot import companion_replies, consent, job_offer, replies, telegram_burst
from bot import services_directory as directory
from bot.info_content import BY_KEY as TOPIC_BY_KEY
from bot.intake import new_tip
from bot.replies import Reply
from bot.telegram_steps import JOB_QUESTIONS, Step, Turn, job_index
from models.enums import Channel

JOB_ANSWERS = {"yes": True, "no": False, "unknown": None}
TYPED_ANSWERS = {
    **dict.fromkeys(("po", "yes", "y", "p"), "yes"),
    **dict.fromkeys(("jo", "no", "n", "j"), "no"),
    **dict.fromkeys(("nuk e di", "s'e di", "se di", "i don't know", "don't know", "?"), "unknown"),
}


def info_topics(t: Turn) -> list[Reply]:
    """The list of information topics."""
    return [companion_replies.info_topics(t.lang)]


def info_topic(t: Turn) -> list[Reply] | None:
    """One information topic; None for a topic this version does not have."""
    if t.argument not in TOPIC_BY_KEY:
        return None
    return [companion_replies.info_topic(t.lang, t.argument)]


def services_regions(t: Turn) -> list[Reply]:
    """The regions to choose services in."""
    return [companion_replies.services_regions(t.lang)]


def services_in(t: Turn) -> list[Reply] | None:
    """The services of the region pressed; None for a region this version does not have."""
    if directory.qark(t.argument) is None:
        return None
    return [
        companion_replies.services_list(t.lang, t.argument, changes=directory.updates(t.session))
    ]


def typed_region(t: Turn) -> list[Reply]:
    """A region typed instead of pressed; any other words are a report."""
    named = directory.qark_named(t.text)
    if named is None:
        return telegram_burst.message(t.session, t.ctx, t.conv, t.caller, t.ev)[0]
    return [
        companion_replies.services_list(t.lang, named.code, changes=directory.updates(t.session))
    ]


def nearest_services(t: Turn) -> list[Reply]:
    """The services of the region nearest a shared location."""
    assert t.ev.location is not None
    nearest = directory.nearest_qark(*t.ev.location)  # computed here, never stored
    changes = directory.updates(t.session)
    return [
        companion_replies.services_list(t.lang, nearest.code, by_location=True, changes=changes)
    ]


def job_start(t: Turn) -> list[Reply]:
    """Start the job-offer check at its first question, with no answers yet."""
    t.conv.state_enc = t.ctx.vault.encrypt_json({})
    return [companion_replies.job_question(t.lang, 0)]


def job_button(t: Turn) -> list[Reply]:
    """An answer, Back or Send pressed in the job-offer check."""
    return _job_step(t, t.argument)


def typed_job_answer(t: Turn) -> list[Reply]:
    """Po, jo, yes… typed instead of pressed is an answer; any other words are a report."""
    word = t.text.lower().rstrip(".!")
    if word in TYPED_ANSWERS:
        return _job_step(t, TYPED_ANSWERS[word])
    return telegram_burst.message(t.session, t.ctx, t.conv, t.caller, t.ev)[0]


def _job_step(t: Turn, action: str) -> list[Reply]:
    """One answer (or Back, or Send) in the job-offer check; answers stay encrypted in state_enc."""
    session, ctx, conv, caller, lang = t.session, t.ctx, t.conv, t.caller, t.lang
    answers: dict[str, bool | None] = (
        ctx.vault.decrypt_json(conv.state_enc) if conv.state_enc else {}
    )
    done = t.step is Step.JOB_DONE
    index = job_index(t.step)
    if action == "back":
        if index == 0:
            conv.step, conv.state_enc = Step.MENU, None
            return [replies.main_menu(lang)]
        conv.step = JOB_QUESTIONS[index - 1]
        return [companion_replies.job_question(lang, index - 1)]
    if action == "report" and done:
        result = job_offer.assess(answers)
        tip, _ = new_tip(
            session,
            ctx,
            channel=Channel.TELEGRAM,
            caller=caller,
            text=companion_replies.job_report_text(lang, answers, result),
            language=conv.language,
            answers={"job_offer": answers, "job_risk": result.level},
        )
        conv.tip_id, conv.step, conv.state_enc = tip.id, Step.MENU, None
        return consent.thanks_and_ask(ctx, caller.reporter, lang, tip)
    if action not in JOB_ANSWERS or done:
        step = min(index, len(job_offer.QUESTIONS) - 1)
        conv.step = JOB_QUESTIONS[step]
        return [companion_replies.job_question(lang, step)]
    answers[job_offer.QUESTIONS[index].key] = JOB_ANSWERS[action]
    conv.state_enc = ctx.vault.encrypt_json(answers)
    if index + 1 < len(job_offer.QUESTIONS):
        conv.step = JOB_QUESTIONS[index + 1]
        return [companion_replies.job_question(lang, index + 1)]
    conv.step = Step.JOB_DONE
    return [companion_replies.job_result(lang, job_offer.assess(answers))]
