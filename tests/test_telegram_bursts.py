"""One report from many Telegram messages: joined, sent once, in the person's language."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from bot import burst_replies
from bot.sweeper import sweep_once
from locales.i18n import gettext
from models import store
from models.base import utcnow
from models.reference import find_reference
from models.tables import Attachment, OutboundMessage, ReplyHandle, Reporter, Tip
from raporto.runtime import Runtime
from tests.helpers import row_counts, telegram_callback, telegram_headers

FOUR = [
    "hello",
    "there is a girl at the bar next door in Vlora",
    "she is 15",
    "they took her passport and she works every night with men",
]


class Person:
    """One Telegram user writing to the bot through the webhook."""

    def __init__(self, client: FlaskClient, runtime: Runtime, user: int, code: str | None) -> None:
        self.client, self.runtime, self.user, self.code = client, runtime, user, code
        self.update = user * 100

    def _post(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(outbox(self.runtime))
        response = self.client.post(
            "/webhooks/telegram", json=body, headers=telegram_headers(self.runtime)
        )
        assert response.status_code == 200
        return outbox(self.runtime)[before:]

    def message(self, kind: str = "message", **fields: Any) -> dict[str, Any]:
        self.update += 1
        sender = {"id": self.user, "is_bot": False, "first_name": "Ana"}
        if self.code:
            sender["language_code"] = self.code
        body = {
            "message_id": fields.pop("message_id", self.update),
            "date": int(time.time()),
            "chat": {"id": self.user, "type": "private"},
            "from": sender,
            **fields,
        }
        return {"update_id": self.update, kind: body}

    def say(self, text: str, **fields: Any) -> list[dict[str, Any]]:
        return self._post(self.message(text=text, **fields))

    def send(self, **fields: Any) -> list[dict[str, Any]]:
        return self._post(self.message(**fields))

    def press(self, data: str) -> list[dict[str, Any]]:
        self.update += 1
        return self._post(telegram_callback(self.update, self.user, data))


def outbox(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.db.transaction() as s:
        rows = s.execute(select(OutboundMessage).order_by(OutboundMessage.id)).scalars()
        return [runtime.vault.decrypt_json(r.payload_enc) for r in rows if r.payload_enc]


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


def text_of(runtime: Runtime, tip: Tip) -> str:
    return store.tip_text(runtime.vault, tip)


def quiet(runtime: Runtime) -> None:
    """The quiet period passes for every open report."""
    with runtime.db.transaction() as s:
        s.execute(update(Tip).values(burst_until=utcnow() - timedelta(seconds=1)))


def test_the_four_message_example_is_one_critical_report_with_one_code(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61001, None)
    replies = [ana.say(part) for part in FOUR]
    [tip] = tips(runtime)
    assert all(part in text_of(runtime, tip) for part in FOUR)
    assert tip.submitted and tip.band == "critical"  # sent at once, without waiting
    # One short reply for the burst (English, as written), nothing for the next two, then the
    # code and the consent question once.
    [received] = replies[0]
    assert received["text"] == gettext(
        "en", "Received. Add anything else you know (the place, ages, what you saw) or press Send."
    )
    assert replies[1] == [] and replies[2] == []
    thanks, question = replies[3]
    assert find_reference(thanks["text"]) == tip.reference
    assert find_reference(question["text"]) == tip.reference
    assert "Choose your language" not in str(replies)


def test_a_message_after_the_report_went_out_joins_it_and_can_raise_its_band(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61002, "en")
    ana.say("something is going on at the bar next door in Vlora")
    [tip] = tips(runtime)
    ana.press(f"burst:send:{tip.id}")
    [tip] = tips(runtime)
    assert tip.submitted and tip.band == "low"
    assert ana.say("she is 15 and they took her passport, she works every night with men") == []
    [tip] = tips(runtime)
    assert tip.band == "critical" and "she is 15" in text_of(runtime, tip)
    [already] = ana.press(f"burst:send:{tip.id}")
    assert tip.reference in already["text"]


def test_the_quiet_period_sends_the_report_and_the_thanks_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61003, "sq")
    ana.say("Përshëndetje")
    ana.say("Ka një vajzë në lokalin ngjitur në Sarandë")
    [tip] = tips(runtime)
    assert not tip.submitted
    assert sweep_once(runtime.intake)["burst_replies"] == 0  # still open: nothing happens
    quiet(runtime)
    before = len(outbox(runtime))
    assert sweep_once(runtime.intake)["burst_replies"] == 2
    [tip] = tips(runtime)
    assert tip.submitted
    thanks, question = outbox(runtime)[before:]
    assert thanks["text"].startswith("Faleminderit") and tip.reference in thanks["text"]
    assert sweep_once(runtime.intake)["burst_replies"] == 0
    # The next message is a new report.
    ana.say("Një tjetër rast në Fier")
    assert len(tips(runtime)) == 2


def test_cancel_deletes_the_open_report_and_a_foreign_send_does_nothing(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61004, "en")
    other = Person(client, runtime, 61005, "en")
    ana.say("a man sells jobs in Italy")
    [tip] = tips(runtime)
    [menu] = other.press(f"burst:send:{tip.id}")
    assert menu["buttons"][0][0][1] == "menu:report"
    assert not tips(runtime)[0].submitted
    [cancelled] = ana.press(f"burst:cancel:{tip.id}")
    assert cancelled["text"] == gettext("en", "Cancelled. Nothing was sent.")
    assert tips(runtime) == []


def test_an_edit_is_added_to_its_report_as_an_edit(client: FlaskClient, runtime: Runtime) -> None:
    ana = Person(client, runtime, 61006, "en")
    ana.say("there is a girl at the bar in Vlora", message_id=501)
    ana.say("she works there", message_id=502)
    edited = ana.message("edited_message", text="she is 14", message_id=502)
    edited["edited_message"]["edit_date"] = int(time.time())
    assert ana._post(edited) == []
    [tip] = tips(runtime)
    assert "✎ she is 14" in text_of(runtime, tip)
    ana.press(f"burst:send:{tip.id}")
    assert tips(runtime)[0].minor  # the edit is read by triage with the rest
    # An edit of a message never seen (sent before the bot knew the person) is a message.
    lost = ana.message("edited_message", text="unknown earlier message", message_id=9)
    lost["edited_message"]["edit_date"] = int(time.time())
    ana._post(lost)
    assert "unknown earlier message" in text_of(runtime, tips(runtime)[0])


def test_media_joins_the_open_report_as_attachments(client: FlaskClient, runtime: Runtime) -> None:
    ana = Person(client, runtime, 61007, "en")
    ana.say("the bar is called Dielli")
    photo = [
        {"file_id": f"p{n}", "file_unique_id": f"u{n}", "width": n, "height": n} for n in (90, 800)
    ]
    assert ana.send(photo=photo, caption="this is the bar") == []
    assert (
        ana.send(video_note={"file_id": "vn", "file_unique_id": "vn", "length": 9, "duration": 2})
        == []
    )
    doc = {"file_id": "doc", "file_unique_id": "doc", "mime_type": "application/pdf"}
    ana.send(document=doc)
    [tip] = tips(runtime)
    assert "this is the bar" in text_of(runtime, tip)
    with runtime.db.transaction() as s:
        kinds = s.execute(select(Attachment.kind).where(Attachment.tip_id == tip.id)).scalars()
        sources = [
            runtime.vault.decrypt_json(a.source_enc)
            for a in s.execute(select(Attachment)).scalars()
            if a.source_enc
        ]
        assert sorted(kinds) == ["document", "photo", "video_note"]
    assert {s["file_id"] for s in sources} == {"p800", "vn", "doc"}
    assert {s["content_type"] for s in sources} == {"image/jpeg", "video/mp4", "application/pdf"}


def test_stickers_own_contacts_and_other_bots_store_nothing(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61008, "en")
    before = row_counts(runtime)
    sticker = {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    assert ana.send(sticker=sticker) == []
    own = {"phone_number": "+355690000000", "first_name": "Ana", "user_id": 61008}
    assert ana.send(contact=own) == []
    robot = ana.message(text="spam from a bot")
    robot["message"]["from"]["is_bot"] = True
    assert ana._post(robot) == []
    after = row_counts(runtime)
    assert after["tips"] == before["tips"] == 0
    assert after["reporters"] == before["reporters"]  # nobody was even pseudonymised


def test_a_group_stores_nothing_and_is_told_once_then_left(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61009, "en")
    group = {"id": -100777, "type": "supergroup", "title": "Neighbours"}
    first = ana.say("there is a girl locked in the bar", chat=group)
    second = ana.say("she is 15", chat=group)
    assert tips(runtime) == []
    with runtime.db.transaction() as s:
        assert s.execute(select(Reporter)).first() is None
    [notice] = first
    assert notice["group_chat"] == -100777 and notice["leave"] is True
    assert notice["text"] == burst_replies.private_only().text  # both languages
    assert notice["text"].startswith("Raportimet janë private")
    assert "private chat" in notice["text"]
    assert second == []


def test_a_block_drops_the_reply_handle(client: FlaskClient, runtime: Runtime) -> None:
    ana = Person(client, runtime, 61010, "en")
    ana.say("a man sells jobs in Italy")
    bot = {"id": 42, "is_bot": True, "first_name": "Raporto"}
    ana.update += 1
    block = {
        "update_id": ana.update,
        "my_chat_member": {
            "chat": {"id": 61010, "type": "private", "first_name": "Ana"},
            "from": {"id": 61010, "is_bot": False, "first_name": "Ana"},
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
        },
    }
    with runtime.db.transaction() as s:
        assert s.execute(select(ReplyHandle)).first() is not None
    assert ana._post(block) == []
    with runtime.db.transaction() as s:
        assert s.execute(select(ReplyHandle)).first() is None
    assert len(tips(runtime)) == 1  # the report itself stays


def test_the_language_follows_the_text_then_language_code_and_is_asked_at_most_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    # Written in English on an Albanian phone: English.
    [english] = Person(client, runtime, 61011, "sq").say("they took her passport and keep her")
    assert english["text"].startswith("Received")
    # A greeting says nothing about the language: Telegram's language_code decides.
    [by_code] = Person(client, runtime, 61012, "en").say("ok")
    assert by_code["text"].startswith("Received")
    [by_code_sq] = Person(client, runtime, 61013, "sq").say("ok")
    assert by_code_sq["text"].startswith("E morëm")
    # A greeting names its language.
    [hello] = Person(client, runtime, 61017, None).say("hello")
    assert hello["text"].startswith("Received")
    # Neither: Albanian, and the picker is offered once.
    unknown = Person(client, runtime, 61014, "de")
    received, picker = unknown.say("ok")
    assert received["text"].startswith("E morëm") and picker["buttons"][0][0][1] == "lang:sq"
    quiet(runtime)
    sweep_once(runtime.intake)
    [again] = unknown.say("ok")
    assert again["text"].startswith("E morëm")  # not asked a second time


def test_start_with_a_known_language_shows_the_menu_not_the_picker(
    client: FlaskClient, runtime: Runtime
) -> None:
    [menu] = Person(client, runtime, 61015, "en-GB").say("/start")
    assert menu["buttons"][0][0][1] == "menu:report"
    assert menu["text"].startswith(gettext("en", "How can we help?"))
    [picker] = Person(client, runtime, 61016, "fr").say("/start")
    assert picker["buttons"][0][0][1] == "lang:sq"


def test_a_report_with_a_question_is_scored_and_answered_with_the_information_topics(
    client: FlaskClient, runtime: Runtime
) -> None:
    ana = Person(client, runtime, 61018, "en")
    ana.say("My neighbour's daughter works every night at a bar and they took her passport.")
    ana.say("Is this normal? What should I do?")
    [tip] = tips(runtime)
    out = ana.press(f"burst:send:{tip.id}")
    [tip] = tips(runtime)
    assert tip.band not in ("not_a_tip", "low")  # the question does not hide the case
    assert find_reference(out[0]["text"]) == tip.reference
    assert out[-1]["buttons"][0][0][1].startswith("info:")  # and the question gets its answer
    # A report without a question gets no topics.
    bea = Person(client, runtime, 61019, "en")
    bea.say("A man keeps the passports of the women who work at his bar")
    quiet(runtime)
    before = len(outbox(runtime))
    sweep_once(runtime.intake)
    assert not any(
        b[1].startswith("info:")
        for r in outbox(runtime)[before:]
        for row in r.get("buttons", [])
        for b in row
    )
