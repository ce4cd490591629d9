"""The fake Twilio REST API (2010-04-01): Messages (SMS and WhatsApp), Media, Calls, Recordings.

Owns the routes under `/2010-04-01/Accounts/<AccountSid>/`: HTTP basic auth, fault
rules, request validation with Twilio's error codes, and storage of the created
resources. Resource JSON is built in `twilio_resources`.
"""

from __future__ import annotations

import base64
import secrets
import threading
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from sandbox import media, twilio_media
from sandbox.faults import apply_faults
from sandbox.state import SandboxState
from sandbox.twilio_resources import (
    E164,
    TwilioError,
    call_json,
    fault_error,
    message_json,
    recording_json,
    send_status_callbacks,
)
from sandbox.twiml import TwimlError, parse_twiml

API = "/2010-04-01/Accounts/<account_sid>"
# Twilio refuses to delete a message still being sent or a call still up (error 20009).
NOT_COMPLETE = 20009
IN_TRANSIT = {"accepted", "scheduled", "queued", "sending", "receiving"}
CALL_ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}


def twilio_blueprint(state: SandboxState) -> Blueprint:
    """Build the Twilio REST routes."""
    bp = Blueprint("twilio_api", __name__)

    def guard(account_sid: str, method: str, *, auth: bool = True) -> dict[str, str]:
        """Check credentials and faults; return the form."""
        cfg = state.config
        if cfg.twilio_account_sid and account_sid != cfg.twilio_account_sid:
            raise TwilioError(404, 20404, "The requested resource was not found")
        if auth and cfg.twilio_auth_token is not None and not _auth_ok(account_sid):
            raise TwilioError(401, 20003, "Authenticate")
        form = dict(request.form.items())
        rule = apply_faults(state, "twilio", method, form)
        if rule is not None:
            raise fault_error(rule)
        return form

    def _auth_ok(account_sid: str) -> bool:
        header = request.headers.get("Authorization", "")
        try:
            user, _, password = (
                base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
            )
        except ValueError:
            return False
        token = state.config.twilio_auth_token or ""
        return user == account_sid and secrets.compare_digest(password.encode(), token.encode())

    @bp.errorhandler(TwilioError)
    def on_error(exc: TwilioError) -> ResponseReturnValue:
        """Answer a TwilioError with Twilio's JSON error body."""
        return exc.response()

    @bp.post(f"{API}/Messages.json")
    def create_message(account_sid: str) -> ResponseReturnValue:
        """Send an SMS (Messages.json)."""
        form = guard(account_sid, "messages.create")
        if not form.get("To"):
            raise TwilioError(400, 21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            raise TwilioError(400, 21603, "A 'From' phone number is required.")
        # A WhatsApp message names both ends `whatsapp:+…`, and goes to the WhatsApp log.
        whatsapp = form["To"].startswith("whatsapp:")
        to = form["To"].removeprefix("whatsapp:")
        if not E164.match(to):
            raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {form['To']}")
        if whatsapp != form.get("From", "").startswith("whatsapp:"):
            raise TwilioError(400, 63007, "Twilio could not find a Channel with the From address")
        if not form.get("Body") and not form.get("MediaUrl"):
            raise TwilioError(400, 21602, "Message body is required.")
        form.setdefault("From", state.config.twilio_phone_number)
        msg = message_json(account_sid, form)
        with state.cond:
            state.rest_messages[msg["sid"]] = msg
        state.record(
            "whatsapp" if whatsapp else "sms",
            to,
            msg["body"],
            "messages.create",
            sid=msg["sid"],
            extra={
                "from": msg["from"],
                "num_segments": int(msg["num_segments"]),
                "status_callback": form.get("StatusCallback"),
            },
        )
        callback = form.get("StatusCallback") if state.config.twilio_status_callbacks else None
        threading.Thread(
            target=send_status_callbacks, daemon=True, args=(state, msg, callback or None)
        ).start()
        return jsonify(msg), 201

    def _stored(
        kind: str, store: dict[str, dict[str, Any]], account_sid: str, sid: str
    ) -> dict[str, Any]:
        with state.cond:
            found = store.get(sid)
        if found is None or found["account_sid"] != account_sid:
            raise TwilioError(
                404,
                20404,
                f"The requested resource /2010-04-01/Accounts/"
                f"{account_sid}/{kind}/{sid}.json was not found",
            )
        return found

    @bp.get(f"{API}/Messages/<sid>.json")
    def fetch_message(account_sid: str, sid: str) -> ResponseReturnValue:
        """Fetch a sent SMS."""
        guard(account_sid, "messages.fetch")
        return jsonify(_stored("Messages", state.rest_messages, account_sid, sid))

    @bp.delete(f"{API}/Messages/<sid>.json")
    def delete_message(account_sid: str, sid: str) -> ResponseReturnValue:
        """Delete a message's record (sent, received or a reply); not while it is in transit."""
        guard(account_sid, "messages.delete")
        with state.cond:
            msg = _stored("Messages", state.rest_messages, account_sid, sid)
            if msg["status"] in IN_TRANSIT:
                raise TwilioError(
                    409, NOT_COMPLETE, "Cannot delete this resource before it is complete"
                )
            del state.rest_messages[sid]
            state.deleted_messages.add(sid)
            state.cond.notify_all()
        return "", 204

    @bp.post(f"{API}/Calls.json")
    def create_call(account_sid: str) -> ResponseReturnValue:
        """Start an outbound call (Calls.json)."""
        form = guard(account_sid, "calls.create")
        if not form.get("To") or not form.get("From"):
            raise TwilioError(400, 21201, "'To' and 'From' are required.")
        if not form.get("Url") and not form.get("Twiml") and not form.get("ApplicationSid"):
            raise TwilioError(400, 21205, "Url parameter is required.")
        call = call_json(account_sid, form)
        say: list[str] = []
        if form.get("Twiml"):
            try:
                say = [s["text"] for s in parse_twiml(form["Twiml"]).say]
            except TwimlError as exc:
                raise TwilioError(400, 12100, f"Document parse failure: {exc}") from exc
        with state.cond:
            state.rest_calls[call["sid"]] = call
        state.record(
            "voice",
            form["To"],
            " ".join(say),
            "calls.create",
            sid=call["sid"],
            extra={
                "from": form["From"],
                "url": form.get("Url"),
                "twiml": form.get("Twiml"),
                "status_callback": form.get("StatusCallback"),
            },
        )
        return jsonify(call), 201

    @bp.get(f"{API}/Calls/<sid>.json")
    def fetch_call(account_sid: str, sid: str) -> ResponseReturnValue:
        """Fetch a REST-created call."""
        guard(account_sid, "calls.fetch")
        return jsonify(_stored("Calls", state.rest_calls, account_sid, sid))

    @bp.post(f"{API}/Calls/<sid>.json")
    def update_call(account_sid: str, sid: str) -> ResponseReturnValue:
        """Update a call, e.g. Status=completed."""
        form = guard(account_sid, "calls.update")
        call = _stored("Calls", state.rest_calls, account_sid, sid)
        with state.cond:
            if form.get("Status") in ("completed", "canceled"):
                call["status"] = form["Status"]
        return jsonify(call)

    @bp.delete(f"{API}/Calls/<sid>.json")
    def delete_call(account_sid: str, sid: str) -> ResponseReturnValue:
        """Delete a call's record (a simulated inbound call or a created one) once it has ended."""
        guard(account_sid, "calls.delete")
        with state.cond:
            simulated = state.calls.get(sid)
            if simulated is not None and simulated.params.get("AccountSid") == account_sid:
                ended = simulated.status == "completed"
            else:
                ended = _stored("Calls", state.rest_calls, account_sid, sid)["status"] in CALL_ENDED
            if not ended:
                raise TwilioError(
                    409, NOT_COMPLETE, "Cannot delete this resource before it is complete"
                )
            state.calls.pop(sid, None)
            state.rest_calls.pop(sid, None)
            state.deleted_calls.add(sid)
            state.cond.notify_all()
        return "", 204

    @bp.get(f"{API}/Recordings/<sid>.json")
    def fetch_recording(account_sid: str, sid: str) -> ResponseReturnValue:
        """Fetch a Recording resource."""
        guard(account_sid, "recordings.fetch")
        return jsonify(recording_json(state, account_sid, sid))

    @bp.delete(f"{API}/Recordings/<sid>.json")
    def delete_recording(account_sid: str, sid: str) -> ResponseReturnValue:
        """Delete a recording; later fetches are 404."""
        guard(account_sid, "recordings.delete")
        recording_json(state, account_sid, sid)
        with state.cond:
            del state.recordings[sid]
            state.deleted_recordings.add(sid)
        return "", 204

    @bp.get(f"{API}/Recordings/<sid>")
    def recording_media(account_sid: str, sid: str) -> ResponseReturnValue:
        """Serve a recording's audio as WAV (default) or MP3."""
        # Twilio serves media without auth unless the account enforces it.
        guard(account_sid, "recordings.media", auth=False)
        base, _, ext = sid.partition(".")
        recording_json(state, account_sid, base)
        rec = state.recordings[base]
        if ext == "mp3":
            return Response(media.mp3_bytes(rec.duration), mimetype="audio/mpeg")
        if ext not in ("", "wav"):
            raise TwilioError(404, 20404, "The requested resource was not found")
        return Response(rec.audio, mimetype="audio/x-wav")

    @bp.get(f"{API}/Messages/<message_sid>/Media/<media_sid>")
    def media_content(account_sid: str, message_sid: str, media_sid: str) -> ResponseReturnValue:
        """Serve a WhatsApp photo or voice note sent by a citizen (with the account's auth)."""
        guard(account_sid, "media.fetch")
        found = twilio_media.get(message_sid, media_sid.removesuffix(".json"))
        if found is None:
            raise TwilioError(404, 20404, "The requested resource was not found")
        return Response(found.data, mimetype=found.content_type)

    @bp.delete(f"{API}/Messages/<message_sid>/Media/<media_sid>.json")
    def delete_media(account_sid: str, message_sid: str, media_sid: str) -> ResponseReturnValue:
        """Delete a media file, as the app must once it is stored."""
        guard(account_sid, "media.delete")
        if not twilio_media.delete(message_sid, media_sid):
            raise TwilioError(404, 20404, "The requested resource was not found")
        return Response(status=204)

    return bp
