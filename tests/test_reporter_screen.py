"""What a reporter's phone shows: right facts, and nothing that endangers them if seen.

The phone may be read by the person the reporter fears: a status names no one, choosing a
language by SMS names no topic, a location says it stays in the chat. The facts: emergency is
"112 or 129", the unconfirmed child helpline is never given, rights say what the law says.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from alerts.content import fold
from bot import companion_replies, job_offer, replies, sms_replies
from bot import services_directory as directory
from bot.info_content import BY_KEY, TOPICS
from locales.i18n import gettext
from models.tables import Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.helpers import (
    sms_form,
    telegram_callback,
    telegram_headers,
    telegram_message,
    twilio_headers,
)

LANGS = ("sq", "en")
OR = {"en": "112 or 129", "sq": "112 ose 129"}
NAMES_SOMEONE = re.compile(
    r"official|zyrtar|polic|authorit|autoritet|onac|agenc|institucion|coordinator|koordinator",
    re.IGNORECASE,
)


def everything_said(lang: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every text the bot sends without a database: screens, topics, SMS."""
    for topic in TOPICS:
        for field in ("title", "body", "sms", "sms_label"):
            yield f"{topic.key}.{field}", gettext(lang, getattr(topic, field))
    yield "main_menu", replies.main_menu(lang).text
    yield "info_topics", companion_replies.info_topics(lang).text
    yield "services_regions", companion_replies.services_regions(lang).text
    for region in directory.qarks():
        yield (
            f"services_list {region.code}",
            companion_replies.services_list(lang, region.code).text,
        )
    yield "ask_where", replies.ask_where(lang).text
    yield "thanks", replies.thanks(lang, "K7P-3XA", "+355690004455").text
    for level in (job_offer.LOW, job_offer.MEDIUM, job_offer.HIGH):
        yield f"job {level}", gettext(lang, job_offer.LEVEL_TEXT[level])
    yield "sms_menu", sms_replies.sms_menu(lang)
    yield "sms_help", sms_replies.sms_help(lang)
    yield "sms_language", sms_replies.sms_language(lang)
    for choice in sms_replies.SMS_CHOICES:
        yield f"sms {choice}", sms_replies.sms_choice(lang, choice)


# ---------------------------------------------------------------- facts


@pytest.mark.parametrize("lang", LANGS)
def test_the_unconfirmed_child_helpline_is_in_nothing_the_bot_says(lang: str) -> None:
    said = [where for where, text in everything_said(lang) if "116 111" in text or "ALO" in text]
    assert said == []


