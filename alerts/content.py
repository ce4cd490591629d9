"""What an alert says, per channel and in the official's language.

Content is configurable: "full" includes the tip's text, "summary" the band, the signs that fired
and the place, "link" only the reference and a console link. SMS is folded to ASCII (GSM-7) and
kept within two segments; nothing here ever includes the reporter's identity, which Raporto
does not have.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from babel.dates import format_time, get_timezone

from locales.i18n import N_
from locales.i18n import gettext as _t
from models import sources
from models.tables import Tip
from triage.catalogue import load as load_catalogue
from triage.places import display_name
from triage.wording import sentence

TIRANA = get_timezone("Europe/Tirane")
SMS_LIMIT = 306  # two concatenated GSM-7 segments of 153 characters
BAND_MARK = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "⚪"}
# How the alert's first line says where a tip came from: "(on Telegram, 01:03)".
CHANNEL_PHRASES = {
    "telegram": N_("on Telegram"),
    "sms": N_("by SMS"),
    "voice": N_("by phone call"),
    "hotline": N_("from the 116 006 hotline"),
}


def band_name(lang: str, band: str) -> str:
    """Return the band's name in a language."""
    names = {
        "critical": _t(lang, "CRITICAL"),
        "high": _t(lang, "HIGH"),
        "medium": _t(lang, "MEDIUM"),
        "low": _t(lang, "LOW"),
    }
    return names.get(band, band.upper())


def channel_phrase(lang: str, channel: str) -> str:
    """Where a tip came from, in the reader's words ("by phone call", not "voice")."""
    phrase = CHANNEL_PHRASES.get(channel)
    return _t(lang, phrase) if phrase else channel


