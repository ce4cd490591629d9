"""Reading values an outsider controls: ids in button data and URLs, provider ids, text, JSON.

`str.isdigit()` accepts "²" and "١"; `int()` then raises on the first and reads the second as 1,
so a forged button could crash an update or name a row it never showed. Everything here takes
ASCII only and bounds what it reads.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Our own ids are INTEGER primary keys: PostgreSQL refuses anything above this, SQLite cannot
# bind an integer above 2**63 - 1.
MAX_ID = 2**31 - 1
_ID = re.compile(r"[1-9][0-9]{0,9}")

# Twilio resource ids: two capital letters naming the kind, then 32 hex digits.
_TWILIO_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")

# Lone UTF-16 halves: valid in a JSON escape, unencodable in UTF-8 (Fernet, PostgreSQL).
_SURROGATE = re.compile("[\ud800-\udfff]")

# Telegram's updates nest about eight levels; nothing a provider sends comes close to this.
MAX_JSON_DEPTH = 32


def parse_id(raw: str | None, maximum: int = MAX_ID) -> int | None:
    """Return the id written in ASCII digits (1..maximum), or None for anything else."""
    if raw is None or not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= maximum else None


def is_ascii_digits(raw: str | None, length: int | None = None) -> bool:
    """Tell whether raw is only the digits 0-9 (exactly `length` of them when given)."""
    if not raw or not raw.isascii() or not raw.isdigit():
        return False
    return length is None or len(raw) == length


def is_twilio_sid(raw: str | None, *prefixes: str) -> bool:
    """Tell whether raw is a Twilio SID (two letters + 32 hex) starting with one of prefixes."""
    if raw is None or not _TWILIO_SID.fullmatch(raw):
        return False
    return not prefixes or raw[:2] in prefixes


def clean_text(value: str) -> str:
    """Replace lone surrogates (which no UTF-8 store accepts) with U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def clean(value: Any) -> Any:
    """Return a parsed JSON value with every string (keys too) passed through clean_text."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean(v) for k, v in value.items()}
    return value


def _depth(value: Any) -> int:
    # Iterative, so a deep value cannot exhaust the interpreter's stack here either.
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            if deepest > MAX_JSON_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def load_json(body: bytes | str) -> Any:
    """Parse a request body; ValueError when it is not JSON or nests beyond MAX_JSON_DEPTH.

    Lone surrogates are replaced, so what comes back can always be encrypted and stored.
    """
    try:
        value = json.loads(body)
    except RecursionError as exc:  # nested beyond the parser's own stack
        raise ValueError("JSON nested too deeply") from exc
    except ValueError as exc:  # the parser's message may quote the body
        raise ValueError("body is not JSON") from exc
    if _depth(value) > MAX_JSON_DEPTH:
        raise ValueError("JSON nested too deeply")
    return clean(value)
