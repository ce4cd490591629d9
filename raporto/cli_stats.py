"""`raporto stats`: counts of tips, contacts and related-tip groups for ONAC (CSV, XLSX, JSON)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from console.stats import Row, count
from console.stats_export import (
    suppress,
    suppress_operator_table,
    to_csv,
    to_json,
    to_xlsx,
)
from console.stats_fields import GROUP_FIELDS, StatsError
from console.stats_summary import operator_table, related_counts, summary
from models import store
from models.base import utcnow
from raporto.cli_runtime import command_runtime
from raporto.runtime import Runtime

OPERATOR_VALUES = ("calls", "sms", "total")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date like 2026-01-31", param_hint=option
        ) from exc


def _emit(text: str | bytes, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    path = Path(output)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    click.echo(f"written to {path}", err=True)


def _audit(runtime: Runtime, fields: list[str], unit: str, fmt: str, publishable: bool) -> None:
    """Record the export as the console's exports are (which table, never a count)."""
    with runtime.db.transaction() as session:
        store.audit(
            session,
            actor="cli",
            action="stats.export",
            object_type="stats",
            now=utcnow(),
            fields=",".join(fields),
            unit=unit,
            format=fmt,
            publishable=publishable,
        )


@click.command("stats")
@click.option(
    "--group-by",
    "group_by",
    default=None,
    help=f"Comma-separated fields (required unless --operator-table or --summary): "
    f"{', '.join(GROUP_FIELDS)}.",
)
@click.option("--unit", type=click.Choice(["tips", "contacts"]), default="tips", show_default=True)
@click.option("--from", "date_from", default=None, help="First local day counted (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Last local day counted, inclusive.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True
)
@click.option(
    "--publishable/--raw",
    default=True,
    show_default=True,
    help="Hide counts below RAPORTO_STATS_K (and their complements) before output.",
)
@click.option("--output", default=None, help="File to write (required for xlsx); else stdout.")
@click.option("--operator-table", "year", type=int, default=None, help="ONAC's yearly table.")
@click.option("--summary", "want_summary", is_flag=True, help="Totals and acknowledgement times.")
@click.option(
    "--related",
    "want_related",
    is_flag=True,
    help="Groups of related tips by size (2, 3-4, 5+) and the tips in them; never what links them.",
)
def stats_command(
    group_by: str | None,
    unit: str,
    date_from: str | None,
    date_to: str | None,
    fmt: str,
    publishable: bool,
    output: str | None,
    year: int | None,
    want_summary: bool,
    want_related: bool,
) -> None:
    """Count tips or contacts by fields; never decrypts, never prints a tip or a number."""
    if fmt == "xlsx" and output is None and not want_summary:
        raise click.UsageError("--format xlsx needs --output PATH")
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if start and end and end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    runtime = command_runtime()
    k = runtime.settings.stats_k
    if want_summary:
        with runtime.db.read() as session:
            body = summary(session, start, end)
            body["related"] = related_counts(session, k if publishable else None)
        body["generated_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
        _emit(json.dumps(body, indent=2) + "\n", output)
        return
    if want_related:
        with runtime.db.read() as session:
            counts = related_counts(session, k if publishable else None)
        rows: list[Row] = [{"measure": name, "count": n} for name, n in counts.items()]
        fields: list[str] = ["measure"]
        values: tuple[str, ...] = ("count",)
    elif year is not None:
        with runtime.db.read() as session:
            rows = operator_table(session, year)
        if publishable:
            rows = suppress_operator_table(rows, k)
        fields = ["operator"]
        values = OPERATOR_VALUES
    else:
        if not group_by:
            raise click.UsageError("give --group-by FIELD[,FIELD...] (or --operator-table YEAR)")
        fields = [name.strip() for name in group_by.split(",") if name.strip()]
        try:
            with runtime.db.read() as session:
                # A publishable table carries its totals, suppressed together with the cells.
                rows = count(session, fields, unit, start, end, totals=publishable)
        except StatsError as exc:
            raise click.BadParameter(str(exc), param_hint="--group-by") from exc
        if publishable:
            rows = suppress(rows, k, fields)
        values = ("count",)
    _audit(runtime, fields, "related" if want_related else unit, fmt, publishable)
    if fmt == "csv":
        _emit(to_csv(rows, fields, values), output)
    elif fmt == "json":
        _emit(to_json(rows, fields, values), output)
    else:
        _emit(to_xlsx(rows, fields, values), output)
