"""Complicity: a tip that implicates an agency never reaches that agency's officials.

Triage routes a tip "complicity" when it says officials take part in or protect the
exploitation. The agency kinds it implicates are stored on the tip (`tips.excluded_kinds`), only
ever widened, and every path checks them: the first fan-out, band-raise re-alerts, every rung of
escalation, digests, reminders, "show full text", acknowledgement edits, coverage, and each
console page and action. Officials of those agencies can neither read the tip nor acknowledge or
close it; an attempt is refused and audited (ids only).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.context import AlertContext
from alerts.kinds import Digest, Notice, kind_of
from locales.i18n import N_
from models import store
from models.deliveries import Delivery
from models.roster import Agency, Official
from models.tables import Tip
from triage import routing
from triage.assessment import Assessment

# What an official of an implicated agency is told when they try to act on the tip.
REFUSED = N_(
    "This tip is handled by other agencies. You cannot acknowledge, close or read it, "
    "nor act on it in any other way."
)


def implicated_kinds(assessment: Assessment) -> set[str]:
    """Agency kinds a complicity tip must not reach (triage's routes decide, from its signs)."""
    words = [
        words
        for hit in assessment.indicators
        if hit.category == "complicity"
        for _start, _end, words in hit.spans
    ]
    return set(routing.implicated_kinds(assessment.routes, words))


def record(tip: Tip, assessment: Assessment) -> set[str]:
    """Add the kinds this assessment implicates to the tip; return the newly added ones.

    Never narrowed: once an agency was kept from a tip, a later scoring that no longer names it
    must not hand the tip (and everything said about that agency) back to it.
    """
    current = set(tip.excluded_kinds or ())
    added = implicated_kinds(assessment) - current
    if added:
        tip.excluded_kinds = sorted(current | added)
    return added


def kinds_of(tip: Tip) -> frozenset[str]:
    """The agency kinds kept from this tip."""
    return frozenset(tip.excluded_kinds or ())


def is_excluded(tip: Tip, official: Official) -> bool:
    """True when the official's agency is one the tip implicates."""
    # Most tips implicate nobody: answered without loading the official's agency.
    return bool(tip.excluded_kinds) and official.agency.kind in kinds_of(tip)


def allowed(tip: Tip, officials: Iterable[Official]) -> list[Official]:
    """The officials whose agency the tip does not implicate."""
    kinds = kinds_of(tip)
    return [o for o in officials if not kinds or o.agency.kind not in kinds]


def delivery_kept_from(session: Session, d: Delivery, tip: Tip | None, official: Official) -> bool:
    """True when a delivery would bring an implicated agency's official a tip they must not get.

    Checked again when a delivery is leased for sending: a delivery written before later
    information implicated the agency (a fallback, an escalation, a digest) is cancelled there.
    """
    if tip is not None:
        return is_excluded(tip, official)
    match kind_of(d):
        case Digest(tip_ids=ids):
            rows = session.execute(select(Tip.excluded_kinds).where(Tip.id.in_(ids))).scalars()
            return all(official.agency.kind in (kinds or ()) for kinds in rows)
        case Notice(show_tip=shown_id) if shown_id:
            shown = session.get(Tip, shown_id)
            return shown is not None and is_excluded(shown, official)
    return False


def allowed_tips(tips: Iterable[Tip], official: Official) -> list[Tip]:
    """The tips that do not implicate the official's agency."""
    return [t for t in tips if not is_excluded(t, official)]


def refuse(session: Session, tip: Tip, actor: str, action: str, via: str, *, now: datetime) -> None:
    """Audit an attempt by an official of an implicated agency (ids only, never content)."""
    store.audit(
        session,
        actor=actor,
        action="complicity.refused",
        now=now,
        object_type="tip",
        object_id=tip.id,
        attempted=action,
        via=via,
    )


def withdraw(session: Session, actx: AlertContext, tip: Tip, kinds: set[str]) -> int:
    """After later information implicated more agencies: stop their pending deliveries.

    Their acknowledgements stop counting as well (coverage ignores them), so a tip only they
    covered is uncovered again and escalates to the others from now. Returns how many deliveries
    were cancelled.
    """
    if not kinds:
        return 0
    # Imported here: both modules import this one.
    from alerts.acks import is_covered
    from alerts.fanout import deadline_minutes, effective_band

    officials = (
        select(Official.id)
        .join(Agency, Agency.id == Official.agency_id)
        .where(Agency.kind.in_(sorted(kinds)))
        .scalar_subquery()
    )
    cancelled = session.execute(
        update(Delivery)
        .where(
            Delivery.tip_id == tip.id,
            Delivery.status == "pending",
            Delivery.official_id.in_(officials),
        )
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    if tip.covered_at is not None and not is_covered(session, actx, tip, tip.routes):
        minutes = deadline_minutes(actx, effective_band(tip))
        tip.covered_at = None
        tip.ack_due_at = actx.clock() + timedelta(minutes=minutes)
    return int(getattr(cancelled, "rowcount", 0) or 0)
