"""`raporto stats` through click's CliRunner, on the database the other commands open."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from models.tables import Tip
from raporto.cli import main
from raporto.runtime import Runtime
from tests.conftest import env_for, make_runtime
from tests.stats_world import (
    add_contacts,
    add_tips,
    contact_specs,
    contact_values,
    expected,
    tip_specs,
    tip_values,
)


@pytest.fixture
def cli(tmp_path: Path, sqlite_url: str) -> tuple[Runtime, dict[str, str]]:
    """A migrated SQLite database with the generated data, and the environment to reach it."""
    runtime = make_runtime(tmp_path, sqlite_url)
    with runtime.db.transaction() as session:
        add_tips(session, tip_specs())
        add_contacts(session, contact_specs())
    return runtime, env_for(tmp_path, sqlite_url)


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(main, ["stats", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_raw_csv_counts_match_the_database(cli: tuple[Runtime, dict[str, str]]) -> None:
    _, env = cli
    text = run(env, "--group-by", "channel,band", "--raw")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["channel", "band", "count"]
    submitted = [tip_values(s) for s in tip_specs() if s["submitted"]]
    assert {(c, b): int(n) for c, b, n in lines[1:]} == expected(submitted, ["channel", "band"])


def test_publishable_is_the_default_and_hides_small_counts(
    cli: tuple[Runtime, dict[str, str]],
) -> None:
    _, env = cli
    text = run(env, "--group-by", "qark,minor")
    rows = list(csv.DictReader(io.StringIO(text)))
    truth = expected([tip_values(s) for s in tip_specs() if s["submitted"]], ["qark", "minor"])
    assert any(r["count"] == "suppressed" for r in rows)
    for row in rows:
        key = (row["qark"], row["minor"])
        if key in truth and row["count"] != "suppressed":
            assert int(row["count"]) == truth[key] >= 5
        if key in truth and truth[key] < 5:
            assert row["count"] == "suppressed"
    assert {"qark": "total", "minor": "total", "count": str(sum(truth.values()))} in rows


def test_k_comes_from_the_setting(cli: tuple[Runtime, dict[str, str]]) -> None:
    _, env = cli
    fields = ["qark", "minor"]
    truth = expected([tip_values(s) for s in tip_specs() if s["submitted"]], fields)
    assert min(truth.values()) < 5
    five = json.loads(run(env, "--group-by", "qark,minor", "--format", "json"))
    assert any(r["count"] is None for r in five["rows"])
    one = json.loads(
        run({**env, "RAPORTO_STATS_K": "1"}, "--group-by", "qark,minor", "--format", "json")
    )
    assert all(r["count"] is not None for r in one["rows"])
    many = json.loads(
        run({**env, "RAPORTO_STATS_K": "1000"}, "--group-by", "qark,minor", "--format", "json")
    )
    assert all(r["count"] is None for r in many["rows"])


def test_contacts_dates_and_json(cli: tuple[Runtime, dict[str, str]]) -> None:
    _, env = cli
    text = run(
        env,
        "--group-by",
        "channel",
        "--unit",
        "contacts",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--format",
        "json",
        "--raw",
    )
    body = json.loads(text)
    assert body["fields"] == ["channel"]
    january = [u for u in contact_values(contact_specs()) if u["month"] == ["2026-01"]]
    assert {r["channel"]: r["count"] for r in body["rows"]} == {
        k[0]: n for k, n in expected(january, ["channel"]).items()
    }


def test_xlsx_needs_an_output_file_and_reads_back(
    cli: tuple[Runtime, dict[str, str]], tmp_path: Path
) -> None:
    _, env = cli
    result = CliRunner().invoke(main, ["stats", "--group-by", "band", "--format", "xlsx"], env=env)
    assert result.exit_code != 0 and "--output" in result.output
    path = tmp_path / "band.xlsx"
    run(env, "--group-by", "band", "--format", "xlsx", "--output", str(path), "--raw")
    values = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert values[0] == ("band", "count")
    truth = expected([tip_values(s) for s in tip_specs() if s["submitted"]], ["band"])
    assert {(b,): n for b, n in values[1:]} == truth


def test_operator_table_and_summary(cli: tuple[Runtime, dict[str, str]]) -> None:
    _, env = cli
    rows = list(csv.reader(io.StringIO(run(env, "--operator-table", "2026", "--raw"))))
    assert rows[0] == ["operator", "calls", "sms", "total"]
    assert rows[1][0] == "Vodafone" and rows[-1][0] == "total"
    assert all(int(r[1]) + int(r[2]) == int(r[3]) for r in rows[1:])
    body = json.loads(run(env, "--summary", "--from", "2025-12-01", "--to", "2026-12-31"))
    assert body["tips"] == sum(s["submitted"] for s in tip_specs())
    assert set(body) >= {"contacts", "escalated", "deliveries_failed", "acknowledgement"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group-by", "band", "--unit", "contacts"], "only for tips"),
        (["--group-by", "colour"], "unknown field"),
        (["--group-by", "band", "--from", "31/01/2026"], "not a date"),
        (["--group-by", "band", "--from", "2026-02-01", "--to", "2026-01-01"], "before"),
        ([], "--group-by"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(
    cli: tuple[Runtime, dict[str, str]], args: list[str], message: str
) -> None:
    _, env = cli
    result = CliRunner().invoke(main, ["stats", *args], env=env)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_output_never_contains_tip_text_or_references(cli: tuple[Runtime, dict[str, str]]) -> None:
    runtime, env = cli
    with runtime.db.transaction() as session:
        tip = session.query(Tip).filter(Tip.text_enc.is_not(None)).first()
        assert tip is not None
        secret = tip.text_enc.decode()  # type: ignore[union-attr]
    outputs = [
        run(env, "--group-by", field, "--format", fmt, "--raw")
        for field in ("channel", "qark", "form")
        for fmt in ("csv", "json")
    ]
    assert all(secret not in out and "T00001" not in out for out in outputs)
