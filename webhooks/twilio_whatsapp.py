"""POST /webhooks/twilio/whatsapp (and its fallback): a signed WhatsApp message, answered in TwiML.

Signed and checked like an SMS (`From` is `whatsapp:+355…`); the conversation is the SMS one
(bot/whatsapp_flow.py). With the database down the message is spooled (webhooks/spooling.py) and
answered with a neutral receipt; its reference code follows on WhatsApp once it is stored.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.whatsapp_flow import handle_whatsapp, media_of
from webhooks.security import twilio_signed
from webhooks.spooling import Spooled, take_or_spool
from webhooks.twilio_sms import spooled_reply, twiml

bp = Blueprint("twilio_whatsapp", __name__)


@bp.post("/webhooks/twilio/whatsapp")
@bp.post("/webhooks/twilio/fallback/whatsapp")
@twilio_signed
def inbound_whatsapp() -> Response | tuple[str, int]:
    """Take one inbound WhatsApp message."""
    form = request.form
    message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From", "")
    if not message_sid or not sender.lower().startswith("whatsapp:"):
        return "MessageSid and a whatsapp: From are required", 400
    ctx = current_app.extensions["raporto.intake"]
    media = media_of(form, ctx.alerts.senders.twilio_account_sid)
    body = form.get("Body", "")
    outcome = take_or_spool(
        lambda: handle_whatsapp(
            ctx, message_sid=message_sid, sender=sender, body=body, media=media
        ),
        channel="whatsapp",
        kind="whatsapp",
        event_id=message_sid,
        # Media by their SIDs only, as intake keeps them; the number rides encrypted in the spool.
        payload={"from": sender, "body": body, "media": [asdict(m) for m in media]},
    )
    reply = spooled_reply(body, fold_text=False) if isinstance(outcome, Spooled) else outcome.reply
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return twiml(response)
