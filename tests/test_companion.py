"""The companion flows: information topics, services near me, the job-offer check (issue 5).

Driven through the Flask app like tests/test_intake_channels.py: Telegram updates, Twilio SMS and
voice webhooks, signed as the providers sign them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from alerts.content import fold
from bot import job_offer
from bot import services_directory as directory
from bot.info_content import TOPICS
from locales.i18n import gettext
from models import store
from models.tables import Attachment, Conversation, OutboundMessage, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.helpers import (
    sms_form,
    telegram_callback,
    telegram_headers,
    telegram_message,
    twilio_headers,
)

LANGS = ("sq", "en")


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Chat:
    """One Telegram user talking to the bot; returns the payload of each reply."""

    def __init__(self, client: FlaskClient, runtime: Runtime, user: int) -> None:
        self.client, self.runtime, self.user, self.update = client, runtime, user, user * 100

    def _post(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = self._count()
        response = self.client.post(
            "/webhooks/telegram", json=update, headers=telegram_headers(self.runtime)
        )
        assert response.status_code == 200
        return self._payloads()[before:]

    def _count(self) -> int:
        return len(self._payloads())

    def _payloads(self) -> list[dict[str, Any]]:
        with self.runtime.db.transaction() as s:
            rows = s.execute(
                select(OutboundMessage)
                .where(OutboundMessage.channel == "telegram")
                .order_by(OutboundMessage.id)
            ).scalars()
            return [self.runtime.vault.decrypt_json(r.payload_enc) for r in rows if r.payload_enc]

    def say(self, text: str) -> dict[str, Any]:
        self.update += 1
        return self._post(telegram_message(self.update, self.user, text))[-1]

    def press(self, data: str) -> dict[str, Any]:
        self.update += 1
        return self._post(telegram_callback(self.update, self.user, data))[-1]

    def share_location(self, lat: float, lon: float) -> dict[str, Any]:
        self.update += 1
        update = telegram_message(self.update, self.user, "")
        del update["message"]["text"]
        update["message"]["location"] = {"latitude": lat, "longitude": lon}
        return self._post(update)[-1]

    def start(self, lang: str) -> dict[str, Any]:
        self.say("/start")
        return self.press(f"lang:{lang}")


def callbacks(payload: dict[str, Any]) -> list[str]:
    return [button[1] for row in payload["buttons"] for button in row]


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


def assert_screen(payload: dict[str, Any], lang: str) -> None:
    """Every companion screen has Back, Main menu and the emergency numbers."""
    assert "menu:home" in callbacks(payload)
    assert gettext(lang, "Back") in [b[0] for row in payload["buttons"] for b in row]
    assert "112" in payload["text"] and "129" in payload["text"] and "116 006" in payload["text"]


# ---------------------------------------------------------------- Telegram: menu and topics


@pytest.mark.parametrize("lang", LANGS)
def test_the_main_menu_offers_report_information_services_job_check_language_and_clearing(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    menu = Chat(client, runtime, 660001).start(lang)
    assert callbacks(menu) == [
        "menu:report",
        "menu:info",
        "svc:menu",
        "job:start",
        "menu:lang",
        "clear",
    ]
    assert "112" in menu["text"] and "116 006" in menu["text"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_information_topic_is_reachable_on_telegram_in_that_language(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    chat = Chat(client, runtime, 660002)
    chat.start(lang)
    listing = chat.press("menu:info")
    assert_screen(listing, lang)
    assert callbacks(listing)[: len(TOPICS)] == [f"info:{t.key}" for t in TOPICS]
    for topic in TOPICS:
        shown = chat.press(f"info:{topic.key}")
        assert gettext(lang, topic.body) in shown["text"]
        assert gettext(lang, topic.title) in shown["text"]
        assert topic.next_action in callbacks(shown)  # each topic leads to a next step
        back = [b[1] for row in shown["buttons"] for b in row if b[0] == gettext(lang, "Back")]
        assert back == ["menu:info"]
        assert_screen(shown, lang)
    assert tips(runtime) == []  # reading never makes a report


def test_albanian_topics_are_not_the_english_ones(client: FlaskClient, runtime: Runtime) -> None:
    for topic in TOPICS:
        assert gettext("sq", topic.body) != gettext("en", topic.body)
        assert gettext("en", topic.body) == topic.body


# ---------------------------------------------------------------- Telegram: services


@pytest.mark.parametrize("lang", LANGS)
def test_every_service_of_every_region_is_reachable_in_that_language(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    chat = Chat(client, runtime, 660003)
    chat.start(lang)
    regions = chat.press("svc:menu")
    assert_screen(regions, lang)
    assert [c for c in callbacks(regions) if c.startswith("svc:q:")] == [
        f"svc:q:{q.code}" for q in directory.qarks()
    ]
    seen = set()
    for region in directory.qarks():
        shown = chat.press(f"svc:q:{region.code}")
        assert_screen(shown, lang)
        assert region.name(lang) in shown["text"]
        for entry in directory.services_for(region.code):
            assert entry["name"][lang] in shown["text"]
            assert entry["offers"][lang] in shown["text"]
            seen.add(entry["id"])
        assert "116 111" not in shown["text"]  # no document names it and ONAC has not confirmed it
    assert seen == {entry["id"] for entry in directory.services() if directory.shown(entry)}
    assert "alo-116111" not in seen


def test_services_near_me_by_location_shows_the_nearest_region_and_stores_no_location(
    client: FlaskClient, runtime: Runtime
) -> None:
    chat = Chat(client, runtime, 660004)
    chat.start("en")
    chat.press("svc:menu")
    near_shkoder = chat.share_location(42.05, 19.52)
    assert "Nearest region: Shkodra." in near_shkoder["text"]
    assert "State Social Service regional office, Shkodra" in near_shkoder["text"]
    near_vlore = chat.share_location(40.45, 19.50)
    assert "Nearest region: Vlora." in near_vlore["text"]
    assert 'Psycho-Social Centre "Vatra"' in near_vlore["text"]
    assert_screen(near_vlore, "en")
    assert tips(runtime) == []
    with runtime.db.transaction() as s:
        assert s.execute(select(Attachment)).first() is None


def test_services_near_me_answers_in_albanian(client: FlaskClient, runtime: Runtime) -> None:
    chat = Chat(client, runtime, 660005)
    chat.start("sq")
    chat.press("svc:menu")
    shown = chat.share_location(41.11, 20.08)
    assert "Qarku më i afërt: Elbasan." in shown["text"]
    assert "Tjetër Vizion" in shown["text"]


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (41.33, 19.82, "tirane"),
        (40.62, 20.78, "korce"),
        (42.08, 20.42, "kukes"),
        (41.31, 19.45, "durres"),
    ],
)
def test_the_nearest_region_is_computed_from_the_seat_coordinates(
    lat: float, lon: float, code: str
) -> None:
    assert directory.nearest_qark(lat, lon).code == code


# ---------------------------------------------------------------- services.yaml


def test_every_services_entry_is_complete_with_both_names_and_a_source_or_none() -> None:
    assert directory.problems(packaged=True) == []
    entries = directory.services()
    ids = {e["id"] for e in entries}
    for needed in ("line-116006", "police-129", "emergency-112", "alo-116111", "nrcvt", "vatra"):
        assert needed in ids
    assert {"different-equal", "tjeter-vizion", "legal-aid"} <= ids
    assert sum(e["kind"] == "social_services" for e in entries) == 12
    for entry in entries:
        assert entry["name"]["sq"] and entry["name"]["en"] and "source" in entry
        assert not directory.confirmed(entry)  # only ONAC confirms, in the database
        for lang in LANGS:  # a source the reader can read, in their language
            assert directory.source_name(lang, entry) or entry["source"] is None


def test_the_completeness_check_catches_a_missing_source_or_name() -> None:
    broken = [{**directory.services()[0], "source": ""}, {"id": "x", "name": {"sq": "Diçka"}}]
    found = directory.problems(broken)
    assert any("no source" in p for p in found)
    assert any("x: name needs sq and en" in p for p in found)


@pytest.mark.parametrize("lang", LANGS)
def test_unconfirmed_entries_name_their_source_and_say_so_to_the_reader(lang: str) -> None:
    for entry in directory.services_for("tirane"):
        source = directory.source_name(lang, entry)
        warning = gettext(lang, "Source: %(source)s (not yet confirmed).", source=source)
        assert warning in directory.describe(lang, entry), entry["id"]
    confirmation = {"verified": True, "confirmed_by": "A. B.", "last_verified": "2026-11-20"}
    entry = {**directory.services()[0], **confirmation}
    assert "(" not in directory.describe(lang, entry).splitlines()[-1]  # a confirmed one does not
    onac = "ONAC, 2014 implementation report"
    assert directory.source_name("en", directory.services()[0]) == onac


# ---------------------------------------------------------------- job-offer check

SAFE = {"contact": False, "contract": True, "details": True, "fees": False, "passport": False,
        "licensed": True, "pressure": False, "too_good": False}  # fmt: skip
RISKY = {**SAFE, "passport": True, "fees": True, "pressure": True}


def answer_all(chat: Chat, answers: dict[str, bool | None]) -> dict[str, Any]:
    reply = chat.press("job:start")
    word = {True: "job:yes", False: "job:no", None: "job:unknown"}
    for question in job_offer.QUESTIONS:
        assert "job:yes" in callbacks(reply) and "job:unknown" in callbacks(reply)
        reply = chat.press(word[answers[question.key]])
    return reply


def test_the_check_asks_between_six_and_ten_questions() -> None:
    assert 6 <= len(job_offer.QUESTIONS) <= 10
    keys = {q.key for q in job_offer.QUESTIONS}
    assert {"contact", "contract", "fees", "passport", "details", "licensed", "pressure"} <= keys


def test_a_safe_offer_is_low_risk_and_a_kept_passport_alone_is_high_risk() -> None:
    assert job_offer.assess(SAFE).level == job_offer.LOW
    assert job_offer.assess({**SAFE, "passport": True}).level == job_offer.HIGH
    assert job_offer.assess({**SAFE, "fees": True, "pressure": True}).level == job_offer.MEDIUM
    assert job_offer.assess({**SAFE, "fees": True, "pressure": True, "too_good": True}).level == (
        job_offer.HIGH
    )
    unknown = job_offer.assess({})
    assert unknown.level == job_offer.MEDIUM and unknown.unknown == len(job_offer.QUESTIONS)


@pytest.mark.parametrize("lang", LANGS)
def test_a_low_risk_offer_gets_next_steps_and_sends_no_report(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    chat = Chat(client, runtime, 660006)
    chat.start(lang)
    result = answer_all(chat, SAFE)
    assert gettext(lang, job_offer.LEVEL_TEXT[job_offer.LOW]) in result["text"]
    assert "job:report" not in callbacks(result)
    assert_screen(result, lang)
    assert tips(runtime) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_high_risk_offer_shows_the_reasons_and_sends_a_report_with_the_answers(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    chat = Chat(client, runtime, 660007)
    chat.start(lang)
    result = answer_all(chat, RISKY)
    assert gettext(lang, job_offer.LEVEL_TEXT[job_offer.HIGH]) in result["text"]
    for key in ("passport", "fees", "pressure"):
        reason = next(q.reason for q in job_offer.QUESTIONS if q.key == key)
        assert gettext(lang, reason) in result["text"]
    assert_screen(result, lang)
    with runtime.db.transaction() as s:
        conv = s.execute(
            select(Conversation).where(Conversation.channel == "telegram")
        ).scalar_one()
        assert conv.step == "job:done" and b"passport" not in (conv.state_enc or b"")
    assert tips(runtime) == []  # nothing is sent until the person chooses to
    thanks = chat.press("job:report")
    [tip] = tips(runtime)
    assert tip.submitted and tip.channel == "telegram"
    assert tip.answers == {"job_offer": RISKY, "job_risk": "high"}
    text = store.tip_text(runtime.vault, tip)
    assert gettext(lang, "Job offer check: high risk.") in text
    assert gettext(lang, "Will someone else keep your passport or documents?") in text
    assert tip.reference in thanks["text"]
    with runtime.db.transaction() as s:
        conv = s.execute(
            select(Conversation).where(Conversation.channel == "telegram")
        ).scalar_one()
        assert conv.state_enc is None and conv.step == "menu"


def test_back_in_the_job_check_returns_to_the_previous_question(
    client: FlaskClient, runtime: Runtime
) -> None:
    chat = Chat(client, runtime, 660008)
    chat.start("en")
    chat.press("job:start")
    second = chat.press("job:yes")
    assert "Question 2 of" in second["text"]
    back = chat.press("job:back")
    assert "Question 1 of" in back["text"]
    assert job_offer.QUESTIONS[0].text in back["text"]
    home = chat.press("job:back")
    assert "menu:report" in callbacks(home)  # back from the first question is the main menu


# ---------------------------------------------------------------- SMS


def send_sms(client: FlaskClient, runtime: Runtime, sender: str, body: str, sid: str) -> list[str]:
    form = sms_form(sender, body, sid)
    path = "/webhooks/twilio/sms"
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def within_two_gsm_segments(text: str) -> bool:
    return all(ord(c) < 128 for c in text) and len(text) <= 2 * 153


@pytest.mark.parametrize(("word", "lang"), [("NDIHME", "sq"), ("HELP", "en"), ("INFO", "sq")])
def test_the_sms_menu_answers_each_number_within_two_segments_in_that_language(
    client: FlaskClient, runtime: Runtime, word: str, lang: str
) -> None:
    sender = "+35569" + str(abs(hash(word)) % 10**7).rjust(7, "0")
    [menu] = send_sms(client, runtime, sender, word, f"SM-{word}")
    assert within_two_gsm_segments(menu) and "116 006" in menu
    assert fold(gettext(lang, "Reply with a number:")) in menu
    for number, topic in enumerate(TOPICS, 1):
        [reply] = send_sms(client, runtime, sender, str(number), f"SM-{word}-{number}")
        assert reply == fold(gettext(lang, topic.sms))
        assert within_two_gsm_segments(reply)
    [services] = send_sms(client, runtime, sender, str(len(TOPICS) + 1), f"SM-{word}-s")
    assert fold(gettext(lang, "Free line 116 006. Emergency: 112 or 129.")) in services
    assert "116 111" not in services  # not confirmed by ONAC: not given
    assert within_two_gsm_segments(services)
    assert tips(runtime) == []


def test_en_switches_the_sms_menu_to_english(client: FlaskClient, runtime: Runtime) -> None:
    send_sms(client, runtime, "+355691230001", "MENU", "SM-m1")
    [chosen] = send_sms(client, runtime, "+355691230001", "EN", "SM-m2")
    assert chosen.startswith("Language: English.")  # a confirmation, not the list of topics
    [rights] = send_sms(client, runtime, "+355691230001", "4", "SM-m3")
    assert rights == fold(gettext("en", TOPICS[3].sms))


def test_a_number_outside_the_menu_is_a_report(client: FlaskClient, runtime: Runtime) -> None:
    [reply] = send_sms(client, runtime, "+355691230002", "3", "SM-n1")
    [tip] = tips(runtime)
    assert tip.reference in reply


def test_stop_still_ends_the_sms_menu(client: FlaskClient, runtime: Runtime) -> None:
    send_sms(client, runtime, "+355691230003", "INFO", "SM-t1")
    assert send_sms(client, runtime, "+355691230003", "STOP", "SM-t2")
    assert send_sms(client, runtime, "+355691230003", "2", "SM-t3") == []
    assert send_sms(client, runtime, "+355691230003", "MENU", "SM-t4") == []


# ---------------------------------------------------------------- voice


def voice(client: FlaskClient, runtime: Runtime, path: str, form: dict[str, str]) -> ET.Element:
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code == 200, response.data
    return ET.fromstring(response.data)


def played(root: ET.Element) -> list[str]:
    """Return the voice clips a TwiML document plays, by name."""
    return [Path(urlparse(p.text or "").path).stem for p in root.iter("Play")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_voice_information_branch_plays_every_topic_by_keypad(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    call = {"CallSid": "CA" + "5" * 32, "From": "+355691111333"}
    root = voice(
        client, runtime, f"/webhooks/twilio/voice/choice?lang={lang}", {**call, "Digits": "2"}
    )
    assert f"/webhooks/twilio/voice/info?lang={lang}" in (root.findtext("Redirect") or "")
    root = voice(client, runtime, f"/webhooks/twilio/voice/info?lang={lang}", call)
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    if lang == "sq":  # Albanian is played from audio clips, one per topic
        choices = [f"info_{t.key}_choice" for t in TOPICS] + ["info_back"]
        assert played(gather) == choices and list(gather.iter("Say")) == []
    else:
        spoken = " ".join(s.text or "" for s in gather.iter("Say"))
        for topic in TOPICS:
            assert gettext(lang, topic.title) in spoken
    for number, topic in enumerate(TOPICS, 1):
        root = voice(
            client,
            runtime,
            f"/webhooks/twilio/voice/info/topic?lang={lang}",
            {**call, "Digits": str(number)},
        )
        if lang == "sq":
            assert played(root) == [f"info_{topic.key}"] and list(root.iter("Say")) == []
        else:
            assert [s.text for s in root.iter("Say")] == [gettext(lang, topic.body)]
        assert "/voice/info?" in (root.findtext("Redirect") or "")
    root = voice(
        client, runtime, f"/webhooks/twilio/voice/info/topic?lang={lang}", {**call, "Digits": "0"}
    )
    assert "/voice/menu?" in (root.findtext("Redirect") or "")
    assert tips(runtime) == []


# ---------------------------------------------------------------- the services CLI


def test_onac_checks_and_updates_the_directory_without_a_code_change(
    tmp_path: Path, runtime: Runtime, sqlite_url: str
) -> None:
    import shutil

    from click.testing import CliRunner

    from raporto.cli import main
    from tests.conftest import env_for

    env = env_for(tmp_path, sqlite_url)
    copy = tmp_path / "services.yaml"
    shutil.copy(directory.DIRECTORY, copy)
    packaged = directory.DIRECTORY.read_bytes()
    runner = CliRunner()
    checked = runner.invoke(main, ["services", "check", "--file", str(copy)])
    assert checked.exit_code == 0, checked.output
    listed = runner.invoke(main, ["services", "list"], env=env)
    assert "alo-116111\tnational\t116 111\tHIDDEN" in listed.output
    assert "line-116006\tnational\t116 006\tUNVERIFIED" in listed.output
    args = ["services", "set", "alo-116111", "--verified"]
    args += ["--hours-sq", "24 orë", "--hours-en", "24 hours", "--source", "ONAC call, 2026"]
    nobody = runner.invoke(main, [*args, "--checked", "2026-11-20"], env=env)
    assert nobody.exit_code != 0 and "--confirmed-by" in nobody.output  # who confirmed it
    args += ["--confirmed-by", "A. Hoxha, ONAC"]
    done = runner.invoke(main, [*args, "--checked", "2026-11-20"], env=env)
    assert done.exit_code == 0, done.output
    # The change lives in the database, for every process at once; the package is untouched.
    assert directory.DIRECTORY.read_bytes() == packaged
    with runtime.db.read() as session:
        changes = directory.updates(session)
    [entry] = [e for e in directory.services(changes) if e["id"] == "alo-116111"]
    assert entry["verified"] is True and entry["last_verified"] == "2026-11-20"
    assert entry["confirmed_by"] == "A. Hoxha, ONAC"
    assert "Orari: 24 orë" in directory.describe("sq", entry)
    assert "not yet confirmed" not in directory.describe("en", entry)
    listed = runner.invoke(main, ["services", "list"], env=env)
    assert "alo-116111\tnational\t116 111\tverified\t2026-11-20" in listed.output
    broken = runner.invoke(main, ["services", "set", "nrcvt", "--source", ""], env=env)
    assert broken.exit_code != 0 and "no source" in broken.output
    assert runner.invoke(main, ["services", "set", "nope"], env=env).exit_code != 0
    with runtime.db.read() as session:
        assert set(directory.updates(session)) == {"alo-116111"}  # the refused ones left nothing


def test_a_region_typed_instead_of_pressed_shows_its_services_and_makes_no_report(
    client: FlaskClient, runtime: Runtime
) -> None:
    chat = Chat(client, runtime, 660009)
    chat.start("sq")
    chat.press("svc:menu")
    shown = chat.say("Shkodra")
    assert "Shërbime për qarkun Shkodër:" in shown["text"]
    assert tips(runtime) == []


def test_an_answer_typed_during_the_job_check_is_an_answer_not_a_report(
    client: FlaskClient, runtime: Runtime
) -> None:
    chat = Chat(client, runtime, 660010)
    chat.start("sq")
    chat.press("job:start")
    second = chat.say("Po")
    assert "Pyetja 2 nga 8" in second["text"]
    assert "Pyetja 3 nga 8" in chat.say("jo")["text"]
    assert tips(runtime) == []


def test_a_number_long_after_the_sms_menu_is_a_message_again(
    client: FlaskClient, runtime: Runtime
) -> None:
    from datetime import timedelta

    send_sms(client, runtime, "+355691230004", "MENU", "SM-i1")
    with runtime.db.transaction() as s:
        for conv in s.execute(select(Conversation)).scalars():
            conv.updated_at = conv.updated_at - timedelta(hours=2)
    [reply] = send_sms(client, runtime, "+355691230004", "2", "SM-i2")
    [tip] = tips(runtime)
    assert tip.reference in reply


def test_a_change_onac_stored_shows_on_telegram_at_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.db.transaction() as session:
        directory.record_update(session, "sss-shkoder", {"phone": "+355 22 400 999"}, actor="test")
    chat = Chat(client, runtime, 660099)
    chat.start("en")
    chat.press("svc:menu")
    shown = chat.share_location(42.05, 19.52)
    assert "+355 22 400 999" in shown["text"]


def test_a_change_that_would_break_an_entry_is_refused_and_stores_nothing(
    runtime: Runtime,
) -> None:
    with runtime.db.transaction() as session, pytest.raises(ValueError, match="no source"):
        directory.record_update(session, "sss-shkoder", {"source": ""}, actor="test")
    with runtime.db.transaction() as session, pytest.raises(ValueError, match="cannot change"):
        directory.record_update(session, "sss-shkoder", {"name": {"sq": "x"}}, actor="test")
    with runtime.db.read() as session:
        assert directory.updates(session) == {}
