"""ONAC's statistics page: totals, charts drawn on the server with tables under them, exports.

Counts only: nothing here decrypts a tip. Exports are the same tables as `raporto stats` and are
audited; "publishable" applies k-suppression (docs/STATISTICS.md) to what is shown and exported.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from console.auth import role_required
from console.charts import bar_chart_svg
from console.i18n import _, current_language, place_name
from console.runtime import runtime
from console.stats import TOTAL, UNKNOWN, Row, count
from console.stats_export import suppress, suppress_operator_table, to_csv, to_json, to_xlsx
from console.stats_fields import CHANNEL_LABELS, CONTACT_FIELDS, TIME_FIELDS, TIP_FIELDS, StatsError
from console.stats_summary import RELATED_SIZES, operator_table, related_counts, summary
from locales.i18n import N_
from models import store
from models.base import utcnow

bp = Blueprint("stats", __name__, url_prefix="/console/stats")

FIELD_LABELS = {
    "channel": N_("Channel"),
    "operator": N_("Mobile operator"),
    "band": N_("Band"),
    "form": N_("Form of exploitation"),
    "category": N_("Indicator category"),
    "minor": N_("Concerns a minor"),
    "qark": N_("Qark"),
    "language": N_("Language"),
    "follow_up": N_("Followed up with the reference code"),
    "review": N_("Review by an official"),
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    "year": N_("Year"),
}
UNIT_LABELS = {"tips": N_("tips"), "contacts": N_("contacts")}
# One chart per field; of the periods, months only (weeks and days make the page too long).
CHARTS = {
    unit: tuple(f for f in fields if f not in TIME_FIELDS) + ("month",)
    for unit, fields in (("tips", TIP_FIELDS), ("contacts", CONTACT_FIELDS))
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _date(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def _query() -> dict[str, Any]:
    """The page's filters from the query string (bad values are a 400, never a guess)."""
    unit = request.args.get("unit", "tips")
    if unit not in CHARTS:
        abort(400)
    start, end = _date("from"), _date("to")
    if start and end and end < start:
        abort(400)
    publishable = request.args.get("publishable", "1") != "0"
    raw = request.args.get("group_by", "").strip()
    group_by = [f.strip() for f in raw.split(",") if f.strip()] if raw else []
    return {
        "unit": unit,
        "start": start,
        "end": end,
        "publishable": publishable,
        "group_by": group_by,
    }


def value_label(field: str, value: object) -> str:
    """A value of a table's cell as the reader knows it (a qark by its name in their language)."""
    text = "" if value is None else str(value)
    if field == "qark" and text not in (UNKNOWN, TOTAL):
        return place_name(text)
    if field == "channel" and text in CHANNEL_LABELS:
        return _(CHANNEL_LABELS[text])
    return text


def refusal_text(exc: StatsError) -> str:
    """Why a table cannot be made, in the page's language, fields and units by their labels."""

    def field(code: str) -> str:
        return _(FIELD_LABELS[code]) if code in FIELD_LABELS else code

    def unit(code: str) -> str:
        return _(UNIT_LABELS[code]) if code in UNIT_LABELS else code

    return exc.text(
        current_language(),
        field=field,
        known=field,
        fields=field,
        unit=unit,
        units=unit,
        other=unit,
    )


def _table(q: dict[str, Any], fields: list[str], totals: bool = True) -> list[Row]:
    k = runtime().settings.stats_k
    # A publishable table always carries its totals (suppressed together with the cells).
    totals = totals or q["publishable"]
    with runtime().db.read() as db:
        rows = count(db, fields, q["unit"], q["start"], q["end"], totals=totals)
    return suppress(rows, k, fields) if q["publishable"] else rows


def _chart(q: dict[str, Any], field: str) -> dict[str, Any]:
    rows = _table(q, [field])
    cells = [r for r in rows if r[field] != TOTAL]
    total = next((r["count"] for r in rows if r[field] == TOTAL), None)
    label = _(FIELD_LABELS[field])
    shown = [{**r, field: value_label(field, r[field])} for r in cells]
    return {
        "field": field,
        "label": label,
        "rows": cells,
        "total": total,
        # charts.py escapes every label and value it writes into the SVG.
        "svg": Markup(bar_chart_svg(shown, field, label, _("suppressed"))),  # noqa: S704
    }


