"""The voice IVR: keypad only (1 Albanian, 2 English), then record, listen or reach an operator.

Every step is a signed POST. Albanian speech recognition is not relied on. Albanian prompts are
<Play>ed from locales/voice/sq/ (webhooks/voice_prompts.py names them; Twilio has no Albanian
voice), English ones are <Say> with an English voice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, send_from_directory, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from alerts.queue import Job
from bot.info_content import TOPICS
from bot.voice_intake import call_started, recording_finished
from locales.i18n import gettext as _t
from locales.i18n import normalise_language
from models.untrusted import is_ascii_digits, parse_id
from webhooks.security import twilio_signed
from webhooks.spooling import Spooled, take_or_spool
from webhooks.twilio_sms import twiml
from webhooks.voice_play import say, speak, speak_all
from webhooks.voice_prompts import (
    CONNECTING,
    FALLBACK,
    GREETING,
    GREETING_EN,
    INFO_BACK,
    INFO_CHOICE,
    MENU,
    NO_OPERATOR,
    RECORD,
    THANKS,
    THANKS_LATER,
    VOICE_DIR,
    info_body_name,
    info_choice_name,
    playable,
    thanks_sequence,
)

bp = Blueprint("twilio_voice", __name__)
AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}


def _url(endpoint: str, **params: Any) -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]) + url_for(endpoint, **params)


def _lang() -> str:
    return normalise_language(request.args.get("lang"))


def _record(response: VoiceResponse, action: str) -> None:
    """Record the caller's report (up to the configured length, # ends it) and post it to action."""
    response.record(
        action=action,
        method="POST",
        max_length=current_app.config["MAX_RECORDING_SECONDS"],
        finish_on_key="#",
        play_beep=True,
        trim="trim-silence",
    )


def _spell(reference: str) -> str:
    # Read the code one character at a time so it can be written down.
    return ", ".join(c for c in reference if c != "-")


@bp.get("/voice-prompts/<lang>/<filename>")
def prompt(lang: str, filename: str) -> Response:
    """Serve a prompt's audio (only files the folder's manifest lists)."""
    lang = normalise_language(lang)
    if filename not in {file for file, _ in playable(lang).values()}:
        abort(404)
    kind = AUDIO_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")
    return send_from_directory(VOICE_DIR / lang, filename, mimetype=kind, max_age=86400)


@bp.post("/webhooks/twilio/voice")
@twilio_signed
def answer() -> Response:
    """Answer a call: count it, then ask for the language."""
    _count_call()
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=_url("twilio_voice.language"), method="POST", timeout=8)
    # Both languages, before the caller has chosen one.
    speak(gather, "sq", "greeting", _t("sq", GREETING))
    say(gather, "en", _t("en", GREETING_EN))
    response.append(gather)
    response.redirect(_url("twilio_voice.menu", lang="sq"), method="POST")
    return twiml(response)


@bp.post("/webhooks/twilio/voice/language")
@twilio_signed
def language() -> Response:
    """Take the language digit."""
    lang = "en" if request.form.get("Digits") == "2" else "sq"
    response = VoiceResponse()
    response.redirect(_url("twilio_voice.menu", lang=lang), method="POST")
    return twiml(response)


@bp.post("/webhooks/twilio/voice/menu")
@twilio_signed
def menu() -> Response:
    """Offer the three choices."""
    lang = _lang()
    response = VoiceResponse()
    gather = Gather(
        num_digits=1, action=_url("twilio_voice.choice", lang=lang), method="POST", timeout=8
    )
    speak(gather, lang, "menu", _t(lang, MENU))
    response.append(gather)
    response.redirect(_url("twilio_voice.menu", lang=lang), method="POST")
    return twiml(response)


@bp.post("/webhooks/twilio/voice/choice")
@twilio_signed
def choice() -> Response:
    """Act on the menu digit."""
    lang, digit = _lang(), request.form.get("Digits", "")
    response = VoiceResponse()
    numbers = current_app.config["HOTLINE_OPERATOR_NUMBERS"]
    if digit == "3" and numbers:
        speak(response, lang, "connecting", _t(lang, CONNECTING))
        dial = response.dial(timeout=30, answer_on_bridge=True)
        for number in numbers:  # ring-all: the first operator to answer takes the call
            dial.number(number)
        return twiml(response)
    if digit == "2":
        response.redirect(_url("twilio_voice.info_menu", lang=lang), method="POST")
        return twiml(response)
    if digit not in {"1", "3"}:
        response.redirect(_url("twilio_voice.menu", lang=lang), method="POST")
        return twiml(response)
    if digit == "3":
        speak(response, lang, "no_operator", _t(lang, NO_OPERATOR))
    speak(response, lang, "record", _t(lang, RECORD))
    _record(response, _url("twilio_voice.recorded", lang=lang))
    return twiml(response)


