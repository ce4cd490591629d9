"""ONAC statistics: exact counts on both databases, contacts, suppression, exports, charts."""

from __future__ import annotations

import csv
import io
import json
import random
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import combinations, product
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy.orm import Session

from console.charts import bar_chart_svg
from console.stats import Row, aggregate, count, records
from console.stats_export import (
    SUPPRESSED,
    suppress,
    suppress_operator_table,
    to_csv,
    to_json,
    to_xlsx,
)
from console.stats_fields import CONTACT_FIELDS, GROUP_FIELDS, TIME_FIELDS, TIP_FIELDS, StatsError
from console.stats_summary import operator_names, operator_table, summary
from models.deliveries import Acknowledgement, Delivery
from models.roster import Agency, Official
from models.tables import InboundMessage, Reporter, Tip
from raporto.runtime import Runtime
from raporto.settings import load
from tests.conftest import env_for

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


@pytest.fixture
def filled(any_runtime: Runtime) -> Runtime:
    """A runtime on SQLite and on PostgreSQL holding the generated tips and contacts."""
    with any_runtime.db.transaction() as session:
        add_tips(session, tip_specs())
        add_contacts(session, contact_specs())
    return any_runtime


# --- counting, on both databases ---


def test_every_single_field_and_some_pairs_count_exactly(filled: Runtime) -> None:
    submitted = [tip_values(s) for s in tip_specs() if s["submitted"]]
    groupings = [[f] for f in TIP_FIELDS] + [
        ["channel", "month"],
        ["form", "band"],
        ["minor", "qark", "year"],
    ]
    with filled.db.transaction() as session:
        for fields in groupings:
            rows = count(session, fields)
            assert as_dict(rows, fields) == expected(submitted, fields), fields
            keys = [tuple(str(r[f]) for f in fields) for r in rows]
            assert keys == sorted(keys), "rows are sorted by their field values"
    assert sum(r["count"] for r in rows) == len(submitted)  # type: ignore[misc]


def test_tips_outside_the_dates_unsubmitted_drafts_are_not_counted_purged_tips_are(
    filled: Runtime,
) -> None:
    specs = tip_specs()
    january = [
        tip_values(s)
        for s in specs
        if s["submitted"] and date(2026, 1, 1) <= local_day(s["received_at"]) <= date(2026, 1, 31)
    ]
    with filled.db.transaction() as session:
        rows = count(session, ["channel"], "tips", date(2026, 1, 1), date(2026, 1, 31))
    assert as_dict(rows, ["channel"]) == expected(january, ["channel"])
    assert sum(len(v["form"]) >= 1 for v in january) == sum(r["count"] for r in rows)  # type: ignore[misc]
    # The 31 December 23:30 UTC tip is in January in Tirana, and purged tips are in the totals.
    assert specs[0]["received_at"].date() == date(2025, 12, 31)
    assert any(s["purged"] and s["submitted"] for s in specs)
    total = sum(1 for s in specs if s["submitted"])
    assert total < len(specs)
    with filled.db.transaction() as session:
        assert sum(r["count"] for r in count(session, ["year"])) == total  # type: ignore[misc]


def test_a_tip_with_two_forms_counts_once_in_each_form(any_runtime: Runtime) -> None:
    spec = {**tip_specs(n=3)[2], "forms": ["labour", "sexual"], "submitted": True}
    with any_runtime.db.transaction() as session:
        add_tips(session, [spec, {**spec, "reference": "T2", "forms": []}])
        rows = count(session, ["form"])
        assert as_dict(rows, ["form"]) == {("labour",): 1, ("sexual",): 1, ("none",): 1}
        assert sum(r["count"] for r in count(session, ["channel"])) == 2  # type: ignore[misc]


def test_contacts_count_calls_sms_conversations_and_hotline_records(filled: Runtime) -> None:
    units = contact_values(contact_specs())
    with filled.db.transaction() as session:
        for fields in ([f] for f in CONTACT_FIELDS):
            assert as_dict(count(session, fields, "contacts"), fields) == expected(units, fields)
        rows = count(session, ["channel", "operator", "month"], "contacts")
    fields = ["channel", "operator", "month"]
    assert as_dict(rows, fields) == expected(units, fields)
    by_channel = expected(units, ["channel"])
    specs = contact_specs()
    assert by_channel[("voice",)] == sum(
        s["channel"] == "voice" and s["kind"] == "call" for s in specs
    )
    assert by_channel[("voice",)] < sum(s["channel"] == "voice" for s in specs)
    assert by_channel[("telegram",)] < sum(s["channel"] == "telegram" for s in specs)


