"""How the canary reaches each channel's inbound path: signed as its provider signs it."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from twilio.request_validator import RequestValidator

from models.deliveries import Delivery
from models.roster import Official
from models.synthetic import call_sid
from webhooks.security import TELEGRAM_HEADER, hotline_signature

if TYPE_CHECKING:
    from raporto.runtime import Runtime

CHANNELS = ("sms", "whatsapp", "telegram", "voice", "hotline", "web")
# The canary's senders: numbers in Twilio's reserved test range and a chat id no person has.
FROM_NUMBER = "+15005550009"
TELEGRAM_USER = 5_000_000_009
TEXT = (
    "Test i sistemit {marker}: vajza 15 vjeçe mbahet e mbyllur në Durrës dhe detyrohet të punojë."
)
DONE = ("sent", "delivered")


@dataclass
class Driver:
    """How the canary reaches the inbound paths: the public URL and the providers' secrets."""

    runtime: Runtime
    base_url: str
    twilio_token: str
    timeout: float = 180.0
    poll: float = 0.2

    def _post(self, path: str, **kw: Any) -> requests.Response:
        response = requests.post(self.base_url + path, timeout=30, **kw)
        if response.status_code >= 300:
            raise Failed(f"{path} answered {response.status_code}")
        return response

    def _twilio(self, path: str, form: dict[str, str]) -> requests.Response:
        url = self.base_url + path
        signature = RequestValidator(self.twilio_token).compute_signature(url, form)
        return self._post(path, data=form, headers={"X-Twilio-Signature": signature})

    def send(self, channel: str, marker: str) -> None:
        """Post the synthetic tip as the channel's provider would."""
        settings = self.runtime.settings
        text = TEXT.format(marker=marker)
        sid = secrets.token_hex(16)
        to = settings.twilio_sms_from
        if channel in ("sms", "whatsapp"):
            prefix = "whatsapp:" if channel == "whatsapp" else ""
            form = {
                "MessageSid": "SM" + sid,
                "AccountSid": settings.twilio_account_sid,
                "From": prefix + FROM_NUMBER,
                "To": prefix + to,
                "Body": text,
                "NumMedia": "0",
            }
            if channel == "whatsapp":
                form["WaId"] = FROM_NUMBER.lstrip("+")
            self._twilio(f"/webhooks/twilio/{channel}", form)
        elif channel == "telegram":
            update = {
                "update_id": secrets.randbelow(2**30),
                "message": {
                    "message_id": secrets.randbelow(2**30),
                    "date": int(time.time()),
                    "chat": {"id": TELEGRAM_USER, "type": "private"},
                    "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": "Canary"},
                    "text": text,
                },
            }
            headers = {TELEGRAM_HEADER: settings.telegram_webhook_secret}
            self._post("/webhooks/telegram", json=update, headers=headers)
        elif channel == "voice":
            call = {"CallSid": call_sid(marker), "AccountSid": settings.twilio_account_sid}
            call |= {"From": FROM_NUMBER, "To": to}
            self._twilio("/webhooks/twilio/voice", {**call, "CallStatus": "ringing"})
            recorded = {**call, "RecordingSid": "RE" + sid, "RecordingDuration": "7"}
            self._twilio("/webhooks/twilio/voice/recorded?lang=sq", recorded)
        elif channel == "hotline":
            record = {
                "record_id": "canary-" + sid,
                "received_at": datetime.now(UTC).isoformat(),
                "summary": text,
            }
            body = json.dumps(record).encode()
            stamp = str(int(time.time()))
            headers = {
                "X-Raporto-Timestamp": stamp,
                "X-Raporto-Signature": hotline_signature(settings.hotline_hmac_secret, stamp, body),
                "Content-Type": "application/json",
            }
            self._post("/webhooks/hotline", data=body, headers=headers)
        elif channel == "web":
            with requests.Session() as browser:
                page = browser.get(self.base_url + "/report", timeout=30).text
                token = re.search(r'name="token" value="([^"]+)"', page)
                if token is None:
                    raise Failed("/report has no form token")
                answer = browser.post(
                    self.base_url + "/report",
                    data={"token": token.group(1), "text": text},
                    timeout=30,
                )
                if answer.status_code != 200:
                    raise Failed(f"/report answered {answer.status_code}")
        else:
            raise Failed(f"unknown channel {channel}")

    def acknowledge(self, delivery: Delivery, recipient: Official) -> None:
        """Acknowledge the canary's delivery the way an official does (SMS code or button)."""
        settings = self.runtime.settings
        if delivery.channel == "sms":
            form = {
                "MessageSid": "SM" + secrets.token_hex(16),
                "AccountSid": settings.twilio_account_sid,
                "From": settings.canary_sms,
                "To": settings.twilio_sms_from,
                "Body": f"OK {delivery.ack_code}",
                "NumMedia": "0",
            }
            self._twilio("/webhooks/twilio/sms", form)
            return
        chat = int(settings.canary_telegram_chat)
        tag = self.runtime.alerts.sign("a", delivery.id, recipient.id)
        update = {
            "update_id": secrets.randbelow(2**30),
            "callback_query": {
                "id": secrets.token_hex(8),
                "from": {"id": chat, "is_bot": False, "first_name": "Canary"},
                "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": chat}},
                "chat_instance": "canary",
                "data": f"a:{delivery.id}:{tag}",
            },
        }
        headers = {TELEGRAM_HEADER: settings.telegram_webhook_secret}
        self._post("/webhooks/telegram", json=update, headers=headers)


class Failed(Exception):
    """One step of a channel's canary did not happen."""
