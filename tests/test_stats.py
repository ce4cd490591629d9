"""ONAC statistics: exact counts on both databases, contacts, fields and the operator table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from console.stats import Row, count
from console.stats_export import (
    suppress_operator_table,
)
from console.stats_fields import CONTACT_FIELDS, GROUP_FIELDS, TIP_FIELDS, StatsError
from console.stats_summary import operator_names, operator_table, summary
from models.deliveries import Acknowledgement, Delivery
from models.roster import Agency, Official
from raporto.runtime import Runtime
from tests.stats_world import (
    add_contacts,
    add_tips,
    as_dict,
    contact_specs,
    contact_values,
    expected,
    local_day,
    tip_specs,
    tip_values,
)

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
