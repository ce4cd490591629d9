"""The sandbox's own control surface: message log, faults, config, state, CLI, TwiML."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox import SandboxServer
from sandbox.media import TINY_JPEG, _ogg_crc, tiny_ogg
from sandbox.twiml import TwimlError, parse_twiml

ROOT = Path(__file__).resolve().parent.parent
SID = "AC" + "e5" * 16


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    # No tokens configured: any bot token and any Twilio credentials are accepted.
    with SandboxServer(twilio_account_sid=SID) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer) -> None:
    server.state.reset()
    server.configure(latency=0.0)


def send_telegram(server: SandboxServer, chat_id: int, text: str, bot: str = "1:any") -> int:
    resp = requests.post(
        f"{server.url}/bot{bot}/sendMessage",
        data={"chat_id": str(chat_id), "text": text},
        timeout=5,
    )
    assert resp.status_code == 200, resp.text
    return int(resp.status_code)


def send_sms(server: SandboxServer, to: str, body: str) -> requests.Response:
    return requests.post(
        f"{server.url}/2010-04-01/Accounts/{SID}/Messages.json",
        data={"To": to, "From": "+15005550006", "Body": body},
        auth=(SID, "whatever"),
        timeout=5,
    )


def test_messages_lists_every_channel_with_filters_and_since(server: SandboxServer) -> None:
    send_telegram(server, 42, "tg one")
    assert send_sms(server, "+355690000001", "sms one").status_code == 201
    send_telegram(server, 43, "tg two")
    url = f"{server.url}/sandbox/messages"
    everything = requests.get(url, timeout=5).json()
    assert [(m["channel"], m["recipient"], m["text"]) for m in everything] == [
        ("telegram", "42", "tg one"),
        ("sms", "+355690000001", "sms one"),
        ("telegram", "43", "tg two"),
    ]
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", m["time"]) for m in everything
    )
    assert [
        m["text"] for m in requests.get(url, params={"channel": "telegram"}, timeout=5).json()
    ] == ["tg one", "tg two"]
    assert [m["text"] for m in requests.get(url, params={"recipient": "43"}, timeout=5).json()] == [
        "tg two"
    ]
    assert [m["index"] for m in requests.get(url, params={"since": 1}, timeout=5).json()] == [1, 2]
    assert requests.delete(url, timeout=5).status_code == 204
    assert requests.get(url, timeout=5).json() == []


def test_messages_can_long_poll_for_the_next_one(server: SandboxServer) -> None:
    timer = threading.Timer(0.2, send_telegram, args=(server, 7, "later"))
    timer.start()
    found = requests.get(f"{server.url}/sandbox/messages", params={"wait": 5}, timeout=10).json()
    timer.join()
    assert [m["text"] for m in found] == ["later"]


def test_wait_for_messages_returns_once_enough_arrive(server: SandboxServer) -> None:
    for n in range(2):
        threading.Timer(0.05 * (n + 1), send_telegram, args=(server, 9, f"m{n}")).start()
    found = server.state.wait_for_messages(2, channel="telegram", recipient=9, timeout=5)
    assert [m.text for m in found] == ["m0", "m1"]


def test_wait_for_messages_times_out_with_a_clear_error(server: SandboxServer) -> None:
    with pytest.raises(TimeoutError, match="for 1 messages, have 0"):
        server.state.wait_for_messages(1, channel="sms", timeout=0.1)


def test_faults_can_be_listed_and_cleared(server: SandboxServer) -> None:
    url = f"{server.url}/sandbox/faults"
    rule = requests.post(url, json={"provider": "twilio", "mode": "5xx"}, timeout=5).json()
    assert [r["id"] for r in requests.get(url, timeout=5).json()] == [rule["id"]]
    assert send_sms(server, "+355690000001", "x").status_code == 500
    assert requests.delete(url, timeout=5).status_code == 204
    assert requests.get(url, timeout=5).json() == []
    assert send_sms(server, "+355690000001", "x").status_code == 201


def test_a_fault_with_a_duration_expires(server: SandboxServer) -> None:
    requests.post(
        f"{server.url}/sandbox/faults",
        json={"provider": "twilio", "mode": "429", "duration": 0.2},
        timeout=5,
    )
    assert send_sms(server, "+355690000001", "x").status_code == 429
    time.sleep(0.25)
    assert send_sms(server, "+355690000001", "x").status_code == 201


@pytest.mark.parametrize(
    "rule",
    [
        {"provider": "smtp", "mode": "5xx"},
        {"provider": "twilio", "mode": "explode"},
        {"provider": "twilio", "mode": "5xx", "match": "To"},
    ],
)
def test_an_invalid_fault_rule_is_refused(server: SandboxServer, rule: dict[str, str]) -> None:
    assert requests.post(f"{server.url}/sandbox/faults", json=rule, timeout=5).status_code == 400


def test_global_latency_delays_every_fake_answer(server: SandboxServer) -> None:
    resp = requests.put(f"{server.url}/sandbox/config", json={"latency": 0.1}, timeout=5)
    assert resp.json()["latency"] == 0.1
    start = time.monotonic()
    send_telegram(server, 1, "slow")
    assert time.monotonic() - start >= 0.1


def test_unknown_config_keys_are_refused(server: SandboxServer) -> None:
    resp = requests.put(f"{server.url}/sandbox/config", json={"latencyy": 1}, timeout=5)
    assert resp.status_code == 400


def test_any_token_is_accepted_when_none_is_configured(server: SandboxServer) -> None:
    send_telegram(server, 1, "a", bot="111:first")
    send_telegram(server, 1, "b", bot="222:second")
    assert len(server.state.messages(channel="telegram")) == 2


def test_a_configured_token_rejects_others_with_401() -> None:
    with SandboxServer(telegram_token="5:right") as srv:
        wrong = requests.post(f"{srv.url}/bot5:wrong/getMe", timeout=5)
        right = requests.post(f"{srv.url}/bot5:right/getMe", timeout=5)
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert right.json()["result"]["id"] == 5


def test_a_stopped_server_frees_its_long_polls_quickly() -> None:
    srv = SandboxServer().start()
    poll = threading.Thread(
        target=lambda: requests.post(
            f"{srv.url}/bot1:x/getUpdates", data={"timeout": "10"}, timeout=15
        )
    )
    poll.start()
    time.sleep(0.1)
    start = time.monotonic()
    srv.stop()
    poll.join(timeout=5)
    assert not poll.is_alive()
    assert time.monotonic() - start < 3


def test_the_command_line_prints_the_address_and_serves() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        assert requests.get(f"{url.group(0)}/sandbox/health", timeout=5).json() == {"ok": True}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_fake_media_have_real_headers() -> None:
    assert TINY_JPEG[:3] == b"\xff\xd8\xff"
    assert TINY_JPEG[-2:] == b"\xff\xd9"
    ogg = tiny_ogg()
    first_len = 27 + ogg[26] + sum(ogg[27 : 27 + ogg[26]])
    page = ogg[:first_len]
    stored = int.from_bytes(page[22:26], "little")
    assert stored == _ogg_crc(page[:22] + b"\0\0\0\0" + page[26:])
    assert page[28:36] == b"OpusHead"
    assert ogg[first_len : first_len + 4] == b"OggS"


def test_twiml_messages_read_body_and_media_children() -> None:
    doc = parse_twiml(
        "<Response><Message to='+3556'><Body>Hi</Body><Media>https://m/1.jpg</Media></Message>"
        "<Message>Plain</Message></Response>"
    )
    assert [(m["text"], m["media"], m.get("to")) for m in doc.messages] == [
        ("Hi", ["https://m/1.jpg"], "+3556"),
        ("Plain", [], None),
    ]


def test_twiml_stops_at_the_first_waiting_verb() -> None:
    doc = parse_twiml("<Response><Say>a</Say><Record/><Say>never</Say></Response>")
    assert [s["text"] for s in doc.say] == ["a"]
    assert doc.record == {}


@pytest.mark.parametrize("bad", ["not xml", "<Html/>"])
def test_non_twiml_is_an_error(bad: str) -> None:
    with pytest.raises(TwimlError):
        parse_twiml(bad)
