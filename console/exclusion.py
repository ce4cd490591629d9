"""Complicity in the console: an implicated agency's officials neither see nor act on the tip.

The lists leave such tips out (`reader_kind`); a page, attachment or action asked for by
reference is refused (`kept_out`), and the refusal is audited with ids only. Pages answer 404,
as for a tip that does not exist; actions say why they were refused.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import complicity
from models import store
from models.base import utcnow
from models.roster import Agency, Official
from models.tables import Tip


def reader_kind(session: Session) -> str | None:
    """The agency kind of the signed-in official (None for an account without one)."""
    official_id = current_user.official_id
    if official_id is None:
        return None
    return session.scalar(
        select(Agency.kind)
        .join(Official, Official.agency_id == Agency.id)
        .where(Official.id == official_id)
    )


def kept_out(session: Session, tip: Tip, action: str) -> bool:
    """True (and audited) when the tip implicates the signed-in official's agency."""
    kind = reader_kind(session)
    if kind is None or kind not in complicity.kinds_of(tip):
        return False
    complicity.refuse(session, tip, current_user.actor, action, "console", now=utcnow())
    return True


def submitted_tip(session: Session, reference: str) -> Tip:
    """The submitted tip with this reference, or 404 (drafts are not shown)."""
    tip = store.tip_by_reference(session, reference.strip().upper())
    if tip is None or not tip.submitted:
        abort(404)
    return tip
