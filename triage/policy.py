"""Routing policy: per band, the acknowledgement deadline and the escalation ladder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BANDS = ("critical", "high", "medium", "low", "not_a_tip")


@dataclass(frozen=True)
class EscalationStep:
    """If nobody has acknowledged after `after_minutes`, notify `notify` (a role name)."""

    after_minutes: int
    notify: str


@dataclass(frozen=True)
class BandPolicy:
    """Acknowledgement deadline and escalation ladder of one band."""

    ack_minutes: int
    escalation: tuple[EscalationStep, ...]


_DEFAULTS: dict[str, dict[str, Any]] = {
    "critical": {"ack_minutes": 15, "escalation": [(15, "ra_chair"), (30, "national_coordinator")]},
    "high": {"ack_minutes": 60, "escalation": [(60, "ra_chair"), (120, "national_coordinator")]},
    "medium": {"ack_minutes": 240, "escalation": [(240, "ra_chair")]},
    "low": {"ack_minutes": 1440, "escalation": [(1440, "ra_chair")]},
    # Not a tip: answered by the information flow within a day; nobody is alerted.
    "not_a_tip": {"ack_minutes": 1440, "escalation": []},
}


def _step(raw: Any) -> EscalationStep:
    if isinstance(raw, Mapping):
        minutes, notify = raw["after_minutes"], raw["notify"]
    else:
        minutes, notify = raw
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValueError(f"escalation minutes must be a positive integer, not {minutes!r}")
    return EscalationStep(minutes, str(notify))


def _band(name: str, raw: Any, default: BandPolicy | None) -> BandPolicy:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = {"ack_minutes": raw}
    if not isinstance(raw, Mapping):
        raise ValueError(f"{name}: expected minutes or a mapping, not {raw!r}")
    minutes = raw.get("ack_minutes", default.ack_minutes if default else None)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValueError(f"{name}: ack_minutes must be a positive integer")
    if "escalation" in raw:
        steps = tuple(_step(s) for s in raw["escalation"])
    else:
        steps = default.escalation if default else ()
    if [s.after_minutes for s in steps] != sorted(s.after_minutes for s in steps):
        raise ValueError(f"{name}: escalation steps must be in increasing order of minutes")
    return BandPolicy(minutes, steps)


@dataclass(frozen=True)
class RoutingPolicy:
    """Band → acknowledgement deadline and escalation ladder (configurable, data not code)."""

    bands: Mapping[str, BandPolicy]

    @classmethod
    def default(cls) -> RoutingPolicy:
        """Critical 15 min, high 60, medium 240, low 1440 (24 h)."""
        return cls.from_mapping({})

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> RoutingPolicy:
        """Build a policy from configuration; bands left out keep their defaults.

        Accepts {"critical": 10} or {"critical": {"ack_minutes": 10, "escalation":
        [{"after_minutes": 10, "notify": "ra_chair"}]}}. Raises ValueError on bad input.
        """
        unknown = set(mapping) - set(BANDS)
        if unknown:
            raise ValueError(f"unknown bands: {sorted(unknown)}")
        defaults = {name: _band(name, raw, None) for name, raw in _DEFAULTS.items()}
        bands = {
            name: _band(name, mapping[name], defaults[name]) if name in mapping else defaults[name]
            for name in BANDS
        }
        return cls(bands)

    def ack_deadline_minutes(self, band: str) -> int:
        """Minutes within which an official must acknowledge a tip of this band."""
        return self.bands[band].ack_minutes

    def escalation(self, band: str) -> tuple[EscalationStep, ...]:
        """The escalation ladder of a band."""
        return self.bands[band].escalation
