"""The Telegram side played by the sandbox: users sending messages and pressing buttons.

Owns `POST /sandbox/telegram/updates` (build a realistic Update from a short JSON
description, store the user's message in the chat, and queue the update for
getUpdates or the webhook) and `GET /sandbox/telegram/webhook`.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from sandbox import media
from sandbox.state import SandboxState
from sandbox.telegram_objects import chat_object, new_file

SYNC_TIMEOUT = 10.0


class UpdateError(ValueError):
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


def _message_fields(state: SandboxState, data: dict[str, Any]) -> dict[str, Any]:
    text = data.get("text")
    fields: dict[str, Any] = {}
    if data.get("photo"):
        file_id, unique = new_file(state, "photos", "jpg", media.TINY_JPEG)
        size = len(media.TINY_JPEG)
        fields["photo"] = [
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_size": size,
                "width": 8,
                "height": 8,
            },
        ]
    if data.get("voice"):
        audio = media.tiny_ogg()
        file_id, unique = new_file(state, "voice", "oga", audio)
        fields["voice"] = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": len(audio),
            "duration": int(data.get("duration") or 3),
            "mime_type": "audio/ogg",
        }
    if data.get("location"):
        loc = data["location"]
        fields["location"] = {
            "latitude": float(loc["latitude"]),
            "longitude": float(loc["longitude"]),
        }
    if text is not None:
        text = str(text)
        # With media the text is a caption, as in the Telegram apps.
        key = "caption" if fields else "text"
        fields[key] = str(text)
        if text.startswith("/"):
            # PTB's CommandHandler needs the bot_command entity, not just the leading slash.
            command = text.split()[0]
            fields[key + "_entities" if key == "caption" else "entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command)}
            ]
    if not fields:
        raise UpdateError("give text, photo, voice, location or callback_data")
    return fields


def build_update(state: SandboxState, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the control JSON into an Update dict (without update_id) and store its message."""
    if "user_id" not in data:
        raise UpdateError("user_id is required")
    user = user_object(state, data)
    chat_id = int(data.get("chat_id") or user["id"])
    if data.get("callback_data") is not None:
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
    message = {
        "from": user,
        "chat": chat_object(state, chat_id),
        "date": int(time.time()),
        **_message_fields(state, data),
    }
    # Stored in the chat so the bot can delete a tipster's message.
    stored = state.store_chat_message(chat_id, message)
    return {"message": copy.deepcopy(stored)}


def enqueue(state: SandboxState, update: dict[str, Any]) -> dict[str, Any]:
    """Give the update the next update_id and queue it for getUpdates or the webhook."""
    with state.cond:
        update = {"update_id": state.next_update_id, **update}
        state.next_update_id += 1
        state.pending_updates.append(update)
        state.cond.notify_all()
        return update


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
            update = enqueue(state, build_update(state, data))
        except (UpdateError, ValueError, TypeError, KeyError) as exc:
            return jsonify(error=str(exc)), 400
        body: dict[str, Any] = {
            "update_id": update["update_id"],
            "update": update,
            "delivery": "webhook" if state.webhook else "getUpdates",
        }
        if data.get("sync") and state.webhook:
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
            )

    return bp
