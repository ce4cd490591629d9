"""POST /webhooks/twilio/sms: a signed inbound SMS, answered with TwiML after the commit."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.sms_flow import handle_sms
from webhooks.security import twilio_signed

bp = Blueprint("twilio_sms", __name__)


def twiml(response: object) -> Response:
    """Serve TwiML."""
    return Response(str(response), mimetype="application/xml")


@bp.post("/webhooks/twilio/sms")
@twilio_signed
def inbound_sms() -> Response | tuple[str, int]:
    """Take one inbound SMS."""
    form = request.form
    message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From", "")
    if not message_sid or not sender:
        return "MessageSid and From are required", 400
    reply = handle_sms(
        current_app.extensions["raporto.intake"],
        message_sid=message_sid,
        sender=sender,
        body=form.get("Body", ""),
    )
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return twiml(response)
