"""Simulated inbound calls: ringing the app's voice webhook and walking its TwiML.

Owns `CallSimulator`: start a call, answer a <Gather> with digits or speech (or let
it time out), finish a <Record> (creating a Recording and posting its action and
status callback), follow <Redirect>s, and log <Say>/<Play> as outbound voice messages.
A step whose TwiML request fails goes once to the number's voice fallback URL, and the
call goes on from the fallback's TwiML (or ends with an application error).
"""

from __future__ import annotations

from typing import Any

from flask import request

from sandbox import media
from sandbox.state import Call, Recording, utc_now
from sandbox.twilio_fallback import Answer
from sandbox.twilio_phone import MAX_REDIRECTS, ControlError, Phone, country
from sandbox.twilio_resources import new_sid
from sandbox.twiml import Twiml, parse_twiml


class CallSimulator(Phone):
    """The caller's side of one control request about a call."""

    def start_call(self) -> dict[str, Any]:
        """Ring the app's voice webhook as a new inbound call."""
        sender = str(self.data["from"])
        to = str(self.data.get("to") or self.cfg.twilio_phone_number)
        sid = str(self.data.get("call_sid") or new_sid("CA"))
        params = {
            "CallSid": sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "To": to,
            "Caller": sender,
            "Called": to,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "FromCountry": country(sender),
            "CallerCountry": country(sender),
            "ToCountry": country(to),
            "CalledCountry": country(to),
        }
        call = Call(sid=sid, params=params, doc_url=self.webhook("/webhooks/twilio/voice"))
        # A `fallback_url` given when the call starts holds for the whole call.
        call.fallback_url = self.fallback(None)
        with self.state.cond:
            self.state.calls[sid] = call
        return self.run(call, call.doc_url, {}, "POST")

    def run(
        self,
        call: Call,
        url: str,
        extra: dict[str, str],
        method: str,
        result: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Request TwiML for a call step, follow redirects, and report the result."""
        if result is None:
            result = {"call_sid": call.sid, "say": [], "play": [], "redirects": []}
        call.gather = call.record = None
        for _ in range(MAX_REDIRECTS):
            answer = self.step(call, url, extra, method, result)
            if call.status != "completed":
                call.params["CallStatus"] = "in-progress"
            doc = answer.doc
            if doc is None:
                return self._end(call, result, f"application error: {answer.describe()}")
            # After a fallback, relative URLs resolve against the fallback URL.
            url = call.doc_url = answer.url
            self._speak(call, doc, result)
            if doc.redirect is None:
                return self._settle(call, doc, result)
            url, method, extra = self.resolve(url, doc.redirect["url"]), doc.redirect["method"], {}
            result["redirects"].append(url)
        return self._end(call, result, "too many redirects")

    def step(
        self, call: Call, url: str, extra: dict[str, str], method: str, result: dict[str, Any]
    ) -> Answer:
        """Request one step's TwiML (falling back once) and note status, TwiML and fallback."""
        fallback_url = self.fallback(call.fallback_url or self.cfg.twilio_voice_fallback_url)
        answer = self.fetch(url, {**call.params, **extra}, method, fallback_url)
        result.update(status=answer.status, twiml=answer.body)
        if answer.fallback is not None:
            result["fallback"] = answer.fallback
        return answer

    def _speak(self, call: Call, doc: Twiml, result: dict[str, Any]) -> None:
        caller = call.params["From"]
        for say in doc.say:
            result["say"].append(say["text"])
            extra = {k: v for k, v in say.items() if k != "text"}
            self.state.record("voice", caller, say["text"], "twiml.Say", sid=call.sid, extra=extra)
        for play in doc.play:
            result["play"].append(play)
            self.state.record(
                "voice",
                caller,
                play,
                "twiml.Play",
                sid=call.sid,
                extra={"url": self.resolve(call.doc_url, play)},
            )

    def _settle(self, call: Call, doc: Twiml, result: dict[str, Any]) -> dict[str, Any]:
        if doc.gather is not None:
            call.gather = {
                **doc.gather,
                "action_url": self.resolve(call.doc_url, doc.gather.get("action")),
                "after": doc.after_gather or "<Response/>",
            }
        if doc.record is not None:
            call.record = {
                **doc.record,
                "action_url": self.resolve(call.doc_url, doc.record.get("action")),
            }
        public_gather = (
            {k: v for k, v in call.gather.items() if k != "after"} if call.gather else None
        )
        result.update(
            gather=public_gather,
            record=call.record,
            dial=doc.dial,
            dial_attrs=doc.dial_attrs,
            hangup=doc.hangup or doc.reject,
        )
        if not doc.waits:
            # Twilio hangs up when the document runs out of verbs.
            call.status = "completed"
        result["call_status"] = call.status
        return result

    def _end(self, call: Call, result: dict[str, Any], error: str) -> dict[str, Any]:
        call.status = "completed"
        result.update(
            error=error, gather=None, record=None, dial=None, hangup=True, call_status=call.status
        )
        return result

    def digits(self, call: Call) -> dict[str, Any]:
        """Answer the pending <Gather> with digits (or speech, or nothing)."""
        gather = call.gather
        if gather is None:
            raise ControlError(409, "the call is not waiting in a <Gather>")
        digits = str(self.data.get("digits", "") or "")
        extra = {"Digits": digits, "FinishedOnKey": "", "msg": "Gather End"}
        if self.data.get("speech"):
            extra = {"SpeechResult": str(self.data["speech"]), "Confidence": "0.9"}
        elif not digits and gather.get("actionOnEmptyResult", "false").lower() != "true":
            # A timed-out Gather falls through to the verbs after it.
            doc = parse_twiml(gather["after"])
            call.gather = None
            result: dict[str, Any] = {
                "call_sid": call.sid,
                "say": [],
                "play": [],
                "redirects": [],
                "status": None,
                "twiml": gather["after"],
            }
            self._speak(call, doc, result)
            if doc.redirect:
                url = self.resolve(call.doc_url, doc.redirect["url"])
                result["redirects"].append(url)
                return self.run(call, url, {}, doc.redirect["method"], result)
            return self._settle(call, doc, result)
        return self.run(call, gather["action_url"], extra, gather.get("method", "POST"))

    def record(self, call: Call) -> dict[str, Any]:
        """Finish the pending <Record>: store a Recording and post the Record action."""
        rec_verb = call.record
        if rec_verb is None:
            raise ControlError(409, "the call is not waiting in a <Record>")
        seconds = int(self.data.get("seconds", 5))
        sid = new_sid("RE")
        audio = media.wav_bytes(min(seconds, 2))
        with self.state.cond:
            self.state.recordings[sid] = Recording(
                sid, call.sid, self.account_sid, seconds, audio, utc_now()
            )
        base = self.cfg.sandbox_url or request.url_root.rstrip("/")
        rec_url = f"{base}/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"
        extra = {"RecordingSid": sid, "RecordingUrl": rec_url, "RecordingDuration": str(seconds)}
        hangup = bool(self.data.get("hangup"))
        if self.data.get("digits") or hangup:
            extra["Digits"] = "hangup" if hangup else str(self.data["digits"])
        method = rec_verb.get("method", "POST")
        if hangup:
            # The caller hung up: Twilio still posts the action but ignores its TwiML.
            call.status = call.params["CallStatus"] = "completed"
            call.gather = call.record = None
            result: dict[str, Any] = {"call_sid": call.sid}
            self.step(call, rec_verb["action_url"], extra, method, result)
            result.update(say=[], play=[], redirects=[], gather=None, record=None, dial=None)
            result.update(hangup=True, call_status=call.status)
        else:
            result = self.run(call, rec_verb["action_url"], extra, method)
        callback = rec_verb.get("recordingStatusCallback")
        if callback:
            status_params = {
                "AccountSid": self.account_sid,
                "CallSid": call.sid,
                "RecordingSid": sid,
                "RecordingUrl": rec_url,
                "RecordingStatus": "completed",
                "RecordingDuration": str(seconds),
                "RecordingChannels": "1",
                "RecordingSource": "RecordVerb",
                "ErrorCode": "0",
            }
            cb_method = rec_verb.get("recordingStatusCallbackMethod", "POST")
            cb_url = self.resolve(call.doc_url, callback)
            result["recording_status_callback"] = self.post(cb_url, status_params, cb_method)[0]
        result["recording_sid"] = sid
        result["recording_url"] = rec_url
        return result
