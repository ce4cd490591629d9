"""GET /metrics (issue 18): what it counts after real webhooks, who may read it, what it hides."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import yaml
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from alerts import metrics
from alerts.demo import seed_demo_roster
from alerts.queue import Job, RQQueue
from models.base import utcnow
from raporto import monitoring
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from sandbox import SandboxServer
from tests.conftest import REDIS_URL, make_runtime
from tests.helpers import sms_form, twilio_headers

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "metrics-token-0123456789-abcdefghijkl"
SMS = "/webhooks/twilio/sms"
# Canaries: a number written in a tip, the reporters' own numbers and a word only tips contain.
CANARY_WORD = "Kanarinaxyzzy"
CANARY_NUMBER = "0697771234"
SENDERS = ("+355691110001", "+355691110002")
CRITICAL = f"{CANARY_WORD}: një vajzë 15 vjeçe punon natën në një bar në Durrës, {CANARY_NUMBER}"


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def value(body: str, name: str, **labels: str) -> float:
    """One sample's value (0 when absent, as Prometheus would read a counter never raised)."""
    return samples(body).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def sandboxed(any_runtime: Runtime) -> Iterator[Runtime]:
    """The runtime with its providers pointed at the sandbox, and the demo roster."""
    settings = any_runtime.settings
    with SandboxServer(
        telegram_token=settings.telegram_bot_token,
        twilio_account_sid=settings.twilio_account_sid,
        twilio_auth_token=settings.twilio_auth_token,
    ) as fake:
        rt = build_runtime(
            replace(
                settings,
                telegram_api_url=fake.url,
                twilio_api_url=fake.url,
                telegram_per_chat_interval=0.01,
            ),
            queue=any_runtime.queue,
        )
        with rt.db.transaction() as s:
            seed_demo_roster(s, rt.vault, rt.pseudonym, utcnow() - timedelta(days=1))
        yield rt


