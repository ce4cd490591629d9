"""Benchmark: signed SMS webhooks through the full intake path on PostgreSQL under gunicorn.

Beside it, in the same run and on the same server, a bare Flask endpoint that does nothing: the
ratio between the two is what this machine's noise cannot move much. Two measurements:
  * throughput: closed loop, 8 concurrent clients, requests per second for each endpoint;
  * latency at a fixed offered load (open loop, default 50 requests/s): p50 and p99.
Prints a markdown table and, with --write, replaces the intake section of docs/BENCHMARKS.md.

Run: .venv/bin/python -m bench.intake [--seconds 20] [--rate 50] [--write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests
from twilio.request_validator import RequestValidator

from bench.report import replace_section
from models.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("RAPORTO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TOKEN = "bench-auth-token"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def start_server(database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "PUBLIC_BASE_URL": BASE,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
        "TELEGRAM_BOT_TOKEN": "1:bench",
        "RAPORTO_INSTANCE_PATH": "/tmp/raporto-bench-instance",
        "RAPORTO_LOG_LEVEL": "WARNING",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(
        [
            gunicorn,
            "-w",
            "2",
            "--threads",
            "8",
            "-b",
            f"127.0.0.1:{PORT}",
            "bench.intake_app:app()",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            # 503 is fine here: no RQ worker runs in this benchmark, so the dead-man check is red.
            if requests.get(BASE + "/health", timeout=5).status_code in (200, 503):
                return proc
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def signed_sms(n: int) -> tuple[dict[str, str], dict[str, str]]:
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": f"+35569{n % 10_000_000:07d}",
        "To": "+15005550006",
        "Body": f"Vajza {n} punon natën në një lokal në Durrës",
        "NumMedia": "0",
    }
    url = BASE + "/webhooks/twilio/sms"
    return form, {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)}


def one(session: requests.Session, path: str, n: int) -> float:
    form, headers = signed_sms(n)
    start = time.perf_counter()
    response = session.post(BASE + path, data=form, headers=headers, timeout=10)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed


def throughput(path: str, seconds: float, clients: int = 8) -> float:
    counter = iter(range(10**9))
    done = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop() -> None:
        nonlocal done
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                one(session, path, next(counter))
                with lock:
                    done += 1

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done / (time.perf_counter() - start)


def latency(path: str, rate: float, seconds: float) -> list[float]:
    """Offer `rate` requests per second (open loop) and return each latency."""
    total = int(rate * seconds)
    results: list[float] = []
    local = threading.local()

    def fire(n: int) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        results.append(one(local.session, path, n))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for n in range(total):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, n)
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    name = f"raporto_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    proc = start_server(url)
    try:
        for path in ("/bench/bare", "/webhooks/twilio/sms"):  # warm both up
            latency(path, 20, 1)
        bare_rps = throughput("/bench/bare", args.seconds / 2)
        intake_rps = throughput("/webhooks/twilio/sms", args.seconds / 2)
        bare = latency("/bench/bare", args.rate, args.seconds)
        intake = latency("/webhooks/twilio/sms", args.rate, args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    p50, p99 = pct(intake, 0.5), pct(intake, 0.99)
    bare50, bare99 = pct(bare, 0.5), pct(bare, 0.99)
    rows = [
        f"| endpoint | throughput (req/s, 8 clients) | p50 at {args.rate:g} req/s (ms) "
        f"| p99 at {args.rate:g} req/s (ms) |",
        "|---|---|---|---|",
        f"| bare Flask endpoint (baseline) | {bare_rps:.0f} | {bare50:.1f} | {bare99:.1f} |",
        f"| signed SMS, full intake, PostgreSQL | {intake_rps:.0f} | {p50:.1f} | {p99:.1f} |",
        f"| ratio intake / bare | {intake_rps / bare_rps:.2f}x throughput "
        f"| {statistics.median(intake) / statistics.median(bare):.1f}x | {p99 / bare99:.1f}x |",
    ]
    table = "\n".join(rows)
    verdict = "met" if p99 < 100 else "NOT met"
    text = (
        f"{table}\n\nTarget: intake p99 under 100 ms at {args.rate:g} requests/s: **{verdict}** "
        f"({len(intake)} requests over {args.seconds:g} s; gunicorn 2 workers × 8 threads, "
        f"PostgreSQL and Redis on the same 2-core machine as the load generator)."
    )
    print(text)
    if args.write:
        replace_section(ROOT / "docs" / "BENCHMARKS.md", "intake", text)


if __name__ == "__main__":
    main()