@bp.get("")
@role_required("onac", "admin")
def index() -> str | tuple[str, int]:
    """Totals, one chart per field with its table, a custom table and ONAC's operator table."""
    q = _query()
    try:
        charts = [_chart(q, field) for field in CHARTS[q["unit"]]]
        custom = _table(q, q["group_by"]) if q["group_by"] else None
    except StatsError as exc:
        return render_template("stats.html", **(_context(q) | {"error": refusal_text(exc)})), 400
    year = request.args.get("year", type=int) or utcnow().year
    with runtime().db.read() as db:
        totals = summary(db, q["start"], q["end"])
        operators = operator_table(db, year)
        related = related_counts(db, runtime().settings.stats_k if q["publishable"] else None)
    if q["publishable"]:
        operators = suppress_operator_table(operators, runtime().settings.stats_k)
    else:
        # Counts below k can single a person out: who looked at them is recorded.
        with runtime().db.transaction() as db:
            store.audit(
                db,
                actor=current_user.actor,
                action="stats.view_raw",
                now=utcnow(),
                object_type="stats",
                unit=q["unit"],
                fields=",".join(q["group_by"]),
            )
    page = _context(q) | {
        "charts": charts,
        "custom": custom,
        "totals": totals,
        "operators": operators,
        "year": year,
        "related": related,
    }
    return render_template("stats.html", **page)


def _context(q: dict[str, Any]) -> dict[str, Any]:
    fields = TIP_FIELDS if q["unit"] == "tips" else CONTACT_FIELDS

    def export_url(fmt: str, **table: Any) -> str:
        """The download link of a table under the page's own filters."""
        args: dict[str, Any] = {"format": fmt, "unit": q["unit"], **table}
        args["publishable"] = "1" if q["publishable"] else "0"
        args.update({k: v for k, v in (("from", q["start"]), ("to", q["end"])) if v})
        return url_for("stats.export", **args)

    return {
        "export_url": export_url,
        "q": q,
        "k": runtime().settings.stats_k,
        "fields": [(f, _(FIELD_LABELS[f])) for f in fields],
        "field_label": lambda f: _(FIELD_LABELS.get(f) or f),
        "value_label": value_label,
        "error": None,
        "charts": [],
        "custom": None,
        "totals": None,
        "operators": [],
        "year": utcnow().year,
        "related": None,
        "related_sizes": RELATED_SIZES,
    }


@bp.get("/export")
@role_required("onac", "admin")
def export() -> Response:
    """Download a table (or ONAC's operator table with ?operators=YEAR) as CSV, XLSX or JSON."""
    q = _query()
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(400)
    year = request.args.get("operators", type=int)
    values: tuple[str, ...] = ("count",)
    try:
        if year is not None:
            with runtime().db.read() as db:
                rows = operator_table(db, year)
            if q["publishable"]:
                rows = suppress_operator_table(rows, runtime().settings.stats_k)
            fields, values = ["operator"], ("calls", "sms", "total")
        else:
            if not q["group_by"]:
                abort(400)
            fields = q["group_by"]
            # A raw export is the plain counts, row for row as in the database.
            rows = _table(q, fields, totals=False)
    except StatsError:
        abort(400)
    with runtime().db.transaction() as db:
        store.audit(
            db,
            actor=current_user.actor,
            action="stats.export",
            now=utcnow(),
            object_type="stats",
            fields=",".join(fields),
            unit=q["unit"],
            format=fmt,
            publishable=q["publishable"],
        )
    body: str | bytes
    if fmt == "xlsx":
        body = to_xlsx(rows, fields, values)
    elif fmt == "json":
        body = to_json(rows, fields, values)
    else:
        body = to_csv(rows, fields, values)
    name = f"raporto-{'operators-' + str(year) if year else '-'.join(fields)}.{fmt}"
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
