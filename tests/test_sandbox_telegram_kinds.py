"""Every update kind the sandbox's Telegram control endpoint makes, shaped as the Bot API does."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from telegram import Update

from sandbox import SandboxServer

TOKEN = "123456:TEST-token_kinds"
BOT_ID = 123456


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(telegram_token=TOKEN) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer) -> None:
    server.state.reset()


def control(server: SandboxServer, status: int = 200, **body: Any) -> dict[str, Any]:
    resp = requests.post(f"{server.url}/sandbox/telegram/updates", json=body, timeout=15)
    assert resp.status_code == status, resp.text
    result: dict[str, Any] = resp.json()
    return result


def bot_call(server: SandboxServer, method: str, **params: Any) -> Any:
    # Form fields, as python-telegram-bot sends them (lists as JSON strings).
    resp = requests.post(f"{server.url}/bot{TOKEN}/{method}", data=params, timeout=15)
    assert resp.status_code == 200, resp.text
    return resp.json()["result"]


def download(server: SandboxServer, file: dict[str, Any]) -> tuple[bytes, str]:
    """Fetch a file as a bot does (getFile, then its file_path); return bytes and content type."""
    info = bot_call(server, "getFile", file_id=file["file_id"])
    assert (info["file_unique_id"], info["file_size"]) == (
        file["file_unique_id"],
        file["file_size"],
    )
    resp = requests.get(f"{server.url}/file/bot{TOKEN}/{info['file_path']}", timeout=5)
    assert (resp.status_code, len(resp.content)) == (200, file["file_size"])
    return resp.content, resp.headers["Content-Type"]


def webhook_state(server: SandboxServer) -> Any:
    return requests.get(f"{server.url}/sandbox/telegram/webhook", timeout=5).json()


def kinds_polled(server: SandboxServer, **params: Any) -> list[str]:
    """Poll as the bot does; return the kind of each update received."""
    updates = bot_call(server, "getUpdates", **params)
    return [next(k for k in u if k != "update_id") for u in updates]


def message_of(server: SandboxServer, **body: Any) -> dict[str, Any]:
    sent = control(server, **body)
    assert Update.de_json(sent["update"], None) is not None  # PTB parses what we made
    message: dict[str, Any] = sent["update"]["message"]
    return message


def test_a_photo_comes_in_three_sizes_smallest_first_each_a_jpeg_of_that_size(
    server: SandboxServer,
) -> None:
    sizes = message_of(server, user_id=1, photo=True, text="van")["photo"]
    assert [(p["width"], p["height"]) for p in sizes] == [(90, 90), (320, 320), (800, 800)]
    assert len({p["file_id"] for p in sizes}) == len({p["file_unique_id"] for p in sizes}) == 3
    assert sizes[0]["file_size"] < sizes[1]["file_size"] < sizes[2]["file_size"]
    for size in sizes:
        data, kind = download(server, size)
        assert kind == "image/jpeg"
        frame = data.index(b"\xff\xc0")  # the frame header holds height then width
        assert struct.unpack(">HH", data[frame + 5 : frame + 9]) == (size["height"], size["width"])


def test_an_edit_keeps_the_message_and_date_and_changes_the_stored_text(
    server: SandboxServer,
) -> None:
    original = message_of(server, user_id=2, text="/start now", first_name="Ana")
    sent = control(server, user_id=2, edit_of=original["message_id"], text="the van is white")
    edited = sent["update"]["edited_message"]
    assert set(sent["update"]) == {"update_id", "edited_message"}
    for key in ("message_id", "chat", "from", "date"):
        assert edited[key] == original[key]
    assert edited["edit_date"] >= original["date"]
    assert (edited["text"], "entities" in edited) == ("the van is white", False)
    assert server.state.chat_message(2, original["message_id"]) == edited
    parsed = Update.de_json(sent["update"], None)
    assert parsed.edited_message.text == "the van is white"
    assert parsed.edited_message.from_user.first_name == "Ana"


def test_editing_a_photo_changes_its_caption_and_keeps_the_photo(server: SandboxServer) -> None:
    original = message_of(server, user_id=3, photo=True, text="old")
    edited = control(server, user_id=3, edit_of=original["message_id"], text="new")["update"]
    assert edited["edited_message"]["caption"] == "new"
    assert edited["edited_message"]["photo"] == original["photo"]
    assert "text" not in edited["edited_message"]


@pytest.mark.parametrize(
    ("setup", "edit", "error"),
    [
        ({}, {"edit_of": 99}, "no message 99 in chat 4"),
        ({"text": "hi"}, {"edit_of": 1, "text": None}, "needs the new text"),
        ({"sticker": True}, {"edit_of": 1}, "can be edited"),
        ({"text": "hi", "user_id": 5, "chat_id": -5}, {"edit_of": 1, "chat_id": -5}, "by 5"),
    ],
    ids=["unknown", "no-text", "sticker", "someone-else"],
)
def test_an_edit_that_telegram_could_not_send_is_refused(
    server: SandboxServer, setup: dict[str, Any], edit: dict[str, Any], error: str
) -> None:
    if setup:
        control(server, **{"user_id": 4, **setup})
    assert error in control(server, 400, **{"user_id": 4, "text": "x", **edit})["error"]


def test_a_video_note_is_a_downloadable_mp4_and_takes_no_caption(server: SandboxServer) -> None:
    note = message_of(server, user_id=6, video_note=True, duration=7)["video_note"]
    assert set(note) == {"file_id", "file_unique_id", "length", "duration", "file_size"}
    assert (note["length"], note["duration"]) == (240, 7)
    data, kind = download(server, note)
    assert (kind, data[4:8]) == ("video/mp4", b"ftyp")
    assert "no caption" in control(server, 400, user_id=6, video_note=True, text="x")["error"]


def test_a_document_is_a_pdf_by_default_with_its_text_as_caption(server: SandboxServer) -> None:
    message = message_of(server, user_id=7, document=True, text="the contract")
    document = message["document"]
    assert (document["file_name"], document["mime_type"]) == ("report.pdf", "application/pdf")
    assert message["caption"] == "the contract"
    data, kind = download(server, document)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert kind == "application/pdf"
    named = {"file_name": "notes.txt", "mime_type": "text/plain"}
    other = message_of(server, user_id=7, document=named)["document"]
    assert {k: other[k] for k in named} == named
    assert download(server, other)[1].startswith("text/plain")


def test_a_sticker_is_a_regular_static_webp(server: SandboxServer) -> None:
    sticker = message_of(server, user_id=8, sticker=True)["sticker"]
    assert {k: v for k, v in sticker.items() if not k.startswith("file_")} == {
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "🙂",
    }
    data, kind = download(server, sticker)
    assert (kind, data[:4], data[8:16]) == ("image/webp", b"RIFF", b"WEBPVP8L")
    assert "no caption" in control(server, 400, user_id=8, sticker=True, text="x")["error"]


@pytest.mark.parametrize(
    ("contact", "user_id"),
    [
        ({"phone_number": "355691234567", "first_name": "Ana", "self": True}, 9),
        ({"phone_number": "+355697654321", "first_name": "Boss", "self": False}, None),
        ({"phone_number": "+355697654321", "first_name": "Boss", "user_id": 77}, 77),
    ],
    ids=["own", "other", "other-on-telegram"],
)
def test_a_contact_is_the_senders_own_only_when_its_user_id_is_theirs(
    server: SandboxServer, contact: dict[str, Any], user_id: int | None
) -> None:
    shared = message_of(server, user_id=9, contact=contact)["contact"]
    assert shared.get("user_id") == user_id
    assert shared["phone_number"] == contact["phone_number"]
    assert shared["first_name"] == contact["first_name"]


def test_a_forward_carries_a_hidden_user_origin(server: SandboxServer) -> None:
    sent = control(server, user_id=10, text="pay or else", forward=True, forward_from_name="Dritan")
    message = sent["update"]["message"]
    origin = message["forward_origin"]
    assert (origin["type"], origin["sender_user_name"]) == ("hidden_user", "Dritan")
    assert origin["date"] < message["date"]
    parsed = Update.de_json(sent["update"], None).message
    assert parsed.forward_origin.sender_user_name == "Dritan"
    assert parsed.text == "pay or else"


def test_a_message_from_a_bot_is_not_remembered_as_the_person(server: SandboxServer) -> None:
    bot = message_of(server, user_id=11, text="spam", from_bot=True, first_name="Spammer")
    assert bot["from"]["is_bot"] is True
    person = message_of(server, user_id=11, text="hello")
    assert person["from"] == {"id": 11, "is_bot": False, "first_name": "User 11"}
    assert server.state.users[11]["is_bot"] is False


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
def test_group_messages_have_the_declared_chat_type_and_a_title(
    server: SandboxServer, chat_type: str
) -> None:
    message = message_of(
        server, user_id=12, chat_id=-1001234, chat_type=chat_type, title="Kukës", text="hi"
    )
    assert message["chat"] == {"id": -1001234, "type": chat_type, "title": "Kukës"}
    assert message["from"]["id"] == 12
    # The bot's own sends to that chat show the same chat.
    assert bot_call(server, "sendMessage", chat_id=-1001234, text="x")["chat"]["type"] == chat_type


def test_a_channel_post_has_no_sender_but_the_channel(server: SandboxServer) -> None:
    sent = control(server, chat_id=-1009876, chat_type="channel", text="news")
    post = sent["update"]["channel_post"]
    assert "from" not in post
    assert post["sender_chat"] == post["chat"]
    assert post["chat"]["type"] == "channel"
    assert Update.de_json(sent["update"], None).channel_post.text == "news"
    edited = control(server, chat_id=-1009876, edit_of=post["message_id"], text="news!")
    assert edited["update"]["edited_channel_post"]["text"] == "news!"


def test_chat_ids_must_look_like_telegrams_for_their_type(server: SandboxServer) -> None:
    assert "-100" in control(server, 400, user_id=1, chat_id=-5, chat_type="supergroup")["error"]
    assert "negative" in control(server, 400, user_id=1, chat_id=5, chat_type="group")["error"]
    assert "chat_id" in control(server, 400, user_id=1, chat_type="channel", text="x")["error"]
    # Undeclared ids are typed as Telegram numbers them.
    assert message_of(server, user_id=1, chat_id=-1005, text="x")["chat"]["type"] == "supergroup"
    assert message_of(server, user_id=1, chat_id=-5, text="x")["chat"]["type"] == "group"


def test_a_reaction_reports_the_old_and_new_emoji(server: SandboxServer) -> None:
    bot_call(server, "getUpdates", allowed_updates=json.dumps(["message_reaction"]))
    sent = bot_call(server, "sendMessage", chat_id=13, text="Received")
    first = control(server, user_id=13, reaction={"message_id": sent["message_id"], "emoji": "👍"})
    assert first["delivery"] == "getUpdates"
    reaction = first["update"]["message_reaction"]
    assert reaction["chat"]["id"] == reaction["user"]["id"] == 13
    assert reaction["message_id"] == sent["message_id"]
    assert reaction["old_reaction"] == []
    assert reaction["new_reaction"] == [{"type": "emoji", "emoji": "👍"}]
    second = control(server, user_id=13, reaction={"message_id": sent["message_id"], "emoji": None})
    again = second["update"]["message_reaction"]
    assert (again["old_reaction"], again["new_reaction"]) == (reaction["new_reaction"], [])
    assert Update.de_json(second["update"], None).message_reaction.user.id == 13
    missing = control(server, 400, user_id=13, reaction={"message_id": 99, "emoji": "👍"})
    assert "no message 99" in missing["error"]


@pytest.mark.parametrize(("status", "old"), [("kicked", "member"), ("member", "kicked")])
def test_my_chat_member_moves_the_bot_between_member_and_kicked(
    server: SandboxServer, status: str, old: str
) -> None:
    sent = control(server, user_id=14, my_chat_member=status)
    change = sent["update"]["my_chat_member"]
    assert (change["chat"]["id"], change["from"]["id"]) == (14, 14)
    assert change["old_chat_member"]["status"] == old
    assert change["new_chat_member"]["status"] == status
    me = bot_call(server, "getMe")
    assert change["new_chat_member"]["user"] == change["old_chat_member"]["user"] == me
    assert me["id"] == BOT_ID
    parsed = Update.de_json(sent["update"], None).my_chat_member
    assert parsed.new_chat_member.status == status


def test_leave_chat_is_recorded(server: SandboxServer) -> None:
    assert bot_call(server, "leaveChat", chat_id="-100123") is True
    assert server.state.left_chats == [-100123]
    (left,) = server.state.messages("telegram", -100123, method="leaveChat")
    assert left.recipient == "-100123"


def test_by_default_reactions_are_dropped_and_other_kinds_delivered(
    server: SandboxServer,
) -> None:
    shown = webhook_state(server)
    assert shown["allowed_updates_default"] is True
    assert "message_reaction" not in shown["allowed_updates"]
    assert {"message", "edited_message", "my_chat_member"} <= set(shown["allowed_updates"])
    message = message_of(server, user_id=15, text="hi")
    dropped = control(
        server, user_id=15, reaction={"message_id": message["message_id"], "emoji": "👍"}
    )
    assert dropped["delivery"] == "dropped"
    assert kinds_polled(server) == ["message"]
    assert webhook_state(server)["dropped"] == [dropped["update_id"]]


def test_allowed_updates_given_to_set_webhook_are_remembered_and_filter_updates(
    server: SandboxServer,
) -> None:
    allowed = json.dumps(["message", "message_reaction"])
    hook = "http://127.0.0.1:9/hook"
    assert bot_call(server, "setWebhook", url=hook, allowed_updates=allowed) is True
    shown = webhook_state(server)
    assert shown["allowed_updates"] == json.loads(allowed)
    assert shown["allowed_updates_default"] is False
    assert bot_call(server, "getWebhookInfo")["allowed_updates"] == json.loads(allowed)
    # The choice belongs to the bot, not the webhook: it outlives deleteWebhook.
    assert bot_call(server, "deleteWebhook") is True
    sent = message_of(server, user_id=16, text="hi")
    reaction = {"message_id": sent["message_id"], "emoji": "🔥"}
    assert control(server, user_id=16, reaction=reaction)["delivery"] == "getUpdates"
    assert control(server, user_id=16, my_chat_member="kicked")["delivery"] == "dropped"
    assert kinds_polled(server) == ["message", "message_reaction"]
    # An empty list brings back Telegram's default, which leaves reactions out.
    assert kinds_polled(server, offset=999, allowed_updates="[]") == []
    assert webhook_state(server)["allowed_updates_default"] is True
    assert control(server, user_id=16, reaction=reaction)["delivery"] == "dropped"
    assert control(server, user_id=16, my_chat_member="member")["delivery"] == "getUpdates"