def test_a_telegram_conversation_is_one_reporter_on_one_local_day(any_runtime: Runtime) -> None:
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    specs = [
        {"channel": "telegram", "kind": "message", "reporter": 1, "operator": None, "at": at},
        {
            "channel": "telegram",
            "kind": "callback",
            "reporter": 1,
            "operator": None,
            "at": at + timedelta(hours=3),
        },
        {"channel": "telegram", "kind": "message", "reporter": 2, "operator": None, "at": at},
        {
            "channel": "telegram",
            "kind": "message",
            "reporter": 1,
            "operator": None,
            "at": at + timedelta(days=1),
        },
        {"channel": "telegram", "kind": "callback", "reporter": None, "operator": None, "at": at},
    ]
    with any_runtime.db.transaction() as session:
        add_contacts(session, specs)
        rows = count(session, ["channel", "day"], "contacts")
    assert as_dict(rows, ["channel", "day"]) == {
        ("telegram", "2026-03-02"): 2,
        ("telegram", "2026-03-03"): 1,
    }


@pytest.mark.parametrize(
    ("fields", "unit", "message"),
    [
        (["band"], "contacts", "only for tips"),
        (["form", "month"], "contacts", "only for tips"),
        (["minor"], "contacts", "only for tips"),
        (["qark"], "contacts", "only for tips"),
        (["contact_type"], "contacts", "unknown field"),
        (["month", "year"], "tips", "at most one"),
        (["day", "week"], "contacts", "at most one"),
        (["colour"], "tips", "unknown field"),
        ([], "tips", "at least one"),
        (["band", "band"], "tips", "twice"),
        (["band"], "people", "unit must be"),
    ],
)
def test_fields_that_do_not_apply_are_refused_with_a_reason(
    runtime: Runtime, fields: list[str], unit: str, message: str
) -> None:
    with runtime.db.transaction() as session, pytest.raises(StatsError, match=message):
        count(session, fields, unit)


def test_the_field_lists_are_what_onac_asked_for() -> None:
    for name in (
        "channel",
        "operator",
        "band",
        "form",
        "category",
        "minor",
        "qark",
        "month",
        "week",
        "year",
        "language",
        "follow_up",
        "review",
    ):
        assert name in GROUP_FIELDS
    assert set(TIP_FIELDS) | set(CONTACT_FIELDS) == set(GROUP_FIELDS)
    assert issubclass(StatsError, ValueError)


# --- ONAC's operator table and the summary ---


def test_operator_table_counts_calls_and_sms_per_operator(filled: Runtime) -> None:
    units = [u for u in contact_values(contact_specs()) if u["year"] == ["2026"]]
    with filled.db.transaction() as session:
        rows = operator_table(session, 2026)
    names = [r["operator"] for r in rows]
    assert names[: len(operator_names())] == list(operator_names())
    assert names[:3] == ["Vodafone", "One", "PLUS"]
    assert names[-2:] == ["unknown", "total"] and "foreign" in names
    for row in rows[:-1]:
        mine = [u for u in units if u["operator"] == [row["operator"]]]
        calls = sum(u["contact_type"] == ["call"] for u in mine)
        sms = sum(u["contact_type"] == ["sms"] for u in mine)
        assert (row["calls"], row["sms"], row["total"]) == (calls, sms, calls + sms), row
    calls = sum(u["contact_type"] == ["call"] for u in units)
    sms = sum(u["contact_type"] == ["sms"] for u in units)
    assert rows[-1] == {"operator": "total", "calls": calls, "sms": sms, "total": calls + sms}
    with filled.db.transaction() as session:
        assert all(r["total"] == 0 for r in operator_table(session, 2019))


def test_operator_table_publishable_hides_small_cells_and_their_complements() -> None:
    rows: list[Row] = [
        {"operator": "Vodafone", "calls": 40, "sms": 30, "total": 70},
        {"operator": "One", "calls": 25, "sms": 2, "total": 27},
        {"operator": "PLUS", "calls": 0, "sms": 0, "total": 0},
        {"operator": "unknown", "calls": 12, "sms": 9, "total": 21},
        {"operator": "total", "calls": 77, "sms": 41, "total": 118},
    ]
    assert suppress_operator_table(rows, 5) == [
        {"operator": "Vodafone", "calls": 40, "sms": 30, "total": 70},
        # 27 - 25 would give the 2 SMS away, and 41 - 30 - 0 - 9 too: complements.
        {"operator": "One", "calls": None, "sms": None, "total": 27},
        {"operator": "PLUS", "calls": 0, "sms": 0, "total": 0},
        {"operator": "unknown", "calls": None, "sms": None, "total": 21},
        {"operator": "total", "calls": 77, "sms": 41, "total": 118},
    ]
    assert suppress_operator_table(rows, 2) == rows