def send_sms(client: FlaskClient, rt: Runtime, sender: str, body: str, sid: str) -> str:
    form = sms_form(sender, body, sid)
    response = client.post(SMS, data=form, headers=twilio_headers(rt, SMS, form))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def scrape(client: FlaskClient, **headers: str) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_tips_through_the_webhooks_are_counted_and_timed(sandboxed: Runtime) -> None:
    rt = sandboxed
    client = create_app(runtime=rt).test_client()
    before = scrape(client)
    assert value(before, "raporto_tips_total", channel="sms", band="critical") == 0
    assert value(before, "raporto_deliveries", state="pending") == 0
    replies = [
        send_sms(client, rt, sender, CRITICAL, f"metrics-{n}") for n, sender in enumerate(SENDERS)
    ]
    waiting = scrape(client)
    assert value(waiting, "raporto_tips_total", channel="sms", band="critical") == 2
    # Six demo officials each, none sent yet: pending, due, and the critical tips unanswered.
    assert value(waiting, "raporto_deliveries", state="pending") == 12
    assert value(waiting, "raporto_outbox_due", outbox="deliveries") == 12
    assert value(waiting, "raporto_oldest_unacknowledged_critical_tip_age_seconds") > 0
    assert value(waiting, "raporto_queue_depth", queue="critical") >= 1
    assert rt.queue.drain()  # type: ignore[attr-defined]
    body = scrape(client)
    assert value(body, "raporto_deliveries", state="sent") == 12
    assert value(body, "raporto_deliveries", state="pending") == 0
    assert value(body, "raporto_outbox_due", outbox="deliveries") == 0
    assert sum(value(body, "raporto_queue_depth", queue=q) for q in metrics_queues()) == 0
    for which in ("first", "last"):
        # One first and one last alert per tip, whatever order the six sends finished in.
        count = value(body, "raporto_alert_delivery_seconds_count", which=which, band="critical")
        assert count == 2, which
        inf = value(body, "raporto_alert_delivery_seconds_bucket", which=which, band="critical",
                    le="+Inf")  # fmt: skip
        assert inf == 2
    assert value(body, "raporto_http_responses_total", endpoint="twilio_sms.inbound_sms",
                 status="200") == 2  # fmt: skip
    assert value(body, "raporto_scrape_source_up", source="database") == 1
    # What the reporters were told carries their reference codes: none is in the metrics.
    codes = [re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", reply) for reply in replies]
    assert all(codes)
    assert_private(body, [c.group(0) for c in codes if c])


def metrics_queues() -> tuple[str, ...]:
    return tuple(sorted(monitoring.QUEUE_NAMES))


def assert_private(body: str, references: list[str]) -> None:
    """No reference code, number or tip word anywhere in a scrape, labels or otherwise."""
    digits = re.sub(r"\D", "", body)
    for reference in references:
        assert reference not in body
        assert reference.replace("-", "") not in body
    assert CANARY_WORD.lower() not in body.lower()
    for number in (CANARY_NUMBER, *SENDERS):
        national = number.removeprefix("+355").removeprefix("0")
        assert national not in body and national not in digits, number


def test_paths_with_codes_or_numbers_never_become_labels(runtime: Runtime) -> None:
    client = create_app(runtime=runtime).test_client()
    for path in (f"/report/status/K7P-3XA{CANARY_NUMBER}", f"/{CANARY_WORD}/355691110001"):
        client.get(path)
    body = scrape(client)
    assert_private(body, ["K7P-3XA"])
    endpoints = {s.labels["endpoint"] for f in text_string_to_metric_families(body)
                 for s in f.samples if s.name == "raporto_http_responses_total"}  # fmt: skip
    for endpoint in endpoints:
        assert re.fullmatch(r"[a-z_.]+", endpoint), endpoint


def test_labels_outside_their_closed_sets_are_recorded_as_other(runtime: Runtime) -> None:
    metrics.tip_submitted(f"sms {CANARY_NUMBER}", CANARY_WORD)
    metrics.escalated("+355691110001")
    metrics.http_response("/report/status/K7P-3XA", 200)
    body = scrape(create_app(runtime=runtime).test_client())
    assert value(body, "raporto_tips_total", channel="other", band="other") == 1
    assert value(body, "raporto_escalations_total", band="other") == 1
    assert value(body, "raporto_http_responses_total", endpoint="unmatched", status="200") == 1
    assert_private(body, ["K7P-3XA"])


def test_development_answers_only_this_machine(runtime: Runtime) -> None:
    client = create_app(runtime=runtime).test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert client.get("/metrics").status_code == 403
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    # A tunnel or proxy on this machine forwards someone else's request.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    with_token = create_app(runtime=rebuilt(runtime, metrics_token=TOKEN)).test_client()
    with_token.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert with_token.get("/metrics").status_code == 403
    assert scrape(with_token, Authorization=f"Bearer {TOKEN}")


def rebuilt(runtime: Runtime, **changes: object) -> Runtime:
    return build_runtime(replace(runtime.settings, **changes), queue=runtime.queue)


def test_production_needs_the_bearer_token(runtime: Runtime) -> None:
    hidden = create_app(runtime=rebuilt(runtime, production=True)).test_client()
    assert hidden.get("/metrics").status_code == 404  # no token configured: no page
    client = create_app(
        runtime=rebuilt(runtime, production=True, metrics_token=TOKEN)
    ).test_client()
    base = {"wsgi.url_scheme": "https"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Bearer {TOKEN}x"}):  # fmt: skip
        answer = client.get("/metrics", headers=headers, environ_base=base)
        assert answer.status_code == 401, headers  # loopback is not enough in production
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert b"raporto_" not in answer.data
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=base)
    assert answer.status_code == 200 and b"raporto_deliveries" in answer.data


INCREMENT = """
import sys
from pathlib import Path
from alerts import metrics
metrics.use_directory(Path(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    metrics.tip_submitted("telegram", "high")
"""


def run_process(folder: Path, times: int) -> None:
    """Count `times` tips in another process writing to the same folder, and let it end."""
    subprocess.run(
        [sys.executable, "-c", INCREMENT, str(folder), str(times)],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def folder_value(folder: Path) -> float:
    families = monitoring.FolderCollector(folder).collect()
    return sum(
        s.value
        for f in families
        for s in f.samples
        if s.name == "raporto_tips_total" and s.labels == {"channel": "telegram", "band": "high"}
    )


def test_processes_writing_one_folder_are_summed_and_dead_ones_folded(runtime: Runtime) -> None:
    folder = runtime.settings.metrics_dir
    assert metrics.directory() == folder  # build_runtime enabled it
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    metrics.tip_submitted("telegram", "high")
    run_process(folder, 2)
    run_process(folder, 3)
    assert folder_value(folder) == 6  # this process's 1 and the two others' 2 and 3
    body = scrape(create_app(runtime=runtime).test_client())
    assert value(body, "raporto_tips_total", channel="telegram", band="high") == 6
    # The two processes have ended: their files are folded, and nothing is lost or doubled.
    assert monitoring.compact_dead(folder) == 2
    files = {f.name for f in folder.glob("*.db")}
    assert files == {"counter_archive.db", f"counter_{os.getpid()}.db"}
    assert folder_value(folder) == 6
    run_process(folder, 4)
    assert monitoring.compact_dead(folder) == 1  # folded into the existing archive
    assert monitoring.compact_dead(folder) == 0
    assert folder_value(folder) == 10


def registered_names(runtime: Runtime) -> set[str]:
    """Every sample name this code can expose."""
    names = set()
    for metric in metrics.current():
        for family in metric.describe():
            if family.type == "counter":
                names.add(family.name + "_total")
            elif family.type == "histogram":
                names |= {family.name + suffix for suffix in ("_bucket", "_sum", "_count")}
    for family in monitoring.StateCollector(runtime).collect():
        names.add(family.name)
    return names


def test_the_dashboard_uses_only_metrics_the_code_registers(runtime: Runtime) -> None:
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert exprs
    used = {name for expr in exprs for name in re.findall(r"raporto_[a-z_]+", expr)}
    known = registered_names(runtime)
    assert used and used <= known, used - known
    # The operations guide lists every query of the dashboard and names every metric.
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text()
    assert [e for e in exprs if f"`{e}`" not in guide] == []
    families = {re.sub(r"_(total|bucket|sum|count)$", "", n) for n in known}
    assert all(f in guide for f in families), [f for f in families if f not in guide]


def test_the_alert_rules_in_the_guide_are_valid_yaml() -> None:
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    assert blocks
    for block in blocks:
        rules = yaml.safe_load(block)
        for group in rules["groups"]:
            for rule in group["rules"]:
                assert rule["alert"] and rule["expr"] and "raporto_" in rule["expr"]


@pytest.mark.redis
def test_rq_queue_depth_is_read_from_redis(tmp_path: Path, sqlite_url: str) -> None:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is required for this test and is not reachable: {exc}")
    connection.flushdb()
    rt = make_runtime(tmp_path, sqlite_url, queue=RQQueue(REDIS_URL))
    try:
        assert rt.queue.enqueue(Job.SWEEP, queue="high")
        assert rt.queue.enqueue(Job.SWEEP, queue="high")
        assert rt.queue.enqueue(Job.SWEEP, queue="low")
        body = scrape(create_app(runtime=rt).test_client())
        assert value(body, "raporto_queue_depth", queue="high") == 2
        assert value(body, "raporto_queue_depth", queue="low") == 1
        assert value(body, "raporto_queue_depth", queue="critical") == 0
        assert value(body, "raporto_scrape_source_up", source="queue") == 1
    finally:
        connection.flushdb()
        connection.close()
