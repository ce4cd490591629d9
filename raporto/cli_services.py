"""`raporto services`: ONAC checks and updates the services directory without a code change.

The packaged `locales/services.yaml` is the reviewed base (`check --file` checks an edited copy
before a release); `set` stores a change in the database, applied over the file by every process
at once, with who made it in the audit log. Only `set --verified --confirmed-by NAME` confirms an
entry (the date and who at ONAC checked it, audited); `check` refuses a file that claims it.
"""

from __future__ import annotations

import datetime as dt
from itertools import takewhile
from pathlib import Path
from typing import Any

import click
import yaml

from bot import services_directory as directory
from raporto.cli_runtime import command_runtime

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
    """Fail when an entry lacks a name in both languages or a source key, or claims confirmation."""
    _, data = _read(path)
    found = directory.problems(data["services"], packaged=True)
    for problem in found:
        click.echo(problem)
    if found:
        raise click.ClickException(f"{len(found)} problem(s) in {path}")
    click.echo(f"{len(data['services'])} entries, no problems")


@services.command("list")
def services_list() -> None:
    """One line per entry as readers see it now: id, qark, phone, state, when and who confirmed.

    The state is "verified" (ONAC confirmed it), "UNVERIFIED" (shown with its source and "not
    yet confirmed") or "HIDDEN" (no document names it and nobody confirmed it: not shown).
    """
    runtime = command_runtime()
    with runtime.db.read() as session:
        entries = directory.services(directory.updates(session))
    for entry in entries:
        if directory.confirmed(entry):
            state = "verified"
        else:
            state = "UNVERIFIED" if directory.shown(entry) else "HIDDEN"
        click.echo(
            f"{entry['id']}\t{entry['qark'] or 'national'}\t{entry['phone'] or '-'}\t"
            f"{state}\t{entry.get('last_verified') or '-'}\t{entry.get('confirmed_by') or '-'}"
        )


@services.command("set")
@click.argument("entry_id")
@click.option("--phone")
@click.option("--hours-sq")
@click.option("--hours-en")
@click.option("--source")
@click.option("--verified/--unverified", default=None, help="ONAC confirmed (or withdrew) it")
@click.option("--confirmed-by", help="who at ONAC confirmed the entry (required with --verified)")
@click.option("--checked", type=click.DateTime(["%Y-%m-%d"]), help="date confirmed (default today)")
def services_set(
    entry_id: str,
    phone: str | None,
    hours_sq: str | None,
    hours_en: str | None,
    source: str | None,
    verified: bool | None,
    confirmed_by: str | None,
    checked: dt.datetime | None,
) -> None:
    """Update one entry for every process at once; --verified records who confirmed it and when.

    A change of phone, hours or source without --verified leaves the entry unconfirmed: the
    confirmation vouched for what was there before.
    """
    if verified and not (confirmed_by or "").strip():
        raise click.UsageError("--verified needs --confirmed-by: who at ONAC confirmed the entry")
    if not verified and (confirmed_by is not None or checked is not None):
        raise click.UsageError("--confirmed-by and --checked go with --verified")
    runtime = command_runtime()
    changes: dict[str, Any] = {}
    try:
        with runtime.db.transaction() as session:
            current = next(
                (e for e in directory.services(directory.updates(session)) if e["id"] == entry_id),
                None,
            )
            if current is None:
                raise click.ClickException(f"no entry {entry_id}")
            if phone is not None:
                changes["phone"] = phone or None
            if hours_sq is not None or hours_en is not None:
                hours = dict(current.get("hours") or {})
                pairs = (("sq", hours_sq), ("en", hours_en))
                hours.update({k: v for k, v in pairs if v is not None})
                changes["hours"] = hours
            if source is not None:
                changes["source"] = source
            if verified:
                changes["verified"] = True
                changes["confirmed_by"] = (confirmed_by or "").strip()
                changes["last_verified"] = (checked or dt.datetime.now(dt.UTC)).date().isoformat()
            elif verified is False:
                changes.update(verified=False, confirmed_by=None, last_verified=None)
            directory.record_update(session, entry_id, changes, actor="cli")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"updated {entry_id} (applies at once, no restart)")
