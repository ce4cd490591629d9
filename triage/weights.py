"""Weights of the fired signs: summed with a cap per category, and the Palermo bonus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from triage.catalogue import Indicator


def palermo_bonus(signs: Sequence[Indicator]) -> float:
    """Act, means and purpose of the legal definition: a bonus when they come together."""
    # Act + means + purpose is the legal definition; means + purpose already says a lot.
    elements = {i.palermo for i in signs}
    bonus = 1.0 if {"means", "purpose"} <= elements else 0.0
    return bonus + (1.0 if {"act", "means", "purpose"} <= elements else 0.0)


def capped_sum(fired: Sequence[Indicator], caps: Mapping[str, float]) -> float:
    """The sum of the fired weights, each category capped."""
    # A long tip repeating signs of one kind should not outweigh a short one with several kinds.
    per_category: dict[str, float] = {}
    for indicator in fired:
        per_category[indicator.category] = (
            per_category.get(indicator.category, 0.0) + indicator.weight
        )
    return sum(min(total, caps.get(category, total)) for category, total in per_category.items())
