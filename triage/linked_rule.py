"""The rule of linked reports: several people naming the same number, plate or account."""

from __future__ import annotations

from dataclasses import replace

from triage.assessment import Assessment
from triage.policy import RoutingPolicy
from triage.score import BANDS

# Distinct reporters in a cluster from which its newest tip is at least high: one tip about a
# recruiter's number is a rumour, three people about the same number are a case.
LINKED_REPORTERS = 3
LINKED_FLOOR = "high"


def raise_for_links(
    assessment: Assessment, reporters: int, policy: RoutingPolicy | None = None
) -> Assessment:
    """Raise the band to at least high when the tip's cluster has three or more reporters."""
    if reporters < LINKED_REPORTERS:
        return assessment
    if BANDS.index(assessment.band) <= BANDS.index(LINKED_FLOOR):
        return assessment
    chosen = policy or RoutingPolicy.default()
    return replace(
        assessment,
        band=LINKED_FLOOR,
        rules=(*assessment.rules, "linked_reporters"),
        ack_deadline_minutes=chosen.ack_deadline_minutes(LINKED_FLOOR),
        escalation=tuple((s.after_minutes, s.notify) for s in chosen.escalation(LINKED_FLOOR)),
    )
