"""Officials' SMS acknowledgement codes ("OK 482913"): six digits, few guesses, a lifetime.

A sender's number can be forged, so a code must not be guessable from an enrolled number: six
digits (one in a million), five wrong codes per number and hour at most (counted in the database
under a keyed pseudonym of the number, so every web process agrees), and a code acknowledges
only alerts sent in the last seven days. Four-digit codes of alerts sent before codes grew keep
working until those seven days have passed.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from alerts.context import AlertContext
from models import throttle
from models.operators import normalise_number

DIGITS = 6
LIFETIME = timedelta(days=7)
WRONG_PER_HOUR = 5
KIND = "ack_sms"
# The words an official may put before the code; digits are ASCII only (int() would also take
# other scripts' digits, which no SMS alert ever printed).
_ACK = re.compile(r"(?:OK|PO|MORA)\s+([0-9]{6}|[0-9]{4})")


def new_code() -> str:
    """Return a fresh six-digit acknowledgement code."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def parse(body: str) -> str | None:
    """Return the code of an "OK code" message, or None when the message is not one."""
    found = _ACK.fullmatch(body.strip().upper())
    return found.group(1) if found else None


def sender_key(actx: AlertContext, sender: str) -> str:
    """The keyed pseudonym under which a number's wrong codes are counted."""
    return actx.pseudonym("ack-sms", normalise_number(sender) or sender.strip())


def throttled(session: Session, actx: AlertContext, key: str) -> bool:
    """True when this number sent too many wrong codes in the last hour (none is looked up)."""
    window = timedelta(hours=1)
    return throttle.exceeded(
        session, KIND, key, limit=WRONG_PER_HOUR, window=window, now=actx.clock()
    )


def wrong(session: Session, actx: AlertContext, key: str) -> None:
    """Count a wrong code from this number."""
    throttle.record_failure(session, KIND, key, actx.clock())


def valid_since(actx: AlertContext) -> datetime:
    """Alerts older than this no longer take an SMS acknowledgement (the console still does)."""
    return actx.clock() - LIFETIME
