"""The registry of every prompt the voice line and the officials' alert calls speak.

Twilio has no Albanian voice, so Albanian prompts are played from audio files in
locales/voice/sq/ (made by scripts/voice-prompts with espeak-ng, or recorded by a person), listed
in that folder's manifest.json. English keeps Twilio's <Say>. Every clip's text is read through
gettext from the same message ids the webhooks use, so a changed translation makes its audio
stale (tests/test_voice_prompts.py fails until the audio is regenerated).

A message with a spoken code (%(code)s) is cut at the code into clips; the code itself is read
one character at a time from one clip per digit and per letter that references can contain.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alerts import complicity
from alerts.ack_channels import ACKED
from alerts.content import band_name
from bot.info_content import TOPICS
from locales.i18n import LOCALE_DIR, N_, translations
from locales.i18n import gettext as _t
from models.reference import ALPHABET

VOICE_DIR = LOCALE_DIR / "voice"
MANIFEST = "manifest.json"
# Languages played from audio files; the others are spoken by Twilio in this voice.
AUDIO_LANGS = ("sq",)
SAY_VOICE = {"en": "en-GB"}
BANDS = ("critical", "high", "medium", "low")
# The band names' message ids (alerts/content.py band_name translates them).
BAND_IDS = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW"}
RECORDED = "recorded"
ESPEAK = "espeak-ng"
# What the generator runs (part of every generated clip's hash: a change regenerates them all).
ESPEAK_SETTINGS = (
    "espeak-ng -v sq -s 150 -a 100, phone numbers digit by digit; sox 8000 Hz G.711 mu-law WAV"
)

GREETING = N_("For Albanian, press 1.")
GREETING_EN = N_("For English, press 2.")
MENU = N_(
    "To leave a message, press 1. To hear information, press 2. To speak with an operator, press 3."
)
CONNECTING = N_("Connecting you to an operator.")
NO_OPERATOR = N_("No operator is free now. Please leave a message.")
RECORD = N_("Speak after the tone. Press the hash key when you have finished.")
INFO_CHOICE = N_("%(title)s: press %(digit)s.")
INFO_BACK = N_("To go back to the main menu, press 0.")
THANKS_LATER = N_("Thank you. Your message has been received.")
THANKS = N_("Thank you. Your message has been received. Your code is: %(code)s. Again: %(code)s.")
FALLBACK = N_("Raporto. Please leave your message after the tone and press the hash key.")
ALERT = N_("Raporto alert. A %(band)s tip, reference %(code)s. Press 1 to acknowledge.")
ALERT_GOODBYE = N_("No key was pressed. Goodbye.")

# How each character of a reference is read in Albanian: the letters' Albanian names (W is not
# an Albanian letter: "double v"). These are the language's letter names, not wording.
SPOKEN_CHARACTERS = {
    "0": "zero",
    "1": "një",
    "2": "dy",
    "3": "tre",
    "4": "katër",
    "5": "pesë",
    "6": "gjashtë",
    "7": "shtatë",
    "8": "tetë",
    "9": "nëntë",
    "A": "a",
    "C": "cë",
    "D": "dë",
    "E": "e",
    "F": "fë",
    "H": "hë",
    "J": "jë",
    "K": "kë",
    "M": "më",
    "N": "në",
    "P": "pë",
    "R": "rë",
    "T": "të",
    "W": "vë e dyfishtë",
    "X": "xë",
    "Y": "y",
}
CHARACTERS = "0123456789" + "".join(sorted(c for c in ALPHABET if c.isalpha()))


@dataclass(frozen=True)
class Clip:
    """One audio prompt: its file name stem, the message id it comes from and what it says."""

    name: str
    msgid: str | None
    text: str
    # False while the catalogue has no translation: the text is still English.
    translated: bool = True


def char_name(char: str) -> str:
    """Return the clip name of one character of a reference (digit or letter)."""
    return f"char_{char.upper()}"


def info_choice_name(key: str) -> str:
    """Return the clip name of an information topic's menu line."""
    return f"info_{key}_choice"


def info_body_name(key: str) -> str:
    """Return the clip name of an information topic's text."""
    return f"info_{key}"


ACK_CLIPS = {ACKED: "alert_acked", complicity.REFUSED: "alert_refused"}
SIMPLE = {
    "greeting": GREETING,
    "menu": MENU,
    "connecting": CONNECTING,
    "no_operator": NO_OPERATOR,
    "record": RECORD,
    "info_back": INFO_BACK,
    "thanks_later": THANKS_LATER,
    "fallback": FALLBACK,
    "alert_goodbye": ALERT_GOODBYE,
    **{name: msgid for msgid, name in ACK_CLIPS.items()},
}


