"""`raporto officials`: the roster from the command line (add, list, enroll, deactivate, import).

Every change is audited with the actor "cli" and ids only (never a name, number or chat).
"""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alerts.roster import (
    CHANNELS,
    ROLES,
    RosterError,
    add_agency,
    add_official,
    deactivate,
    import_roster,
    new_enrolment_code,
)
from models import store
from models.base import utcnow
from models.roster import Agency, Official
from raporto.cli_runtime import command_runtime

ACTOR = "cli"


def _audit(session: Session, action: str, official_id: int, **detail: object) -> None:
    store.audit(
        session,
        actor=ACTOR,
        action=action,
        object_type="official",
        object_id=official_id,
        now=utcnow(),
        **detail,
    )


@click.group()
def officials() -> None:
    """The officials who receive alerts."""


@officials.command("add-agency")
@click.option("--code", required=True)
@click.option("--name-sq", required=True)
@click.option("--name-en", required=True)
@click.option("--kind", required=True)
def add_agency_command(code: str, name_sq: str, name_en: str, kind: str) -> None:
    """Add an agency of the Responsible Authority."""
    runtime = command_runtime()
    try:
        with runtime.db.transaction() as session:
            add_agency(
                session,
                code=code,
                name_sq=name_sq,
                name_en=name_en,
                kind=kind,
                active_from=utcnow(),
            )
            agency = session.scalar(select(Agency).where(Agency.code == code))
            store.audit(
                session,
                actor=ACTOR,
                action="agency.add",
                object_type="agency",
                object_id=agency.id if agency else None,
                now=utcnow(),
            )
    except RosterError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"agency {code} added")


@officials.command("add")
@click.option("--name", required=True)
@click.option("--agency", "agency_code", required=True)
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--phone", default=None, help="For SMS and calls; stored encrypted.")
@click.option("--language", type=click.Choice(["sq", "en"]), default="sq", show_default=True)
@click.option("--channels", default=",".join(CHANNELS), show_default=True)
def add_command(
    name: str, agency_code: str, role: str, phone: str | None, language: str, channels: str
) -> None:
    """Add an official and print their one-time enrolment code for the bot."""
    runtime = command_runtime()
    try:
        with runtime.db.transaction() as session:
            official = add_official(
                session,
                runtime.vault,
                runtime.pseudonym,
                name=name,
                agency_code=agency_code,
                role=role,
                phone=phone,
                language=language,
                channel_order=channels.split(","),
                active_from=utcnow(),
            )
            code = new_enrolment_code(session, runtime.pseudonym, official, utcnow())
            official_id = official.id
            _audit(session, "official.add", official_id, role=role)
    except RosterError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"official {official_id} added; send the bot: /start {code} (valid 72 hours)")


@officials.command("enroll")
@click.argument("official_id", type=int)
def enroll_command(official_id: int) -> None:
    """Issue a new one-time code that links the official's Telegram chat."""
    runtime = command_runtime()
    with runtime.db.transaction() as session:
        official = session.get(Official, official_id)
        if official is None:
            raise click.ClickException(f"no official with id {official_id}")
        code = new_enrolment_code(session, runtime.pseudonym, official, utcnow())
        _audit(session, "official.enrol_code", official_id)
    click.echo(f"send the bot: /start {code} (valid 72 hours)")


@officials.command("deactivate")
@click.argument("official_id", type=int)
def deactivate_command(official_id: int) -> None:
    """End an official's service from now on."""
    runtime = command_runtime()
    try:
        with runtime.db.transaction() as session:
            deactivate(session, official_id, utcnow())
            _audit(session, "official.deactivate", official_id)
    except RosterError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"official {official_id} deactivated")


@officials.command("list")
def list_command() -> None:
    """List agencies and officials, with their channels and problems (never their numbers)."""
    runtime = command_runtime()
    now = utcnow()
    with runtime.db.transaction() as session:
        for agency in session.execute(select(Agency).order_by(Agency.code)).scalars():
            click.echo(f"{agency.code:10} {agency.name_en} ({agency.kind})")
        rows = session.execute(
            select(Official).options(selectinload(Official.agency)).order_by(Official.id)
        ).scalars()
        for o in rows:
            linked = [
                c for c, ok in (("telegram", o.telegram_chat_enc), ("sms", o.phone_enc)) if ok
            ]
            state = "active" if o.active_at(now) else "inactive"
            problems = "; ".join(f"{k}: {v}" for k, v in (o.problems or {}).items())
            click.echo(
                f"{o.id:4} {o.name:30} {o.agency.code:10} {o.role:7} {state:8} "
                f"{','.join(linked) or '-':14} {problems}"
            )


@officials.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import agencies and officials from a YAML file."""
    runtime = command_runtime()
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    try:
        with runtime.db.transaction() as session:
            now = utcnow()
            agencies, added = import_roster(session, runtime.vault, runtime.pseudonym, data, now)
            store.audit(
                session,
                actor=ACTOR,
                action="roster.import",
                now=now,
                agencies=agencies,
                officials=added,
            )
    except (RosterError, KeyError) as exc:
        raise click.ClickException(f"import refused, nothing was changed: {exc}") from exc
    click.echo(f"{agencies} agencies and {added} officials imported")
