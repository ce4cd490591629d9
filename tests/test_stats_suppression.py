"""ONAC statistics: no suppressed count can be recovered from the published totals."""

from __future__ import annotations

from typing import Any

import pytest

from console.stats import Row, aggregate, records
from console.stats_export import (
    suppress,
)
from console.stats_fields import CONTACT_FIELDS, TIP_FIELDS
from raporto.runtime import Runtime
from raporto.settings import load
from tests.conftest import env_for
from tests.stats_world import (
    add_contacts,
    add_tips,
    contact_specs,
    groupings,
    recoverable,
    tip_specs,
)

# --- suppression: no hidden count can be recovered from a published total ---


@pytest.fixture
def tip_and_contact_records(runtime: Runtime) -> tuple[list[Any], list[Any]]:
    with runtime.db.transaction() as session:
        add_tips(session, tip_specs())
        add_contacts(session, contact_specs())
        return records(session, "tips"), records(session, "contacts")


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