@bp.post("/webhooks/twilio/voice/info")
@twilio_signed
def info_menu() -> Response:
    """The information branch: one digit per topic (as on Telegram and SMS), 0 back."""
    lang = _lang()
    response = VoiceResponse()
    gather = Gather(
        num_digits=1, action=_url("twilio_voice.info_topic", lang=lang), method="POST", timeout=8
    )
    for number, topic in enumerate(TOPICS, 1):
        text = _t(lang, INFO_CHOICE, title=_t(lang, topic.title), digit=number)
        speak(gather, lang, info_choice_name(topic.key), text)
    speak(gather, lang, "info_back", _t(lang, INFO_BACK))
    response.append(gather)
    response.redirect(_url("twilio_voice.menu", lang=lang), method="POST")
    return twiml(response)


@bp.post("/webhooks/twilio/voice/info/topic")
@twilio_signed
def info_topic() -> Response:
    """Play the topic of a digit, then offer the topics again."""
    lang, digit = _lang(), request.form.get("Digits", "")
    response = VoiceResponse()
    if is_ascii_digits(digit, 1) and 1 <= int(digit) <= len(TOPICS):
        topic = TOPICS[int(digit) - 1]
        speak(response, lang, info_body_name(topic.key), _t(lang, topic.body))
        response.redirect(_url("twilio_voice.info_menu", lang=lang), method="POST")
    else:
        response.redirect(_url("twilio_voice.menu", lang=lang), method="POST")
    return twiml(response)


@bp.post("/webhooks/twilio/voice/recorded")
@twilio_signed
def recorded() -> Response | tuple[str, int]:
    """Store a finished recording as a tip and read the reference code back."""
    lang, form = _lang(), request.form
    recording_sid, call_sid = form.get("RecordingSid", ""), form.get("CallSid", "")
    if not recording_sid or not call_sid:
        return "RecordingSid and CallSid are required", 400
    return _store_recording(lang, recording_sid, call_sid)


def _count_call() -> None:
    """Count an inbound call once (spooled while the database is down)."""
    call_sid, sender = request.form.get("CallSid", ""), request.form.get("From", "")
    if call_sid and sender:
        ctx = current_app.extensions["raporto.intake"]
        take_or_spool(
            lambda: call_started(ctx, call_sid=call_sid, sender=sender),
            channel="voice",
            kind="call",
            event_id=call_sid,
            payload={"from": sender},
        )


def _store_recording(lang: str, recording_sid: str, call_sid: str) -> Response:
    """Store a recording as a tip (or spool it) and thank the caller, with the code if known."""
    form = request.form
    sender, seconds = form.get("From", ""), parse_id(form.get("RecordingDuration")) or 0
    ctx = current_app.extensions["raporto.intake"]
    receipt = take_or_spool(
        lambda: recording_finished(
            ctx,
            call_sid=call_sid,
            recording_sid=recording_sid,
            sender=sender,
            seconds=seconds,
            lang=lang,
        ),
        channel="voice",
        kind="recording",
        event_id=recording_sid,
        payload={"call_sid": call_sid, "from": sender, "seconds": seconds, "lang": lang},
    )
    response = VoiceResponse()
    if isinstance(receipt, Spooled):
        # The recording is safe at Twilio and its reference in the spool; the code is made
        # when it is stored, after this call has ended.
        speak(response, lang, "thanks_later", _t(lang, THANKS_LATER))
        response.hangup()
        return twiml(response)
    if receipt.attachment_id is not None:
        ctx.queue.enqueue(Job.FETCH_ATTACHMENT, receipt.attachment_id)
    text = _t(lang, THANKS, code=_spell(receipt.reference))
    speak_all(response, lang, thanks_sequence(lang, receipt.reference), text)
    response.hangup()
    return twiml(response)


@bp.post("/webhooks/twilio/fallback/voice")
@twilio_signed
def fallback() -> Response:
    """Twilio's voice fallback URL: a short flow that needs no database to take a report.

    Twilio calls it once when a step of the call failed on the primary host. A finished
    recording is stored or spooled; anything else goes straight to recording, in both languages.
    """
    lang = _lang()
    recording_sid, call_sid = request.form.get("RecordingSid", ""), request.form.get("CallSid", "")
    if recording_sid and call_sid:
        return _store_recording(lang, recording_sid, call_sid)
    _count_call()
    response = VoiceResponse()
    speak(response, "sq", "fallback", _t("sq", FALLBACK))
    say(response, "en", _t("en", FALLBACK))
    _record(response, _url("twilio_voice.fallback", lang=lang))
    return twiml(response)
