"""Updates about earlier messages and the bot's membership: edits, reactions, my_chat_member.

Owns the control fields `edit_of`, `reaction` and `my_chat_member` of
`POST /sandbox/telegram/updates`: each checks what it refers to exists in the sandbox's
chats, changes the stored state as Telegram would, and returns the Update's body.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from sandbox.state import SandboxState
from sandbox.telegram_content import ContentError, editable_key, text_fields
from sandbox.telegram_objects import bot_user, chat_object

MEMBER_STATUSES = ("member", "kicked")


def edit_update(
    state: SandboxState, data: dict[str, Any], chat_id: int, sender: dict[str, Any] | None
) -> dict[str, Any]:
    """Edit a stored message's text or caption; return its edited_message (or channel post)."""
    message_id = int(data["edit_of"])
    if data.get("text") is None:
        raise ContentError("edit_of needs the new text")
    with state.cond:
        message = state.chat_message(chat_id, message_id)
        if message is None:
            raise ContentError(f"no message {message_id} in chat {chat_id} to edit")
        author = message.get("from")
        if author is not None and (sender is None or author["id"] != sender["id"]):
            raise ContentError(
                f"message {message_id} in chat {chat_id} was sent by {author['id']}; "
                "only its sender can edit it"
            )
        key = editable_key(message)
        for old in (key, "entities" if key == "text" else "caption_entities"):
            message.pop(old, None)
        message.update(text_fields(str(data["text"]), key))
        # message_id, from, chat and date stay those of the original, as on Telegram.
        message["edit_date"] = max(int(time.time()), message["date"])
        edited = copy.deepcopy(message)
    kind = "edited_message" if author is not None else "edited_channel_post"
    return {kind: edited}


def reaction_update(
    state: SandboxState, data: dict[str, Any], chat_id: int, sender: dict[str, Any] | None
) -> dict[str, Any]:
    """Set the user's reaction on a stored message; return the message_reaction body."""
    spec = data["reaction"]
    if not isinstance(spec, dict) or "message_id" not in spec or "emoji" not in spec:
        raise ContentError('reaction needs {"message_id", "emoji"} (emoji null removes it)')
    chat = chat_object(state, chat_id, sender)
    if sender is None or chat["type"] == "channel":
        # Channel reactions are anonymous: Telegram sends only message_reaction_count there.
        raise ContentError("a reaction needs a user_id and a chat that is not a channel")
    message_id = int(spec["message_id"])
    new = [{"type": "emoji", "emoji": str(spec["emoji"])}] if spec["emoji"] else []
    with state.cond:
        if state.chat_message(chat_id, message_id) is None:
            raise ContentError(f"no message {message_id} in chat {chat_id} to react to")
        # old_reaction is what this user had on the message before, as Telegram tracks it.
        old = state.reactions.get((chat_id, message_id, sender["id"]), [])
        state.reactions[(chat_id, message_id, sender["id"])] = new
    return {
        "message_reaction": {
            "chat": chat,
            "message_id": message_id,
            "user": sender,
            "date": int(time.time()),
            "old_reaction": copy.deepcopy(old),
            "new_reaction": copy.deepcopy(new),
        }
    }


def _member(status: str, bot: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": bot}
    if status == "kicked":
        member["until_date"] = 0  # banned for ever, which is what blocking a bot is
    return member


def member_update(
    state: SandboxState, data: dict[str, Any], chat_id: int, sender: dict[str, Any] | None
) -> dict[str, Any]:
    """Return a my_chat_member body: the user blocked ("kicked") or restarted ("member") the bot."""
    status = data["my_chat_member"]
    if status not in MEMBER_STATUSES:
        raise ContentError('my_chat_member is "kicked" or "member"')
    if sender is None:
        raise ContentError("my_chat_member needs the user_id of who changed the bot's status")
    # The bot as getMe shows it to the token the bot last used.
    bot = bot_user(state.config.telegram_token or state.bot_token or "")
    old = "member" if status == "kicked" else "kicked"
    return {
        "my_chat_member": {
            "chat": chat_object(state, chat_id, sender),
            "from": sender,
            "date": int(time.time()),
            "old_chat_member": _member(old, bot),
            "new_chat_member": _member(status, bot),
        }
    }
