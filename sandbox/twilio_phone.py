"""The citizen's phone played by the sandbox, and inbound SMS to the app.

Owns `Phone`: the configuration and signing options of one control request, the
signed webhook POST, URL resolution, and the inbound SMS flow (build Twilio's form,
sign, POST, run the TwiML answer and its <Redirect>s, log each <Message> reply). As
at Twilio, the inbound SMS and each reply are kept as Message records until deleted.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from sandbox.signature import post_form
from sandbox.state import SandboxState
from sandbox.twilio_resources import message_json, new_sid, num_segments
from sandbox.twiml import Twiml, TwimlError, parse_twiml

MAX_REDIRECTS = 10
COUNTRIES = {
    "+355": "AL",
    "+383": "XK",
    "+389": "MK",
    "+382": "ME",
    "+30": "GR",
    "+39": "IT",
    "+44": "GB",
    "+49": "DE",
    "+1": "US",
}


class ControlError(Exception):
    """A control request that cannot be carried out; answered with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def country(number: str) -> str:
    """Return the ISO country of an E.164 number, as Twilio's FromCountry does."""
    return next(
        (c for p, c in sorted(COUNTRIES.items(), key=lambda i: -len(i[0])) if number.startswith(p)),
        "",
    )


class Phone:
    """One control request's view of the configuration and signing options."""

    def __init__(self, state: SandboxState, data: dict[str, Any]) -> None:
        self.state, self.data = state, data
        self.cfg = state.config
        self.account_sid = self.cfg.twilio_account_sid or "AC" + "0" * 32

    def webhook(self, path: str) -> str:
        """Return the app URL for a webhook path, or the control JSON's `url` override."""
        if self.data.get("url"):
            return str(self.data["url"])
        if not self.cfg.public_base_url:
            raise ControlError(409, "public_base_url is not configured (PUT /sandbox/config)")
        return self.cfg.public_base_url.rstrip("/") + path

    def resolve(self, base: str, url: str | None) -> str:
        """Resolve a TwiML URL against the document's URL, as Twilio does."""
        return urllib.parse.urljoin(base, url) if url else base

    def post(
        self, url: str, params: dict[str, str], method: str = "POST"
    ) -> tuple[int | None, str]:
        """Send one signed webhook request; raise ControlError when it cannot connect."""
        status, body, error = post_form(
            url,
            params,
            self.cfg.twilio_auth_token,
            method=method,
            signature=self.data.get("signature"),
            sign_url=self.data.get("sign_url"),
            sign=self.data.get("sign", True) is not False,
        )
        if error:
            raise ControlError(502, f"could not reach {url}: {error}")
        return status, body

    def sms(self) -> dict[str, Any]:
        """Deliver an inbound SMS and collect the <Message> replies."""
        sender = str(self.data["from"])
        to = str(self.data.get("to") or self.cfg.twilio_phone_number)
        body = str(self.data.get("body", ""))
        sid = str(self.data.get("message_sid") or new_sid("SM"))
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": str(num_segments(body)),
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
            "FromCountry": country(sender),
            "FromState": "",
            "FromCity": "",
            "FromZip": "",
            "ToCountry": country(to),
            "ToState": "",
            "ToCity": "",
            "ToZip": "",
        }
        self._keep(sid, {"To": to, "From": sender, "Body": body}, "inbound", "received")
        url, method = self.webhook("/webhooks/twilio/sms"), "POST"
        replies: list[str] = []
        for _ in range(MAX_REDIRECTS):
            status, answer = self.post(url, params, method)
            doc = parse_answer(answer) if status and 200 <= status < 300 else None
            for msg in doc.messages if doc else []:
                replies.append(msg["text"])
                reply_sid = new_sid("SM")
                reply = {"To": msg.get("to") or sender, "From": msg.get("from") or to}
                self._keep(reply_sid, {**reply, "Body": msg["text"]}, "outbound-reply", "delivered")
                self.state.record(
                    "sms",
                    msg.get("to") or sender,
                    msg["text"],
                    "twiml.Message",
                    sid=reply_sid,
                    extra={
                        "from": msg.get("from") or to,
                        "in_reply_to": sid,
                        "media": msg["media"],
                    },
                )
            if not doc or not doc.redirect:
                break
            url, method = self.resolve(url, doc.redirect["url"]), doc.redirect["method"]
        result = {"status": status, "twiml": answer, "replies": replies, "message_sid": sid}
        if status and 200 <= status < 300 and doc is None:
            result["error"] = "the answer is not TwiML"
        return result

    def _keep(self, sid: str, form: dict[str, str], direction: str, status: str) -> None:
        """Keep a Message record as Twilio's log does, until the app deletes it."""
        with self.state.cond:
            if sid not in self.state.deleted_messages:
                self.state.rest_messages[sid] = message_json(
                    self.account_sid, form, sid=sid, direction=direction, status=status
                )


def parse_answer(answer: str) -> Twiml | None:
    """Parse an app's answer; None when it is not TwiML."""
    # An empty 2xx body is treated like <Response/>: nothing to say, nothing to wait for.
    try:
        return parse_twiml(answer) if answer.strip() else Twiml()
    except TwimlError:
        return None
