"""End to end per channel over real HTTP through the sandbox: stored once, a code comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from sqlalchemy import select

from models import store
from models.reference import find_reference
from models.tables import Attachment, Tip
from tests.e2e import Stack, running_stack
from tests.helpers import hotline_request, row_counts, wait_until
from webhooks.voice_prompts import char_name

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url) as running:
        yield running


def tips(stack: Stack) -> list[Tip]:
    with stack.runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


def test_a_telegram_report_arrives_is_stored_once_and_the_reporter_gets_a_code(
    stack: Stack,
) -> None:
    user = 880001
    stack.control("/sandbox/telegram/updates", user_id=user, text="/start", sync=True)
    stack.wait_sent(1, "telegram", str(user))
    for count, data in enumerate(("lang:sq", "menu:report"), 2):
        stack.control("/sandbox/telegram/updates", user_id=user, callback_data=data, sync=True)
        stack.wait_sent(count, "telegram", str(user))
    stack.control(
        "/sandbox/telegram/updates",
        user_id=user,
        sync=True,
        text="Një vajzë 16 vjeçe punon natën në një lokal në Durrës",
    )
    stack.control("/sandbox/telegram/updates", user_id=user, text="Durrës", sync=True)
    for count, data in enumerate(("ans:yes", "ans:unknown", "media:done", "confirm:send"), 5):
        stack.wait_sent(count, "telegram", str(user))
        stack.control("/sandbox/telegram/updates", user_id=user, callback_data=data, sync=True)
    sent = stack.wait_sent(10, "telegram", str(user))  # the thanks, then the consent question
    [tip] = tips(stack)
    assert tip.submitted and tip.answers == {"minor": True, "danger_now": None}
    assert find_reference(sent[-2].text) == tip.reference
    assert "Faleminderit" in sent[-2].text  # answered in the language the reporter chose
    assert "consent:yes" in str(sent[-1].extra["reply_markup"])
    pressed = stack.sent("telegram", str(user), method="answerCallbackQuery")
    assert len(pressed) >= 6  # every button press stops its spinner


def test_a_telegram_photo_is_fetched_into_encrypted_storage(stack: Stack) -> None:
    user = 880002
    steps = (
        {"text": "/start"},
        {"callback_data": "lang:en"},
        {"callback_data": "menu:report"},
        {"text": "Photo of the van they use"},
        {"callback_data": "skip"},
        {"callback_data": "ans:no"},
        {"callback_data": "ans:no"},
        {"photo": True},
    )
    for index, step in enumerate(steps):
        result = stack.control("/sandbox/telegram/updates", user_id=user, sync=True, **step)
        assert result["webhook"]["status"] == 200
        stack.wait_sent(index + 1, "telegram", str(user))  # buttons belong to the last reply

    def stored() -> Attachment | None:
        with stack.runtime.db.transaction() as s:
            row = s.execute(select(Attachment)).scalar_one_or_none()
            return row if row is not None and row.status == "stored" else None

    attachment = wait_until(stored)
    assert attachment.size > 0 and attachment.kind == "photo" and attachment.source_enc is None


def test_an_sms_report_arrives_is_stored_once_and_the_reporter_gets_a_code(stack: Stack) -> None:
    result = stack.control(
        "/sandbox/twilio/sms",
        **{
            "from": "+355692223344",
            "body": "Djali 13 vjeç lyp çdo ditë te Blloku, e sjell një burrë",
        },
    )
    assert result["status"] == 200
    [tip] = tips(stack)
    [reply] = result["replies"]
    assert find_reference(reply) == tip.reference
    again = stack.control(
        "/sandbox/twilio/sms",
        **{"from": "+355692223344", "body": "x", "message_sid": result["message_sid"]},
    )
    assert again["status"] == 200 and len(tips(stack)) == 1  # a redelivery is not a new tip


def test_a_forged_sms_from_the_sandbox_is_refused(stack: Stack) -> None:
    for forgery in (
        {"signature": "bad"},
        {"sign": False},
        {"sign_url": "https://elsewhere.example/webhooks/twilio/sms"},
    ):
        result = stack.control(
            "/sandbox/twilio/sms", **{"from": "+355692223344", "body": "x"}, **forgery
        )
        assert result["status"] == 403
    assert all(n == 0 for n in row_counts(stack.runtime).values())


def test_a_voice_report_is_recorded_stored_once_and_the_caller_hears_a_code(stack: Stack) -> None:
    call = stack.control("/sandbox/twilio/calls", **{"from": "+355684445566"})
    assert call["gather"] is not None
    step = stack.control(f"/sandbox/twilio/calls/{call['call_sid']}/digits", digits="1")
    assert step["gather"] is not None  # the menu, in Albanian
    step = stack.control(f"/sandbox/twilio/calls/{call['call_sid']}/digits", digits="1")
    assert step["record"] is not None
    done = stack.control(f"/sandbox/twilio/calls/{call['call_sid']}/record", seconds=21)
    [tip] = tips(stack)
    assert tip.channel == "voice" and tip.operator == "One"
    # Albanian is played from the voice clips (Twilio has no Albanian voice): the code is read
    # one character at a time, twice, between the thanks' two halves.
    played = [urlparse(url).path.rsplit("/", 1)[-1].rsplit(".", 1)[0] for url in done["play"]]
    chars = [char_name(c) for c in tip.reference if c != "-"]
    assert played == ["thanks_1", *chars, "thanks_2", *chars]
    assert done["say"] == []

    def stored() -> Attachment | None:
        with stack.runtime.db.transaction() as s:
            row = s.execute(select(Attachment)).scalar_one()
            return row if row.status == "stored" else None

    attachment = wait_until(stored)
    assert attachment.content_type == "audio/wav" and attachment.size > 44
    recording_sid = done["recording_sid"]
    assert wait_until(lambda: recording_sid in stack.sandbox.state.deleted_recordings)
    assert recording_sid not in stack.sandbox.state.recordings  # gone at the provider


def test_a_hotline_record_arrives_once_and_gets_a_code(stack: Stack) -> None:
    record = {
        "record_id": "E2E-1",
        "received_at": "2026-11-25T09:00:00+01:00",
        "summary": "Operator: burrë 30 vjeç, pa pagë në ndërtim në Fier",
        "language": "sq",
    }
    body, headers = hotline_request(stack.runtime, record)
    first = requests.post(
        stack.app_url + "/webhooks/hotline", data=body, headers=headers, timeout=10
    )
    second = requests.post(
        stack.app_url + "/webhooks/hotline", data=body, headers=headers, timeout=10
    )
    assert first.status_code == 201 and second.status_code == 200
    [tip] = tips(stack)
    assert first.json()["reference"] == tip.reference
    assert store.tip_text(stack.runtime.vault, tip).startswith("Operator:")


def test_the_sandbox_message_log_is_served_by_the_app(stack: Stack) -> None:
    stack.control("/sandbox/twilio/sms", **{"from": "+355691110000", "body": "Vajza në Vlorë"})
    log = requests.get(stack.app_url + "/sandbox/messages", params={"channel": "sms"}, timeout=10)
    assert log.status_code == 200
    assert any(find_reference(m["text"]) for m in log.json())


def test_telegram_polling_reaches_the_same_conversation(tmp_path: Path, sqlite_url: str) -> None:
    with running_stack(tmp_path, sqlite_url, telegram_mode="polling") as stack:
        stack.control(
            "/sandbox/telegram/updates",
            user_id=880003,
            text="Më morën pasaportën në Itali dhe nuk më lënë të dal",
        )
        stack.wait_sent(1, "telegram", "880003")  # "Received… or press Send"
        [tip] = tips(stack)
        stack.control(
            "/sandbox/telegram/updates", user_id=880003, callback_data=f"burst:send:{tip.id}"
        )
        reply = stack.wait_sent(2, "telegram", "880003")[1]  # then the consent question
        assert find_reference(reply.text) == tip.reference


def test_clear_this_chat_deletes_every_message_it_may(stack: Stack) -> None:
    user = 880009
    steps = (
        {"text": "/start"},
        {"callback_data": "lang:sq"},
        {"text": "Një vajzë punon natën në një bar"},
    )
    for index, step in enumerate(steps):
        stack.control("/sandbox/telegram/updates", user_id=user, sync=True, **step)
        stack.wait_sent(index + 1, "telegram", str(user))
    stack.control("/sandbox/telegram/updates", user_id=user, sync=True, callback_data="lang:sq")
    # picker, menu, "received", menu: the last with "clear"
    menu = stack.wait_sent(4, "telegram", str(user))[-1]

    def all_recorded() -> bool:  # the sends are recorded as sent once the fake has answered
        from models.tables import OutboundMessage

        with stack.runtime.db.transaction() as s:
            rows = s.execute(select(OutboundMessage.status)).scalars().all()
        return len(rows) >= 4 and all(status == "sent" for status in rows)

    wait_until(all_recorded)
    result = stack.control(
        "/sandbox/telegram/updates",
        user_id=user,
        sync=True,
        callback_data="clear",
        message_id=menu.message_id,
    )
    assert result["webhook"]["status"] == 200
    bot_messages = {m.message_id for m in stack.sent("telegram", str(user), method="sendMessage")}
    deleted = wait_until(
        lambda: (
            d
            if len(
                d := {
                    m.message_id for m in stack.sent("telegram", str(user), method="deleteMessage")
                }
            )
            >= len(bot_messages) + 2
            else None
        )
    )
    assert bot_messages <= deleted  # every message the bot sent
    assert len(deleted - bot_messages) >= 2  # and the person's own messages
    answers = stack.sent("telegram", str(user), method="answerCallbackQuery")
    assert any("48" in m.text for m in answers)
