"""Every kind of Telegram update the Bot API documents becomes the right conversation event."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.telegram_adapter import parse_update

USER = {"id": 5101, "is_bot": False, "first_name": "Ana", "language_code": "en"}
PRIVATE = {"id": 5101, "type": "private", "first_name": "Ana"}


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": int(time.time()), "chat": PRIVATE, "from": USER, **fields}


def test_an_edit_is_an_edit_of_the_same_message() -> None:
    event = parse_update(
        {"update_id": 1, "edited_message": message(text="she is 15", edit_date=int(time.time()))}
    )
    assert (event.kind, event.message_id, event.text, event.user_id) == (
        "edit",
        7,
        "she is 15",
        5101,
    )


def test_the_largest_photo_is_taken_and_the_caption_is_text() -> None:
    sizes = [
        {"file_id": f"p{n}", "file_unique_id": f"u{n}", "width": n, "height": n} for n in (90, 800)
    ]
    event = parse_update({"update_id": 2, "message": message(photo=sizes, caption="the bar")})
    assert event.media is not None
    assert (event.media.kind, event.media.file_id, event.media.content_type) == (
        "photo",
        "p800",
        "image/jpeg",
    )
    assert event.text == "the bar" and event.kind == "message"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("voice", {"file_id": "v", "file_unique_id": "v", "duration": 3}, ("voice", "audio/ogg")),
        (
            "video_note",
            {"file_id": "n", "file_unique_id": "n", "length": 240, "duration": 4},
            ("video_note", "video/mp4"),
        ),
        (
            "document",
            {"file_id": "d", "file_unique_id": "d", "mime_type": "application/pdf"},
            ("document", "application/pdf"),
        ),
        (
            "document",
            {"file_id": "d", "file_unique_id": "d"},
            ("document", "application/octet-stream"),
        ),
    ],
)
def test_media_kinds_keep_their_content_type(
    field: str, value: dict[str, Any], expected: tuple[str, str]
) -> None:
    event = parse_update({"update_id": 3, "message": message(**{field: value})})
    assert event.media is not None
    assert (event.media.kind, event.media.content_type) == expected


def test_someone_elses_contact_is_text_and_the_persons_own_is_ignored() -> None:
    other = {"phone_number": "+355691112223", "first_name": "Boss", "user_id": 999}
    event = parse_update({"update_id": 4, "message": message(contact=other)})
    assert event.kind == "message" and event.text == "[Boss +355691112223]"
    own = {"phone_number": "+355690000000", "first_name": "Ana", "user_id": 5101}
    assert parse_update({"update_id": 5, "message": message(contact=own)}).kind == "ignored"


def test_a_forwarded_message_is_marked_as_not_written_by_the_reporter() -> None:
    origin = {"type": "hidden_user", "sender_user_name": "X", "date": int(time.time())}
    event = parse_update(
        {"update_id": 6, "message": message(text="work abroad", forward_origin=origin)}
    )
    assert event.text == "↪ work abroad"


@pytest.mark.parametrize(
    "update",
    [
        {
            "message": message(
                sticker={
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            )
        },
        {
            "message_reaction": {
                "chat": PRIVATE,
                "message_id": 7,
                "user": USER,
                "date": int(time.time()),
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        },
        {"message": {**message(text="I am a bot"), "from": {**USER, "is_bot": True}}},
        {"message": {k: v for k, v in message(text="no chat").items() if k != "chat"}},
    ],
    ids=["sticker", "reaction", "another bot", "malformed"],
)
def test_kinds_that_never_carry_a_report_are_ignored(update: dict[str, Any]) -> None:
    event = parse_update({"update_id": 8, **update})
    assert event.kind == "ignored" and not event.from_person


@pytest.mark.parametrize(
    "update",
    [
        {
            "message": message(
                text="report", chat={"id": -100123, "type": "supergroup", "title": "G"}
            )
        },
        {
            "channel_post": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": -100456, "type": "channel", "title": "C"},
                "text": "post",
            }
        },
    ],
    ids=["supergroup", "channel"],
)
def test_groups_and_channels_are_groups(update: dict[str, Any]) -> None:
    event = parse_update({"update_id": 9, **update})
    assert event.kind == "group" and event.chat_id is not None and event.chat_id < 0
    assert event.text is None and event.user_id is None  # nothing of it travels further


def test_a_block_is_a_block_and_a_restart_is_ignored() -> None:
    bot = {"id": 42, "is_bot": True, "first_name": "Raporto"}

    def member(status: str) -> dict[str, Any]:
        return {"user": bot, "status": status, **({"until_date": 0} if status == "kicked" else {})}

    def update(old: str, new: str) -> dict[str, Any]:
        return {
            "update_id": 10,
            "my_chat_member": {
                "chat": PRIVATE,
                "from": USER,
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        }

    blocked = parse_update(update("member", "kicked"))
    assert (blocked.kind, blocked.user_id) == ("blocked", 5101)
    assert parse_update(update("kicked", "member")).kind == "ignored"
