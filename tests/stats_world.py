"""The generated statistics dataset: tips and contacts, and the counts expected from the specs."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import combinations, product
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from console.stats import Row
from console.stats_fields import TIME_FIELDS
from models.tables import InboundMessage, Reporter, Tip

TIRANA = ZoneInfo("Europe/Tirane")
START = datetime(2025, 12, 20, tzinfo=UTC)


# --- a generated dataset, with the expected counts computed from the specs, not the database ---


def tip_specs(seed: int = 11, n: int = 260) -> list[dict[str, Any]]:
    """Return tips with skewed values (so small cells exist) and two time-zone edge cases."""
    rng = random.Random(seed)

    def pick(values: Sequence[Any], weights: Sequence[int]) -> Any:
        return rng.choices(values, weights)[0]

    specs = []
    for i in range(n):
        specs.append(
            {
                "channel": pick(["telegram", "sms", "voice", "hotline"], [40, 30, 8, 4]),
                "operator": pick(["Vodafone", "One", "PLUS", "foreign", None], [40, 30, 3, 2, 25]),
                "band": pick(
                    ["critical", "high", "medium", "low", "not_a_tip", None], [5, 15, 30, 30, 10, 2]
                ),
                "forms": rng.sample(
                    ["sexual", "labour", "begging", "child"], pick([0, 1, 2], [3, 6, 2])
                ),
                "categories": rng.sample(
                    ["control", "documents", "deception", "movement"], pick([0, 1, 2], [3, 6, 2])
                ),
                "minor": pick([True, False, None], [2, 10, 1]),
                "qark": pick(["Tiranë", "Durrës", "Kukës", None], [30, 15, 2, 20]),
                "language": pick(["sq", "en", None], [20, 3, 1]),
                "follow_ups": pick([0, 1, 4], [10, 2, 1]),
                "received_at": START + timedelta(minutes=rng.randrange(60 * 24 * 100)),
                "submitted": rng.random() > 0.08,
                "purged": rng.random() < 0.2,
                "escalation_level": pick([0, 1, 2], [10, 2, 1]),
                "reference": f"T{i:05d}",
                # Not drawn from rng, so the other values stay what they were.
                "review": ("reviewed", "acknowledged", "held", None, None, None)[i % 6],
            }
        )
    # 23:30 UTC on 31 December is 00:30 on 1 January in Tirana: January, 2026, week 1.
    specs[0]["received_at"] = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    specs[0]["submitted"] = True
    # Summer time: 22:30 UTC on 1 June is 00:30 on 2 June in Tirana.
    specs[1]["received_at"] = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    specs[1]["submitted"] = True
    return specs


def add_tips(session: Session, specs: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert tips through the ORM; return reference -> id."""
    ids = {}
    for spec in specs:
        tip = Tip(
            reference=spec["reference"],
            channel=spec["channel"],
            received_at=spec["received_at"],
            language=spec["language"],
            # Purged tips keep their counts; live tips hold ciphertext the statistics never read.
            text_enc=None if spec["purged"] else b"gAAAA-not-read-by-stats",
            purged_at=spec["received_at"] + timedelta(days=365) if spec["purged"] else None,
            operator=spec["operator"],
            band=spec["band"],
            forms=list(spec["forms"]),
            categories=list(spec.get("categories", [])),
            minor=spec["minor"],
            qark=spec["qark"],
            follow_ups=spec["follow_ups"],
            submitted=spec["submitted"],
            escalation_level=spec["escalation_level"],
            answers={},
            reviewed_at=spec["received_at"] if spec.get("review") == "reviewed" else None,
            first_ack_at=spec["received_at"] if spec.get("review") == "acknowledged" else None,
            alert_mode="digest" if spec.get("review") == "held" else None,
        )
        session.add(tip)
        session.flush()
        ids[spec["reference"]] = tip.id
    return ids


def _clear(value: Any) -> str:
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _operator(channel: str, operator: str | None) -> str:
    # Telegram has no mobile operator: "none", where an unparsed number is "unknown".
    return "none" if channel == "telegram" and operator is None else _clear(operator)


