"""Nothing lost while PostgreSQL is down: 100 tips on four channels, the database stopped for 60 s
and the web process SIGKILLed once while it spools.

Real parts throughout: a private PostgreSQL cluster the test stops and starts, a private Redis,
two gunicorn web hosts (the second is Twilio's fallback URL, as in production), two `raporto
worker` processes, and the sandbox's fake Telegram and Twilio over HTTP (Telegram retries a failed
webhook; Twilio asks the fallback URL once; the call centre's system retries its record).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from alerts.demo import DEMO_CHAT_BASE, seed_demo_roster
from models.base import utcnow
from models.deliveries import Delivery
from models.migrate import upgrade
from models.reference import find_reference
from models.tables import Tip
from raporto.runtime import Runtime, build_runtime
from sandbox import SandboxServer
from tests.chaos import PrivateRedis, WebProcess, WorkerPool
from tests.conftest import env_for, make_settings
from tests.helpers import free_port, hotline_request, wait_until
from tests.pgcluster import PrivatePostgres

# The chaos tests run one after another on one xdist worker (scripts/test: --dist loadgroup):
# each starts several processes, and two at once would starve each other of the two cores.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.xdist_group("chaos"),
]
MEMBERS = {str(DEMO_CHAT_BASE + i) for i in range(1, 7)}
OUTAGE = 60.0  # seconds PostgreSQL stays stopped
PER_CHAT = 0.25  # each official gets one Telegram message per PER_CHAT s at most (quickened)
QUIET = 2  # a Telegram report is sent after this many quiet seconds
TEXT = "Vajza nr {n} punon natën në një lokal në Vlorë, i kanë marrë pasaportën"


@dataclass
class Hosts:
    runtime: Runtime  # the test's own view of the database (reads, roster)
    sandbox: SandboxServer
    primary: WebProcess
    secondary: WebProcess
    workers: WorkerPool
    pg: PrivatePostgres
    spools: tuple[Path, Path]


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[Hosts]:
    pg = PrivatePostgres().start()
    redis_server = PrivateRedis(free_port()).start()
    ports = free_port(), free_port()
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    spools = (tmp_path / "spool-a", tmp_path / "spool-b")
    common = {
        "REDIS_URL": redis_server.url,
        "RAPORTO_FLOOD_OVERALL_PER_HOUR": "100000",
        "RAPORTO_TELEGRAM_PER_CHAT_INTERVAL": str(PER_CHAT),
        "RAPORTO_BURST_QUIET_SECONDS": str(QUIET),
    }
    settings = make_settings(tmp_path / "test", pg.url, **common)
    sandbox = SandboxServer(
        telegram_token=settings.telegram_bot_token,
        twilio_account_sid=settings.twilio_account_sid,
        twilio_auth_token=settings.twilio_auth_token,
        public_base_url=urls[0],
        telegram_webhook_secret=settings.telegram_webhook_secret,
    ).start()
    sandbox.configure(
        twilio_sms_fallback_url=urls[1] + "/webhooks/twilio/fallback/sms",
        twilio_voice_fallback_url=urls[1] + "/webhooks/twilio/fallback/voice",
        # Telegram keeps retrying an update for hours; here for about three minutes.
        webhook_max_attempts=12,
        webhook_retry_delay=0.05,
    )
    apis = {"TELEGRAM_API_URL": sandbox.url, "TWILIO_API_URL": sandbox.url}
    upgrade(pg.url)
    runtime = build_runtime(
        replace(settings, telegram_api_url=sandbox.url, twilio_api_url=sandbox.url)
    )
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow())
    runtime.telegram().set_webhook(urls[0] + "/webhooks/telegram", settings.telegram_webhook_secret)

    def env(name: str, url: str, spool: Path) -> dict[str, str]:
        return env_for(
            tmp_path / name,
            pg.url,
            **common,
            **apis,
            PUBLIC_BASE_URL=url,
            RAPORTO_SPOOL_DIR=str(spool),
        )

    primary = WebProcess(env("a", urls[0], spools[0]), tmp_path / "logs-a", ports[0]).start()
    secondary = WebProcess(env("b", urls[1], spools[1]), tmp_path / "logs-b", ports[1]).start()
    # Workers share the primary's spool folder (same host), so their sweepers replay it too.
    workers = WorkerPool(env("w", urls[0], spools[0]), size=2, log_dir=tmp_path).start()
    try:
        yield Hosts(runtime, sandbox, primary, secondary, workers, pg, spools)
    finally:
        workers.stop()
        primary.stop()
        secondary.stop()
        sandbox.stop()
        runtime.db.dispose()
        redis_server.stop()
        pg.destroy()


class Traffic:
    """Plays the citizens and the call centre: 100 provider events, one tip each."""

    def __init__(self, hosts: Hosts) -> None:
        self.hosts = hosts
        self.sent: Counter[str] = Counter()
        self.fallbacks = 0
        self.lock = threading.Lock()

    def control(self, path: str, **body: Any) -> dict[str, Any]:
        answer = requests.post(self.hosts.sandbox.url + path, json=body, timeout=60)
        assert answer.status_code < 500, answer.text
        result: dict[str, Any] = answer.json()
        if result.get("fallback"):
            with self.lock:
                self.fallbacks += 1
        return result

    def send(self, n: int, kind: str | None = None) -> None:
        kind = kind or ("sms", "telegram", "sms", "voice", "hotline")[n % 5]
        getattr(self, kind)(n)
        with self.lock:
            self.sent[kind] += 1

    def sms(self, n: int) -> None:
        result = self.control(
            "/sandbox/twilio/sms", **{"from": f"+35569{n:07d}", "body": TEXT.format(n=n)}
        )
        assert result["status"] == 200, result

    def telegram(self, n: int) -> None:
        # Not synchronous: while the primary is down, the fake Telegram retries by itself.
        self.control(
            "/sandbox/telegram/updates",
            user_id=7349900000 + n,
            text=TEXT.format(n=n),
            language_code="sq",
        )

    def voice(self, n: int) -> None:
        result = self.control("/sandbox/twilio/calls", **{"from": f"+35568{n:07d}"})
        call = result["call_sid"]
        for _ in range(6):  # the language, the menu, then the recording (fewer on the fallback)
            if result.get("record"):
                result = self.control(f"/sandbox/twilio/calls/{call}/record", seconds=20 + n % 9)
                break
            assert result.get("gather"), result
            result = self.control(f"/sandbox/twilio/calls/{call}/digits", digits="1")
        assert result.get("error") is None, result

    def hotline(self, n: int) -> None:
        record = {
            "record_id": f"CHAOS-{n}",
            "received_at": utcnow().isoformat(),
            "summary": TEXT.format(n=n),
        }
        deadline = time.monotonic() + 120
        hosts = [self.hosts.primary.url, self.hosts.secondary.url]
        while True:  # the call centre's system tries both hosts until it gets a 2xx
            body, headers = hotline_request(self.hosts.runtime, record)
            try:
                answer = requests.post(
                    hosts[0] + "/webhooks/hotline",
                    data=body,
                    headers=headers,
                    timeout=30,
                )
                if answer.status_code in (200, 201, 202):
                    return
            except requests.ConnectionError:
                hosts.reverse()  # that host is down: the other one next
            assert time.monotonic() < deadline, "the hotline record was never accepted"
            time.sleep(0.2)


def tips_by_channel(runtime: Runtime) -> Counter[str]:
    with runtime.db.transaction() as s:
        return Counter(s.execute(select(Tip.channel).where(Tip.submitted.is_(True))).scalars())


def alerted(hosts: Hosts) -> dict[str, set[str]]:
    """Tip reference → the official chats that received its alert."""
    found: dict[str, set[str]] = {}
    for m in hosts.sandbox.state.messages(channel="telegram", method="sendMessage"):
        reference = find_reference(m.text)
        if m.recipient in MEMBERS and reference:
            found.setdefault(reference, set()).add(m.recipient)
    return found


def missing_alerts(hosts: Hosts) -> str:
    """Say which tips lack which officials' alerts, and why the database thinks so."""
    got = alerted(hosts)
    lines = []
    with hosts.runtime.db.transaction() as s:
        for tip in s.execute(select(Tip)).scalars():
            chats = got.get(tip.reference, set())
            if len(chats) == 6:
                continue
            states = Counter(
                f"{d.channel}:{d.status}"
                for d in s.execute(select(Delivery).where(Delivery.tip_id == tip.id)).scalars()
            )
            lines.append(
                f"{tip.reference} {tip.channel} band={tip.band} mode={tip.alert_mode} "
                f"submitted={tip.submitted} spooled={tip.answers.get('spooled')} "
                f"alerted={len(chats)} deliveries={dict(states)}"
            )
    return f"{len(lines)} tips without six alerts:\n" + "\n".join(lines)


