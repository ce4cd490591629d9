"""The words sent by SMS: short, ASCII-folded (one GSM-7 alphabet), neutral on a lock screen.

A reply to a keyword, a menu number, a code or a report; `bot/sms_flow.py` decides which.
WhatsApp gets the same words with their letters (`channel` "whatsapp": not folded).
"""

from __future__ import annotations

from alerts.content import fold
from bot import services_directory as directory
from bot.info_content import TOPICS
from bot.replies import emergency_line, status_line
from locales.i18n import gettext as _t

SMS_SEGMENT_CHARS = 153  # GSM-7 characters per segment of a multi-part SMS
SMS_CHOICES = tuple(str(n) for n in range(1, len(TOPICS) + 2))  # the topics, then services


def fit(text: str, channel: str = "sms") -> str:
    """Fold a text to the SMS alphabet; WhatsApp keeps ë and ç."""
    return fold(text) if channel == "sms" else text


def sms_received(lang: str, reference: str) -> str:
    """Return the neutral SMS acknowledgement (no word that would endanger the reader)."""
    return _t(lang, "Message received. Code: %(reference)s. Thank you.", reference=reference)


def sms_added(lang: str, reference: str) -> str:
    """Return the neutral SMS reply to a follow-up."""
    return _t(lang, "Added to %(reference)s. Thank you.", reference=reference)


def sms_help(lang: str, channel: str = "sms") -> str:
    """Return the SMS help text."""
    return fit(_t(lang, "Free line 116 006. Emergency: 112 or 129. Reply STOP to stop messages."))


def sms_stopped(lang: str) -> str:
    """Confirm STOP; the last message this number receives."""
    return _t(lang, "You will receive no more messages from this number.")


def sms_language(lang: str, channel: str = "sms") -> str:
    """Confirm SQ or EN by SMS without a list: a phone's preview shows no subject at all."""
    return fit(
        _t(lang, "Language: English. Send MENU for the list.")
        + " "
        + emergency_line(lang).replace(" · ", ". ")
        + ".",
        channel,
    )


def sms_menu(lang: str, channel: str = "sms") -> str:
    """Return the numbered SMS menu, folded to ASCII."""
    lines = [f"{n}. {_t(lang, t.sms_label)}" for n, t in enumerate(TOPICS, 1)]
    services = _t(lang, "Services")
    lines.append(f"{len(TOPICS) + 1}. {services}")
    head = _t(lang, "Reply with a number:")
    tail = _t(lang, "EN for English, SQ in Albanian. STOP to end messages.")
    emergency = emergency_line(lang).replace(" · ", ". ")
    return fit("\n".join((head, *lines, emergency + ". " + tail)), channel)


def sms_choice(
    lang: str, choice: str, changes: directory.Updates | None = None, channel: str = "sms"
) -> str:
    """Return the SMS text of a menu number (a topic, or the national services), folded.

    The services text names the fixed numbers, then national entries ONAC confirmed (an SMS
    has no room to say that an entry is not confirmed, so those are left to 116 006).
    """
    index = int(choice) - 1
    if index < len(TOPICS):
        return fit(_t(lang, TOPICS[index].sms), channel)
    fixed = _t(lang, "Free line 116 006. Emergency: 112 or 129.")
    confirmed = [
        f"{e['name'].get(lang) or e['name']['sq']}: {e['phone']}."
        for e in directory.services_for(None, changes)
        if directory.confirmed(e) and e.get("phone") and e["phone"] not in fixed
    ]
    tail = _t(lang, "Shelters and legal aid: ask 116 006. MENU for the list.")
    return fit(" ".join((fixed, *confirmed, tail)), channel)


def sms_status(lang: str, reference: str, state: str, channel: str = "sms") -> str:
    """Tell a reporter by SMS where their report stands, in the plain alphabet."""
    return fit(status_line(lang, reference, state), channel)