def fold(text: str) -> str:
    """Fold to ASCII so an SMS stays in GSM-7 (ë→e, ç→c, emoji dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if ord(c) < 128)


@dataclass(frozen=True)
class AlertFacts:
    """What an alert may show about a tip."""

    reference: str
    band: str
    channel: str
    received: str
    signs: tuple[str, ...]
    places: tuple[str, ...]
    minor: bool
    urgent: bool
    text: str | None
    # Minutes a tip waited in the spool while the database was down (bot/spool_replay.py).
    late_minutes: int | None = None
    # References of earlier tips linked to this one (the same number, plate, handle...).
    linked: tuple[str, ...] = ()


def facts(
    tip: Tip,
    assessment: dict[str, Any] | None,
    lang: str,
    text: str | None,
    band: str,
    linked: tuple[str, ...] = (),
) -> AlertFacts:
    """Collect the facts of a tip for an alert in one language."""
    catalogue = load_catalogue()
    signs: list[str] = []
    for hit in (assessment or {}).get("indicators", []):
        indicator = catalogue.index.get(hit["id"])
        if indicator is not None and indicator.sign and indicator.weight > 0:
            description = sentence(indicator.description.get(lang) or indicator.description["en"])
            if description not in signs:
                signs.append(description)
    # Older assessments have only the Albanian name; English readers get the English one.
    names = (
        display_name(p["name"], lang, p.get("name_en"))
        for p in (assessment or {}).get("places", [])
    )
    places = tuple(dict.fromkeys(names))
    return AlertFacts(
        reference=tip.reference,
        band=band,
        channel=tip.channel,
        received=format_time(tip.received_at, "HH:mm", tzinfo=TIRANA, locale=lang),
        signs=tuple(signs[:5]),
        places=places[:3],
        minor=bool(tip.minor),
        urgent=bool(tip.urgent),
        text=readable(text, lang),
        late_minutes=late_minutes(tip),
        linked=linked,
    )


def late_minutes(tip: Tip) -> int | None:
    """How many minutes late a spooled tip was stored, or None for a tip stored on arrival."""
    answers = tip.answers or {}
    if not answers.get("spooled"):
        return None
    return max(1, round(int(answers.get("stored_late_seconds", 0)) / 60))


# What officials read in place of a source mark (models.sources), in their language.
SOURCE_LABELS = {
    "same": N_("Added with the reference code by the same reporter"),
    "other": N_("Added with the reference code by another sender, not the reporter"),
}


def readable(text: str | None, lang: str) -> str | None:
    """A tip's stored text for a plain-text message: who added each part, in the reader's words."""
    if text is None:
        return None
    return sources.plain(text, {key: _t(lang, label) for key, label in SOURCE_LABELS.items()})


def telegram_alert(f: AlertFacts, lang: str, content: str, console_url: str) -> str:
    """The Telegram alert text."""
    lines = [
        f"{BAND_MARK.get(f.band, '')} "
        + _t(
            lang,
            "%(band)s tip %(reference)s (%(channel)s, %(time)s)",
            band=band_name(lang, f.band),
            reference=f.reference,
            channel=channel_phrase(lang, f.channel),
            time=f.received,
        )
    ]
    if f.late_minutes is not None:
        lines.append(
            _t(
                lang,
                "⏳ Received at %(time)s but stored %(minutes)s min late: "
                "the database was unavailable.",
                time=f.received,
                minutes=f.late_minutes,
            )
        )
    if content != "link":
        if f.minor:
            lines.append(_t(lang, "A child may be involved."))
        if f.urgent:
            lines.append(_t(lang, "Someone may be in danger now."))
        if f.signs:
            # One sign a line: the descriptions are sentences and read badly run together.
            lines.append(_t(lang, "Signs:"))
            lines.extend(f"• {sign}" for sign in f.signs)
        if len(f.places) == 1:
            lines.append(_t(lang, "Place: %(places)s", places=f.places[0]))
        elif f.places:
            lines.append(_t(lang, "Places: %(places)s", places=", ".join(f.places)))
    if f.linked:
        lines.append("🔗 " + linked_line(lang, f.linked))
    if content == "full" and f.text:
        lines.append("")
        lines.append(f.text[:3000])
    lines.append(_t(lang, "Console: %(url)s", url=f"{console_url}/console/tips/{f.reference}"))
    return "\n".join(lines)


def sms_alert(f: AlertFacts, lang: str, content: str, ack_code: str) -> str:
    """The SMS alert: ASCII, at most two segments, with the reference and the ack code."""
    tail = fold(" " + _t(lang, "Reply OK %(code)s to acknowledge.", code=ack_code))
    head = "Raporto " + band_name(lang, f.band) + " " + f.reference + ":"
    if f.late_minutes is not None:
        head += " " + _t(lang, "(%(minutes)s min late)", minutes=f.late_minutes)
    parts: list[str] = []
    if content != "link":
        # The place before the signs: when two segments cannot hold everything, signs go first.
        if f.minor:
            parts.append(_t(lang, "child"))
        if f.places:
            parts.append(", ".join(f.places))
    if f.linked:
        parts.append(linked_line(lang, f.linked, shown=1))
    if content != "link":
        parts += list(f.signs)
    room = SMS_LIMIT - len(tail)
    body = fold(head + " " + "; ".join(parts)).strip()
    # Whole signs are left out from the last, marked "...", before any word is cut.
    while len(body) > room and len(parts) > 1:
        parts.pop()
        body = fold(head + " " + "; ".join(parts)).strip() + "; ..."
    if len(body) > room:
        body = body[: room - 3].rstrip() + "..."
    return body + tail


def linked_line(lang: str, references: tuple[str, ...], shown: int = 3) -> str:
    """ "Linked to 3 earlier reports: K7P-3XA, …" (references only, never what links them)."""
    listed = ", ".join(references[:shown]) + (", …" if len(references) > shown else "")
    return _t(
        lang,
        "Linked to %(count)s earlier reports: %(references)s",
        count=len(references),
        references=listed,
    )


def voice_alert(f: AlertFacts, lang: str) -> str:
    """What an alert call says before asking for the keypad."""
    spelled = ", ".join(c for c in f.reference if c != "-")
    return _t(
        lang,
        "Raporto alert. A %(band)s tip, reference %(code)s. Press 1 to acknowledge.",
        band=band_name(lang, f.band).lower(),
        code=spelled,
    )


def acknowledged_line(lang: str, name: str, agency: str, when: str) -> str:
    """The line added to every official's alert once someone acknowledges."""
    return _t(
        lang,
        "✅ Acknowledged by %(name)s (%(agency)s) at %(time)s",
        name=name,
        agency=agency,
        time=when,
    )