@pytest.mark.parametrize("lang", LANGS)
def test_emergency_is_112_or_129_wherever_112_is_named(lang: str) -> None:
    alone = [
        where
        for where, text in everything_said(lang)
        if "112" in text and fold(OR[lang]) not in fold(text)
    ]
    assert alone == []
    assert OR[lang] in replies.emergency_line(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_non_punishment_is_told_as_the_law_says_it_not_as_immunity(lang: str) -> None:
    rights = gettext(lang, BY_KEY["rights"].body)
    assert "52/a" in rights and "9642/2006" in rights  # the article, the ratifying law
    sms = gettext(lang, BY_KEY["rights"].sms)
    assert "52/a" in sms
    english = BY_KEY["rights"].body
    assert "because they were trafficked" in english and "does not cover every offence" in english
    assert "forced to commit" not in english + BY_KEY["rights"].sms
    assert "reflection period of at least 30 days" in english
    assert "Council of Europe Convention" in english


@pytest.mark.parametrize("lang", LANGS)
def test_sex_work_is_not_called_legal_and_a_person_in_it_may_be_a_victim(lang: str) -> None:
    what = BY_KEY["what"]
    english = what.body + " " + what.sms
    assert "freely" not in english  # "freely chosen sex work" read as lawful
    assert "punishable by law" in what.body
    assert "may be a victim" in what.body and "may be a victim" in what.sms
    if lang == "sq":
        text = gettext(lang, what.body)
        assert "dënohet me ligj" in text and "kontrabandë emigrantësh" in text
        assert "vetvetiu" not in text and "në vetvete" in text


@pytest.mark.parametrize("lang", LANGS)
def test_licensed_agencies_are_checked_with_116_006_not_a_ministry_list(lang: str) -> None:
    for text in (BY_KEY["abroad"].body, BY_KEY["abroad"].sms):
        assert "ministry" not in text and "116 006" in text and "licensed" in text
    medium = job_offer.LEVEL_TEXT[job_offer.MEDIUM]
    assert "116 006" in medium and "licensed" in medium
    assert "116 006" in gettext(lang, BY_KEY["abroad"].sms)


# ---------------------------------------------------------------- the status reply


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("state", ["received", "handled", "closed"])
def test_a_status_names_no_official_or_agency(lang: str, state: str) -> None:
    for text in (
        replies.status(lang, "K7P-3XA", state).text,
        sms_replies.sms_status(lang, "K7P-3XA", state),
    ):
        assert text.startswith("K7P-3XA: ")
        assert NAMES_SOMEONE.search(text) is None, text


def send_sms(client: FlaskClient, runtime: Runtime, sender: str, body: str, sid: str) -> list[str]:
    form = sms_form(sender, body, sid)
    path = "/webhooks/twilio/sms"
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def test_asking_the_status_by_sms_says_received_and_nothing_about_who(
    client: FlaskClient, runtime: Runtime
) -> None:
    send_sms(client, runtime, "+355691000031", "A boy begs at night near the station", "SM-q1")
    with runtime.db.read() as s:
        [tip] = s.scalars(select(Tip)).all()
    [reply] = send_sms(client, runtime, "+355692000032", f"status {tip.reference}", "SM-q2")
    assert reply == sms_replies.sms_status("sq", tip.reference, "received")  # no words: Albanian
    assert NAMES_SOMEONE.search(reply) is None
    english = sms_replies.sms_status("en", tip.reference, "received")
    assert english == f"{tip.reference}: received, waiting."


# ---------------------------------------------------------------- choosing a language by SMS


@pytest.mark.parametrize(("word", "lang"), [("SQ", "sq"), ("EN", "en"), ("en.", "en")])
def test_choosing_a_language_by_sms_names_no_topic(
    client: FlaskClient, runtime: Runtime, word: str, lang: str
) -> None:
    [reply] = send_sms(client, runtime, "+355691000041", word, f"SM-l-{word}")
    assert reply == sms_replies.sms_language(lang)
    assert "traf" not in reply.lower() and "\n" not in reply
    assert not any(gettext(lang, topic.sms_label) in reply for topic in TOPICS)
    [menu] = send_sms(client, runtime, "+355691000041", "MENU", f"SM-m-{word}")
    assert menu.splitlines()[0] == fold(gettext(lang, "Reply with a number:"))
    assert "traf" not in menu.splitlines()[0].lower()


# ---------------------------------------------------------------- Telegram


def test_the_telegram_thanks_gives_the_configured_sms_number(
    tmp_path: Path, sqlite_url: str
) -> None:
    runtime = make_runtime(tmp_path, sqlite_url, TWILIO_SMS_FROM="+355690004455")
    client = create_app(runtime=runtime).test_client()
    headers = telegram_headers(runtime)
    client.post("/webhooks/telegram", json=telegram_message(1, 881001, "/start"), headers=headers)
    client.post("/webhooks/telegram", json=telegram_callback(2, 881001, "lang:en"), headers=headers)
    words = "A girl of 15 works every night at the bar in Vlora, they keep her passport"
    client.post("/webhooks/telegram", json=telegram_message(3, 881001, words), headers=headers)
    with runtime.db.read() as s:
        [tip] = s.scalars(select(Tip)).all()
    assert tip.submitted  # critical: sent at once
    thanks = replies.thanks("en", tip.reference, "+355690004455").text
    assert "+355690004455" in thanks and tip.reference in thanks
    from models.tables import OutboundMessage

    with runtime.db.read() as s:
        rows = s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        texts = [runtime.vault.decrypt_json(r.payload_enc)["text"] for r in rows if r.payload_enc]
    assert thanks in texts


@pytest.mark.parametrize(("lang", "path"), [("en", "📎 → Location"), ("sq", "📎 → Location")])
def test_the_location_hint_names_telegrams_path_and_says_it_stays_in_the_chat(
    lang: str, path: str
) -> None:
    hint = companion_replies.services_regions(lang).text
    assert gettext(lang, "Clear this chat") in hint
    for text in (hint, replies.ask_where(lang).text):
        assert path in text
        assert ("stays in this chat" if lang == "en" else "mbetet në këtë bisedë") in text
        assert "paperclip" not in text and "kapëse" not in text
