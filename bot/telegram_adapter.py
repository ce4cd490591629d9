"""Translate Telegram updates (parsed by python-telegram-bot) into conversation events."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update

from bot.telegram_events import Media, TelegramEvent
from models.untrusted import clean

log = logging.getLogger(__name__)

# Telegram does not give a content type for these; what its apps send is fixed.
FIXED_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg", "video_note": "video/mp4"}


class BadUpdate(ValueError):
    """The body is not a Telegram update."""


def update_id_of(data: Any) -> int:
    """Return an update's id, or raise BadUpdate when the body is no update at all."""
    if not isinstance(data, dict):
        raise BadUpdate("body must be a JSON object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise BadUpdate("update_id must be a non-negative integer")
    return update_id


def parse_update(data: Any) -> TelegramEvent:
    """Return the event of an update; kinds that are not a person talking become "ignored"."""
    update_id = update_id_of(data)
    try:
        # Lone surrogates ("\ud800" in the JSON) would fail every UTF-8 encode further on.
        update = Update.de_json(clean(data), None)
    except Exception:
        # Malformed inner objects: the update is recorded (so it is not retried) and ignored.
        log.info("update %s could not be parsed; ignored", update_id)
        return TelegramEvent(update_id=update_id)
    if update is None:
        return TelegramEvent(update_id=update_id)
    try:
        return _event(update_id, update)
    except (AttributeError, TypeError, ValueError):
        # PTB accepts objects with required parts missing (a message without a chat): ignored.
        log.info("update %s is incomplete; ignored", update_id)
        return TelegramEvent(update_id=update_id)


def _event(update_id: int, update: Update) -> TelegramEvent:
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if query.from_user.is_bot or (chat is not None and chat.type != "private"):
            return TelegramEvent(update_id=update_id)
        return TelegramEvent(
            update_id=update_id,
            kind="callback",
            user_id=query.from_user.id,
            chat_id=chat.id if chat is not None else query.from_user.id,
            callback_data=str(query.data) if query.data is not None else None,
            callback_id=query.id,
            language_code=query.from_user.language_code,
        )
    member = update.my_chat_member
    if member is not None:
        if member.chat.type == "private" and member.new_chat_member.status == "kicked":
            return TelegramEvent(update_id=update_id, kind="blocked", user_id=member.from_user.id)
        return TelegramEvent(update_id=update_id)
    message = update.message or update.edited_message or update.channel_post
    message = message or update.edited_channel_post
    if message is None:
        return TelegramEvent(update_id=update_id)  # reactions, polls, payments…
    if message.chat.type != "private":
        # A group or channel: nothing of it is kept; the bot says reports are private and leaves.
        return TelegramEvent(update_id=update_id, kind="group", chat_id=message.chat.id)
    sender = message.from_user
    if sender is None or sender.is_bot:
        return TelegramEvent(update_id=update_id)
    text = _text(message)
    media = _media(message)
    location = message.location
    if text is None and media is None and location is None:
        return TelegramEvent(update_id=update_id)  # a sticker, the person's own contact, a dice…
    return TelegramEvent(
        update_id=update_id,
        kind="edit" if update.edited_message is not None else "message",
        user_id=sender.id,
        chat_id=message.chat.id,
        text=text,
        language_code=sender.language_code,
        media=media,
        location=(location.latitude, location.longitude) if location else None,
        message_id=message.message_id,
    )


def _text(message: Message) -> str | None:
    text = message.text or message.caption
    contact = message.contact
    if contact is not None and contact.user_id != (message.from_user and message.from_user.id):
        # Someone else's contact (often the person who controls the victim): part of the report.
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        text = f"[{name} {contact.phone_number}]".replace("[ ", "[")
    if text is not None and message.forward_origin is not None:
        text = "↪ " + text  # forwarded: the reporter did not write it
    return text


def _media(message: Message) -> Media | None:
    if message.photo:
        return Media("photo", message.photo[-1].file_id, FIXED_TYPES["photo"])  # the largest
    for kind in ("voice", "video_note", "video", "audio", "document"):
        item = getattr(message, kind)
        if item is not None:
            content_type = FIXED_TYPES.get(kind) or getattr(item, "mime_type", None)
            return Media(kind, item.file_id, content_type or "application/octet-stream")
    return None
