"""The canary's synthetic tips: the marker only the service can make, and the SQL that skips them.

`raporto canary` (raporto/canary.py) writes a marker into each synthetic tip's text: a nonce and
an HMAC of it under a key derived from SECRET_KEY (`canary_key`). Intake marks a tip synthetic
only when the HMAC verifies, so an outsider who writes something that looks like a marker sends
an ordinary tip, alerted to the officials like any other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import ColumnElement

from models.tables import Tip

# The roster role of the canary's recipient (an enrolled test chat or number, never an official).
CANARY_ROLE = "canary"
MARKER = re.compile(r"\bRPC-([0-9a-f]{16})-([0-9a-f]{16})\b")
CALL_SID = re.compile(r"^CA([0-9a-f]{16})([0-9a-f]{16})$")


def canary_key(signing_key: bytes) -> bytes:
    """The marker's key, derived from the alert signing key (itself derived from SECRET_KEY)."""
    return hmac.new(signing_key, b"raporto-canary-marker", hashlib.sha256).digest()


def _tag(key: bytes, nonce: str) -> str:
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()[:16]


def new_marker(key: bytes) -> tuple[str, str]:
    """A fresh (nonce, marker) pair; the marker goes into the synthetic tip's text."""
    nonce = secrets.token_hex(8)
    return nonce, f"RPC-{nonce}-{_tag(key, nonce)}"


def verified_nonce(key: bytes, text: str) -> str | None:
    """The nonce of a genuine marker in the text, or None (no marker, or a forged one)."""
    for match in MARKER.finditer(text):
        nonce, tag = match.groups()
        if hmac.compare_digest(tag, _tag(key, nonce)):
            return nonce
    return None


def call_sid(marker: str) -> str:
    """The CallSid a synthetic call carries (a voice tip's text is ours, not the caller's)."""
    match = MARKER.fullmatch(marker)
    if match is None:
        raise ValueError("not a marker")
    return "CA" + match.group(1) + match.group(2)


def marker_of_call(sid: str) -> str | None:
    """The marker a CallSid spells, if it has the shape (verified later, like any marker)."""
    match = CALL_SID.fullmatch(sid)
    return f"RPC-{match.group(1)}-{match.group(2)}" if match else None


def real() -> ColumnElement[bool]:
    """SQL condition: the tip is a person's, not the canary's."""
    return Tip.synthetic.is_(False)
