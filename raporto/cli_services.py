"""`raporto services`: ONAC checks and updates the services directory without a code change.

The directory is `locales/services.yaml`; processes read it at start, so restart them after a
change. `set` rewrites the file (its leading comment is kept).
"""

from __future__ import annotations

import datetime as dt
from itertools import takewhile
from pathlib import Path
from typing import Any

import click
import yaml

from bot import services_directory as directory

FILE = click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=directory.DIRECTORY,
    show_default=True,
)


def _read(path: Path) -> tuple[str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    head = "".join(
        line + "\n" for line in takewhile(lambda s: s.startswith("#"), text.splitlines())
    )
    return head, yaml.safe_load(text)


@click.group()
def services() -> None:
    """Check, list and update the services directory."""


@services.command("check")
@FILE
def services_check(path: Path) -> None:
    """Fail when an entry lacks a name in both languages, a source or a check date."""
    _, data = _read(path)
    found = directory.problems(data["services"])
    for problem in found:
        click.echo(problem)
    if found:
        raise click.ClickException(f"{len(found)} problem(s) in {path}")
    click.echo(f"{len(data['services'])} entries, no problems")


@services.command("list")
@FILE
def services_list(path: Path) -> None:
    """One line per entry: id, qark, phone, verified, last check."""
    _, data = _read(path)
    for entry in data["services"]:
        verified = "verified" if entry.get("verified") is not False else "UNVERIFIED"
        click.echo(
            f"{entry['id']}\t{entry['qark'] or 'national'}\t{entry['phone'] or '-'}\t"
            f"{verified}\t{entry['last_verified'] or '-'}"
        )


@services.command("set")
@click.argument("entry_id")
@FILE
@click.option("--phone")
@click.option("--hours-sq")
@click.option("--hours-en")
@click.option("--source")
@click.option("--verified/--unverified", default=None)
@click.option("--checked", type=click.DateTime(["%Y-%m-%d"]), help="date checked (default today)")
def services_set(
    entry_id: str,
    path: Path,
    phone: str | None,
    hours_sq: str | None,
    hours_en: str | None,
    source: str | None,
    verified: bool | None,
    checked: dt.datetime | None,
) -> None:
    """Update one entry; confirming it (--verified) records the date it was checked."""
    head, data = _read(path)
    entry = next((e for e in data["services"] if e["id"] == entry_id), None)
    if entry is None:
        raise click.ClickException(f"no entry {entry_id}")
    if phone is not None:
        entry["phone"] = phone or None
    if hours_sq is not None or hours_en is not None:
        hours = dict(entry.get("hours") or {})
        hours.update({k: v for k, v in (("sq", hours_sq), ("en", hours_en)) if v is not None})
        entry["hours"] = hours
    if source is not None:
        entry["source"] = source
    if verified is not None:
        entry["verified"] = verified
    if verified or checked is not None:
        entry["last_verified"] = (checked or dt.datetime.now(dt.UTC)).date()
    found = directory.problems(data["services"])
    if found:
        raise click.ClickException("; ".join(found))
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(head + "\n" + body, encoding="utf-8")
    click.echo(f"updated {entry_id}")
