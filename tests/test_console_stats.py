"""The statistics page: charts with tables, exports that match the database, suppression held."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from console.stats import count
from console.stats_fields import CONTACT_FIELDS, TIP_FIELDS
from models.tables import AuditEntry
from raporto.runtime import Runtime
from tests.console_helpers import demo_officials, make_account, sign_in
from tests.stats_world import (
    add_contacts,
    add_tips,
    contact_specs,
    expected,
    groupings,
    recoverable,
    tip_specs,
    tip_values,
)


@pytest.fixture
def onac(client: FlaskClient, runtime: Runtime) -> FlaskClient:
    with runtime.db.transaction() as session:
        add_tips(session, tip_specs())
        add_contacts(session, contact_specs())
    make_account(runtime, "onac1", "onac")
    assert sign_in(client, "onac1") == 302
    return client


def export(client: FlaskClient, fmt: str, **args: str) -> Any:
    response = client.get("/console/stats/export", query_string={"format": fmt, **args})
    assert response.status_code == 200, (args, response.status_code)
    return response


def test_the_page_draws_every_chart_with_its_table(onac: FlaskClient) -> None:
    html = onac.get("/console/stats?publishable=0").get_data(as_text=True)
    assert html.count("<svg") == 11 and html.count('role="img"') == 11  # one per tip field
    submitted = sum(1 for s in tip_specs() if s["submitted"])
    # The channel table under its chart adds up to the number of tips.
    assert f'<td class="num">{submitted}</td>' in html
    assert "Vodafone" in html and "<script" not in html
    contacts = onac.get("/console/stats?unit=contacts").get_data(as_text=True)
    assert contacts.count("<svg") == 3


def test_csv_download_matches_the_database(onac: FlaskClient) -> None:
    body = export(onac, "csv", group_by="channel,band", publishable="0").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["channel", "band", "count"]
    got = {(r[0], r[1]): int(r[2]) for r in rows[1:]}
    truth = expected([tip_values(s) for s in tip_specs() if s["submitted"]], ["channel", "band"])
    assert got == truth


def test_xlsx_download_matches_the_database(onac: FlaskClient) -> None:
    data = export(onac, "xlsx", group_by="qark", publishable="0").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == ["qark", "count"]
    got = {str(r[0]): int(r[1]) for r in values[1:]}  # type: ignore[arg-type]
    truth = expected([tip_values(s) for s in tip_specs() if s["submitted"]], ["qark"])
    assert {(k,): v for k, v in got.items()} == truth


def test_the_operator_table_is_onacs_layout(onac: FlaskClient) -> None:
    body = export(onac, "csv", operators="2026", publishable="0").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["operator", "calls", "sms", "total"]
    assert rows[-1][0] == "total"
    assert all(int(r[1]) + int(r[2]) == int(r[3]) for r in rows[1:])


@pytest.mark.parametrize("dates", [{}, {"from": "2026-01-01", "to": "2026-02-15"}])
def test_suppression_holds_for_every_filter_combination(
    onac: FlaskClient, runtime: Runtime, dates: dict[str, str]
) -> None:
    k = runtime.settings.stats_k
    problems: list[str] = []
    for unit, names in (("tips", TIP_FIELDS), ("contacts", CONTACT_FIELDS)):
        for fields in groupings(names, (1, 2)):
            args = {"group_by": ",".join(fields), "unit": unit, **dates}
            published = json.loads(export(onac, "json", **args).get_data(as_text=True))["rows"]
            start = date.fromisoformat(dates["from"]) if dates else None
            end = date.fromisoformat(dates["to"]) if dates else None
            with runtime.db.read() as session:
                true = count(session, list(fields), unit, start, end, totals=True)
            assert all(r["count"] is None or r["count"] == 0 or r["count"] >= k for r in published)
            problems += recoverable(published, true, list(fields), k)
    assert problems == []


def test_exports_are_audited_and_only_for_onac_and_admin(
    onac: FlaskClient, runtime: Runtime
) -> None:
    export(onac, "csv", group_by="month")
    with runtime.db.read() as session:
        assert "stats.export" in set(session.scalars(select(AuditEntry.action)))
    official = onac.application.test_client()
    make_account(runtime, "off1", "official", official_id=demo_officials(runtime)[0])
    assert sign_in(official, "off1") == 302
    assert official.get("/console/stats").status_code == 403
    assert official.get("/console/stats/export?group_by=band").status_code == 403


def test_bad_filters_are_refused(onac: FlaskClient) -> None:
    assert onac.get("/console/stats?from=31/01/2026").status_code == 400
    assert onac.get("/console/stats?group_by=colour").status_code == 400
    assert onac.get("/console/stats?unit=people").status_code == 400
    assert onac.get("/console/stats/export?group_by=band&format=pdf").status_code == 400
