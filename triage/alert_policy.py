"""The alert policy, pure: which band alerts use, who is alerted on which channel, by when, when
the escalation ladder climbs, and when acknowledgements cover a tip.

`alerts/` applies it to rows; everything here takes plain values, so each rule is one function
with its own unit tests (tests/test_alert_policy.py) and one answer for a band the policy does
not know.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from triage.policy import BandPolicy, RoutingPolicy

# A band the routing policy does not know (a corrupt row, a policy edited by hand) is treated as
# high: an official looks within the hour, the safe side for a tip nobody could place.
FALLBACK_BAND = "high"
# Roles alerted by the first fan-out; the chair and ONAC's coordinators join by escalation.
ALERT_ROLES = ("member", "chair")
# The quickest channel first: the order a fallback or an escalation walks when not configured.
CHANNELS = ("telegram", "sms", "voice")


@dataclass(frozen=True)
class Step:
    """One rung of the ladder, measured in minutes from the tip's arrival."""

    minutes: int
    action: str  # renotify, ra_chair, national_coordinator


def band_policy(policy: RoutingPolicy, band: str) -> BandPolicy:
    """The band's deadline and ladder; an unknown band gets the fallback band's."""
    return policy.bands.get(band) or policy.bands[FALLBACK_BAND]


def ack_minutes(policy: RoutingPolicy, band: str) -> int:
    """Minutes within which an official must acknowledge a tip of this band."""
    return band_policy(policy, band).ack_minutes


def ladder(policy: RoutingPolicy, band: str, max_rounds: int) -> list[Step]:
    """The steps of every round for a band, in time order (rounds repeat the first one)."""
    chosen = band_policy(policy, band)
    one_round = sorted(
        [Step(chosen.ack_minutes, "renotify")]
        + [Step(s.after_minutes, s.notify) for s in chosen.escalation],
        key=lambda s: s.minutes,
    )
    length = max(s.minutes for s in one_round)
    return [Step(r * length + s.minutes, s.action) for r in range(max_rounds) for s in one_round]


def effective_band(band: str | None, *, scored: bool, channel: str) -> str:
    """The band alerts use: triage's or an official's once scored or reviewed, else a safe one."""
    if band and scored:
        return band
    # A recording nobody has listened to, or a tip triage failed on: an official must look.
    return "medium" if channel == "voice" else "high"


def may_be_alerted(role: str, agency_kind: str, excluded: Collection[str]) -> bool:
    """Whether an official of this role and agency gets a tip's first alert."""
    return role in ALERT_ROLES and agency_kind not in excluded


def escalation_role(action: str, *, chair_excluded: bool) -> str:
    """Who a chair or ONAC rung notifies: ONAC also when the chair's agency is implicated."""
    if action == "ra_chair" and not chair_excluded:
        return "chair"
    return "onac"


def first_channel(
    order: Sequence[str],
    *,
    telegram: bool,
    phone: bool,
    telegram_broken: bool = False,
    allow_voice: bool = False,
) -> str | None:
    """The official's preferred channel that is set up and working."""
    for channel in order:
        if channel == "telegram" and telegram and not telegram_broken:
            return channel
        if channel == "sms" and phone:
            return channel
        if channel == "voice" and allow_voice and phone:
            return channel
    return None


def next_channel(order: Sequence[str], after: str, *, telegram: bool, phone: bool) -> str | None:
    """The official's next channel after `after` (a fallback or an escalation); voice last."""
    walk = [c for c in order if c != "voice"] + ["voice"]
    for channel in walk[walk.index(after) + 1 :] if after in walk else walk:
        if channel in ("sms", "voice") and phone:
            return channel
        if channel == "telegram" and telegram:
            return channel
    return None


def fallback_allowed(channel: str | None, purpose: str) -> bool:
    """Whether a failed delivery may move to this channel: a call only for an escalation."""
    return channel is not None and (channel != "voice" or purpose == "escalation")


def renotify_channels(band: str, *, phone: bool, telegram: bool) -> list[str]:
    """Re-notify on the next channel: SMS where there is a number, and a call if critical."""
    channels = ["sms"] if phone else (["telegram"] if telegram else [])
    if band == "critical" and phone:
        channels.append("voice")
    return channels


def covered(
    acked_kinds: Collection[str],
    excluded: Collection[str],
    routes: Sequence[str],
    coverage: Mapping[str, Sequence[str]],
) -> bool:
    """True when the acknowledging agencies satisfy the coverage each route requires."""
    # An implicated agency's acknowledgement never covers the tip (one recorded before the tip
    # was found to implicate it included).
    kinds = set(acked_kinds) - set(excluded)
    if not kinds:
        return False
    return all(not coverage.get(route) or bool(kinds & set(coverage[route])) for route in routes)
