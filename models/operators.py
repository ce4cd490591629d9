"""Derive the operator and country of a phone number from a prefix table, before it is discarded."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import phonenumbers
import yaml


@dataclass(frozen=True)
class NumberFacts:
    """What statistics may keep about a number: never the number itself."""

    operator: str | None
    country: str | None


@cache
def _prefixes() -> tuple[tuple[str, str], ...]:
    raw = resources.files("models.data").joinpath("operators.yaml").read_text("utf-8")
    rows = yaml.safe_load(raw)["operators"]
    pairs = [(str(row["prefix"]), str(row["operator"])) for row in rows]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def normalise_number(raw: str) -> str | None:
    """Return a number in E.164 form (Albanian national forms accepted), or None if invalid."""
    try:
        parsed = phonenumbers.parse(raw, "AL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def number_facts(raw: str) -> NumberFacts:
    """Return the operator (from the prefix table) and ISO country of a number."""
    e164 = normalise_number(raw)
    if e164 is None:
        return NumberFacts(operator=None, country=None)
    parsed = phonenumbers.parse(e164)
    country = phonenumbers.region_code_for_number(parsed) or None
    digits = e164.lstrip("+")
    operator = next((op for prefix, op in _prefixes() if digits.startswith(prefix)), None)
    if operator is None and country and country != "AL":
        operator = "foreign"
    return NumberFacts(operator=operator, country=country)