@pytest.mark.timeout(900)
def test_a_database_outage_and_a_web_crash_lose_no_tip(hosts: Hosts) -> None:
    traffic = Traffic(hosts)
    for n in range(25):  # the database is up
        traffic.send(n)
    hosts.pg.stop("fast")
    stopped = time.monotonic()
    for n in range(25, 45):
        traffic.send(n)
    # The crash: SMS in flight on the primary (each spooling, the database being down) when it
    # is SIGKILLed; then more while it is gone, which Twilio sends to the fallback host.
    batch = [threading.Thread(target=traffic.send, args=(n,)) for n in range(45, 55)]
    for thread in batch:
        thread.start()
    time.sleep(0.05)
    hosts.primary.kill()
    for n in range(55, 60):
        traffic.send(n, "sms")  # Twilio sends them to the fallback host
    hosts.primary.restart()  # as a process manager would, at once
    for thread in batch:
        thread.join(180)
    assert not any(thread.is_alive() for thread in batch)
    n = 60
    while time.monotonic() - stopped < OUTAGE:
        if n < 75:
            traffic.send(n)
            n += 1
        else:
            time.sleep(0.5)
    spooled = [len(list(folder.glob("*.evt"))) for folder in hosts.spools]
    # Nothing in clear on disk: no words, numbers or Telegram ids in any spool file or its name.
    for item in (f for folder in hosts.spools for f in folder.iterdir()):
        data = item.name.encode() + item.read_bytes()
        # Long needles: a short run of digits could turn up in a random token by chance.
        for needle in (b"Vajza", b"pasaport", b"3556900000", b"3556800000", b"73499000", b"CHAOS"):
            assert needle not in data, f"{needle!r} in {item.name}"
    hosts.pg.start()
    for later in range(n, 100):
        traffic.send(later)
    assert sum(traffic.sent.values()) == 100
    assert sum(spooled) >= 20, spooled  # the outage really sent events to the spools
    assert traffic.fallbacks >= 5  # the five sent while the primary was down, at least

    expected = Counter(traffic.sent)  # the kinds of event are the tips' channels
    # Replay, then six paced alerts per tip: eight times the paced minimum on a loaded machine.
    deadline = 120 + 8 * 100 * PER_CHAT + QUIET
    wait_until(
        lambda: (hosts.workers.supervise(), tips_by_channel(hosts.runtime) == expected)[1],
        timeout=deadline,
        interval=0.5,
    )
    try:
        wait_until(
            lambda: (
                len(alerted(hosts)) == 100 and all(len(c) == 6 for c in alerted(hosts).values())
            ),
            timeout=deadline,
            interval=0.5,
        )
    except AssertionError as exc:
        raise AssertionError(missing_alerts(hosts)) from exc
    # Exactly one tip per event: the counts held after every alert went out, nothing extra.
    assert tips_by_channel(hosts.runtime) == expected
    with hosts.runtime.db.transaction() as s:
        spooled_tips = [t for t in s.execute(select(Tip)).scalars() if t.answers.get("spooled")]
    assert len(spooled_tips) >= 20
    assert all(list(folder.glob("*.evt")) == [] for folder in hosts.spools)
    assert [f for folder in hosts.spools for f in folder.glob("*.failed")] == []
