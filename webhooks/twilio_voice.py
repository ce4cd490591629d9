"""The voice IVR: keypad only (1 Albanian, 2 English), then record, listen or reach an operator.

Every step is a signed POST. Albanian speech recognition is not relied on; prompts are <Say>
unless a recorded prompt exists in locales/voice/<lang>/<name>.mp3, which is then played.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request, send_from_directory, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from alerts.queue import Job
from bot.info_content import TOPICS
from bot.voice_intake import call_started, recording_finished
from locales.i18n import LOCALE_DIR, normalise_language
from locales.i18n import gettext as _t
from models.untrusted import is_ascii_digits, parse_id
from webhooks.security import twilio_signed
from webhooks.spooling import Spooled, take_or_spool
from webhooks.twilio_sms import twiml

bp = Blueprint("twilio_voice", __name__)

VOICES = {"en": "en-GB", "sq": None}


def _say(target: VoiceResponse | Gather, lang: str, name: str, text: str) -> None:
    recorded = LOCALE_DIR / "voice" / lang / f"{name}.mp3"
    if recorded.exists():
        base = current_app.config["PUBLIC_BASE_URL"]
        target.play(base + url_for("twilio_voice.prompt", lang=lang, name=name))
    elif VOICES[lang]:
        target.say(text, language=VOICES[lang])
    else:
        target.say(text)


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


@bp.get("/voice-prompts/<lang>/<name>.mp3")
def prompt(lang: str, name: str) -> Response:
    """Serve a recorded prompt."""
    return send_from_directory(LOCALE_DIR / "voice" / normalise_language(lang), f"{name}.mp3")


@bp.post("/webhooks/twilio/voice")
@twilio_signed
def answer() -> Response:
    """Answer a call: count it, then ask for the language."""
    _count_call()
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=_url("twilio_voice.language"), method="POST", timeout=8)
    # Both languages, before the caller has chosen one.
    gather.say(_t("sq", "For Albanian, press 1."))
    gather.say(_t("en", "For English, press 2."), language="en-GB")
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
    _say(
        gather,
        lang,
        "menu",
        _t(
            lang,
            "To leave a message, press 1. To hear information, "
            "press 2. To speak with an operator, press 3.",
        ),
    )
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
        _say(response, lang, "connecting", _t(lang, "Connecting you to an operator."))
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
        _say(
            response,
            lang,
            "no_operator",
            _t(lang, "No operator is free now. Please leave a message."),
        )
    _say(
        response,
        lang,
        "record",
        _t(lang, "Speak after the tone. Press the hash key when you have finished."),
    )
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
        _say(
            gather,
            lang,
            f"info_{topic.key}_choice",
            _t(lang, "%(title)s: press %(digit)s.", title=_t(lang, topic.title), digit=number),
        )
    _say(gather, lang, "info_back", _t(lang, "To go back to the main menu, press 0."))
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
        _say(response, lang, f"info_{topic.key}", _t(lang, topic.body))
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
        _say(response, lang, "thanks_later", _t(lang, "Thank you. Your message has been received."))
        response.hangup()
        return twiml(response)
    if receipt.attachment_id is not None:
        ctx.queue.enqueue(Job.FETCH_ATTACHMENT, receipt.attachment_id)
    text = _t(
        lang,
        "Thank you. Your message has been received. Your code is: %(code)s. Again: %(code)s.",
        code=_spell(receipt.reference),
    )
    _say(response, lang, "thanks", text)
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
    response.say(
        _t("sq", "Raporto. Please leave your message after the tone and press the hash key.")
    )
    response.say(
        _t("en", "Raporto. Please leave your message after the tone and press the hash key."),
        language="en-GB",
    )
    _record(response, _url("twilio_voice.fallback", lang=lang))
    return twiml(response)
