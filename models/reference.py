"""Reference codes a reporter can quote by voice, SMS or chat: short, unambiguous, random."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V: letters and digits that are misread or misheard.
ALPHABET = "ACDEFHJKMNPRTWXY3479"
LENGTH = 6
_PATTERN = re.compile(rf"\b([{ALPHABET}]{{3}})[\s\-.]?([{ALPHABET}]{{3}})\b", re.IGNORECASE)


def _is_code(chars: str) -> bool:
    # A digit and a letter in every code, so ordinary words ("DANCER", "MATTER") are never
    # mistaken for one and numbers ("3 479 347") neither.
    return any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars)


def new_reference() -> str:
    """Return a fresh reference code such as "K7P-3XA"."""
    while True:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if _is_code(chars):
            return f"{chars[:3]}-{chars[3:]}"


def find_reference(text: str) -> str | None:
    """Return the first reference code written in a text, in canonical form, or None."""
    found = find_reference_span(text)
    return found[0] if found else None


def find_reference_span(text: str) -> tuple[str, int, int] | None:
    """Return the first reference code in canonical form with where it stands in the text."""
    for match in _PATTERN.finditer(text):
        chars = (match.group(1) + match.group(2)).upper()
        if _is_code(chars):
            return f"{chars[:3]}-{chars[3:]}", match.start(), match.end()
    return None
