"""The load and the readings of bench/alerts.py: tips posted at a rate, the fake, latencies.

The sandbox (the fake Telegram and Twilio) runs in its own process; latencies are read back from
the messages it recorded: from a tip's webhook 200 to the sixth official's sendMessage.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

from alerts.demo import DEMO_CHAT_BASE
from alerts.telegram_sender import TelegramSender
from models.reference import find_reference

ROOT = Path(__file__).resolve().parents[1]
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
MEMBERS = {str(DEMO_CHAT_BASE + i) for i in range(1, 7)}
NUMBERS = iter(range(10**9))  # one sender number per tip across all phases


def pct(values: list[float], q: float) -> float:
    """The q-quantile of durations in seconds, in milliseconds (0 when there are none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


class Bench:
    """Posts signed SMS webhooks at a steady rate and notes when each tracked tip was answered."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.token = env["TWILIO_AUTH_TOKEN"]
        self.sent_at: dict[str, float] = {}
        self.lock = threading.Lock()
        self.counter = NUMBERS  # shared: a number reused within 2 minutes joins a burst

    def post_sms(self, body: str, session: requests.Session, track: bool) -> None:
        """Post one SMS from a fresh number; with `track`, note its reference and answer time."""
        n = next(self.counter)
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": f"+35568{n % 10**7:07d}",
            "To": "+15005550006",
            "Body": body.format(n=n),
            "NumMedia": "0",
        }
        url = BASE + "/webhooks/twilio/sms"
        signature = RequestValidator(self.token).compute_signature(url, form)
        response = session.post(
            url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        done = time.time()
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}")
        reference = find_reference(response.text)
        if track and reference:
            with self.lock:
                self.sent_at[reference] = done

    def offer(
        self, body: str, rate: float, seconds: float, pool: ThreadPoolExecutor, track: bool
    ) -> None:
        """Post `body` at `rate` tips a second for `seconds` through `pool`."""
        local = threading.local()

        def fire() -> None:
            if not hasattr(local, "s"):
                local.s = requests.Session()
            self.post_sms(body, local.s, track)

        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire)


class FakeProcess:
    """The sandbox in its own process, so it never competes with the load generator's GIL."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                str(port),
                "--latency",
                "0.1",
                "--public-base-url",
                BASE,
            ],
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                if requests.get(self.url + "/sandbox/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("sandbox did not start")

    def messages(self) -> list[dict[str, object]]:
        """The sendMessage calls the fake Telegram recorded."""
        response = requests.get(
            self.url + "/sandbox/messages",
            timeout=60,
            params={"channel": "telegram", "method": "sendMessage"},
        )
        return list(response.json())

    def clear(self) -> None:
        """Forget the recorded messages."""
        requests.delete(self.url + "/sandbox/messages", timeout=30)

    def stop(self) -> None:
        """Stop the sandbox process."""
        self.proc.terminate()
        self.proc.wait(timeout=10)


def latencies(sandbox: FakeProcess, sent_at: dict[str, float]) -> list[float]:
    """Seconds from each tracked tip's webhook answer to its sixth official's sendMessage."""
    sixth: dict[str, list[float]] = {}
    for m in sandbox.messages():
        ref = find_reference(str(m["text"]))
        if ref in sent_at and m["recipient"] in MEMBERS:
            at = dt.datetime.fromisoformat(str(m["time"]).replace("Z", "+00:00")).timestamp()
            sixth.setdefault(ref, []).append(at)
    return [max(times) - sent_at[ref] for ref, times in sixth.items() if len(times) >= 6]


def floor(sandbox: FakeProcess, token: str) -> list[float]:
    """Thirty round trips of one sendMessage to the fake, after a warm-up (the floor)."""
    sender = TelegramSender(token, sandbox.url)
    sender.send(DEMO_CHAT_BASE + 1, "warm up")
    times = []
    for _ in range(30):
        start = time.perf_counter()
        sender.send(DEMO_CHAT_BASE + 1, "floor")
        times.append(time.perf_counter() - start)
    return times
