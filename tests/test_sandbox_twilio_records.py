"""The sandbox keeps Twilio's message and call log, and deletes from it as Twilio does.

Inbound SMS and their TwiML replies are Message records; an inbound call is a Call record. A
delete of an unknown sid is a 404 (20404); a message in transit or a call still up is refused
with 20009 ("Cannot delete this resource before it is complete"). The real twilio client runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sandbox import SandboxServer
from tests.test_sandbox_phone import CITIZEN, SID, TOKEN, App


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    stub = App()
    yield stub
    stub.server.shutdown()


@pytest.fixture(scope="module")
def server(app: App) -> Iterator[SandboxServer]:
    with SandboxServer(
        twilio_account_sid=SID, twilio_auth_token=TOKEN, public_base_url=app.url
    ) as s:
        yield s


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer) -> None:
    server.state.reset()


@pytest.fixture
def client(server: SandboxServer) -> Client:
    twilio = Client(SID, TOKEN, http_client=TwilioHttpClient())
    twilio.api.base_url = server.url
    return twilio


def control(server: SandboxServer, path: str, **body: Any) -> dict[str, Any]:
    resp = requests.post(f"{server.url}/sandbox/twilio/{path}", json=body, timeout=20)
    assert resp.status_code == 200, resp.text
    return resp.json()


def deleted(server: SandboxServer) -> dict[str, list[str]]:
    return requests.get(f"{server.url}/sandbox/twilio/deleted", timeout=5).json()


def test_an_inbound_sms_and_its_reply_stay_in_the_log_until_deleted(
    server: SandboxServer, client: Client
) -> None:
    sent = control(server, "sms", **{"from": CITIZEN, "body": "Ndihmë"})
    inbound = client.messages(sent["message_sid"]).fetch()
    assert (inbound.direction, inbound.status, inbound.body) == ("inbound", "received", "Ndihmë")
    assert inbound.from_ == CITIZEN
    replies = [m.sid for m in server.state.messages(channel="sms", method="twiml.Message")]
    assert len(replies) == 2
    assert client.messages(replies[0]).fetch().direction == "outbound-reply"
    assert client.messages(sent["message_sid"]).delete() is True
    with pytest.raises(TwilioRestException) as gone:
        client.messages(sent["message_sid"]).fetch()
    assert gone.value.status == 404
    listing = deleted(server)
    assert listing["messages"] == [sent["message_sid"]]
    assert set(listing["kept_messages"]) == set(replies)


def test_a_repeated_webhook_does_not_bring_a_deleted_message_back(
    server: SandboxServer, client: Client
) -> None:
    sid = control(server, "sms", **{"from": CITIZEN, "body": "x"})["message_sid"]
    client.messages(sid).delete()
    control(server, "sms", **{"from": CITIZEN, "body": "x", "message_sid": sid})
    assert sid not in deleted(server)["kept_messages"]


@pytest.mark.parametrize("kind", ["messages", "calls"])
def test_deleting_an_unknown_record_is_a_404(client: Client, kind: str) -> None:
    prefix = "SM" if kind == "messages" else "CA"
    with pytest.raises(TwilioRestException) as caught:
        getattr(client, kind)(prefix + "0" * 32).delete()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_a_call_record_is_deleted_only_once_the_call_has_ended(
    server: SandboxServer, client: Client
) -> None:
    call_sid = control(server, "calls", **{"from": CITIZEN})["call_sid"]
    with pytest.raises(TwilioRestException) as refused:
        client.calls(call_sid).delete()
    assert refused.value.code == 20009
    assert deleted(server)["calls"] == []
    control(server, f"calls/{call_sid}/hangup")
    assert client.calls(call_sid).delete() is True
    assert deleted(server)["calls"] == [call_sid]
    with pytest.raises(TwilioRestException) as again:
        client.calls(call_sid).delete()
    assert again.value.status == 404


def test_a_created_call_is_deleted_once_completed(client: Client) -> None:
    call = client.calls.create(to=CITIZEN, from_="+15005550006", twiml="<Response/>")
    with pytest.raises(TwilioRestException):
        client.calls(call.sid).delete()
    client.calls(call.sid).update(status="completed")
    assert client.calls(call.sid).delete() is True
