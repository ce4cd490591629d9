"""Telegram Bot API objects and errors shared by the fake's modules.

Owns the error answer shape, parameter reading (PTB sends form fields as strings and
nested objects as JSON strings), and the User, Chat and file objects the fake returns.
"""

from __future__ import annotations

import json
import secrets
import zlib
from typing import Any

from flask import Response, jsonify, request

from sandbox.faults import FaultRule, drop_connection
from sandbox.state import SandboxState

Params = dict[str, Any]


class BotApiError(Exception):
    """A Telegram error answer: HTTP status and description."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def response(self) -> Response:
        """Return Telegram's JSON error body with the matching status."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        resp = jsonify(body)
        resp.status_code = self.code
        if self.retry_after is not None:
            resp.headers["Retry-After"] = str(self.retry_after)
        return resp


def chat_key(value: Any) -> int | str:
    """Normalise a chat_id parameter: numeric strings become ints, @names stay strings."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def bot_user(token: str) -> dict[str, Any]:
    """Return the bot's User object; its id is the token's numeric prefix, as on Telegram."""
    prefix = token.split(":", 1)[0]
    return {
        "id": int(prefix) if prefix.isdigit() else 100000001,
        "is_bot": True,
        "first_name": "Raporto Sandbox",
        "username": "raporto_sandbox_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


CHAT_TYPES = ("private", "group", "supergroup", "channel")


def remember_chat(
    state: SandboxState, chat_id: int, chat_type: str, title: str | None = None
) -> None:
    """Declare a chat's type (and title), checking its id looks like Telegram's for that type."""
    if chat_type not in CHAT_TYPES:
        raise ValueError(f"chat_type must be one of {', '.join(CHAT_TYPES)}")
    if chat_type == "private":
        if chat_id <= 0:
            raise ValueError("a private chat's id is the user's (positive) id")
        return
    if chat_id >= 0:
        raise ValueError(f"a {chat_type}'s chat_id is negative")
    # Supergroups and channels are -100 followed by the channel's own id.
    if chat_type != "group" and not str(chat_id).startswith("-100"):
        raise ValueError(f"a {chat_type}'s chat_id starts with -100 (e.g. -1001234567890)")
    with state.cond:
        known = state.chat_info.get(chat_id, {})
        state.chat_info[chat_id] = {
            "type": chat_type,
            "title": title or known.get("title") or f"Sandbox {chat_type} {chat_id}",
        }


def chat_object(
    state: SandboxState, chat_id: int | str, sender: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a Chat object: a declared type, else inferred from the id as Telegram numbers them.

    A private chat takes its names from `sender` when it is the chat's user, else from the
    known user.
    """
    if isinstance(chat_id, str):
        # crc32, not hash(): the id must stay the same across processes.
        return {
            "id": -1000000000000 - zlib.crc32(chat_id.encode()),
            "type": "channel",
            "username": chat_id.lstrip("@"),
            "title": chat_id,
        }
    info = state.chat_info.get(chat_id)
    if info is not None:
        return {"id": chat_id, "type": info["type"], "title": info["title"]}
    if chat_id < 0:
        # Undeclared: -100… is a supergroup (a channel must be declared), others basic groups.
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Sandbox {kind} {chat_id}"}
    chat: dict[str, Any] = {"id": chat_id, "type": "private"}
    own = sender is not None and sender.get("id") == chat_id
    user = sender if sender is not None and own else state.users.get(chat_id, {})
    for key in ("first_name", "last_name", "username"):
        if key in user:
            chat[key] = user[key]
    chat.setdefault("first_name", f"User {chat_id}")
    return chat


def json_param(params: Params, name: str) -> Any:
    """Return a parameter PTB may have sent as a JSON string (reply_markup, lists)."""
    value = params.get(name)
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def require(params: Params, name: str) -> Any:
    """Return a required parameter or raise Telegram's 400 for it."""
    value = params.get(name)
    if value is None or value == "":
        raise BotApiError(400, f"Bad Request: {name} is empty")
    return value


def new_file(state: SandboxState, kind: str, suffix: str, data: bytes) -> tuple[str, str]:
    """Register downloadable bytes; return (file_id, file_unique_id)."""
    with state.cond:
        number = len(state.files) + 1
        file_id = f"{kind[:2].upper()}ACAgIAAx{number:06d}{secrets.token_hex(8)}"
        unique = f"AQAD{number:06d}"
        state.files[file_id] = (f"{kind}/file_{number}.{suffix}", data, unique)
    return file_id, unique


def flag(params: Params, name: str) -> bool:
    """Read a boolean parameter sent as \"true\"/\"1\" (form) or true (JSON)."""
    return str(params.get(name, "")).lower() in ("true", "1")


def update_type(update: dict[str, Any]) -> str:
    """Return the kind of an Update ("message", "callback_query", ...)."""
    return next(k for k in update if k != "update_id")


def fault_error(rule: FaultRule) -> BotApiError:
    """Turn a fired fault rule into Telegram's error answer (or drop the connection)."""
    if rule.mode == "drop":
        raise drop_connection(request.environ)
    if rule.mode == "429":
        wait = max(1, round(rule.seconds or 1))
        return BotApiError(429, f"Too Many Requests: retry after {wait}", wait)
    if rule.mode == "blocked":
        return BotApiError(403, rule.description or "Forbidden: bot was blocked by the user")
    if rule.mode == "5xx":
        return BotApiError(rule.status or 500, rule.description or "Internal Server Error")
    return BotApiError(rule.status or 400, rule.description or "Bad Request")


def read_params() -> Params:
    """Merge query, form or JSON body parameters; PTB sends form fields as strings."""
    params: Params = dict(request.args.items())
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        params.update(body)
    else:
        params.update(request.form.items())
    return params