def _times(at: datetime) -> dict[str, list[str]]:
    local = at.astimezone(TIRANA)
    iso_year, iso_week, _ = local.isocalendar()
    return {
        "day": [local.strftime("%Y-%m-%d")],
        "week": [f"{iso_year}-W{iso_week:02d}"],
        "month": [local.strftime("%Y-%m")],
        "year": [local.strftime("%Y")],
    }


def _review(spec: dict[str, Any]) -> str:
    # Waiting: not alerted at once on its own (not a tip, low, held), nobody looked at it yet.
    state = spec.get("review")
    if state == "reviewed":
        return "reviewed"
    if state != "acknowledged" and (state == "held" or spec["band"] in ("low", "not_a_tip")):
        return "waiting"
    return "not_needed"


def tip_values(spec: dict[str, Any]) -> dict[str, list[str]]:
    """The expected field values of one tip, computed independently of console.stats."""
    values = {
        "channel": [spec["channel"]],
        "operator": [_operator(spec["channel"], spec["operator"])],
        "band": [_clear(spec["band"])],
        "form": sorted(set(spec["forms"])) or ["none"],
        "category": sorted(set(spec.get("categories", []))) or ["none"],
        "minor": [_clear(spec["minor"])],
        "qark": [_clear(spec["qark"])],
        "language": [_clear(spec["language"])],
        "follow_up": ["yes" if spec["follow_ups"] > 0 else "no"],
        "review": [_review(spec)],
    }
    values.update(_times(spec["received_at"]))
    return values


def expected(
    units: Sequence[dict[str, list[str]]], fields: Sequence[str]
) -> dict[tuple[str, ...], int]:
    """Count units by fields the slow, obvious way."""
    counter: Counter[tuple[str, ...]] = Counter()
    for values in units:
        for key in product(*(values[f] for f in fields)):
            counter[key] += 1
    return dict(counter)


def as_dict(rows: Sequence[Row], fields: Sequence[str]) -> dict[tuple[str, ...], int | None]:
    return {tuple(str(r[f]) for f in fields): r["count"] for r in rows}  # type: ignore[misc]


def local_day(at: datetime) -> date:
    return at.astimezone(TIRANA).date()


# Contacts: every kind of inbound row, including the ones that are not contacts.
def contact_specs(seed: int = 5, n: int = 220) -> list[dict[str, Any]]:
    """Return inbound rows; reporter is an index into a list of reporters, or None."""
    rng = random.Random(seed)
    specs: list[dict[str, Any]] = []
    for _ in range(n):
        channel = rng.choices(["telegram", "sms", "voice", "hotline"], [40, 30, 20, 6])[0]
        at = START + timedelta(minutes=rng.randrange(60 * 24 * 100))
        operator = rng.choices(
            ["Vodafone", "One", "PLUS", "fixed", "foreign", None], [30, 25, 2, 2, 2, 8]
        )[0]
        if channel == "telegram":
            # An official's button press carries no reporter; a reporter writes several updates.
            reporter = rng.choice([None, 0, 1, 2, 3, 4, 5, 6, 7])
            kind = rng.choice(["message", "callback"])
            operator = None
        elif channel == "sms":
            reporter = rng.choice([None, 8, 9, 10, 11, 12])  # None: an official's "OK code"
            kind = "sms"
        elif channel == "voice":
            reporter = rng.choice([13, 14, 15])
            kind = rng.choice(["call", "call", "recording"])
        else:
            reporter = None
            kind = rng.choice(["call", "call", "sms", "other"])
        specs.append(
            {"channel": channel, "kind": kind, "reporter": reporter, "operator": operator, "at": at}
        )
        if channel == "telegram" and reporter is not None and rng.random() < 0.5:
            # More updates of the same conversation, minutes later (same local day or not).
            for extra in range(rng.randint(1, 3)):
                later = at + timedelta(minutes=7 * (extra + 1))
                specs.append({**specs[-1], "at": later, "kind": "message"})
    # One reporter writing at 23:55 and 00:05 local time: two local days, two conversations.
    specs.append(
        {
            "channel": "telegram",
            "kind": "message",
            "reporter": 6,
            "operator": None,
            "at": datetime(2026, 2, 10, 22, 55, tzinfo=UTC),
        }
    )
    specs.append(
        {
            "channel": "telegram",
            "kind": "message",
            "reporter": 6,
            "operator": None,
            "at": datetime(2026, 2, 10, 23, 5, tzinfo=UTC),
        }
    )
    return specs


