"""Slowing password guessing down without locking the account's owner out.

Failures are counted per (account, client address), not per account: five failures from one
address make that address wait, 30 s and then twice as long after each further failure (at most
15 minutes), while the owner signing in from another address is not held up. An address that
fails on many accounts (20 in 15 minutes) waits too. When an account collects many failures from
all addresses together (a guessing attack spread over many addresses), each address gets one
failure before it waits; a correct password (and TOTP code) from an address that has not failed
still signs in. The counts live in the database (keyed hashes of the account name and the
address), so every web process agrees; the client address is the one `RAPORTO_TRUSTED_PROXIES`
makes Werkzeug's ProxyFix report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models.accounts import LoginFailure

WINDOW = timedelta(minutes=15)
PAIR_FAILURES = 5
ADDRESS_FAILURES = 20
# Failures on one account from every address that put the account "under attack".
ACCOUNT_ALARM = 10
FIRST_DELAY = timedelta(seconds=30)


def _failures(
    session: Session, since: datetime, *where: ColumnElement[bool]
) -> tuple[int, datetime | None]:
    stmt = select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.at >= since, *where)
    count, latest = session.execute(stmt).one()
    return int(count or 0), latest


def _delay(failures: int, allowed: int) -> timedelta:
    """How long to wait after the latest failure: doubling from 30 s, at most the window."""
    return min(FIRST_DELAY * 2 ** max(failures - allowed, 0), WINDOW)


def wait_seconds(session: Session, account_key: str, address_key: str, now: datetime) -> int:
    """Seconds this address must wait before trying this account again (0: it may try now)."""
    since = now - WINDOW
    on_account, _ = _failures(session, since, LoginFailure.account_key == account_key)
    allowed = 1 if on_account >= ACCOUNT_ALARM else PAIR_FAILURES
    pair, pair_latest = _failures(
        session,
        since,
        LoginFailure.account_key == account_key,
        LoginFailure.address_key == address_key,
    )
    address, address_latest = _failures(session, since, LoginFailure.address_key == address_key)
    until = now
    if pair >= allowed and pair_latest is not None:
        until = max(until, pair_latest + _delay(pair, allowed))
    if address >= ADDRESS_FAILURES and address_latest is not None:
        until = max(until, address_latest + _delay(address, ADDRESS_FAILURES))
    return int((until - now).total_seconds() + 0.999)
