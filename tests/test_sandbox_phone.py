"""The sandbox plays a citizen's phone: signed SMS and call webhooks, and their TwiML."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse
from werkzeug.serving import make_server

from sandbox import SandboxServer

SID = "AC" + "d4" * 16
TOKEN = "phone-auth-token"
CITIZEN = "+355691112223"


class App:
    """A tiny stand-in for the Raporto webhooks that validates every signature."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.validator = RequestValidator(TOKEN)
        app = Flask("raporto-stub")
        app.before_request(self._check)
        app.add_url_rule("/webhooks/twilio/sms", view_func=self.sms, methods=["POST"])
        app.add_url_rule("/webhooks/twilio/voice", view_func=self.voice, methods=["POST"])
        app.add_url_rule("/webhooks/twilio/voice/menu", view_func=self.menu, methods=["POST"])
        app.add_url_rule(
            "/webhooks/twilio/voice/redirected", view_func=self.redirected, methods=["POST"]
        )
        app.add_url_rule(
            "/webhooks/twilio/voice/recorded", view_func=self.recorded, methods=["POST"]
        )
        app.add_url_rule(
            "/webhooks/twilio/voice/recording-status", view_func=self.status, methods=["POST"]
        )
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _check(self) -> Response | None:
        valid = self.validator.validate(
            request.url, request.form, request.headers.get("X-Twilio-Signature", "")
        )
        self.requests.append(
            {"path": request.full_path.rstrip("?"), "form": dict(request.form), "valid": valid}
        )
        return None if valid else Response("bad signature", status=403)

    def sms(self) -> Response:
        reply = MessagingResponse()
        reply.message(f"Morëm: {request.form['Body']}")
        reply.message("Numri i raportit: R-7")
        return Response(str(reply), mimetype="application/xml")

    def voice(self) -> Response:
        twiml = VoiceResponse()
        twiml.say("Mirë se erdhët", language="sq-AL")
        gather = Gather(action="/webhooks/twilio/voice/menu?step=1", method="POST", num_digits=1)
        gather.say("Shtypni 1 për të regjistruar")
        gather.play("/static/prompts/menu-sq.wav")
        twiml.append(gather)
        twiml.redirect("/webhooks/twilio/voice")
        return Response(str(twiml), mimetype="application/xml")

    def menu(self) -> Response:
        twiml = VoiceResponse()
        digits = request.form.get("Digits")
        if digits == "1":
            twiml.say("Flisni pas sinjalit")
            twiml.record(
                action="/webhooks/twilio/voice/recorded",
                max_length=120,
                recording_status_callback="/webhooks/twilio/voice/recording-status",
            )
        elif digits == "2":
            dial = Dial(caller_id="+15005550006")
            dial.number("+355690000001")
            dial.number("+355690000002")
            twiml.append(dial)
        else:
            twiml.redirect("redirected")
        return Response(str(twiml), mimetype="application/xml")

    def redirected(self) -> Response:
        twiml = VoiceResponse()
        twiml.say("Mirupafshim")
        twiml.hangup()
        return Response(str(twiml), mimetype="application/xml")

    def recorded(self) -> Response:
        twiml = VoiceResponse()
        twiml.say("Faleminderit")
        return Response(str(twiml), mimetype="application/xml")

    def status(self) -> Response:
        return Response("", status=204)


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    stub = App()
    yield stub
    stub.server.shutdown()


@pytest.fixture(scope="module")
def server(app: App) -> Iterator[SandboxServer]:
    with SandboxServer(
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        public_base_url=app.url,
        twilio_phone_number="+15005550006",
    ) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer, app: App) -> None:
    server.state.reset()
    app.requests.clear()


def control(server: SandboxServer, path: str, **body: Any) -> dict[str, Any]:
    resp = requests.post(f"{server.url}/sandbox/twilio/{path}", json=body, timeout=20)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_an_inbound_sms_is_signed_and_its_replies_are_recorded(
    server: SandboxServer, app: App
) -> None:
    result = control(server, "sms", **{"from": CITIZEN, "body": "Ndihmë! çka"})
    assert result["status"] == 200
    assert result["replies"] == ["Morëm: Ndihmë! çka", "Numri i raportit: R-7"]
    (req,) = app.requests
    assert req["valid"]
    form = req["form"]
    assert (form["From"], form["To"], form["Body"]) == (CITIZEN, "+15005550006", "Ndihmë! çka")
    assert form["MessageSid"] == result["message_sid"]
    assert (form["AccountSid"], form["NumMedia"], form["FromCountry"]) == (SID, "0", "AL")
    sent = server.state.messages(channel="sms", recipient=CITIZEN)
    assert [m.text for m in sent] == result["replies"]
    assert all(m.method == "twiml.Message" for m in sent)


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": "bad"},
        {"sign": False},
        {"sign_url": "http://wrong.example/webhooks/twilio/sms"},
    ],
    ids=["forged", "unsigned", "wrong-url"],
)
def test_a_forged_signature_is_rejected_by_the_app(
    server: SandboxServer, app: App, forgery: dict[str, Any]
) -> None:
    result = control(server, "sms", **{"from": CITIZEN, "body": "x"}, **forgery)
    assert result["status"] == 403
    assert result["replies"] == []
    assert app.requests[0]["valid"] is False
    assert server.state.messages() == []


