"""Triage of tips about possible human trafficking: pure, deterministic, explainable.

`assess(text)` returns an immutable `Assessment`. Importing this package is cheap: the spaCy
pipelines and the catalogue are built on first use (or by `triage.matching.warm_up()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from triage.assessment import Assessment, IndicatorHit, Place

if TYPE_CHECKING:
    from triage.policy import RoutingPolicy

__all__ = ["Assessment", "IndicatorHit", "Place", "assess"]


def assess(
    text: str,
    lang: str | None = None,
    channel: str | None = None,
    answers: Mapping[str, bool | None] | None = None,
    *,
    policy: RoutingPolicy | None = None,
    second_opinion: bool = True,
) -> Assessment:
    """Triage one tip (see triage.analyse.assess); spaCy is imported on first call."""
    from triage.analyse import assess as _assess

    return _assess(text, lang, channel, answers, policy=policy, second_opinion=second_opinion)
