"""Translate Telegram updates (parsed by python-telegram-bot) into conversation events."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update

from bot.telegram_flow import TelegramEvent

log = logging.getLogger(__name__)


class BadUpdate(ValueError):
    """The body is not a Telegram update."""


def parse_update(data: Any) -> TelegramEvent:
    """Return the event of an update; unsupported kinds become an event with no user."""
    if not isinstance(data, dict):
        raise BadUpdate("body must be a JSON object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise BadUpdate("update_id must be a non-negative integer")
    try:
        update = Update.de_json(data, None)
    except Exception:
        # Malformed inner objects: the update is recorded (so it is not retried) and ignored.
        log.info("update %s could not be parsed; ignored", update_id)
        return TelegramEvent(update_id=update_id)
    if update is None:
        return TelegramEvent(update_id=update_id)
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        return TelegramEvent(
            update_id=update_id,
            user_id=query.from_user.id,
            chat_id=chat.id if chat is not None else query.from_user.id,
            callback_data=str(query.data) if query.data is not None else None,
            callback_id=query.id,
            language_code=query.from_user.language_code,
        )
    message = update.message
    if message is None or message.from_user is None or message.chat.type != "private":
        # Channel posts, edits, group chats: not a reporter talking to the bot.
        return TelegramEvent(update_id=update_id)
    photo = message.photo[-1].file_id if message.photo else None
    location = message.location
    return TelegramEvent(
        update_id=update_id,
        user_id=message.from_user.id,
        chat_id=message.chat.id,
        text=message.text or message.caption,
        language_code=message.from_user.language_code,
        photo_file_id=photo,
        voice_file_id=message.voice.file_id if message.voice else None,
        location=(location.latitude, location.longitude) if location else None,
        message_id=message.message_id,
    )
