"""The fake Telegram Bot API: `/bot<token>/<method>` and `/file/bot<token>/<path>`.

Owns the routes and the Bot API methods that show things to users (getMe, sending,
editing and deleting messages, callback answers, files), with realistic Message
answers, so that python-telegram-bot runs against it unpatched. Update delivery
methods live in `telegram_updates`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from sandbox import media
from sandbox.faults import apply_faults
from sandbox.state import SandboxState
from sandbox.telegram_objects import (
    BotApiError,
    Params,
    bot_user,
    chat_key,
    chat_object,
    fault_error,
    json_param,
    new_file,
    read_params,
    require,
)
from sandbox.telegram_updates import UpdatesMethods

MAX_TEXT = 4096
MIME_TYPES = {
    "jpg": "image/jpeg",
    "oga": "audio/ogg",
    "mp4": "video/mp4",
    "pdf": "application/pdf",
    "webp": "image/webp",
    "txt": "text/plain",
}


class BotApi(UpdatesMethods):
    """Bot API method implementations for one request's token."""

    def __init__(self, state: SandboxState, token: str) -> None:
        self.state, self.token, self.me = state, token, bot_user(token)

    def call(self, method: str, params: Params) -> Any:
        """Dispatch a method by its case-insensitive name."""
        handler: Callable[[Params], Any] | None = getattr(self, "m_" + method.lower(), None)
        if handler is None:
            raise BotApiError(404, "Not Found: method not found")
        return handler(params)

    def _message(self, chat_id: int | str, fields: dict[str, Any], method: str) -> dict[str, Any]:
        markup = json_param(fields, "reply_markup")
        fields = {k: v for k, v in fields.items() if k != "reply_markup"}
        message = {
            "date": int(time.time()),
            "chat": chat_object(self.state, chat_id),
            "from": self.me,
            **fields,
        }
        # Telegram echoes only inline keyboards in the Message it returns.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        stored = self.state.store_chat_message(chat_id, message)
        text = str(fields.get("text", fields.get("caption", "")))
        self.state.record(
            "telegram",
            chat_id,
            text,
            method,
            message_id=stored["message_id"],
            extra={"reply_markup": markup, "message": dict(stored)},
        )
        return dict(stored)

    def _stored(self, params: Params, action: str) -> tuple[int | str, dict[str, Any]]:
        chat_id = chat_key(require(params, "chat_id"))
        message = self.state.chat_message(chat_id, int(require(params, "message_id")))
        if message is None:
            raise BotApiError(400, f"Bad Request: message to {action} not found")
        return chat_id, message

    def m_getme(self, params: Params) -> Any:
        """Return the bot's User."""
        return self.me

    def m_logout(self, params: Params) -> Any:
        """Pretend to log out of the cloud Bot API."""
        return True

    def m_close(self, params: Params) -> Any:
        """Pretend to close the bot instance."""
        return True

    def m_sendmessage(self, params: Params) -> Any:
        """Send a text message to a chat."""
        text = str(require(params, "text"))
        if len(text) > MAX_TEXT:
            raise BotApiError(400, "Bad Request: message is too long")
        fields = {"text": text, "reply_markup": params.get("reply_markup")}
        if str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1"):
            # Recorded so tests can see the bot asked to exceed the free 30 messages per second.
            fields["allow_paid_broadcast"] = True
        return self._message(chat_key(require(params, "chat_id")), fields, "sendMessage")

    def _send_media(self, params: Params, field: str, method: str) -> Any:
        chat_id = chat_key(require(params, "chat_id"))
        upload = request.files.get(field)
        data = (
            upload.read() if upload else media.TINY_JPEG if field == "photo" else media.tiny_ogg()
        )
        suffix = {"photo": "jpg", "voice": "oga"}.get(field, "bin")
        file_id, unique = new_file(self.state, field + "s", suffix, data)
        info = {"file_id": file_id, "file_unique_id": unique, "file_size": len(data)}
        if field == "photo":
            value: Any = [{**info, "width": 8, "height": 8}]
        elif field == "voice":
            value = {**info, "duration": int(params.get("duration") or 1), "mime_type": "audio/ogg"}
        else:
            value = {**info, "file_name": upload.filename if upload else "file.bin"}
        fields = {field: value, "reply_markup": params.get("reply_markup")}
        if params.get("caption"):
            fields["caption"] = params["caption"]
        return self._message(chat_id, fields, method)

    def m_sendphoto(self, params: Params) -> Any:
        """Send a photo (an upload, file_id or URL) to a chat."""
        return self._send_media(params, "photo", "sendPhoto")

    def m_sendvoice(self, params: Params) -> Any:
        """Send a voice note to a chat."""
        return self._send_media(params, "voice", "sendVoice")

    def m_senddocument(self, params: Params) -> Any:
        """Send a document to a chat."""
        return self._send_media(params, "document", "sendDocument")

    def _edit(self, params: Params, new_text: str | None, method: str) -> Any:
        if params.get("inline_message_id"):
            return True
        chat_id, message = self._stored(params, "edit")
        markup = json_param(params, "reply_markup")
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        with self.state.cond:
            text = message.get("text") if new_text is None else new_text
            if text == message.get("text") and markup == message.get("reply_markup"):
                raise BotApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content "
                    "and reply markup are exactly the same as a current content and reply "
                    "markup of the message",
                )
            message["text"] = text
            message["edit_date"] = int(time.time())
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            result = dict(message)
        self.state.record(
            "telegram",
            chat_id,
            str(text or ""),
            method,
            message_id=result["message_id"],
            extra={"reply_markup": markup, "message": result},
        )
        return result

    def m_editmessagetext(self, params: Params) -> Any:
        """Replace a message's text (and inline keyboard)."""
        return self._edit(params, str(require(params, "text")), "editMessageText")

    def m_editmessagereplymarkup(self, params: Params) -> Any:
        """Replace or remove a message's inline keyboard."""
        return self._edit(params, None, "editMessageReplyMarkup")

    def m_deletemessage(self, params: Params) -> Any:
        """Delete a message from a chat."""
        chat_id, message = self._stored(params, "delete")
        with self.state.cond:
            del self.state.chats[chat_id][message["message_id"]]
        self.state.record(
            "telegram",
            chat_id,
            str(message.get("text", "")),
            "deleteMessage",
            message_id=message["message_id"],
        )
        return True

    def m_answercallbackquery(self, params: Params) -> Any:
        """Answer a button press (the toast the user sees)."""
        query = self.state.callback_queries.get(str(require(params, "callback_query_id")))
        if query is None:
            raise BotApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = str(params.get("text") or "")
        self.state.record(
            "telegram",
            query["from"]["id"],
            text,
            "answerCallbackQuery",
            extra={
                "callback_query_id": query["id"],
                "show_alert": str(params.get("show_alert")).lower() == "true",
            },
        )
        return True

    def m_leavechat(self, params: Params) -> Any:
        """Leave a group, supergroup or channel; logged so tests can see the bot left."""
        chat_id = chat_key(require(params, "chat_id"))
        with self.state.cond:
            self.state.left_chats.append(chat_id)
        self.state.record("telegram", chat_id, "", "leaveChat")
        return True

    def m_getfile(self, params: Params) -> Any:
        """Return a File whose file_path downloads from /file/bot<token>/."""
        file_id = str(require(params, "file_id"))
        found = self.state.files.get(file_id)
        if found is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": found[2],
            "file_size": len(found[1]),
            "file_path": found[0],
        }


