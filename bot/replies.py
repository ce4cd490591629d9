"""The words the bot says, in Albanian and English, and the buttons under them.

A reply is plain data (text plus rows of (label, callback) buttons); adapters turn it into a
Telegram message, TwiML or speech. Wording is neutral on purpose: a phone may be read by the
person the reporter fears, so nothing says "trafficking" or "police report" unprompted. The
screens of the companion flows (information, services, the job-offer check) are in
bot/companion_replies.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from locales.i18n import gettext as _t

Button = tuple[str, str]


@dataclass(frozen=True)
class Reply:
    """One message to a reporter."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON form stored (encrypted) in the outbox."""
        return {
            "text": self.text,
            "buttons": [list(map(list, row)) for row in self.buttons],
            **self.extra,
        }


def language_picker() -> Reply:
    """Ask for the language in both languages at once."""
    return Reply(
        # Shown before the language is known: both languages at once.
        _t("sq", "Choose your language") + " / " + _t("en", "Choose your language"),
        ((("Shqip", "lang:sq"), ("English", "lang:en")),),
    )


def emergency_line(lang: str) -> str:
    """Return the emergency numbers, shown on every menu."""
    # 112 is the emergency number, 129 the State Police: either answers someone in danger.
    return _t(lang, "Emergency: 112 or 129 · Free line 116 006")


def nav(lang: str, back: str = "menu:home") -> tuple[Button, ...]:
    """The Back and Main menu buttons under every screen."""
    return ((_t(lang, "Back"), back), (_t(lang, "Main menu"), "menu:home"))


def main_menu(lang: str) -> Reply:
    """Return the main menu."""
    text = _t(lang, "How can we help?") + "\n" + emergency_line(lang)
    return Reply(
        text,
        (
            ((_t(lang, "Report something"), "menu:report"),),
            ((_t(lang, "Information"), "menu:info"),),
            ((_t(lang, "Services near me"), "svc:menu"),),
            ((_t(lang, "Check a job offer"), "job:start"),),
            ((_t(lang, "Language"), "menu:lang"),),
            ((_t(lang, "Clear this chat"), "clear"),),
        ),
    )


def cleared_text(lang: str) -> str:
    """The note shown (briefly, as a button answer) after clearing the chat."""
    return _t(lang, "Chat cleared. Messages older than 48 hours cannot be deleted by the bot.")


def ask_what(lang: str) -> Reply:
    """Ask what happened."""
    return Reply(
        _t(lang, "Tell us what happened, in your own words. You do not need to give your name."),
        (((_t(lang, "Cancel"), "cancel"),),),
    )


def ask_where(lang: str) -> Reply:
    """Ask where it happened."""
    return Reply(
        _t(
            lang,
            "Where did it happen? Write the town or place, or send a location (📎 → Location). "
            "A location you send stays in this chat until you clear it.",
        ),
        (((_t(lang, "Skip"), "skip"), (_t(lang, "Cancel"), "cancel")),),
    )


def _yes_no(lang: str, question: str) -> Reply:
    return Reply(
        question,
        (
            ((_t(lang, "Yes"), "ans:yes"), (_t(lang, "No"), "ans:no")),
            ((_t(lang, "I don't know"), "ans:unknown"),),
        ),
    )


def ask_minor(lang: str) -> Reply:
    """Ask whether a child is involved."""
    return _yes_no(lang, _t(lang, "Is anyone involved under 18 years old?"))


def ask_danger(lang: str) -> Reply:
    """Ask about immediate danger."""
    return _yes_no(lang, _t(lang, "Is anyone in danger right now?"))


def ask_media(lang: str) -> Reply:
    """Offer to add a photo, voice note or location."""
    return Reply(
        _t(
            lang,
            "You can add a photo, a voice message or a location. Send it now, or press Continue.",
        ),
        (((_t(lang, "Continue"), "media:done"),),),
    )


def media_received(lang: str) -> Reply:
    """Confirm an attachment."""
    return Reply(
        _t(lang, "Received. Send more, or press Continue."),
        (((_t(lang, "Continue"), "media:done"),),),
    )


def media_too_large(lang: str) -> Reply:
    """Refuse an attachment above the size cap."""
    return Reply(
        _t(lang, "This file is too large. Please send a smaller one."),
        (((_t(lang, "Continue"), "media:done"),),),
    )


def confirm(lang: str) -> Reply:
    """Ask for the final confirmation."""
    return Reply(
        _t(lang, "Send this report now?"),
        (((_t(lang, "Send"), "confirm:send"), (_t(lang, "Cancel"), "cancel")),),
    )


def added(lang: str) -> Reply:
    """Confirm that free text was added to the report in progress."""
    return Reply(_t(lang, "Added to your report."))


def thanks(lang: str, reference: str, sms_number: str) -> Reply:
    """Thank the reporter and give the reference code, the SMS way in and what happens next."""
    # The SMS number is a second way in when the chat is unsafe or the account is lost.
    text = _t(
        lang,
        "Thank you. Your report has been received. Reference code: %(reference)s\n"
        "Keep this code: write it here, or by SMS to %(number)s, to add information or to ask "
        "about your report. Trained officials read every report and decide what to do. "
        "If someone is in danger now, call 112 or 129.",
        reference=reference,
        number=sms_number,
    )
    return Reply(text, (((_t(lang, "Back to menu"), "menu:home"),),))


def follow_up_added(lang: str, reference: str) -> Reply:
    """Confirm that information was added to an earlier report."""
    return Reply(_t(lang, "Thank you. We added this to %(reference)s.", reference=reference))


def cancelled(lang: str) -> Reply:
    """Confirm that nothing was sent."""
    return Reply(
        _t(lang, "Cancelled. Nothing was sent."), (((_t(lang, "Back to menu"), "menu:home"),),)
    )


def status_line(lang: str, reference: str, state: str) -> str:
    """One line on where a report stands: received, being handled or closed, and nothing more."""
    return {
        # Never who has it: the phone may be read by the person the reporter fears.
        "received": _t(lang, "%(reference)s: received, waiting.", reference=reference),
        "handled": _t(lang, "%(reference)s: received, being handled.", reference=reference),
        "closed": _t(lang, "%(reference)s: closed. Thank you.", reference=reference),
    }[state]


def status(lang: str, reference: str, state: str) -> Reply:
    """Tell a reporter where their report stands (never any detail of what was done)."""
    return Reply(status_line(lang, reference, state), (((_t(lang, "Back to menu"), "menu:home"),),))
