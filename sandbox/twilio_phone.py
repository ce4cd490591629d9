"""The citizen's phone played by the sandbox, and inbound SMS and WhatsApp messages to the app.

Owns `Phone`: the configuration and signing options of one control request, the
signed webhook POST, URL resolution, and the inbound SMS flow (build Twilio's form,
sign, POST, run the TwiML answer and its <Redirect>s, log each <Message> reply). As
at Twilio, the inbound SMS and each reply are kept as Message records until deleted,
and a failed TwiML request goes once to the number's fallback URL (`twilio_fallback`).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from sandbox import twilio_media
from sandbox.signature import post_form
from sandbox.state import SandboxState
from sandbox.twilio_fallback import (
    DOCUMENT_PARSE_FAILURE,
    HTTP_CONNECTION_FAILURE,
    Answer,
    fetch_twiml,
)
from sandbox.twilio_resources import message_json, new_sid, num_segments

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

    def fallback(self, configured: str | None) -> str | None:
        """Return the fallback URL: the control JSON's `fallback_url`, else the configured one."""
        url = str(self.data["fallback_url"]) if self.data.get("fallback_url") else configured
        if url and self.cfg.public_base_url:
            # Twilio wants absolute URLs; a path is taken relative to the app.
            url = urllib.parse.urljoin(self.cfg.public_base_url.rstrip("/") + "/", url)
        if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ControlError(409, f"the fallback URL {url!r} is not an absolute http(s) URL")
        return url

    def send(
        self, url: str, params: dict[str, str], method: str, is_fallback: bool = False
    ) -> tuple[int | None, str, str | None]:
        """Send one signed webhook request; return (status or None, body, connection error)."""
        return post_form(
            url,
            params,
            self.cfg.twilio_auth_token,
            method=method,
            signature=self.data.get("signature"),
            # The fallback request is always signed over the fallback URL.
            sign_url=None if is_fallback else self.data.get("sign_url"),
            sign=self.data.get("sign", True) is not False,
        )

    def post(
        self, url: str, params: dict[str, str], method: str = "POST"
    ) -> tuple[int | None, str]:
        """Send one signed webhook request; raise ControlError when it cannot connect."""
        status, body, error = self.send(url, params, method)
        if error:
            raise ControlError(502, f"could not reach {url}: {error}")
        return status, body

    def fetch(
        self, url: str, params: dict[str, str], method: str, fallback_url: str | None
    ) -> Answer:
        """Request TwiML, falling back once on failure; raise when unreachable and no fallback."""
        answer = fetch_twiml(self.send, url, params, method, fallback_url)
        if answer.code == HTTP_CONNECTION_FAILURE and not fallback_url:
            raise ControlError(502, answer.describe())
        return answer

    def sms(self, whatsapp: bool = False) -> dict[str, Any]:
        """Deliver an inbound SMS (or WhatsApp message) and collect the <Message> replies."""
        prefix, channel = ("whatsapp:", "whatsapp") if whatsapp else ("", "sms")
        number = str(self.data["from"]).removeprefix("whatsapp:")
        to_number = str(self.data.get("to") or self.cfg.twilio_phone_number)
        sender, to = prefix + number, prefix + to_number.removeprefix("whatsapp:")
        body = str(self.data.get("body", ""))
        items = (self.data.get("media") or []) if whatsapp else []
        if not isinstance(items, list):
            raise ControlError(400, "media is a list of objects")
        sid = str(self.data.get("message_sid") or new_sid("MM" if items else "SM"))
        try:
            kept = twilio_media.keep(sid, items)
        except ValueError as exc:
            raise ControlError(400, str(exc)) from exc
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": str(len(kept)),
            "NumSegments": str(num_segments(body)),
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
            "FromCountry": country(number),
            "FromState": "",
            "FromCity": "",
            "FromZip": "",
            "ToCountry": country(to.removeprefix("whatsapp:")),
            "ToState": "",
            "ToCity": "",
            "ToZip": "",
        }
        for n, (media_sid, content_type) in enumerate(kept):
            params[f"MediaUrl{n}"] = (
                f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}"
                f"/Messages/{sid}/Media/{media_sid}"
            )
            params[f"MediaContentType{n}"] = content_type
        if whatsapp:  # what Twilio adds for WhatsApp: the app must keep neither
            params["WaId"] = number.lstrip("+")
            params["ProfileName"] = str(self.data.get("profile_name") or "Ana")
        self._keep(sid, {"To": to, "From": sender, "Body": body}, "inbound", "received")
        url, method = self.webhook(f"/webhooks/twilio/{channel}"), "POST"
        fallback_url = self.fallback(None if whatsapp else self.cfg.twilio_sms_fallback_url)
        replies: list[str] = []
        used: dict[str, Any] | None = None
        for _ in range(MAX_REDIRECTS):
            answer = self.fetch(url, params, method, fallback_url)
            url, doc, used = answer.url, answer.doc, answer.fallback or used
            for msg in doc.messages if doc else []:
                replies.append(msg["text"])
                reply_sid = new_sid("SM")
                reply = {"To": msg.get("to") or sender, "From": msg.get("from") or to}
                self._keep(reply_sid, {**reply, "Body": msg["text"]}, "outbound-reply", "delivered")
                self.state.record(
                    channel,
                    (msg.get("to") or sender).removeprefix("whatsapp:"),
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
        result: dict[str, Any] = {
            "status": answer.status,
            "twiml": answer.body,
            "replies": replies,
            "message_sid": sid,
        }
        if used is not None:
            result["fallback"] = used
            if answer.code is not None:
                result["error"] = f"the fallback failed too: {answer.describe()}"
        elif answer.code == DOCUMENT_PARSE_FAILURE:
            result["error"] = "the answer is not TwiML"
        return result

    def _keep(self, sid: str, form: dict[str, str], direction: str, status: str) -> None:
        """Keep a Message record as Twilio's log does, until the app deletes it."""
        with self.state.cond:
            if sid not in self.state.deleted_messages:
                self.state.rest_messages[sid] = message_json(
                    self.account_sid, form, sid=sid, direction=direction, status=status
                )
