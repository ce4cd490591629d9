"""Phone numbers mentioned in a tip (third parties: tip content, never the reporter's number)."""

from __future__ import annotations

import phonenumbers

# Fewer digits than this cannot be a full number; skip the (slow) matcher.
MIN_DIGITS = 6


def find_phones(text: str, region: str = "AL") -> tuple[str, ...]:
    """Return the valid phone numbers in the text, in E.164 form, in order of appearance."""
    if sum(c.isdigit() for c in text) < MIN_DIGITS:
        return ()
    found: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID
    ):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if number not in found:
            found.append(number)
    return tuple(found)
