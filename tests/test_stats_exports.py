"""ONAC statistics: CSV, XLSX and JSON exports, and the accessible bar chart."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from typing import Any

import openpyxl

from console.charts import bar_chart_svg
from console.stats import Row, count
from console.stats_export import (
    SUPPRESSED,
    to_csv,
    to_json,
    to_xlsx,
)
from raporto.runtime import Runtime
from tests.stats_world import (
    expected,
    tip_specs,
    tip_values,
)

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