def _tidy(piece: str) -> str:
    # What is left between two codes starts with the punctuation that ended the code (". ").
    piece = re.sub(r"^[\s.,;:!?]+", "", piece).strip()
    return piece if any(c.isalnum() for c in piece) else ""


def _pieces(
    lang: str, base: str, msgid: str, tag: str = "", **params: Any
) -> list[tuple[str, str] | None]:
    """Cut a translated message at its codes: (clip name, text) per piece, None per code.

    A piece that holds one of params is named with tag (one clip per band, say); the others
    are shared.
    """
    template = _t(lang, msgid)  # unfilled: no parameters given
    out: list[tuple[str, str] | None] = []
    for number, piece in enumerate(template.split("%(code)s"), 1):
        if number > 1:
            out.append(None)
        text = _tidy(piece % params if params else piece)
        if text:
            varies = any(f"%({key})" in piece for key in params)
            out.append((f"{base}_{number}" + (f"_{tag}" if varies else ""), text))
    return out


def _alert_pieces(lang: str, band: str) -> list[tuple[str, str] | None]:
    return _pieces(lang, "alert", ALERT, band, band=band_name(lang, band).lower())


def _sequence(pieces: list[tuple[str, str] | None], reference: str) -> list[str]:
    code = [char_name(c) for c in reference if c.isalnum()]
    return [n for p in pieces for n in ([p[0]] if p else code)]


def thanks_sequence(lang: str, reference: str) -> list[str]:
    """Return the clips that thank a caller and read their reference twice."""
    return _sequence(_pieces(lang, "thanks", THANKS), reference)


def alert_sequence(lang: str, band: str, reference: str) -> list[str]:
    """Return the clips of an alert call: the band's intro, the reference, press 1."""
    return _sequence(_alert_pieces(lang, band), reference)


def _has(lang: str, *msgids: str) -> bool:
    """Tell whether the catalogue translates every message id (English is the source)."""
    return lang == "en" or all(translations(lang).gettext(m) != m for m in msgids)


def clips(lang: str) -> list[Clip]:
    """Return every clip the voice line and the alert calls can play in a language."""
    out = [Clip(name, m, _t(lang, m), _has(lang, m)) for name, m in SIMPLE.items()]
    for number, topic in enumerate(TOPICS, 1):
        title = _t(lang, topic.title)
        choice = _t(lang, INFO_CHOICE, title=title, digit=number)
        ok = _has(lang, INFO_CHOICE, topic.title)
        out.append(Clip(info_choice_name(topic.key), INFO_CHOICE, choice, ok))
        body = _t(lang, topic.body)
        out.append(Clip(info_body_name(topic.key), topic.body, body, _has(lang, topic.body)))
    split = [(THANKS, _pieces(lang, "thanks", THANKS), _has(lang, THANKS))]
    split += [
        (ALERT, _alert_pieces(lang, band), _has(lang, ALERT, BAND_IDS[band])) for band in BANDS
    ]
    seen = {c.name for c in out}
    for msgid, pieces, ok in split:
        for piece in pieces:
            if piece and piece[0] not in seen:
                seen.add(piece[0])
                out.append(Clip(piece[0], msgid, piece[1], ok))
    out += [Clip(char_name(c), None, SPOKEN_CHARACTERS[c]) for c in CHARACTERS]
    return out


def text_hash(text: str, source: str) -> str:
    """Return the hash a manifest keeps of a clip's text and the voice that speaks it."""
    voice = RECORDED if source == RECORDED else ESPEAK_SETTINGS
    return hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read a folder's manifest.json (empty when there is none)."""
    path = folder / MANIFEST
    if not path.exists():
        return {"prompts": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def _playable(lang: str, stamp: float) -> dict[str, tuple[str, str]]:
    # stamp: the manifest's modification time, so a regenerated folder is read again.
    folder = VOICE_DIR / lang
    entries = read_manifest(folder)["prompts"]
    return {
        name: (entry["file"], str(entry.get("audio_sha256", ""))[:12])
        for name, entry in entries.items()
        if (folder / entry["file"]).is_file()
    }


def playable(lang: str) -> dict[str, tuple[str, str]]:
    """Return the audio of a language: clip name -> (file name, version for the URL)."""
    if lang not in AUDIO_LANGS:
        return {}
    path = VOICE_DIR / lang / MANIFEST
    return _playable(lang, path.stat().st_mtime) if path.exists() else {}


def missing(lang: str, names: Iterable[str]) -> list[str]:
    """Return the clips of names that have no audio file in a language."""
    have = playable(lang)
    return [n for n in names if n not in have]
