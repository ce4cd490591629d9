"""The Telegram side played by the sandbox: users sending messages and pressing buttons.

Owns `POST /sandbox/telegram/updates` (build a realistic Update from a short JSON
description, store the user's message in the chat, and queue the update for
getUpdates or the webhook, unless allowed_updates drops it) and
`GET /sandbox/telegram/webhook`. Message content lives in `telegram_content`; edits,
reactions and membership changes in `telegram_changes`.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from sandbox.state import SandboxState
from sandbox.telegram_changes import edit_update, member_update, reaction_update
from sandbox.telegram_content import ContentError, message_fields
from sandbox.telegram_objects import chat_object, remember_chat
from sandbox.telegram_updates import allowed_kinds, is_allowed

SYNC_TIMEOUT = 10.0


class UpdateError(ContentError):
    """The control JSON cannot become an Update."""


def user_object(state: SandboxState, data: dict[str, Any]) -> dict[str, Any]:
    """Return (and remember) the User sending an update; later updates reuse its names."""
    user_id = int(data["user_id"])
    with state.cond:
        user = state.users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        for key in ("first_name", "last_name", "username", "language_code"):
            if data.get(key):
                user[key] = data[key]
        return dict(user)


def bot_sender(data: dict[str, Any]) -> dict[str, Any]:
    """Return another bot as the sender; not remembered, so the human's names stay apart."""
    user_id = int(data["user_id"])
    return {
        "id": user_id,
        "is_bot": True,
        "first_name": str(data.get("first_name") or f"Bot {user_id}"),
        "username": str(data.get("username") or f"sandbox_{user_id}_bot"),
    }


def _chat_id(state: SandboxState, data: dict[str, Any]) -> int:
    chat_type = data.get("chat_type")
    if data.get("chat_id") is None:
        if chat_type not in (None, "private"):
            raise UpdateError(f"a {chat_type} needs its negative chat_id, e.g. -1001234567890")
        if "user_id" not in data:
            raise UpdateError("user_id is required")
        return int(data["user_id"])
    chat_id = int(data["chat_id"])
    if chat_type is not None:
        remember_chat(state, chat_id, str(chat_type), data.get("title"))
    return chat_id


def _sender(state: SandboxState, data: dict[str, Any], chat_id: int) -> dict[str, Any] | None:
    if "user_id" not in data:
        if chat_object(state, chat_id)["type"] == "channel":
            return None  # a channel post is sent by the channel itself
        raise UpdateError("user_id is required")
    return bot_sender(data) if data.get("from_bot") else user_object(state, data)


def _callback(
    state: SandboxState, data: dict[str, Any], chat_id: int, user: dict[str, Any]
) -> dict[str, Any]:
    if data.get("message_id") is not None:
        message = state.chat_message(chat_id, int(data["message_id"]))
    else:
        message = state.last_bot_message(chat_id)
    if message is None:
        raise UpdateError("no bot message in this chat for the button press")
    with state.cond:
        query_id = str(4_000_000_000_000_000 + len(state.callback_queries) + 1)
        query = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(message),
            "chat_instance": str(-7_000_000_000 - chat_id),
            "data": str(data["callback_data"]),
        }
        state.callback_queries[query_id] = query
    return {"callback_query": query}


def build_update(state: SandboxState, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the control JSON into an Update dict (without update_id) and store its message."""
    chat_id = _chat_id(state, data)
    sender = _sender(state, data, chat_id)
    if data.get("callback_data") is not None:
        if sender is None:
            raise UpdateError("user_id is required")
        return _callback(state, data, chat_id, sender)
    if data.get("edit_of") is not None:
        return edit_update(state, data, chat_id, sender)
    if data.get("reaction") is not None:
        return reaction_update(state, data, chat_id, sender)
    if data.get("my_chat_member") is not None:
        return member_update(state, data, chat_id, sender)
    chat = chat_object(state, chat_id, sender)
    message: dict[str, Any] = {"chat": chat, "date": int(time.time())}
    if chat["type"] == "channel":
        # Channel posts have no "from"; the channel itself is the sender_chat.
        message["sender_chat"] = chat
    elif sender is None:
        raise UpdateError("user_id is required")
    else:
        message["from"] = sender
    message.update(message_fields(state, data, sender))
    # Stored in the chat so the bot can delete a tipster's message and tests can edit it.
    stored = state.store_chat_message(chat_id, message)
    kind = "channel_post" if chat["type"] == "channel" else "message"
    return {kind: copy.deepcopy(stored)}


def enqueue(state: SandboxState, update: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Number the update and queue it; return it and False when allowed_updates drops it."""
    with state.cond:
        update = {"update_id": state.next_update_id, **update}
        state.next_update_id += 1
        if not is_allowed(state, update):
            # Telegram never creates updates of kinds the bot did not ask for.
            state.dropped_updates.append(update)
            return update, False
        state.pending_updates.append(update)
        state.cond.notify_all()
        return update, True


def telegram_users_blueprint(state: SandboxState) -> Blueprint:
    """Build the control endpoints that play Telegram users."""
    bp = Blueprint("telegram_users", __name__)

    @bp.post("/sandbox/telegram/updates")
    def send_update() -> ResponseReturnValue:
        """Build an update from the user's action and queue or push it."""
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            return jsonify(error="expected a JSON object"), 400
        try:
            update, queued = enqueue(state, build_update(state, data))
        except (ValueError, TypeError, KeyError) as exc:
            return jsonify(error=str(exc)), 400
        body: dict[str, Any] = {
            "update_id": update["update_id"],
            "update": update,
            "delivery": "dropped" if not queued else "webhook" if state.webhook else "getUpdates",
        }
        if data.get("sync") and state.webhook and queued:
            uid = update["update_id"]
            body["webhook"] = state.wait_for(lambda: state.delivery.get(uid), SYNC_TIMEOUT)
        return jsonify(body)

    @bp.get("/sandbox/telegram/webhook")
    def webhook_state() -> ResponseReturnValue:
        """Show the webhook, pending updates and delivery results."""
        with state.cond:
            hook = state.webhook
            return jsonify(
                url=hook.url if hook else None,
                secret_token_set=bool(hook and hook.secret_token),
                pending=[u["update_id"] for u in state.pending_updates],
                delivery={str(k): v for k, v in state.delivery.items()},
                allowed_updates=allowed_kinds(state),
                allowed_updates_default=state.allowed_updates is None,
                dropped=[u["update_id"] for u in state.dropped_updates],
            )

    return bp
