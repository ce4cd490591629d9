"""The real twilio 9 REST client runs unpatched against the sandbox's Twilio API."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sandbox import SandboxServer
from sandbox.state import Recording, utc_now
from sandbox.twilio_resources import num_segments

SID = "AC" + "a1" * 16
TOKEN = "twilio-auth-token"
TIRANA = "+355691234567"


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(twilio_account_sid=SID, twilio_auth_token=TOKEN) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer) -> None:
    server.state.reset()


@pytest.fixture
def client(server: SandboxServer) -> Client:
    twilio = Client(SID, TOKEN, http_client=TwilioHttpClient())
    twilio.api.base_url = server.url
    return twilio


def add_fault(server: SandboxServer, **rule: Any) -> None:
    resp = requests.post(f"{server.url}/sandbox/faults", json=rule, timeout=5)
    assert resp.status_code == 201, resp.text


def add_recording(server: SandboxServer, seconds: int = 4) -> str:
    sid = "RE" + "b2" * 16
    server.state.recordings[sid] = Recording(sid, "CA" + "0" * 32, SID, seconds, b"RIFF", utc_now())
    return sid


def test_creating_a_message_returns_a_queued_message_and_records_it(
    client: Client, server: SandboxServer
) -> None:
    msg = client.messages.create(to=TIRANA, from_="+15005550006", body="Raporti u mor.")
    assert msg.sid.startswith("SM")
    assert len(msg.sid) == 34
    assert msg.status == "queued"
    assert msg.num_segments == "1"
    assert msg.to == TIRANA
    assert msg.date_created is not None
    (logged,) = server.state.messages(channel="sms", recipient=TIRANA)
    assert (logged.text, logged.sid, logged.method) == (
        "Raporti u mor.",
        msg.sid,
        "messages.create",
    )


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("[" * 80, 1),  # extension characters count twice
        ("[" * 81, 2),
        ("ë" * 70, 1),  # ë is outside GSM-7: UCS-2
        ("ë" * 71, 2),
        ("Ndihmë! çka ndodhi?" * 4, 2),
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(body: str, segments: int) -> None:
    assert num_segments(body) == segments


def test_the_client_sees_the_segment_count_of_a_long_albanian_sms(client: Client) -> None:
    msg = client.messages.create(to=TIRANA, from_="+15005550006", body="ë" * 71)
    assert msg.num_segments == "2"


def test_a_message_can_be_fetched_then_deleted(client: Client, server: SandboxServer) -> None:
    msg = client.messages.create(to=TIRANA, from_="+15005550006", body="x")
    assert client.messages(msg.sid).fetch().body == "x"
    stored = server.state.wait_for(
        lambda: m if (m := server.state.rest_messages[msg.sid])["status"] == "delivered" else None
    )
    # As at Twilio, a message still being sent cannot be deleted (error 20009).
    stored["status"] = "sending"
    with pytest.raises(TwilioRestException) as refused:
        client.messages(msg.sid).delete()
    assert refused.value.code == 20009
    stored["status"] = "delivered"
    assert client.messages(msg.sid).delete() is True
    assert msg.sid in server.state.deleted_messages
    with pytest.raises(TwilioRestException) as caught:
        client.messages(msg.sid).fetch()
    assert caught.value.status == 404


def test_an_invalid_to_number_is_error_21211(client: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="069 123", from_="+15005550006", body="x")
    assert (caught.value.status, caught.value.code) == (400, 21211)


def test_wrong_credentials_are_error_20003(server: SandboxServer) -> None:
    twilio = Client(SID, "wrong", http_client=TwilioHttpClient())
    twilio.api.base_url = server.url
    with pytest.raises(TwilioRestException) as caught:
        twilio.messages.create(to=TIRANA, from_="+15005550006", body="x")
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert server.state.messages() == []


def test_creating_a_call_records_it_on_the_voice_channel(
    client: Client, server: SandboxServer
) -> None:
    call = client.calls.create(
        to=TIRANA, from_="+15005550006", twiml="<Response><Say>Alarm</Say></Response>"
    )
    assert call.sid.startswith("CA")
    assert call.status == "queued"
    assert client.calls(call.sid).fetch().to == TIRANA
    (logged,) = server.state.messages(channel="voice")
    assert (logged.recipient, logged.text, logged.sid) == (TIRANA, "Alarm", call.sid)


def test_a_recording_can_be_fetched_downloaded_and_deleted(
    client: Client, server: SandboxServer
) -> None:
    sid = add_recording(server, seconds=4)
    recording = client.recordings(sid).fetch()
    assert recording.duration == "4"
    assert recording.status == "completed"
    assert client.recordings(sid).delete() is True
    with pytest.raises(TwilioRestException) as caught:
        client.recordings(sid).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_recording_audio_is_served_as_wav_and_mp3(server: SandboxServer) -> None:
    from sandbox import media

    sid = "RE" + "c3" * 16
    server.state.recordings[sid] = Recording(sid, "CA1", SID, 3, media.wav_bytes(0.5), utc_now())
    base = f"{server.url}/2010-04-01/Accounts/{SID}/Recordings/{sid}"
    plain, wav, mp3 = (requests.get(base + ext, timeout=5) for ext in ("", ".wav", ".mp3"))
    assert plain.content == wav.content
    with wave.open(io.BytesIO(wav.content)) as audio:
        assert (audio.getnchannels(), audio.getframerate()) == (1, 8000)
    assert mp3.headers["Content-Type"] == "audio/mpeg"
    assert mp3.content[:2] == b"\xff\xfb"


@pytest.mark.parametrize(("mode", "status", "code"), [("429", 429, 20429), ("5xx", 503, 20503)])
def test_rate_limit_and_server_faults_raise_twilio_rest_exception(
    client: Client, server: SandboxServer, mode: str, status: int, code: int
) -> None:
    add_fault(server, provider="twilio", method="Messages", mode=mode, status=status, count=1)
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=TIRANA, from_="+15005550006", body="x")
    assert (caught.value.status, caught.value.code) == (status, code)
    # The rule was good for one call only.
    assert client.messages.create(to=TIRANA, from_="+15005550006", body="y").status == "queued"


def test_a_fault_can_target_one_recipient(client: Client, server: SandboxServer) -> None:
    add_fault(server, provider="twilio", mode="blocked", match={"To": "+355690000001"})
    assert client.messages.create(to=TIRANA, from_="+15005550006", body="ok").sid
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="+355690000001", from_="+15005550006", body="no")
    assert caught.value.code == 21610


def test_a_drop_fault_makes_requests_raise_connection_error(
    client: Client, server: SandboxServer
) -> None:
    add_fault(server, provider="twilio", method="messages.create", mode="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.messages.create(to=TIRANA, from_="+15005550006", body="x")
