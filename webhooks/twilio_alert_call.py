"""Alert calls to officials: the message, then keypad 1 acknowledges (signed, like every step).

In Albanian the call is played from audio clips (the band's intro, the reference one character
at a time, "press 1"); in English Twilio says the same text.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from alerts.ack_channels import handle_call_ack
from alerts.content import facts, voice_alert
from alerts.fanout import effective_band
from locales.i18n import gettext as _t
from models.deliveries import Delivery
from models.roster import Official
from models.tables import Tip
from models.untrusted import parse_id
from webhooks.security import twilio_signed
from webhooks.twilio_sms import twiml
from webhooks.voice_play import speak, speak_all
from webhooks.voice_prompts import ACK_CLIPS, ALERT_GOODBYE, alert_sequence

bp = Blueprint("twilio_alert_call", __name__)


def _url(endpoint: str, **params: Any) -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]) + url_for(endpoint, **params)


@bp.post("/webhooks/twilio/alert-call")
@twilio_signed
def alert_call() -> Response:
    """Read the alert to the official and offer the keypad."""
    actx = current_app.extensions["raporto"].alerts
    raw_id, tag = request.args.get("d", ""), request.args.get("t", "")
    response = VoiceResponse()
    with actx.db.transaction() as session:
        delivery_id = parse_id(raw_id)
        delivery = session.get(Delivery, delivery_id) if delivery_id is not None else None
        if (
            delivery is None
            or delivery.tip_id is None
            or not actx.verify(tag, "call", delivery.id, delivery.official_id)
        ):
            response.hangup()
            return twiml(response)
        official = session.get(Official, delivery.official_id)
        tip = session.get(Tip, delivery.tip_id)
        assert official is not None
        assert tip is not None
        lang = official.language
        assessment = actx.vault.decrypt_json(tip.triage_enc) if tip.triage_enc else None
        alert = facts(tip, assessment, lang, None, effective_band(tip))
        text = voice_alert(alert, lang)
    gather = Gather(
        num_digits=1,
        method="POST",
        timeout=10,
        action=_url("twilio_alert_call.alert_call_ack", d=raw_id, t=tag),
    )
    speak_all(gather, lang, alert_sequence(lang, alert.band, alert.reference), text)
    response.append(gather)
    speak(response, lang, "alert_goodbye", _t(lang, ALERT_GOODBYE))
    return twiml(response)


@bp.post("/webhooks/twilio/alert-call/ack")
@twilio_signed
def alert_call_ack() -> Response:
    """Keypad 1 acknowledges."""
    actx = current_app.extensions["raporto"].alerts
    raw_id, tag = request.args.get("d", ""), request.args.get("t", "")
    response = VoiceResponse()
    delivery_id = parse_id(raw_id)
    if request.form.get("Digits") == "1" and delivery_id is not None:
        with actx.db.transaction() as session:
            said = handle_call_ack(session, actx, delivery_id=delivery_id, tag=tag)
        if said is not None:
            lang, text = said
            speak(response, lang, ACK_CLIPS.get(text, ""), _t(lang, text))
    response.hangup()
    return twiml(response)
