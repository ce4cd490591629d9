"""The screens of the companion flows: information topics, services near me, the job-offer check.

Built from bot/replies.py's pieces (`Reply`, `nav`, `emergency_line`), with the same care for
wording: whoever holds the phone may read them.
"""

from __future__ import annotations

from bot import job_offer
from bot import services_directory as directory
from bot.info_content import BY_KEY as TOPIC_BY_KEY
from bot.info_content import TOPICS
from bot.replies import Button, Reply, emergency_line, nav
from locales.i18n import gettext as _t


def info_topics(lang: str) -> Reply:
    """Return the list of information topics."""
    rows = tuple(((_t(lang, t.title), f"info:{t.key}"),) for t in TOPICS)
    text = _t(lang, "Choose a topic.") + "\n" + emergency_line(lang)
    return Reply(text, (*rows, nav(lang)))


def info_topic(lang: str, key: str) -> Reply:
    """Return one topic with its next step."""
    topic = TOPIC_BY_KEY[key]
    text = "\n\n".join((_t(lang, topic.title), _t(lang, topic.body), emergency_line(lang)))
    return Reply(text, (((_t(lang, topic.next_label), topic.next_action),), nav(lang, "menu:info")))


def services_regions(lang: str) -> Reply:
    """Ask for a qark by button or a shared location."""
    buttons = [(q.name(lang), f"svc:q:{q.code}") for q in directory.qarks()]
    rows = tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    text = (
        _t(
            lang,
            # Named as Telegram shows it (📎, then Location); the message itself stays in the
            # chat, where whoever holds the phone can see it, until the person clears the chat.
            "Choose your region, or send your location (📎 → Location). We use it only to find "
            "the nearest region and do not store it, but the location you send stays in this "
            "chat until you clear it (Main menu → Clear this chat).",
        )
        + "\n"
        + emergency_line(lang)
    )
    return Reply(text, (*rows, nav(lang)))


def services_list(
    lang: str, code: str, *, by_location: bool = False, changes: directory.Updates | None = None
) -> Reply:
    """Return the national services and those of a qark (with ONAC's changes applied)."""
    region = directory.qark(code)
    name = region.name(lang) if region else code
    head = (
        _t(lang, "Nearest region: %(region)s.", region=name)
        if by_location
        else _t(lang, "Services for %(region)s:", region=name)
    )
    listed = directory.services_for(code, changes)
    entries = [directory.describe(lang, e) for e in listed]
    if not all(directory.confirmed(e) for e in listed):
        entries.append(directory.unconfirmed_note(lang))
    text = "\n\n".join((head, *entries, emergency_line(lang)))
    return Reply(text, (((_t(lang, "Other region"), "svc:menu"),), nav(lang, "svc:menu")))


def job_question(lang: str, index: int) -> Reply:
    """Ask one question of the job-offer check."""
    question = job_offer.QUESTIONS[index]
    text = (
        _t(lang, "Question %(n)d of %(total)d", n=index + 1, total=len(job_offer.QUESTIONS))
        + "\n"
        + _t(lang, question.text)
        + "\n"
        + emergency_line(lang)
    )
    return Reply(
        text,
        (
            ((_t(lang, "Yes"), "job:yes"), (_t(lang, "No"), "job:no")),
            ((_t(lang, "I don't know"), "job:unknown"),),
            nav(lang, "job:back"),
        ),
    )


def job_result(lang: str, result: job_offer.Result) -> Reply:
    """Return the risk level with its reasons and next steps."""
    parts = [_t(lang, job_offer.LEVEL_TEXT[result.level])]
    if result.reasons:
        parts.append("\n".join("- " + _t(lang, reason) for reason in result.reasons))
    if result.unknown:
        parts.append(_t(lang, job_offer.UNKNOWN_NOTE))
    parts.append(emergency_line(lang))
    if result.level == job_offer.HIGH:
        first: tuple[Button, ...] = (
            (_t(lang, "Send these answers"), "job:report"),
            (_t(lang, "No, thanks"), "menu:home"),
        )
    else:
        first = ((_t(lang, "Check another offer"), "job:start"),)
    return Reply(
        "\n\n".join(parts),
        (first, ((_t(lang, "Information"), "menu:info"),), nav(lang, "menu:home")),
    )


def job_report_text(lang: str, answers: dict[str, bool | None], result: job_offer.Result) -> str:
    """Return the text of the report a high-risk check sends (question and answer per line)."""
    word = {True: _t(lang, "Yes"), False: _t(lang, "No"), None: _t(lang, "I don't know")}
    lines = [_t(lang, "Job offer check: high risk.")]
    lines += [f"{_t(lang, q.text)} {word[answers.get(q.key)]}" for q in job_offer.QUESTIONS]
    lines += ["- " + _t(lang, reason) for reason in result.reasons]
    return "\n".join(lines)
