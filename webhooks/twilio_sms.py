"""POST /webhooks/twilio/sms (and its fallback): a signed inbound SMS, answered with TwiML.

The answer follows the commit; with the database down, the SMS is spooled and answered with a
neutral receipt, and the reply it would have had follows as an SMS once it is stored.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from alerts.content import fold
from bot.language import guess_language
from bot.sms_flow import handle_sms, keyword
from locales.i18n import gettext as _t
from webhooks.security import twilio_signed
from webhooks.spooling import Spooled, take_or_spool

bp = Blueprint("twilio_sms", __name__)


def twiml(response: object) -> Response:
    """Serve TwiML."""
    return Response(str(response), mimetype="application/xml")


@bp.post("/webhooks/twilio/sms")
@bp.post("/webhooks/twilio/fallback/sms")
@twilio_signed
def inbound_sms() -> Response | tuple[str, int]:
    """Take one inbound SMS."""
    form = request.form
    message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From", "")
    if not message_sid or not sender:
        return "MessageSid and From are required", 400
    body = form.get("Body", "")
    ctx = current_app.extensions["raporto.intake"]
    reply = take_or_spool(
        lambda: handle_sms(ctx, message_sid=message_sid, sender=sender, body=body),
        channel="sms",
        kind="sms",
        event_id=message_sid,
        payload={"from": sender, "body": body},
    )
    response = MessagingResponse()
    if isinstance(reply, Spooled):
        reply = spooled_reply(body)
    if reply:
        response.message(reply)
    return twiml(response)


def spooled_reply(body: str, *, fold_text: bool = True) -> str | None:
    """The neutral answer to a message kept in the spool; its reference code follows later."""
    if keyword(body) == "stop":
        return None  # nothing more to a number that said STOP
    lang = guess_language(body.strip())
    text = _t(lang, "Received. Your reference code will follow in a few minutes.")
    # SMS is folded to GSM-7 (one segment, no ë/ç surprises); WhatsApp keeps its letters.
    return fold(text) if fold_text else text
