"""What the bot says while a report is being written in several messages, and in groups."""

from __future__ import annotations

from bot.replies import Reply
from locales.i18n import gettext as _t


def received(lang: str, tip_id: int) -> Reply:
    """The one reply to the first message of a report: keep writing, or press Send."""
    return Reply(
        _t(
            lang,
            "Received. Add anything else you know (the place, ages, what you saw) or press Send.",
        ),
        (
            (
                (_t(lang, "Send"), f"burst:send:{tip_id}"),
                (_t(lang, "Cancel"), f"burst:cancel:{tip_id}"),
            ),
        ),
    )


def already_sent(lang: str, reference: str) -> Reply:
    """A Send or Cancel pressed after the report went to the officials."""
    return Reply(
        _t(
            lang,
            "This report has already been sent. Reference code: %(reference)s",
            reference=reference,
        )
    )


def private_only() -> Reply:
    """Said once in a group or channel, in both languages, before the bot leaves it."""
    return Reply(
        _t(
            "sq",
            "Reports are private: write to this bot in a private chat, never in a group. "
            "The bot is leaving this chat.",
        )
        + "\n\n"
        + _t(
            "en",
            "Reports are private: write to this bot in a private chat, never in a group. "
            "The bot is leaving this chat.",
        )
    )
