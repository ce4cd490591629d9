"""Messages quoting a reference code: information added to a tip, or a question about it.

Like the rest of intake, everything here runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.context import IntakeContext
from bot.intake import Caller, add_text
from models import store, throttle
from models.reference import find_reference_span
from models.tables import Tip

# Quoted codes that match no tip, per sender and hour, before codes are no longer looked up.
WRONG_CODES_PER_HOUR = 5
# Words that, next to a code, ask "how is my report?" rather than add information.
STATUS_WORDS = {"", "status", "statusi", "gjendja", "gjendje", "si", "info", "?", "??"}


@dataclass(frozen=True)
class FollowUp:
    """A message quoting a reference code: either information added, or a status question."""

    tip: Tip
    added: bool


def follow_up(
    session: Session, ctx: IntakeContext, text: str, caller: Caller | None = None
) -> FollowUp | None:
    """If the text quotes a stored tip's code, add the rest to it, or mark a status question.

    Whoever knows a code can add to its tip, so the added part is marked as coming from the
    tip's reporter or from another sender (models.sources), and a sender quoting codes that match
    no tip gets WRONG_CODES_PER_HOUR tries: after that no code of theirs is looked up and the
    message is an ordinary one (None). `caller` is the sender; without one, every such sender
    shares one count.
    """
    found = find_reference_span(text)
    if found is None:
        return None
    who = caller.reporter.pseudonym if caller else "unknown"
    key = ctx.pseudonym("follow-up", who)  # not the reporter's own pseudonym: no join
    now = ctx.clock()
    window = timedelta(hours=1)
    if throttle.exceeded(
        session, "reference", key, limit=WRONG_CODES_PER_HOUR, window=window, now=now
    ):
        store.audit(session, actor="reporter", action="tip.follow_up_throttled", now=now)
        return None
    reference, start, end = found
    tip = store.tip_by_reference(session, reference)
    if tip is None or tip.purged_at is not None:
        throttle.record_failure(session, "reference", key, now)
        return None
    rest = (text[:start] + " " + text[end:]).strip()
    tip.follow_ups += 1
    added = rest.lower().strip(" .,:;!?") not in STATUS_WORDS
    same = caller is not None and tip.reporter_id == caller.reporter.id
    if added:
        add_text(session, ctx, tip, rest, source="same" if same else "other")
    store.audit(
        session,
        actor="reporter",
        action="tip.follow_up" if added else "tip.status_asked",
        object_type="tip",
        object_id=tip.id,
        now=now,
        source="same" if same else "other",
    )
    return FollowUp(tip, added)


def public_status(tip: Tip) -> str:
    """What a reporter may learn of a tip: received, being handled or closed, never details."""
    if tip.status == "closed":
        return "closed"
    return "handled" if tip.status in ("acknowledged", "referred") else "received"
