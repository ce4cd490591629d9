"""ONAC statistics: no suppressed count can be recovered from the published totals."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import pytest

from console.stats import Row, aggregate, records
from console.stats_export import (
    suppress,
)
from console.stats_fields import CONTACT_FIELDS, TIME_FIELDS, TIP_FIELDS
from raporto.runtime import Runtime
from raporto.settings import load
from tests.conftest import env_for
from tests.stats_world import (
    add_contacts,
    add_tips,
    as_dict,
    contact_specs,
    tip_specs,
)

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
