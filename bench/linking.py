"""Benchmark: linking a new tip against 100,000 stored tips on PostgreSQL.

A fresh database gets 100,000 tips, each naming one to three entities (a phone number, a plate,
a handle...) as keyed digests, a few hundred of them shared by small groups as real clusters
are. Then, for new tips, in the same run and on the same server:
  * linking: what intake adds per tip (`links.record` of its entities under the entity key, then
    `clusters.cluster_reporters` to count its cluster's reporters): p50 and p99;
  * the intake scoring path without linking (`triage.assess` of the same tip's text): the
    baseline, and the ratio between the two.
Each new tip is written and rolled back, so the table stays at 100,000 tips.
Prints a markdown table and, with --write, replaces the linking section of docs/BENCHMARKS.md.

Run: .venv/bin/python -m bench.linking [--tips 100000] [--rounds 400] [--write]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

import triage
from bench.pgdb import fresh_database
from bench.report import replace_section
from models import clusters, links
from models.crypto import EntityKeys
from models.db import Database
from models.tables import Tip

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("phone", "plate", "handle", "email", "iban", "business")
TEXT = (
    "Një burrë me numër 069 123 4567 dhe një furgon AA 123 BB merr vajza nga Fieri për punë në "
    "Itali; i kanë marrë pasaportat dhe nuk i lënë të dalin. Faqja në Instagram @pune_italia."
)


def _fill(url: str, tips: int, keys: EntityKeys, rng: random.Random) -> list[tuple[str, str]]:
    """Insert the stored tips and their digests with COPY; return the shared (kind, value)s."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    shared = [(rng.choice(KINDS), f"shared-{i}") for i in range(tips // 200)]
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor().copy(
            "COPY tips (id, reference, channel, received_at, updated_at, answers, status, parts,"
            " follow_ups, submitted, triage_status, band, forms, categories, excluded_kinds,"
            " routes, escalation_level, reporter_id) FROM STDIN"
        ) as copy:
            for n in range(1, tips + 1):
                at = start + timedelta(minutes=n)
                copy.write_row(
                    (n, f"B{n:07d}", "sms", at, at, "{}", "new", 1, 0, True, "done", "medium",
                     "[]", "[]", "[]", "[]", 0, None)
                )  # fmt: skip
        # Most entities are named once; a few hundred are named by small groups of 2 to 5 tips,
        # as a recruiter's number is by the people who met him.
        members: dict[int, list[tuple[str, str]]] = {}
        for kind, value in shared:
            for n in rng.sample(range(1, tips + 1), rng.randint(2, 5)):
                members.setdefault(n, []).append((kind, value))
        with conn.cursor().copy(
            "COPY tip_entities (tip_id, kind, digest, key_id, strong) FROM STDIN"
        ) as copy:
            for n in range(1, tips + 1):
                named = [(rng.choice(KINDS), f"{n}-{k}") for k in range(rng.randint(1, 3))]
                for kind, value in dict.fromkeys(named + members.get(n, [])):
                    copy.write_row((n, kind, keys.digest(kind, value), keys.current_id, True))
        conn.execute("SELECT setval('tips_id_seq', %s)", (tips,))
        conn.execute("ANALYZE")
        conn.commit()
    return shared


def _ms(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def measure(
    url: str, rounds: int, keys: EntityKeys, shared: list[tuple[str, str]]
) -> dict[str, list[float]]:
    """Time linking and the scoring baseline for `rounds` new tips."""
    db = Database(url)
    rng = random.Random(7)
    timed: dict[str, list[float]] = {"linking": [], "baseline": []}
    for _ in range(20):  # warm-up: the first calls load spaCy and the connection pool
        triage.assess(TEXT)
    for n in range(rounds + 20):
        with db.transaction() as session:
            tip = Tip(reference=f"N{uuid.uuid4().hex[:9]}", channel="sms", submitted=True)
            session.add(tip)
            session.flush()
            named = [links.Named("phone", f"+35569{n:07d}", True)]
            if n % 2 == 0:
                kind, value = rng.choice(shared)
                named.append(links.Named(kind, value, True))
            started = time.perf_counter()
            links.record(session, keys, tip.id, named, fresh=True)
            clusters.cluster_reporters(session, tip.id)
            linking = time.perf_counter() - started
            started = time.perf_counter()
            triage.assess(TEXT)
            baseline = time.perf_counter() - started
            session.rollback()
        if n >= 20:
            timed["linking"].append(linking)
            timed["baseline"].append(baseline)
    return timed


def table(tips: int, timed: dict[str, list[float]]) -> str:
    """The markdown result."""
    link, base = timed["linking"], timed["baseline"]
    rows = [
        f"Linking benchmark: {tips:,} stored tips on PostgreSQL, {len(link)} new tips.",
        "",
        "| Measure | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|",
        "| linking a new tip (`links.record` + `clusters.cluster_reporters`) | "
        f"{_ms(link, 0.5):.2f} | {_ms(link, 0.99):.2f} |",
        f"| intake scoring without linking (`triage.assess`) | {_ms(base, 0.5):.2f} | "
        f"{_ms(base, 0.99):.2f} |",
        f"| ratio linking / scoring | {statistics.median(link) / statistics.median(base):.2f}× "
        f"| {_ms(link, 0.99) / _ms(base, 0.99):.2f}× |",
        "",
        f"Target (p99 of linking < 5 ms): {'met' if _ms(link, 0.99) < 5 else 'NOT met'}.",
    ]
    return "\n".join(rows)


def main() -> None:
    """Create the database, fill it, measure, print (and with --write, record)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tips", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with fresh_database() as url:
        keys = EntityKeys([os.urandom(32)])
        shared = _fill(url, args.tips, keys, random.Random(1))
        result = table(args.tips, measure(url, args.rounds, keys, shared))
    print(result)
    if args.write:
        replace_section(ROOT / "docs" / "BENCHMARKS.md", "linking", result)


if __name__ == "__main__":
    main()
