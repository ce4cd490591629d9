"""HTTP control endpoints that play a texter or caller against the app.

Owns `POST /sandbox/twilio/sms`, `POST /sandbox/twilio/whatsapp`, `POST /sandbox/twilio/calls`,
`POST /sandbox/twilio/calls/<CallSid>/digits|record|hangup`,
`GET /sandbox/twilio/calls/<CallSid>` and `GET /sandbox/twilio/deleted`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from sandbox.state import Call, SandboxState
from sandbox.twilio_calls import CallSimulator
from sandbox.twilio_phone import ControlError, Phone


def twilio_control_blueprint(state: SandboxState) -> Blueprint:
    """Build the control endpoints that play a caller or texter."""
    bp = Blueprint("twilio_phone", __name__)

    def body() -> dict[str, Any]:
        """Return the control request's JSON object."""
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            raise ControlError(400, "expected a JSON object")
        return data

    def call_of(call_sid: str) -> Call:
        """Return a simulated call that is still up."""
        with state.cond:
            call = state.calls.get(call_sid)
        if call is None:
            raise ControlError(404, f"no simulated call {call_sid}")
        if call.status == "completed":
            raise ControlError(409, f"call {call_sid} has ended")
        return call

    @bp.errorhandler(ControlError)
    def on_error(exc: ControlError) -> ResponseReturnValue:
        """Answer a ControlError as JSON with its status."""
        return jsonify(error=str(exc)), exc.status

    @bp.post("/sandbox/twilio/sms")
    def sms() -> ResponseReturnValue:
        """Text the app from a citizen's phone."""
        data = body()
        if not data.get("from"):
            raise ControlError(400, "from is required")
        return jsonify(Phone(state, data).sms())

    @bp.post("/sandbox/twilio/whatsapp")
    def whatsapp() -> ResponseReturnValue:
        """Message the app on WhatsApp from a citizen's phone (optional `media`, base64)."""
        data = body()
        if not data.get("from"):
            raise ControlError(400, "from is required")
        return jsonify(Phone(state, data).sms(whatsapp=True))

    @bp.post("/sandbox/twilio/calls")
    def start_call() -> ResponseReturnValue:
        """Ring the app from a citizen's phone."""
        data = body()
        if not data.get("from"):
            raise ControlError(400, "from is required")
        return jsonify(CallSimulator(state, data).start_call())

    @bp.post("/sandbox/twilio/calls/<call_sid>/digits")
    def digits(call_sid: str) -> ResponseReturnValue:
        """Answer the pending <Gather>."""
        return jsonify(CallSimulator(state, body()).digits(call_of(call_sid)))

    @bp.post("/sandbox/twilio/calls/<call_sid>/record")
    def record(call_sid: str) -> ResponseReturnValue:
        """Finish the pending <Record>."""
        return jsonify(CallSimulator(state, body()).record(call_of(call_sid)))

    @bp.post("/sandbox/twilio/calls/<call_sid>/hangup")
    def hangup(call_sid: str) -> ResponseReturnValue:
        """Hang up a simulated call."""
        call = call_of(call_sid)
        call.status, call.gather, call.record = "completed", None, None
        return jsonify(call_sid=call_sid, call_status=call.status)

    @bp.get("/sandbox/twilio/deleted")
    def deleted() -> ResponseReturnValue:
        """List the Message, Call and Recording records the app deleted, and those still kept."""
        with state.cond:
            return jsonify(
                messages=sorted(state.deleted_messages),
                calls=sorted(state.deleted_calls),
                recordings=sorted(state.deleted_recordings),
                kept_messages=sorted(state.rest_messages),
            )

    @bp.get("/sandbox/twilio/calls/<call_sid>")
    def call_state(call_sid: str) -> ResponseReturnValue:
        """Show a simulated call's state."""
        with state.cond:
            call = state.calls.get(call_sid)
        if call is None:
            raise ControlError(404, f"no simulated call {call_sid}")
        return jsonify(
            call_sid=call.sid,
            call_status=call.status,
            params=call.params,
            doc_url=call.doc_url,
            gather=call.gather,
            record=call.record,
        )

    return bp
