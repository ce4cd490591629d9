"""The companion flows end to end over HTTP through the sandbox: Telegram and SMS (issue 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.content import fold
from bot import job_offer
from bot.info_content import TOPICS
from locales.i18n import gettext
from models.reference import find_reference
from models.tables import Tip
from tests.e2e import Stack, running_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url) as running:
        yield running


def tips(stack: Stack) -> list[Tip]:
    with stack.runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


class Person:
    """A Telegram user of the sandbox; each step waits for the bot's answer."""

    def __init__(self, stack: Stack, user: int) -> None:
        self.stack, self.user, self.count = stack, user, 0

    def send(self, **step: object) -> str:
        result = self.stack.control(
            "/sandbox/telegram/updates", user_id=self.user, sync=True, **step
        )
        assert result["webhook"]["status"] == 200
        self.count += 1
        return str(self.stack.wait_sent(self.count, "telegram", str(self.user))[-1].text)


def test_services_near_me_and_a_high_risk_job_check_on_telegram(stack: Stack) -> None:
    person = Person(stack, 880101)
    person.send(text="/start")
    person.send(callback_data="lang:en")
    person.send(callback_data="menu:info")
    assert gettext("en", TOPICS[1].body) in person.send(callback_data="info:signs")
    person.send(callback_data="svc:menu")
    near = person.send(location={"latitude": 40.61, "longitude": 20.77})
    assert "Nearest region: Korça." in near and "116 006" in near
    person.send(callback_data="job:start")
    risky = {"passport": "job:yes", "fees": "job:yes"}
    for question in job_offer.QUESTIONS:
        text = person.send(callback_data=risky.get(question.key, "job:no"))
    assert gettext("en", job_offer.LEVEL_TEXT[job_offer.HIGH]) in text
    assert tips(stack) == []
    thanks = person.send(callback_data="job:report")
    [tip] = tips(stack)
    assert find_reference(thanks) == tip.reference
    assert tip.answers["job_risk"] == "high" and tip.answers["job_offer"]["passport"] is True


def test_a_low_risk_job_check_in_albanian_sends_nothing(stack: Stack) -> None:
    person = Person(stack, 880102)
    person.send(text="/start")
    person.send(callback_data="lang:sq")
    person.send(callback_data="job:start")
    safe = {"contract": "job:yes", "details": "job:yes", "licensed": "job:yes"}
    for question in job_offer.QUESTIONS:
        text = person.send(callback_data=safe.get(question.key, "job:no"))
    assert gettext("sq", job_offer.LEVEL_TEXT[job_offer.LOW]) in text
    assert tips(stack) == []


@pytest.mark.parametrize(("word", "lang"), [("NDIHME", "sq"), ("HELP", "en")])
def test_the_sms_menu_through_the_sandbox(stack: Stack, word: str, lang: str) -> None:
    sender = "+355692220001" if lang == "sq" else "+355692220002"
    [menu] = stack.control("/sandbox/twilio/sms", **{"from": sender, "body": word})["replies"]
    assert len(menu) <= 306 and menu.isascii() and "116 006" in menu
    [topic] = stack.control("/sandbox/twilio/sms", **{"from": sender, "body": "5"})["replies"]
    assert topic == fold(gettext(lang, TOPICS[4].sms))
    assert tips(stack) == []


def test_the_voice_information_menu_by_keypad_through_the_sandbox(stack: Stack) -> None:
    call = stack.control("/sandbox/twilio/calls", **{"from": "+355684440001"})
    digits = f"/sandbox/twilio/calls/{call['call_sid']}/digits"
    assert stack.control(digits, digits="2")["gather"] is not None  # English menu
    listing = stack.control(digits, digits="2")  # information
    assert listing["gather"] is not None
    assert any(gettext("en", TOPICS[3].title) in said for said in listing["say"])
    rights = stack.control(digits, digits="4")
    assert gettext("en", TOPICS[3].body) in rights["say"]
    assert tips(stack) == []
