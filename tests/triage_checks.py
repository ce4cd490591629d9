"""Shared checks for the triage tests: which indicators fired, and where a band stands."""

from __future__ import annotations

import triage

BAND_ORDER = ("not_a_tip", "low", "medium", "high", "critical")


def fired(text: str, lang: str | None = None) -> set[str]:
    """The ids of the indicators triage finds in the text."""
    return {hit.id for hit in triage.assess(text, lang).indicators}


def at_most(text: str, band: str) -> bool:
    """Whether triage puts the text in this band or a lower one."""
    return BAND_ORDER.index(triage.assess(text).band) <= BAND_ORDER.index(band)
