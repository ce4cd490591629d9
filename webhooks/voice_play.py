"""Speaking a prompt in TwiML: <Play> of its audio in Albanian, <Say> with an English voice."""

from __future__ import annotations

import logging

from flask import current_app, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from webhooks.voice_prompts import SAY_VOICE, playable

log = logging.getLogger(__name__)


def prompt_url(lang: str, name: str) -> str | None:
    """Return the public URL of a clip's audio, or None when the language has none for it."""
    found = playable(lang).get(name)
    if found is None:
        return None
    filename, version = found
    # The version changes with the audio, so Twilio's cache never plays an old file.
    path = url_for("twilio_voice.prompt", lang=lang, filename=filename, v=version or None)
    return str(current_app.config["PUBLIC_BASE_URL"]) + path


def say(target: VoiceResponse | Gather, lang: str, text: str) -> None:
    """Speak a text with Twilio's voice for the language (its default voice when it has none)."""
    voice = SAY_VOICE.get(lang)
    if voice:
        target.say(text, language=voice)
    else:
        target.say(text)


def speak(target: VoiceResponse | Gather, lang: str, name: str, text: str) -> None:
    """Play a clip when the language has its audio, else say its text."""
    speak_all(target, lang, [name], text)


def speak_all(target: VoiceResponse | Gather, lang: str, names: list[str], text: str) -> None:
    """Play clips one after the other, or say the whole text when any of them has no audio."""
    urls = [prompt_url(lang, name) for name in names]
    if urls and all(urls):
        for url in urls:
            target.play(url)
        return
    if playable(lang):
        # A language with audio lacks a clip: Twilio's default voice reads it badly but reads it.
        log.warning(
            "voice prompt audio missing: %s", [n for n, u in zip(names, urls, strict=True) if not u]
        )
    say(target, lang, text)