def telegram_blueprint(state: SandboxState) -> Blueprint:
    """Build the Bot API routes."""
    bp = Blueprint("telegram_api", __name__)

    def token_ok(token: str) -> bool:
        """Tell whether the token is the configured one (any token if none is)."""
        wanted = state.config.telegram_token
        # Bytes, because compare_digest refuses non-ASCII str.
        return wanted is None or secrets.compare_digest(wanted.encode(), token.encode())

    @bp.route("/bot<token>/<method>", methods=["GET", "POST"])
    def bot_method(token: str, method: str) -> ResponseReturnValue:
        """Answer one Bot API method call."""
        if not token_ok(token):
            return BotApiError(401, "Unauthorized").response()
        params = read_params()
        with state.cond:
            state.bot_token = token  # control updates show the bot as this token's getMe
        try:
            rule = apply_faults(state, "telegram", method, params)
            if rule is not None:
                raise fault_error(rule)
            result = BotApi(state, token).call(method, params)
        except BotApiError as exc:
            return exc.response()
        except ValueError as exc:
            return BotApiError(400, f"Bad Request: {exc}").response()
        return jsonify(ok=True, result=result)

    @bp.get("/file/bot<token>/<path:file_path>")
    def download(token: str, file_path: str) -> ResponseReturnValue:
        """Serve a file's bytes, as api.telegram.org/file does."""
        if not token_ok(token):
            return BotApiError(401, "Unauthorized").response()
        for path, data, _ in list(state.files.values()):
            if path == file_path:
                kind = MIME_TYPES.get(path.rsplit(".", 1)[-1], "application/octet-stream")
                return Response(data, mimetype=kind)
        return BotApiError(404, "Not Found").response()

    return bp