def add_contacts(session: Session, specs: Sequence[dict[str, Any]]) -> None:
    """Insert reporters and inbound rows through the ORM."""
    reporters = [Reporter(pseudonym=f"p{i:02d}") for i in range(16)]
    session.add_all(reporters)
    session.flush()
    for i, spec in enumerate(specs):
        session.add(
            InboundMessage(
                channel=spec["channel"],
                provider_key=f"k{i:06d}",
                kind=spec["kind"],
                received_at=spec["at"],
                reporter_id=None if spec["reporter"] is None else reporters[spec["reporter"]].id,
                operator=spec["operator"],
            )
        )
    session.flush()


def contact_values(specs: Sequence[dict[str, Any]]) -> list[dict[str, list[str]]]:
    """The expected contacts, by the documented definition, computed from the specs."""
    out = []
    seen: set[tuple[int, date]] = set()
    for spec in sorted(specs, key=lambda s: s["at"]):
        channel, kind, reporter = spec["channel"], spec["kind"], spec["reporter"]
        if channel == "voice":
            if kind != "call":
                continue
            contact_type = "call"
        elif channel == "sms":
            if reporter is None:
                continue
            contact_type = "sms"
        elif channel == "telegram":
            if reporter is None or (reporter, local_day(spec["at"])) in seen:
                continue
            seen.add((reporter, local_day(spec["at"])))
            contact_type = "conversation"
        else:
            contact_type = kind if kind in ("call", "sms") else "other"
        values = {
            "channel": [channel],
            "operator": [_operator(channel, spec["operator"])],
            "contact_type": [contact_type],
        }
        values.update(_times(spec["at"]))
        out.append(values)
    return out


def recoverable(
    published: Sequence[Row], true: Sequence[Row], fields: Sequence[str], k: int
) -> list[str]:
    """Play the attacker on one publication; return every hidden value it can work out.

    Every total is the sum of its parts along each field (except along `form`, where a tip with
    two forms counts in both parts but once in the total); an equation with a single unknown
    gives it away, and each value found may give the next one away.
    """
    truth = as_dict(true, fields)
    shown = as_dict(published, fields)
    problems = [
        f"{key}: {n} published" for key, n in truth.items() if 0 < n < k and shown[key] is not None
    ]  # type: ignore[operator]
    problems += [
        f"{key}: {shown[key]} for {n}" for key, n in truth.items() if shown[key] not in (None, n)
    ]
    assert set(truth) == set(shown)
    equations: dict[tuple[tuple[str, ...], int], list[tuple[str, ...]]] = {}
    for key in truth:
        for j, name in enumerate(fields):
            # A tip counts once in each of its forms or categories: those parts do not add up.
            if key[j] != "total" and name not in ("form", "category"):
                equations.setdefault((key[:j] + ("total",) + key[j + 1 :], j), []).append(key)
    for (parent, _), parts in equations.items():
        assert truth[parent] == sum(truth[p] for p in parts), "the equations hold in the data"
    known = {key: n for key, n in shown.items() if n is not None}
    progress = True
    while progress:
        progress = False
        for (parent, _), parts in equations.items():
            unknown = [key for key in (parent, *parts) if key not in known]
            if len(unknown) != 1:
                continue
            (key,) = unknown
            if key == parent:
                known[key] = sum(known[p] for p in parts)
            else:
                known[key] = known[parent] - sum(known[p] for p in parts if p != key)
            problems.append(f"{fields} {key} = {known[key]} recovered")
            progress = True
    return problems


def groupings(names: Sequence[str], sizes: Sequence[int]) -> list[tuple[str, ...]]:
    """Every combination of fields count() accepts (at most one period)."""
    return [
        fields
        for size in sizes
        for fields in combinations(names, size)
        if len(set(fields) & set(TIME_FIELDS)) <= 1
    ]