def test_a_call_walks_greeting_gather_record_and_recording(server: SandboxServer, app: App) -> None:
    start = control(server, "calls", **{"from": CITIZEN})
    sid = start["call_sid"]
    assert start["say"] == ["Mirë se erdhët", "Shtypni 1 për të regjistruar"]
    assert start["play"] == ["/static/prompts/menu-sq.wav"]
    assert start["gather"]["numDigits"] == "1"
    assert start["gather"]["action_url"] == f"{app.url}/webhooks/twilio/voice/menu?step=1"
    assert (start["record"], start["dial"], start["call_status"]) == (None, None, "ringing")
    assert app.requests[0]["form"]["CallStatus"] == "ringing"
    assert app.requests[0]["form"]["Direction"] == "inbound"

    menu = control(server, f"calls/{sid}/digits", digits="1")
    assert app.requests[-1]["path"] == "/webhooks/twilio/voice/menu?step=1"
    assert app.requests[-1]["form"]["Digits"] == "1"
    assert app.requests[-1]["form"]["CallSid"] == sid
    assert menu["say"] == ["Flisni pas sinjalit"]
    assert menu["record"]["maxLength"] == "120"
    assert menu["gather"] is None

    done = control(server, f"calls/{sid}/record", seconds=12)
    recorded, status = app.requests[-2:]
    assert recorded["path"] == "/webhooks/twilio/voice/recorded"
    assert recorded["form"]["RecordingSid"] == done["recording_sid"]
    assert recorded["form"]["RecordingDuration"] == "12"
    assert status["form"]["RecordingStatus"] == "completed"
    assert done["recording_status_callback"] == 204
    assert done["say"] == ["Faleminderit"]
    assert done["call_status"] == "completed"
    audio = requests.get(recorded["form"]["RecordingUrl"], timeout=5)
    assert audio.content[:4] == b"RIFF"
    assert all(r["valid"] for r in app.requests)
    spoken = [m.text for m in server.state.messages(channel="voice", recipient=CITIZEN)]
    assert spoken[0] == "Mirë se erdhët"
    assert spoken[-1] == "Faleminderit"


def test_dial_lists_every_number(server: SandboxServer) -> None:
    sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    result = control(server, f"calls/{sid}/digits", digits="2")
    assert result["dial"] == ["+355690000001", "+355690000002"]
    assert result["dial_attrs"]["callerId"] == "+15005550006"


def test_a_relative_redirect_is_followed_to_the_hangup(server: SandboxServer, app: App) -> None:
    sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    result = control(server, f"calls/{sid}/digits", digits="9")
    assert result["redirects"] == [f"{app.url}/webhooks/twilio/voice/redirected"]
    assert result["say"] == ["Mirupafshim"]
    assert result["hangup"] is True
    assert result["call_status"] == "completed"
    resp = requests.post(
        f"{server.url}/sandbox/twilio/calls/{sid}/digits", json={"digits": "1"}, timeout=5
    )
    assert resp.status_code == 409


def test_no_input_falls_through_to_the_redirect_after_the_gather(server: SandboxServer) -> None:
    sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    again = control(server, f"calls/{sid}/digits", digits="")
    assert again["say"] == ["Mirë se erdhët", "Shtypni 1 për të regjistruar"]
    assert again["gather"] is not None


def test_hangup_ends_the_call(server: SandboxServer) -> None:
    sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    assert control(server, f"calls/{sid}/hangup")["call_status"] == "completed"
    resp = requests.post(f"{server.url}/sandbox/twilio/calls/{sid}/record", json={}, timeout=5)
    assert resp.status_code == 409


def test_sms_without_a_public_base_url_is_a_conflict(server: SandboxServer, app: App) -> None:
    server.configure(public_base_url=None)
    try:
        resp = requests.post(
            f"{server.url}/sandbox/twilio/sms", json={"from": CITIZEN, "body": "x"}, timeout=5
        )
    finally:
        server.configure(public_base_url=app.url)
    assert resp.status_code == 409


def test_outbound_sms_status_callbacks_reach_the_app(server: SandboxServer, app: App) -> None:
    resp = requests.post(
        f"{server.url}/2010-04-01/Accounts/{SID}/Messages.json",
        data={
            "To": CITIZEN,
            "From": "+15005550006",
            "Body": "x",
            "StatusCallback": f"{app.url}/webhooks/twilio/voice/recording-status",
        },
        auth=(SID, TOKEN),
        timeout=5,
    )
    assert resp.status_code == 201
    server.state.wait_for(lambda: len(app.requests) >= 2, timeout=5)
    statuses = [r["form"]["MessageStatus"] for r in app.requests]
    assert statuses == ["sent", "delivered"]
    assert all(r["valid"] for r in app.requests)
    fetched = requests.get(
        f"{server.url}/2010-04-01/Accounts/{SID}/Messages/{resp.json()['sid']}.json",
        auth=(SID, TOKEN),
        timeout=5,
    )
    assert fetched.json()["status"] == "delivered"


def test_hanging_up_during_a_recording_posts_digits_hangup(server: SandboxServer, app: App) -> None:
    sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    control(server, f"calls/{sid}/digits", digits="1")
    spoken_before = len(server.state.messages(channel="voice"))
    done = control(server, f"calls/{sid}/record", seconds=3, hangup=True)
    action = next(r for r in app.requests if r["path"] == "/webhooks/twilio/voice/recorded")
    assert action["form"]["Digits"] == "hangup"
    assert action["form"]["CallStatus"] == "completed"
    assert done["call_status"] == "completed"
    # Nobody is on the line to hear the action's <Say>.
    assert done["say"] == []
    assert len(server.state.messages(channel="voice")) == spoken_before


def test_a_spoken_answer_is_posted_as_speech_result(server: SandboxServer, app: App) -> None:
    sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    control(server, f"calls/{sid}/digits", speech="ndihmë")
    menu = next(r for r in app.requests if r["path"].startswith("/webhooks/twilio/voice/menu"))
    form = menu["form"]
    assert form["SpeechResult"] == "ndihmë"
    assert "Digits" not in form
