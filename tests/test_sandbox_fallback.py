"""The sandbox's fake Twilio goes once to the number's fallback URL when the app's webhook fails.

As at Twilio: an HTTP error status (11200), no connection (11205) or an answer that is not
TwiML (12100) makes one signed POST to the SMS or voice fallback URL with the same
parameters plus ErrorCode and ErrorUrl, and the SMS or call goes on from its TwiML.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from sandbox import SandboxServer
from sandbox.telegram_updates import post_json
from tests.live import LiveServer

SID = "AC" + "f5" * 16
TOKEN = "fallback-auth-token"
CITIZEN = "+355691234560"
NOT_TWIML = "<html><body>Internal error</body></html>"


class Stub:
    """A webhook host that checks every signature, records requests and answers as told."""

    def __init__(self, name: str) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: dict[str, tuple[int, str]] = {}
        app = Flask(name)
        app.add_url_rule("/<path:path>", view_func=self.handle, methods=["GET", "POST"])
        self.live = LiveServer(app).start()
        self.url = self.live.url

    def handle(self, path: str) -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        valid = RequestValidator(TOKEN).validate(request.url, request.form, signature)
        self.requests.append(
            {"path": "/" + path, "form": dict(request.form), "signature": signature, "valid": valid}
        )
        if not valid:
            return Response("bad signature", status=403)
        status, body = self.answers.get("/" + path, (404, "no such page"))
        return Response(body, status=status, mimetype="application/xml")

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


def sms_reply(*texts: str) -> tuple[int, str]:
    reply = MessagingResponse()
    for text in texts:
        reply.message(text)
    return 200, str(reply)


def voice(twiml: VoiceResponse) -> tuple[int, str]:
    return 200, str(twiml)


@pytest.fixture(scope="module")
def primary() -> Iterator[Stub]:
    stub = Stub("raporto-primary")
    yield stub
    stub.live.stop()


@pytest.fixture(scope="module")
def backup() -> Iterator[Stub]:
    stub = Stub("raporto-fallback")
    yield stub
    stub.live.stop()


@pytest.fixture(scope="module")
def server(primary: Stub) -> Iterator[SandboxServer]:
    with SandboxServer(
        twilio_account_sid=SID, twilio_auth_token=TOKEN, public_base_url=primary.url
    ) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer, primary: Stub, backup: Stub) -> None:
    server.state.reset()
    server.configure(twilio_sms_fallback_url=None, twilio_voice_fallback_url=None)
    for stub in (primary, backup):
        stub.requests.clear()
        stub.answers.clear()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A URL whose port is bound but not listening: connecting is refused at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/twilio/sms"
    sock.close()


@pytest.fixture
def cut_url() -> Iterator[str]:
    """A host that dies mid-answer, as a SIGKILLed web process does: headers, half a body."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)  # so the loop sees `stop` (closing does not wake accept)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            with conn, conn.makefile("rb") as request:
                length = 0
                while (line := request.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request.read(length)  # the whole request, so closing sends FIN, not RST
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n<Response>")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/twilio/sms"
    stop.set()
    thread.join(timeout=10)
    sock.close()


def control(server: SandboxServer, path: str, **body: Any) -> dict[str, Any]:
    resp = requests.post(f"{server.url}/sandbox/twilio/{path}", json=body, timeout=40)
    assert resp.status_code == 200, resp.text
    return resp.json()


def text(server: SandboxServer, **body: Any) -> dict[str, Any]:
    return control(server, "sms", **{"from": CITIZEN, "body": "Ndihmë", **body})


# -- SMS ---------------------------------------------------------------------


def test_sms_primary_500_posts_once_to_the_fallback_and_its_reply_is_recorded(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/sms"] = (500, "boom")
    backup.answers["/sms-fallback"] = sms_reply("Morëm mesazhin tuaj")
    fallback_url = f"{backup.url}/sms-fallback"
    server.configure(twilio_sms_fallback_url=fallback_url)
    primary_url = f"{primary.url}/webhooks/twilio/sms"

    result = text(server)

    assert result["status"] == 200
    assert result["replies"] == ["Morëm mesazhin tuaj"]
    assert "error" not in result
    assert result["fallback"] == {
        "url": fallback_url,
        "error_code": 11200,
        "error_url": primary_url,
        "status": 200,
        "ok": True,
    }
    (first,) = primary.requests
    (second,) = backup.requests
    assert second["path"] == "/sms-fallback"
    # The same parameters as the failed request, plus ErrorCode and ErrorUrl.
    expected = {**first["form"], "ErrorCode": "11200", "ErrorUrl": primary_url}
    assert second["form"] == expected
    assert second["valid"]
    validator = RequestValidator(TOKEN)
    assert second["signature"] == validator.compute_signature(fallback_url, expected)
    assert not validator.validate(primary_url, expected, second["signature"])
    sent = server.state.messages(channel="sms", recipient=CITIZEN, method="twiml.Message")
    assert [(m.text, m.extra["in_reply_to"]) for m in sent] == [
        ("Morëm mesazhin tuaj", result["message_sid"])
    ]


def test_an_unreachable_primary_falls_back_with_11205_instead_of_a_502(
    server: SandboxServer, backup: Stub, refused_url: str
) -> None:
    backup.answers["/sms-fallback"] = sms_reply("Rezervë")
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")

    result = text(server, url=refused_url)

    assert (result["status"], result["replies"]) == (200, ["Rezervë"])
    assert (result["fallback"]["error_code"], result["fallback"]["error_url"]) == (
        11205,
        refused_url,
    )
    (req,) = backup.requests
    assert (req["form"]["ErrorCode"], req["form"]["ErrorUrl"]) == ("11205", refused_url)
    assert req["valid"]


def test_a_primary_that_dies_mid_answer_falls_back_with_11205(
    server: SandboxServer, backup: Stub, cut_url: str
) -> None:
    # The answer is cut off (IncompleteRead): Twilio counts it as a failed connection.
    backup.answers["/sms-fallback"] = sms_reply("Rezervë")
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")

    result = text(server, url=cut_url)

    assert (result["status"], result["replies"]) == (200, ["Rezervë"])
    assert result["fallback"]["error_code"] == 11205
    (req,) = backup.requests
    assert req["form"]["ErrorCode"] == "11205"


def test_a_telegram_update_cut_off_mid_answer_is_a_failed_delivery(cut_url: str) -> None:
    # Telegram retries such an update, as it does a refused connection.
    status, error, body = post_json(cut_url, {"update_id": 1}, secret=None)
    assert (status, body) == (None, b"")
    assert error is not None and "IncompleteRead" in error


def test_an_answer_that_is_not_twiml_falls_back_with_12100(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/sms"] = (200, NOT_TWIML)
    backup.answers["/sms-fallback"] = sms_reply("Rezervë")
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")

    result = text(server)

    assert result["replies"] == ["Rezervë"]
    assert result["fallback"]["error_code"] == 12100
    assert backup.requests[0]["form"]["ErrorCode"] == "12100"
    assert len(backup.requests) == 1


def test_a_control_requests_fallback_url_overrides_the_configuration(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/sms"] = (503, "")
    backup.answers["/other"] = sms_reply("Nga kërkesa")
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")

    result = text(server, fallback_url=f"{backup.url}/other")

    assert result["replies"] == ["Nga kërkesa"]
    assert backup.paths() == ["/other"]


def test_the_fallback_urls_are_set_through_put_sandbox_config(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    settings = {
        "twilio_sms_fallback_url": f"{backup.url}/sms-fallback",
        "twilio_voice_fallback_url": f"{backup.url}/voice-fallback",
    }
    resp = requests.put(f"{server.url}/sandbox/config", json=settings, timeout=5)
    assert resp.status_code == 200, resp.text
    assert {k: resp.json()[k] for k in settings} == settings
    primary.answers["/webhooks/twilio/sms"] = (500, "")
    backup.answers["/sms-fallback"] = sms_reply("Rezervë")

    assert text(server)["replies"] == ["Rezervë"]


def test_a_successful_primary_never_calls_the_fallback(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/sms"] = sms_reply("Kryesori")
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")

    result = text(server)

    assert result["replies"] == ["Kryesori"]
    assert "fallback" not in result
    assert backup.requests == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((500, "boom"), {"status": 500, "twiml": "boom"}),
        ((200, NOT_TWIML), {"status": 200, "twiml": NOT_TWIML, "error": "the answer is not TwiML"}),
    ],
)
def test_without_a_fallback_a_failed_sms_is_reported_as_before(
    server: SandboxServer,
    primary: Stub,
    backup: Stub,
    answer: tuple[int, str],
    expected: dict[str, Any],
) -> None:
    primary.answers["/webhooks/twilio/sms"] = answer

    result = text(server)

    assert {k: v for k, v in result.items() if k != "message_sid"} == {**expected, "replies": []}
    assert len(primary.requests) == 1
    assert backup.requests == []
    assert server.state.messages(channel="sms") == []


def test_without_a_fallback_an_unreachable_app_is_still_a_502(
    server: SandboxServer, backup: Stub, refused_url: str
) -> None:
    resp = requests.post(
        f"{server.url}/sandbox/twilio/sms",
        json={"from": CITIZEN, "body": "x", "url": refused_url},
        timeout=20,
    )
    assert resp.status_code == 502
    assert resp.json()["error"].startswith(f"could not reach {refused_url}")
    assert backup.requests == []


@pytest.mark.parametrize(
    ("fallback_answer", "status", "error"),
    [
        ((500, "down too"), 500, "the fallback failed too: HTTP 500"),
        ((200, NOT_TWIML), 200, "the fallback failed too: answer is not TwiML"),
    ],
)
def test_when_the_sms_fallback_fails_too_the_result_is_an_error(
    server: SandboxServer,
    primary: Stub,
    backup: Stub,
    fallback_answer: tuple[int, str],
    status: int,
    error: str,
) -> None:
    primary.answers["/webhooks/twilio/sms"] = (500, "boom")
    backup.answers["/sms-fallback"] = fallback_answer
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")

    result = text(server)

    assert (result["status"], result["replies"], result["error"]) == (status, [], error)
    assert (result["fallback"]["status"], result["fallback"]["ok"]) == (status, False)
    # Once each: the fallback is not retried.
    assert (len(primary.requests), len(backup.requests)) == (1, 1)
    assert server.state.messages(channel="sms") == []


def test_an_unreachable_fallback_is_an_error_result_not_a_502(
    server: SandboxServer, primary: Stub, refused_url: str
) -> None:
    primary.answers["/webhooks/twilio/sms"] = (500, "boom")
    server.configure(twilio_sms_fallback_url=refused_url)

    result = text(server)

    assert result["status"] is None
    assert result["error"].startswith(f"the fallback failed too: could not reach {refused_url}")
    assert result["fallback"] == {
        "url": refused_url,
        "error_code": 11200,
        "error_url": f"{primary.url}/webhooks/twilio/sms",
        "status": None,
        "ok": False,
    }


# -- voice -------------------------------------------------------------------


def recording_prompt() -> VoiceResponse:
    twiml = VoiceResponse()
    twiml.say("Linja rezervë: flisni pas sinjalit")
    twiml.record(action="recorded", max_length=60)
    return twiml


def test_a_failing_voice_url_falls_back_and_the_call_goes_on_at_the_fallback_host(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/voice"] = (503, "busy")
    backup.answers["/voice/fallback"] = voice(recording_prompt())
    thanks = VoiceResponse()
    thanks.say("Faleminderit")
    backup.answers["/voice/recorded"] = voice(thanks)
    server.configure(twilio_voice_fallback_url=f"{backup.url}/voice/fallback")

    call = control(server, "calls", **{"from": CITIZEN})

    assert call["status"] == 200
    assert call["fallback"]["error_code"] == 11200
    assert call["say"] == ["Linja rezervë: flisni pas sinjalit"]
    assert call["record"]["action_url"] == f"{backup.url}/voice/recorded"
    assert call["call_status"] == "ringing"
    (failed,) = primary.requests
    (fallback,) = backup.requests
    assert fallback["valid"]
    assert fallback["form"] == {
        **failed["form"],
        "ErrorCode": "11200",
        "ErrorUrl": f"{primary.url}/webhooks/twilio/voice",
    }
    assert fallback["form"]["CallSid"] == call["call_sid"]

    done = control(server, f"calls/{call['call_sid']}/record", seconds=7)

    assert done["say"] == ["Faleminderit"]
    assert done["call_status"] == "completed"
    assert "fallback" not in done
    assert primary.paths() == ["/webhooks/twilio/voice"]
    assert backup.paths() == ["/voice/fallback", "/voice/recorded"]
    recorded = backup.requests[1]
    assert recorded["valid"]
    assert recorded["form"]["RecordingSid"] == done["recording_sid"]
    assert "ErrorCode" not in recorded["form"]


def menu_call(server: SandboxServer, primary: Stub) -> dict[str, Any]:
    twiml = VoiceResponse()
    twiml.append(Gather(action="/webhooks/twilio/voice/menu", num_digits=1))
    primary.answers["/webhooks/twilio/voice"] = voice(twiml)
    return control(server, "calls", **{"from": CITIZEN})


def test_a_failing_gather_action_falls_back_with_the_digits(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/voice/menu"] = (500, "boom")
    sorry = VoiceResponse()
    sorry.say("Na vjen keq, provoni përsëri")
    sorry.hangup()
    backup.answers["/voice-fallback"] = voice(sorry)
    server.configure(twilio_voice_fallback_url=f"{backup.url}/voice-fallback")
    call = menu_call(server, primary)
    assert "fallback" not in call

    result = control(server, f"calls/{call['call_sid']}/digits", digits="2")

    assert result["say"] == ["Na vjen keq, provoni përsëri"]
    assert (result["hangup"], result["call_status"]) == (True, "completed")
    assert result["fallback"]["error_url"] == f"{primary.url}/webhooks/twilio/voice/menu"
    (req,) = backup.requests
    assert req["valid"]
    form = req["form"]
    assert (form["Digits"], form["ErrorCode"], form["CallStatus"]) == ("2", "11200", "in-progress")
    assert form["ErrorUrl"] == f"{primary.url}/webhooks/twilio/voice/menu"


def test_a_failing_record_action_falls_back_with_the_recording(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    prompt = VoiceResponse()
    prompt.record(action="/webhooks/twilio/voice/recorded")
    primary.answers["/webhooks/twilio/voice"] = voice(prompt)
    primary.answers["/webhooks/twilio/voice/recorded"] = (200, NOT_TWIML)
    backup.answers["/voice-fallback"] = voice(VoiceResponse())
    server.configure(twilio_voice_fallback_url=f"{backup.url}/voice-fallback")
    call = control(server, "calls", **{"from": CITIZEN})

    result = control(server, f"calls/{call['call_sid']}/record", seconds=9)

    assert result["fallback"]["error_code"] == 12100
    assert "error" not in result
    (req,) = backup.requests
    form = req["form"]
    assert (form["RecordingSid"], form["RecordingDuration"]) == (result["recording_sid"], "9")
    assert form["RecordingUrl"] == result["recording_url"]
    assert form["ErrorCode"] == "12100"


def test_when_the_voice_fallback_fails_too_the_call_ends_with_an_application_error(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    primary.answers["/webhooks/twilio/voice"] = (500, "boom")
    backup.answers["/voice-fallback"] = (502, "down too")
    server.configure(twilio_voice_fallback_url=f"{backup.url}/voice-fallback")

    call = control(server, "calls", **{"from": CITIZEN})

    assert call["error"] == "application error: HTTP 502"
    assert (call["status"], call["call_status"], call["hangup"]) == (502, "completed", True)
    assert (call["fallback"]["error_code"], call["fallback"]["ok"]) == (11200, False)
    assert (len(primary.requests), len(backup.requests)) == (1, 1)
    state = requests.get(f"{server.url}/sandbox/twilio/calls/{call['call_sid']}", timeout=5)
    assert state.json()["call_status"] == "completed"


def test_without_a_voice_fallback_a_failing_step_ends_the_call_as_before(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    server.configure(twilio_sms_fallback_url=f"{backup.url}/sms-fallback")  # SMS only
    call = menu_call(server, primary)
    primary.answers["/webhooks/twilio/voice/menu"] = (500, "boom")

    result = control(server, f"calls/{call['call_sid']}/digits", digits="1")

    assert result["error"] == "application error: HTTP 500"
    assert result["call_status"] == "completed"
    assert "fallback" not in result
    assert backup.requests == []


def test_a_call_keeps_the_fallback_url_given_when_it_started(
    server: SandboxServer, primary: Stub, backup: Stub
) -> None:
    twiml = VoiceResponse()
    twiml.append(Gather(action="/webhooks/twilio/voice/menu", num_digits=1))
    primary.answers["/webhooks/twilio/voice"] = voice(twiml)
    primary.answers["/webhooks/twilio/voice/menu"] = (404, "gone")
    backup.answers["/per-call"] = voice(VoiceResponse())
    call = control(server, "calls", **{"from": CITIZEN, "fallback_url": f"{backup.url}/per-call"})

    result = control(server, f"calls/{call['call_sid']}/digits", digits="3")

    assert result["fallback"]["url"] == f"{backup.url}/per-call"
    assert backup.paths() == ["/per-call"]
    assert backup.requests[0]["form"]["Digits"] == "3"


def test_a_fallback_path_is_taken_relative_to_the_public_base_url(
    server: SandboxServer, primary: Stub
) -> None:
    primary.answers["/webhooks/twilio/sms"] = (500, "boom")
    primary.answers["/webhooks/twilio/sms-fallback"] = sms_reply("Po aty")
    server.configure(twilio_sms_fallback_url="/webhooks/twilio/sms-fallback")

    result = text(server)

    assert result["replies"] == ["Po aty"]
    assert result["fallback"]["url"] == f"{primary.url}/webhooks/twilio/sms-fallback"
    assert primary.paths() == ["/webhooks/twilio/sms", "/webhooks/twilio/sms-fallback"]
    assert primary.requests[1]["valid"]