def _official(session: Session, code: str) -> Official:
    agency = Agency(code=code, name_sq=code, name_en=code, kind="police")
    session.add(agency)
    session.flush()
    official = Official(name=f"officer of {code}", agency_id=agency.id)
    session.add(official)
    session.flush()
    return official


def test_summary_times_to_acknowledge_escalations_and_failed_deliveries(
    any_runtime: Runtime,
) -> None:
    specs = tip_specs(n=12)
    for spec in specs:
        spec["submitted"] = True
        spec["received_at"] = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
    specs[11]["received_at"] = datetime(2026, 4, 3, 9, 0, tzinfo=UTC)  # outside the range
    minutes_police = [5, 10, 20, 30, 40, 50, 60, 70, 80, 100]
    with any_runtime.db.transaction() as session:
        ids = add_tips(session, specs)
        police, labour = _official(session, "police"), _official(session, "labour")
        for i, spec in enumerate(specs):
            tip_id = ids[spec["reference"]]
            # The alert went out 2 minutes after the tip arrived: the clock starts there.
            alerted = spec["received_at"] + timedelta(minutes=2)
            for official, status in (
                (police, "delivered"),
                (labour, "failed" if i % 4 == 0 else "sent"),
            ):
                session.add(
                    Delivery(
                        tip_id=tip_id,
                        official_id=official.id,
                        key=f"alert:{tip_id}:{official.id}:telegram",
                        channel="telegram",
                        status=status,
                        created_at=alerted,
                        next_attempt_at=alerted,
                    )
                )
            if i < 10:
                session.add(
                    Acknowledgement(
                        tip_id=tip_id,
                        official_id=police.id,
                        agency_id=police.agency_id,
                        via="button",
                        at=alerted + timedelta(minutes=minutes_police[i]),
                    )
                )
            if i < 2:
                session.add(
                    Acknowledgement(
                        tip_id=tip_id,
                        official_id=labour.id,
                        agency_id=labour.agency_id,
                        via="sms",
                        at=alerted + timedelta(minutes=15 * (i + 1)),
                    )
                )
        session.flush()
        result = summary(session, date(2026, 2, 1), date(2026, 2, 28))
    assert result["tips"] == 11
    assert result["escalated"] == sum(s["escalation_level"] > 0 for s in specs[:11])
    assert result["deliveries_failed"] == 3  # tips 0, 4, 8 (tip 11 is outside the range)
    assert result["contacts"] == 0
    assert result["acknowledgement"] == [
        {"agency": "labour", "acknowledged": 2, "median_minutes": 22.5, "p90_minutes": 30.0},
        {"agency": "police", "acknowledged": 10, "median_minutes": 45.0, "p90_minutes": 80.0},
    ]


# --- suppression: no hidden count can be recovered from a published total ---


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


@pytest.fixture
def tip_and_contact_records(runtime: Runtime) -> tuple[list[Any], list[Any]]:
    with runtime.db.transaction() as session:
        add_tips(session, tip_specs())
        add_contacts(session, contact_specs())
        return records(session, "tips"), records(session, "contacts")


def groupings(names: Sequence[str], sizes: Sequence[int]) -> list[tuple[str, ...]]:
    """Every combination of fields count() accepts (at most one period)."""
    return [
        fields
        for size in sizes
        for fields in combinations(names, size)
        if len(set(fields) & set(TIME_FIELDS)) <= 1
    ]


@pytest.mark.parametrize("k", [5, 3])
def test_no_combination_of_fields_reveals_a_suppressed_count(
    tip_and_contact_records: tuple[list[Any], list[Any]], k: int
) -> None:
    tips, contacts = tip_and_contact_records
    problems: list[str] = []
    hidden = shown = 0
    for unit_records, names in ((tips, TIP_FIELDS), (contacts, CONTACT_FIELDS)):
        for fields in groupings(names, (1, 2, 3)):
            true = aggregate(unit_records, fields, totals=True)
            published = suppress(true, k, fields)
            problems += recoverable(published, true, fields, k)
            hidden += sum(r["count"] is None for r in published)
            shown += sum(r["count"] is not None for r in published)
    assert problems == []
    assert hidden > 1000 and shown > 1000  # the dataset exercises both


def test_four_fields_at_a_time_reveal_nothing_either(
    tip_and_contact_records: tuple[list[Any], list[Any]],
) -> None:
    tips, _ = tip_and_contact_records
    problems: list[str] = []
    for fields in groupings(
        ["channel", "operator", "band", "form", "minor", "qark", "month"], (4,)
    ):
        true = aggregate(tips, fields, totals=True)
        problems += recoverable(suppress(true, 5, fields), true, fields, 5)
    assert problems == []


