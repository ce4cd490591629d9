"""What the fired indicators say beyond their weights: the reading the rules of score() use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from triage.catalogue import Indicator
from triage.sign_sets import LAWFUL, SEVERE


@dataclass(frozen=True)
class Reading:
    """What the fired indicators say, beyond their weights."""

    ids: frozenset[str]
    signs: tuple[Indicator, ...]
    categories: frozenset[str]
    case: bool  # any sign of a possible case at all
    past: bool  # the events are over and nothing says they continue
    hearsay: bool  # the reporter heard it and did not see it


def read(fired: Sequence[Indicator]) -> Reading:
    """Read the fired indicators: lawful journeys, signs, past, hearsay."""
    ids = frozenset(i.id for i in fired)
    lawful = "lawful_travel" in ids
    # Travelling for school, studies, a contract or to a parent: the journey is not a sign.
    fired = [i for i in fired if not (lawful and (i.category == "movement" or i.id in LAWFUL))]
    signs = tuple(i for i in fired if i.sign and i.weight > 0)
    case = any(i.describes_case for i in fired)
    return Reading(
        ids=ids,
        signs=signs,
        categories=frozenset(i.category for i in signs),
        case=case,
        past="past_event" in ids and "ongoing" not in ids,
        hearsay="hearsay" in ids and "witnessed" not in ids and "first_person" not in ids,
    )


def is_imminent(reading: Reading, danger_answer: bool) -> bool:
    """Whether someone is in danger now (said, pleaded, or about to be taken away)."""
    ids, categories = reading.ids, reading.categories
    if danger_answer:
        return True
    if reading.past:  # "now" in a story that ended years ago is the teller's now
        return False
    if "imminent_danger" in ids:
        return True
    soon = "urgent_soon" in ids
    # "Can you help, or is this not your area?" asks for a service: not a plea by itself.
    # "Help my sister" from a relative is a request to act, not a plea from the person in danger.
    pleads = "plea_for_help" in ids and "information_request" not in ids and "first_person" in ids
    if (soon or pleads) and bool(ids & SEVERE):
        return True

    # Someone is about to be taken away by a recruiter, a trafficker or a "boyfriend"; or by
    # someone who holds their papers or cuts them off ("po na çojnë diku", phone off next).
    moving = "movement" in categories or "transported" in ids
    held = bool(categories & {"recruitment", "sexual", "control", "isolation"})
    return soon and moving and (held or bool(ids & {"documents_withheld", "fear"}))
