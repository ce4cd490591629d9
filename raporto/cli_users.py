"""`raporto users`: console accounts (add, list, disable, enable, reset-password, totp)."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from console.accounts import (
    AccountError,
    confirm,
    create_user,
    enable_totp,
    find,
    list_users,
    reset_password,
    set_disabled,
)
from models.accounts import ROLES, User
from raporto.cli_runtime import command_runtime

ACTOR = "cli"


def _user(session: Session, username: str) -> User:
    user = find(session, username)
    if user is None:
        raise click.ClickException(f"no account named {username!r}")
    return user


@click.group()
def users() -> None:
    """Console accounts (admin, onac, official)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--official-id", type=int, help="The roster official an `official` account acts as.")
@click.option("--language", type=click.Choice(["sq", "en"]), default="sq", show_default=True)
def add_command(username: str, role: str, official_id: int | None, language: str) -> None:
    """Create an account and print its one-time password (changed at first sign-in)."""
    runtime = command_runtime()
    try:
        with runtime.db.transaction() as session:
            account = create_user(
                session,
                username=username,
                role=role,
                official_id=official_id,
                language=language,
                actor=ACTOR,
            )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"account {account.username} ({role}) created")
    click.echo(f"one-time password: {account.password}")


@users.command("list")
def list_command() -> None:
    """List accounts: username, role, official, TOTP, state, last sign-in."""
    runtime = command_runtime()
    with runtime.db.transaction() as session:
        for user in list_users(session):
            state = "disabled" if user.disabled else "pending" if user.pending_by else "active"
            totp = "totp" if user.totp_secret_enc else "-"
            last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "-"
            official = str(user.official_id) if user.official_id else "-"
            click.echo(f"{user.username}\t{user.role}\t{official}\t{totp}\t{state}\t{last}")


@users.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Disable an account and end its sessions."""
    runtime = command_runtime()
    with runtime.db.transaction() as session:
        set_disabled(session, _user(session, username), True, actor=ACTOR)
    click.echo(f"account {username} disabled")


@users.command("enable")
@click.argument("username")
def enable_command(username: str) -> None:
    """Enable a disabled account again."""
    runtime = command_runtime()
    with runtime.db.transaction() as session:
        set_disabled(session, _user(session, username), False, actor=ACTOR)
    click.echo(f"account {username} enabled")


@users.command("reset-password")
@click.argument("username")
def reset_command(username: str) -> None:
    """Give an account a new one-time password."""
    runtime = command_runtime()
    with runtime.db.transaction() as session:
        password = reset_password(session, _user(session, username), actor=ACTOR)
    click.echo(f"one-time password: {password}")


@users.command("confirm")
@click.argument("username")
def confirm_command(username: str) -> None:
    """Confirm an account an admin created or reset in the console (the second person)."""
    runtime = command_runtime()
    try:
        with runtime.db.transaction() as session:
            confirm(session, _user(session, username), admin_id=0, actor=ACTOR)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"account {username} confirmed")


@users.command("totp")
@click.argument("username")
def totp_command(username: str) -> None:
    """Turn on two-step sign-in; print the otpauth:// URI to add to an authenticator app once."""
    runtime = command_runtime()
    with runtime.db.transaction() as session:
        uri = enable_totp(session, runtime.vault, _user(session, username), actor=ACTOR)
    click.echo(uri)
