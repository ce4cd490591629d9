"""ONAC's summary (totals, review states, time to acknowledgement) and yearly operator table.

Both are built from `console.stats`' records (clear metadata only, nothing decrypted).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.stats import TOTAL, UNKNOWN, Row, local_bounds, records, tip_records
from console.stats_export import suppress
from models import clusters
from models.deliveries import Acknowledgement, Delivery, Purpose
from models.review import REVIEW_STATES
from models.roster import Agency
from models.tables import Tip


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(
    session: Session, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Tips, contacts, escalations, failed deliveries, review states, time to acknowledgement."""
    start, end = local_bounds(date_from, date_to)
    in_range = (
        Tip.submitted.is_(True),
        Tip.synthetic.is_(False),
        Tip.received_at >= start,
        Tip.received_at < end,
    )
    tips = session.execute(select(Tip.id, Tip.received_at, Tip.escalation_level).where(*in_range))
    tip_times: dict[int, datetime] = {}
    escalated = 0
    for tip_id, received_at, level in tips:
        tip_times[tip_id] = received_at
        escalated += (level or 0) > 0
    # The clock starts when the alert went out (a Telegram draft is submitted after it began).
    alerted: dict[int, datetime] = {}
    failed = 0
    for delivered_tip, purpose, status, created_at in session.execute(
        select(Delivery.tip_id, Delivery.purpose, Delivery.status, Delivery.created_at)
        .join(Tip, Tip.id == Delivery.tip_id)
        .where(*in_range)
    ):
        failed += status == "failed"
        if delivered_tip is None or purpose != Purpose.ALERT:
            continue
        if delivered_tip not in alerted or created_at < alerted[delivered_tip]:
            alerted[delivered_tip] = created_at
    first_ack: dict[tuple[str, int], datetime] = {}
    for code, tip_id, at in session.execute(
        select(Agency.code, Acknowledgement.tip_id, Acknowledgement.at)
        .join(Agency, Agency.id == Acknowledgement.agency_id)
        .join(Tip, Tip.id == Acknowledgement.tip_id)
        .where(*in_range)
    ):
        if (code, tip_id) not in first_ack or at < first_ack[code, tip_id]:
            first_ack[code, tip_id] = at
    minutes: dict[str, list[float]] = {}
    for (code, tip_id), at in first_ack.items():
        began = alerted.get(tip_id, tip_times[tip_id])
        minutes.setdefault(code, []).append(max(0.0, (at - began).total_seconds() / 60))
    agencies = [
        {
            "agency": code,
            "acknowledged": len(values),
            "median_minutes": round(statistics.median(values), 1),
            "p90_minutes": round(_percentile(values, 0.9), 1),
        }
        for code, values in sorted(minutes.items())
    ]
    reviews = Counter(r.values["review"][0] for r in tip_records(session, start, end, ["review"]))
    return {
        "tips": len(tip_times),
        "contacts": len(records(session, "contacts", date_from, date_to)),
        "review": {state: reviews[state] for state in REVIEW_STATES},
        "escalated": escalated,
        "deliveries_failed": failed,
        "acknowledgement": agencies,
    }


@cache
def operator_names() -> tuple[str, ...]:
    """Return the operators named in models/data/operators.yaml, in file order."""
    raw = resources.files("models.data").joinpath("operators.yaml").read_text("utf-8")
    return tuple(dict.fromkeys(str(row["operator"]) for row in yaml.safe_load(raw)["operators"]))


def operator_table(session: Session, year: int) -> list[Row]:
    """ONAC's yearly table: calls and SMS per operator (hotline calls and SMS included)."""
    found = records(session, "contacts", date(year, 1, 1), date(year, 12, 31))
    cells = Counter(
        (r.values["operator"][0], r.values["contact_type"][0])
        for r in found
        if r.values["contact_type"][0] in ("call", "sms")
    )
    extra = sorted({op for op, _ in cells} - set(operator_names()) - {UNKNOWN})
    rows: list[Row] = []
    for name in (*operator_names(), *extra, UNKNOWN):
        calls, sms = cells[name, "call"], cells[name, "sms"]
        rows.append({"operator": name, "calls": calls, "sms": sms, "total": calls + sms})
    calls = sum(n for (_, kind), n in cells.items() if kind == "call")
    sms = sum(n for (_, kind), n in cells.items() if kind == "sms")
    rows.append({"operator": TOTAL, "calls": calls, "sms": sms, "total": calls + sms})
    return rows


# ONAC's related-tips counts: groups (clusters) of linked tips by size, never what links them.
RELATED_SIZES = {"size_2": "2", "size_3_4": "3-4", "size_5_plus": "5+"}


def related_counts(session: Session, k: int | None = None) -> dict[str, int | None]:
    """Groups of related tips by size and the tips in them; with k, small counts hidden (None).

    The sizes and their total ("clusters") are one table, suppressed like any other; the tips in
    groups are hidden too when below k or when any group count is, so no hidden count follows.
    """
    sizes = clusters.cluster_sizes(session)
    if k is None:
        return dict(sizes)
    rows: list[Row] = [{"size": size, "count": sizes[key]} for key, size in RELATED_SIZES.items()]
    rows.append({"size": TOTAL, "count": sizes["clusters"]})
    shown = {r["size"]: r["count"] for r in suppress(rows, k, ["size"])}
    found: dict[str, int | None] = {
        key: _as_count(shown[size]) for key, size in RELATED_SIZES.items()
    }
    found["clusters"] = _as_count(shown[TOTAL])
    tips = sizes["linked_tips"]
    hidden = any(v is None for v in found.values()) or 0 < tips < k
    found["linked_tips"] = None if hidden else tips
    return {key: found[key] for key in sizes}


def _as_count(value: str | int | None) -> int | None:
    return None if value is None else int(value)
