"""Score and band: weights of the signs found, then the rules that override them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from triage.catalogue import Indicator

BANDS = ("critical", "high", "medium", "low", "not_a_tip")
THRESHOLDS = (("critical", 12.0), ("high", 5.0), ("medium", 2.5))

# Categories that never raise a tip by themselves: context for the rules below.
CONTEXT = frozenset(
    {"smuggling", "sexwork", "info", "spam", "hoax", "urgency", "suspicion", "sector"}
)
# A minor together with any sign of these categories makes the tip critical.
MINOR_TRIGGERS = frozenset(
    {"recruitment", "control", "documents", "debt", "wages", "isolation", "conditions", "sexual",
     "labour", "begging", "child", "movement", "danger", "complicity"}
)  # fmt: skip
# Signs that lift "smuggling alone" or "sex work alone": exploitation or control is present.
EXPLOITATION = frozenset(
    {"control", "documents", "debt", "wages", "isolation", "conditions", "sexual", "labour",
     "begging", "child", "danger"}
)  # fmt: skip
# Signs that make "tonight" or "help!" mean imminent danger.
SEVERE = frozenset(
    {"locked_in", "cannot_leave", "violence", "threats", "sold_person", "forced_prostitution",
     "coercion", "documents_withheld", "sexual_abuse", "forced_marriage"}
)  # fmt: skip
CONFINEMENT_WITH = frozenset(
    {"forced_prostitution", "violence", "threats", "sold_person", "documents_withheld",
     "sexual_abuse"}
)  # fmt: skip
# An information request with only weaker signs goes to the information flow.
INFO_MAX_WEIGHT = 2.5  # inclusive: a job offer in a question is still a question
INFO_MAX_SCORE = 5.0


@dataclass(frozen=True)
class Scored:
    """Band, score, the rules that decided the band, and whether danger is imminent."""

    band: str
    score: float
    rules: tuple[str, ...]
    imminent: bool


def _band_of(score: float) -> str:
    for band, threshold in THRESHOLDS:
        if score >= threshold:
            return band
    return "low"


def _cap(band: str, ceiling: str) -> str:
    return band if BANDS.index(band) >= BANDS.index(ceiling) else ceiling


def _palermo_bonus(signs: Sequence[Indicator]) -> float:
    # Act + means + purpose is the legal definition; means + purpose already says a lot.
    elements = {i.palermo for i in signs}
    bonus = 1.0 if {"means", "purpose"} <= elements else 0.0
    return bonus + (1.0 if {"act", "means", "purpose"} <= elements else 0.0)


def _capped_sum(fired: Sequence[Indicator], caps: Mapping[str, float]) -> float:
    # A long tip repeating signs of one kind should not outweigh a short one with several kinds.
    per_category: dict[str, float] = {}
    for indicator in fired:
        per_category[indicator.category] = (
            per_category.get(indicator.category, 0.0) + indicator.weight
        )
    return sum(min(total, caps.get(category, total)) for category, total in per_category.items())


def score(
    fired: Sequence[Indicator],
    minor: bool,
    minor_answer: bool,
    danger_answer: bool,
    caps: Mapping[str, float] | None = None,
) -> Scored:
    """Apply weights (capped per category) and the rules to the fired indicators."""
    ids = {i.id for i in fired}
    signs = [i for i in fired if i.sign and i.weight > 0]
    categories = {i.category for i in signs}
    total = round(_capped_sum(fired, caps or {}) + _palermo_bonus(signs), 2)
    rules: list[str] = ["minor_answer"] if minor_answer else []

    urgent_soon = "urgent_soon" in ids
    imminent = danger_answer or "imminent_danger" in ids
    imminent = imminent or ((urgent_soon or "plea_for_help" in ids) and bool(ids & SEVERE))
    departing = urgent_soon and "movement" in categories and bool(categories & {"recruitment"})
    imminent = imminent or departing

    if ids & {"chain_message", "joke"} and not danger_answer:
        return Scored(_cap(_band_of(total), "low"), total, (*rules, "chain_message"), False)
    if minor and categories & MINOR_TRIGGERS:
        return Scored("critical", total, (*rules, "minor_with_sign"), imminent)
    if imminent:
        rule = "danger_answer" if danger_answer else "imminent_danger"
        return Scored("critical", total, (*rules, rule), True)
    if "locked_in" in ids and ids & CONFINEMENT_WITH:
        return Scored("critical", total, (*rules, "confinement_with_abuse"), False)
    if "sold_person" in ids:
        return Scored("critical", total, (*rules, "sale_of_person"), False)

    band = _band_of(total)
    context = {i.category for i in fired if i.category in CONTEXT}
    asks = context & {"info", "spam"}
    heaviest = max((i.weight for i in signs), default=0.0)
    if (
        asks
        and "report_intent" not in ids
        and heaviest <= INFO_MAX_WEIGHT
        and total < INFO_MAX_SCORE
    ):
        return Scored("not_a_tip", total, (*rules, "information_only"), False)
    exploited = bool(categories & EXPLOITATION)
    if "smuggling" in context and not exploited:
        return Scored(_cap(band, "low"), total, (*rules, "smuggling_alone"), False)
    if "sexwork" in context and not exploited:
        return Scored(_cap(band, "low"), total, (*rules, "sex_work_alone"), False)
    if not fired or all(i.category in {"info", "spam", "urgency"} for i in fired):
        return Scored("not_a_tip", total, (*rules, "no_signs"), False)
    if not signs:
        return Scored("low", total, (*rules, "context_only"), False)
    return Scored(band, total, tuple(rules), False)