def test_totals_added_by_summing_match_the_exact_ones(
    tip_and_contact_records: tuple[list[Any], list[Any]],
) -> None:
    tips, _ = tip_and_contact_records
    fields = ["channel", "band"]
    exact = suppress(aggregate(tips, fields, totals=True), 5, fields)
    assert suppress(aggregate(tips, fields), 5, fields) == exact
    assert {
        "channel": "total",
        "band": "total",
        "count": sum(s["submitted"] for s in tip_specs()),
    } in exact


def test_the_attacker_catches_suppression_without_complements(
    tip_and_contact_records: tuple[list[Any], list[Any]],
) -> None:
    tips, _ = tip_and_contact_records
    fields = ["channel", "qark"]
    true = aggregate(tips, fields, totals=True)
    primary_only = [{**r, "count": None if 0 < (r["count"] or 0) < 5 else r["count"]} for r in true]
    assert recoverable(primary_only, true, fields, 5)
    assert recoverable(suppress(true, 5, fields), true, fields, 5) == []


def test_suppression_hides_small_cells_and_keeps_zero_and_large_ones() -> None:
    rows: list[Row] = [
        {"band": "critical", "count": 2},
        {"band": "high", "count": 9},
        {"band": "low", "count": 30},
        {"band": "medium", "count": 0},
    ]
    safe = suppress(rows, 5)
    # 2 is hidden; the total (41) minus the others would give it away: 9 is hidden too.
    assert [(r["band"], r["count"]) for r in safe] == [
        ("critical", None),
        ("high", None),
        ("low", 30),
        ("medium", 0),
        ("total", 41),
    ]
    assert suppress([], 5) == []
    assert [r["count"] for r in suppress(rows, 2)] == [2, 9, 30, 0, 41]
    # A total below k is hidden, and so are the cells that would add up to it.
    small: list[Row] = [{"band": "high", "count": 1}, {"band": "low", "count": 2}]
    assert [r["count"] for r in suppress(small, 5)] == [None, None, None]


def test_the_k_setting_defaults_to_five(tmp_path: Any, sqlite_url: str) -> None:
    assert load(env_for(tmp_path, sqlite_url)).stats_k == 5
    assert load(env_for(tmp_path, sqlite_url, RAPORTO_STATS_K="10")).stats_k == 10


# --- exports and charts ---

ROWS: list[Row] = [
    {"channel": "sms", "month": "2026-01", "count": 12},
    {"channel": "telegram", "month": "2026-01", "count": None},
    {"channel": '=HYPERLINK("x")', "month": "2026-02", "count": 7},
]


def test_csv_has_the_exact_header_and_marks_suppressed_cells() -> None:
    text = to_csv(ROWS, ["channel", "month"])
    assert text.splitlines()[0] == "channel,month,count"
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1] == ["sms", "2026-01", "12"]
    assert parsed[2] == ["telegram", "2026-01", SUPPRESSED]
    assert parsed[3][0].startswith("'="), "a formula-looking value is written as text"


def test_xlsx_reads_back_the_counts_of_the_database(filled: Runtime, tmp_path: Any) -> None:
    fields = ["channel", "band"]
    with filled.db.transaction() as session:
        rows = count(session, fields)
    path = tmp_path / "out.xlsx"
    path.write_bytes(to_xlsx(rows, fields))
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("channel", "band", "count")
    submitted = [tip_values(s) for s in tip_specs() if s["submitted"]]
    assert {(c, b): n for c, b, n in values[1:]} == expected(submitted, fields)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(ROWS, ["channel", "month"])))
    cells = list(book.active.iter_rows(values_only=True))
    assert cells[2] == ("telegram", "2026-01", SUPPRESSED)
    assert cells[3][0] == '=HYPERLINK("x")'
    assert book.active.cell(row=4, column=1).data_type == "s", "text, never a formula"


def test_json_lists_fields_and_rows_with_null_for_suppressed() -> None:
    body = json.loads(to_json(ROWS, ["channel", "month"]))
    assert body["fields"] == ["channel", "month"]
    assert body["rows"][0] == {"channel": "sms", "month": "2026-01", "count": 12}
    assert body["rows"][1]["count"] is None


def test_bar_chart_is_accessible_escaped_svg_without_script() -> None:
    rows: list[Row] = [
        {"qark": "Tiranë", "count": 40},
        {"qark": "<script>alert(1)</script>", "count": 10},
        {"qark": "Kukës", "count": None},
    ]
    svg = bar_chart_svg(rows, "qark", 'Tips by qark & "band"')
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="chart-title">Tips by qark &amp; &quot;band&quot;</title>' in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<rect") == 2, "no bar for a suppressed count"
    assert "Tiranë" in svg and SUPPRESSED in svg
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    widths = [int(e.get("width", 0)) for e in root if e.tag.endswith("rect")]
    assert widths == [360, 90]
