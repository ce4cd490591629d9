"""The parts of a Telegram update the conversation uses, whatever kind of update it was."""

from __future__ import annotations

from dataclasses import dataclass

# What an update is to the conversation:
#   message   a person writing to the bot in private (text, media, location, contact, forward)
#   edit      a person editing one of their earlier messages
#   callback  a button press
#   group     anything in a group, supergroup or channel: never stored, answered by leaving
#   blocked   the person blocked the bot (my_chat_member "kicked"): the reply handle is dropped
#   ignored   stickers, reactions, other bots, the person's own contact, unknown kinds
KINDS = ("message", "edit", "callback", "group", "blocked", "ignored")


@dataclass(frozen=True)
class Media:
    """A file still at Telegram: what it is, its id, and the content type to store it under."""

    kind: str  # photo, voice, video_note, video, audio, document
    file_id: str
    content_type: str


@dataclass(frozen=True)
class TelegramEvent:
    """One update as the conversation sees it."""

    update_id: int
    kind: str = "ignored"
    user_id: int | None = None
    chat_id: int | None = None
    text: str | None = None
    callback_data: str | None = None
    callback_id: str | None = None
    language_code: str | None = None
    media: Media | None = None
    location: tuple[float, float] | None = None
    message_id: int | None = None

    @property
    def from_person(self) -> bool:
        """Whether a person wrote or pressed something in a private chat with the bot."""
        return (
            self.kind in ("message", "edit", "callback")
            and self.user_id is not None
            and self.chat_id is not None
        )
