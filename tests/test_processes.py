"""The processes as a user starts them: `raporto serve` on a fresh folder, `raporto worker`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from alerts.queue import RQQueue
from models.tables import OutboundMessage
from tests.conftest import REDIS_URL, env_for, make_runtime
from tests.helpers import free_port, telegram_callback, telegram_message, wait_until
from tests.security_helpers import BEARER, HEALTH_TOKEN

pytestmark = pytest.mark.e2e
RAPORTO = str(Path(sys.executable).parent / "raporto")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    port, sandbox_port = free_port(), free_port()
    # No PUBLIC_BASE_URL either: on a port other than 8000 the sandbox must still find the app.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RAPORTO", "DATABASE", "REDIS", "TELEGRAM", "TWILIO", "PUBLIC"))
    }
    env["RAPORTO_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["RAPORTO_HEALTH_TOKEN"] = HEALTH_TOKEN  # /health's details need it (issue 12, item 16)
    proc = subprocess.Popen(
        [RAPORTO, "serve", "--port", str(port), "--sandbox-port", str(sandbox_port)],
        env=env,
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # As a shell without job control starts `raporto serve &`: SIGINT ignored on arrival.
        # Ctrl-C's signal must still stop it (it did not: the process then ran for ever).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _up(url), timeout=60, interval=0.2)
        yield url, f"http://127.0.0.1:{sandbox_port}", proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _up(url: str) -> bool:
    try:
        return requests.get(url + "/health", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


def test_raporto_serve_runs_the_whole_loop_with_no_configuration(
    served: tuple[str, str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, sandbox, _ = served
    health = requests.get(url + "/health", headers=BEARER, timeout=5).json()
    assert health["ok"] is True and health["database"] == "ok" and health["queue"] == "ok"
    assert health["queue_backend"] == "inprocess" and health["alerts"]["workers"] == 1
    secrets = tmp_path / "instance" / "dev-secrets.json"
    assert secrets.exists() and (tmp_path / "instance" / "raporto.sqlite").exists()
    sms = requests.post(
        sandbox + "/sandbox/twilio/sms",
        json={"from": "+355691112233", "body": "Një vajzë punon pa pagë në Korçë"},
        timeout=10,
    ).json()
    assert sms["status"] == 200 and re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", sms["replies"][0])
    requests.post(
        sandbox + "/sandbox/telegram/updates",
        json={"user_id": 4040, "text": "Fëmijë që lypin te Tirana e Re"},
        timeout=10,
    )
    sent = wait_until(
        lambda: [
            m
            for m in requests.get(url + "/sandbox/messages", timeout=5).json()
            if m["channel"] == "telegram" and m["method"] == "sendMessage"
        ],
        timeout=20,
    )
    assert re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", sent[0]["text"])
    # The demo roster's six officials got the alerts on their sandbox chats.
    alerted = wait_until(
        lambda: (
            {
                m["recipient"]
                for m in requests.get(url + "/sandbox/messages", timeout=5).json()
                if m["recipient"].startswith("9000") and m["method"] == "sendMessage"
            }
            >= {str(900_000 + i) for i in range(1, 7)}
            or None
        ),
        timeout=20,
    )
    assert alerted


def test_raporto_serve_prints_its_addresses(served: tuple[str, str, subprocess.Popen[str]]) -> None:
    url, sandbox, proc = served
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert f"console and webhooks at {url}" in output
    assert f"public URL:        {url} " in output  # derived from --port, not 8000
    assert sandbox in output
    assert proc.returncode == 0


def test_raporto_serve_stops_cleanly_on_sigterm(
    served: tuple[str, str, subprocess.Popen[str]],
) -> None:
    # What systemd, Docker and Procfile runners send: a clean stop, not a kill mid-write.
    url, sandbox, proc = served
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output[-2000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox + "/health", timeout=2)  # the sandbox was stopped too


@pytest.mark.redis
def test_a_raporto_worker_process_sends_queued_replies(tmp_path: Path, sqlite_url: str) -> None:
    from raporto.app import create_app
    from sandbox import SandboxServer
    from tests.helpers import telegram_headers

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    runtime = make_runtime(tmp_path, sqlite_url, queue=RQQueue(REDIS_URL), REDIS_URL=REDIS_URL)
    client = create_app(runtime=runtime).test_client()
    for update in (
        telegram_message(1, 9090, "Na mbajnë të mbyllur"),
        telegram_callback(2, 9090, "burst:send:1"),
    ):
        response = client.post("/webhooks/telegram", json=update, headers=telegram_headers(runtime))
        assert response.status_code == 200
    queued = connection.llen("rq:queue:high")
    assert queued == 3  # "received", then the code and the consent question after Send
    with SandboxServer(telegram_token=runtime.settings.telegram_bot_token) as fake:
        env = {
            **os.environ,
            **env_for(tmp_path, sqlite_url, REDIS_URL=REDIS_URL, TELEGRAM_API_URL=fake.url),
        }
        subprocess.run(
            [RAPORTO, "worker", "--burst"], env=env, check=True, timeout=120, capture_output=True
        )
        sent = fake.state.messages(channel="telegram", recipient="9090", method="sendMessage")
    assert connection.llen("rq:queue:high") == 0
    assert len(sent) == queued
    with runtime.db.transaction() as s:
        rows = s.query(OutboundMessage).all()
        assert [r.status for r in rows] == ["sent"] * queued
        assert all(r.payload_enc is None for r in rows)  # sent text is not kept
    connection.flushdb()
