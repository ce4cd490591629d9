"""What a control update's message carries: text, media, location, contact, forward.

Owns turning the content fields of `POST /sandbox/telegram/updates` (text, photo, voice,
video_note, document, sticker, location, contact, forward) into the fields of a Bot API
Message, registering each media file so getFile and the file download serve it.
"""

from __future__ import annotations

import time
from typing import Any

from sandbox import media
from sandbox.state import SandboxState
from sandbox.telegram_objects import new_file

# Telegram's apps send a photo in several sizes; the Bot API lists them smallest first.
PHOTO_SIZES = (90, 320, 800)
VIDEO_NOTE_LENGTH = 240
STICKER_SIDE = 512
# Kinds added after the first four: each is the whole content of a message, as on Telegram.
SOLE_KINDS = ("video_note", "document", "sticker", "contact")
# Telegram carries no caption on these.
CAPTIONLESS = ("video_note", "sticker", "contact")
CAPTIONED = ("photo", "voice", "document")
DOCUMENT_SUFFIXES = {"application/pdf": "pdf", "image/jpeg": "jpg", "text/plain": "txt"}


class ContentError(ValueError):
    """The control JSON's content cannot be a Telegram message."""


def text_fields(text: str, key: str) -> dict[str, Any]:
    """Return the text (or caption) field, with the bot_command entity a leading `/` gets."""
    fields: dict[str, Any] = {key: text}
    if text.startswith("/"):
        # PTB's CommandHandler needs the bot_command entity, not just the leading slash.
        command = text.split()[0]
        entities = "caption_entities" if key == "caption" else "entities"
        fields[entities] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return fields


def _file(state: SandboxState, kind: str, suffix: str, data: bytes) -> dict[str, Any]:
    file_id, unique = new_file(state, kind, suffix, data)
    return {"file_id": file_id, "file_unique_id": unique, "file_size": len(data)}


def _photo(state: SandboxState) -> list[dict[str, Any]]:
    sizes = []
    for side in PHOTO_SIZES:
        info = _file(state, "photos", "jpg", media.jpeg(side, side))
        sizes.append({**info, "width": side, "height": side})
    return sizes


def _document(state: SandboxState, spec: Any) -> dict[str, Any]:
    spec = spec if isinstance(spec, dict) else {}
    mime = str(spec.get("mime_type") or "application/pdf")
    name = str(spec.get("file_name") or ("report.pdf" if mime == "application/pdf" else "file"))
    if mime == "application/pdf":
        data = media.tiny_pdf()
    elif mime == "image/jpeg":
        data = media.jpeg(320, 320)
    else:
        data = b"Raporto sandbox document\n"
    stem, dot, ext = name.rpartition(".")
    suffix = ext.lower() if dot and stem and ext.isalnum() else DOCUMENT_SUFFIXES.get(mime, "bin")
    return {**_file(state, "documents", suffix, data), "file_name": name, "mime_type": mime}


def _sticker(state: SandboxState, spec: Any) -> dict[str, Any]:
    emoji = spec.get("emoji") if isinstance(spec, dict) else None
    return {
        **_file(state, "stickers", "webp", media.webp(STICKER_SIDE, STICKER_SIDE)),
        "type": "regular",
        "width": STICKER_SIDE,
        "height": STICKER_SIDE,
        "is_animated": False,
        "is_video": False,
        "emoji": str(emoji or "🙂"),
    }


def _contact(spec: Any, sender: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(spec, dict) or not spec.get("phone_number"):
        raise ContentError('contact needs {"phone_number", "first_name", "self"?}')
    own = bool(spec.get("self"))
    if own and sender is None:
        raise ContentError("a channel post has no sender whose own contact it could be")
    first_name = spec.get("first_name") or (sender["first_name"] if own and sender else None)
    if not first_name:
        raise ContentError("contact needs first_name")
    contact: dict[str, Any] = {"phone_number": str(spec["phone_number"]), "first_name": first_name}
    if spec.get("last_name"):
        contact["last_name"] = str(spec["last_name"])
    # Telegram marks a person's own shared contact by its user_id being the sender's.
    if own and sender is not None:
        contact["user_id"] = sender["id"]
    elif spec.get("user_id") is not None:
        contact["user_id"] = int(spec["user_id"])
    return contact


def _forward_origin(data: dict[str, Any]) -> dict[str, Any]:
    # Bot API 7.0 shape; a hidden user is what most forwards from private accounts show.
    return {
        "type": "hidden_user",
        "sender_user_name": str(data.get("forward_from_name") or "Hidden Sender"),
        "date": int(data.get("forward_date") or time.time() - 3600),
    }


def message_fields(
    state: SandboxState, data: dict[str, Any], sender: dict[str, Any] | None
) -> dict[str, Any]:
    """Return a Message's content fields for the control JSON; raise ContentError if none."""
    fields: dict[str, Any] = {}
    if data.get("photo"):
        fields["photo"] = _photo(state)
    if data.get("voice"):
        audio = media.tiny_ogg()
        fields["voice"] = {
            **_file(state, "voice", "oga", audio),
            "duration": int(data.get("duration") or 3),
            "mime_type": "audio/ogg",
        }
    if data.get("video_note"):
        fields["video_note"] = {
            **_file(state, "video_notes", "mp4", media.tiny_mp4()),
            "length": VIDEO_NOTE_LENGTH,
            "duration": int(data.get("duration") or 5),
        }
    if data.get("document"):
        fields["document"] = _document(state, data["document"])
    if data.get("sticker"):
        fields["sticker"] = _sticker(state, data["sticker"])
    if data.get("location"):
        loc = data["location"]
        fields["location"] = {
            "latitude": float(loc["latitude"]),
            "longitude": float(loc["longitude"]),
        }
    if data.get("contact"):
        fields["contact"] = _contact(data["contact"], sender)
    sole = [kind for kind in SOLE_KINDS if kind in fields]
    if sole and len(fields) > 1:
        raise ContentError(f"a Telegram message with a {sole[0]} carries nothing else")
    text = data.get("text")
    if text is not None:
        if sole and sole[0] in CAPTIONLESS:
            raise ContentError(f"a {sole[0]} has no caption on Telegram; send the text apart")
        # With media the text is a caption, as in the Telegram apps.
        fields.update(text_fields(str(text), "caption" if fields else "text"))
    if not fields:
        raise ContentError(
            "give text, photo, voice, video_note, document, sticker, location, contact, "
            "callback_data, edit_of, reaction or my_chat_member"
        )
    if data.get("forward"):
        fields["forward_origin"] = _forward_origin(data)
    return fields


def editable_key(message: dict[str, Any]) -> str:
    """Return the field an edit replaces ("text" or "caption"); raise if it has neither."""
    if "text" in message:
        return "text"
    if any(kind in message for kind in CAPTIONED):
        return "caption"
    raise ContentError("only a text message or a photo, voice or document caption can be edited")
