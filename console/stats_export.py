"""Making count rows publishable (k-suppression) and writing them as CSV, XLSX or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from itertools import product

from openpyxl import Workbook

from console.stats import TOTAL, Row, sort_key

# One marker for every hidden count, primary or complementary: a complement may be large, so
# "<5" would be false for it, and two markers would tell a reader which cell is the small one.
SUPPRESSED = "suppressed"
# Spreadsheets run cells starting with these as formulas; free-text values (a hotline's operator)
# are written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def suppress(rows: Sequence[Row], k: int = 5, fields: Sequence[str] | None = None) -> list[Row]:
    """Hide counts below k, and complements, in a table published together with its totals.

    Rows reading "total" in some fields are the table's totals (`count(..., totals=True)`
    gives them, exact even for `form`); missing ones are added by summing. Every total and
    the cells it sums form one equation; each equation ends with none or at least two hidden
    values, so no hidden count is a published total minus published counts.
    """
    if not rows:
        return []
    names = list(fields) if fields is not None else [f for f in rows[0] if f != "count"]
    cube = {tuple(str(r[f]) for f in names): int(r["count"] or 0) for r in rows}
    _add_missing_totals(cube, len(names))
    equations = _equations(cube, len(names))
    hidden = {key for key, n in cube.items() if 0 < n < k}
    changed = True
    while changed:
        changed = False
        for members in equations:
            hid = [key for key in members if key in hidden]
            if len(hid) != 1:
                continue
            # The next-smallest value of the equation joins the hidden one (a zero only when
            # nothing else is left: a known zero protects little).
            shown = [key for key in members if key not in hidden]
            hidden.add(min(shown, key=lambda key: (cube[key] == 0, cube[key], key)))
            changed = True
    result: list[Row] = []
    for key, n in cube.items():
        row: Row = dict(zip(names, key, strict=True))
        row["count"] = None if key in hidden else n
        result.append(row)
    return sorted(result, key=lambda r: sort_key(r, names))


Key = tuple[str, ...]


def _add_missing_totals(cube: dict[Key, int], width: int) -> None:
    cells = {key: n for key, n in cube.items() if TOTAL not in key}
    for mask in product((False, True), repeat=width):
        if not any(mask):
            continue
        sums: dict[Key, int] = {}
        for key, n in cells.items():
            total_key = tuple(TOTAL if m else v for v, m in zip(key, mask, strict=True))
            sums[total_key] = sums.get(total_key, 0) + n
        for total_key, n in sums.items():
            cube.setdefault(total_key, n)


def _equations(cube: dict[Key, int], width: int) -> list[list[Key]]:
    """Each total with the values it sums along one field: [total, part, part, ...]."""
    parts: dict[tuple[Key, int], list[Key]] = {}
    for key in cube:
        for j in range(width):
            if key[j] != TOTAL:
                parent = key[:j] + (TOTAL,) + key[j + 1 :]
                parts.setdefault((parent, j), []).append(key)
    return [[parent, *members] for (parent, _), members in sorted(parts.items())]


def _cell(value: str | int | None) -> str | int:
    if value is None:
        return SUPPRESSED
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _header(fields: Sequence[str], values: Sequence[str]) -> list[str]:
    return [*fields, *values]


def to_csv(rows: Sequence[Row], fields: Sequence[str], values: Sequence[str] = ("count",)) -> str:
    """Write rows as CSV: the group-by fields then `count`; hidden counts read "suppressed"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_header(fields, values))
    for row in rows:
        writer.writerow([_cell(row[name]) for name in _header(fields, values)])
    return buffer.getvalue()


def to_xlsx(
    rows: Sequence[Row], fields: Sequence[str], values: Sequence[str] = ("count",)
) -> bytes:
    """Write rows as an XLSX workbook with one sheet, laid out like the CSV."""
    book = Workbook()
    sheet = book.active
    sheet.title = "counts"
    header = _header(fields, values)
    sheet.append(header)
    for row in rows:
        sheet.append([SUPPRESSED if row[name] is None else row[name] for name in header])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(rows: Sequence[Row], fields: Sequence[str], values: Sequence[str] = ("count",)) -> str:
    """Write rows as JSON: {"fields": [...], "rows": [{field: value, "count": n or null}]}."""
    body = {
        "fields": list(fields),
        "rows": [{name: row[name] for name in _header(fields, values)} for row in rows],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def suppress_operator_table(rows: Sequence[Row], k: int = 5) -> list[Row]:
    """Suppress ONAC's operator table as the table operator x (calls, sms) with its totals."""
    names = [str(row["operator"]) for row in rows if row["operator"] != TOTAL]
    cells: list[Row] = [
        {"operator": row["operator"], "type": kind, "count": row[kind]}
        for row in rows
        if row["operator"] != TOTAL
        for kind in ("calls", "sms")
    ]
    shown = {
        (str(r["operator"]), str(r["type"])): r["count"]
        for r in suppress(cells, k, ["operator", "type"])
    }
    return [
        {
            "operator": name,
            "calls": shown.get((name, "calls"), 0),
            "sms": shown.get((name, "sms"), 0),
            "total": shown.get((name, TOTAL), 0),
        }
        for name in [*names, TOTAL]
    ]
