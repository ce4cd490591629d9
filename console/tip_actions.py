"""What officials do to a tip: acknowledge, move its status, write notes, ask the reporter.

Each function runs in the caller's transaction and returns the flash message and its category;
refusals change nothing. Notes are encrypted like tip text because they quote it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from alerts import complicity
from alerts.acks import try_acknowledge
from alerts.context import AlertContext
from bot import relay
from bot.context import IntakeContext
from console.i18n import _
from console.tip_view import OUTCOME_LABELS, STATUS_LABELS, label
from models import store
from models.accounts import TipNote
from models.base import utcnow
from models.crypto import Vault
from models.roster import Official
from models.tables import Tip

# new → acknowledged happens only by acknowledging (it records who took the tip); a tip may be
# closed without a referral (a hoax, a duplicate); a closed tip stays closed.
TRANSITIONS = {
    "acknowledged": ("referred", "closed"),
    "referred": ("closed",),
}
MAX_NOTE = 4000
MAX_QUESTION = relay.MAX_QUESTION_CHARS

Flash = tuple[str, str]


def next_statuses(status: str) -> tuple[str, ...]:
    """Return the statuses a tip may move to from this one (through the status form)."""
    return TRANSITIONS.get(status, ())


def do_acknowledge(session: Session, actx: AlertContext, tip: Tip, official_id: int) -> Flash:
    """Acknowledge the tip as the signed-in official (counted once per official)."""
    official = session.get(Official, official_id)
    if official is None:
        return _("Your account is not linked to an official of the roster."), "error"
    outcome = try_acknowledge(session, actx, tip, official, via="console")
    if outcome == "refused":
        return _(complicity.REFUSED), "error"
    if outcome == "acked":
        return _("You acknowledged tip %(reference)s.", reference=tip.reference), "info"
    return _("You had already acknowledged this tip."), "info"


def do_status(session: Session, tip: Tip, target: str, outcome: str, actor: str) -> Flash:
    """Move the tip along the workflow; a transition the workflow does not allow is refused."""
    current = tip.status
    if target not in next_statuses(current):
        return (
            _(
                "A tip cannot go from “%(current)s” to “%(target)s”.",
                current=label(STATUS_LABELS, current),
                target=label(STATUS_LABELS, target) or "?",
            ),
            "error",
        )
    if target == "closed" and outcome not in OUTCOME_LABELS:
        return _("Choose the outcome before closing the tip."), "error"
    values: dict[str, object] = {"status": target, "updated_at": utcnow()}
    if target == "closed":
        values["outcome"] = outcome
    # Guarded on the status read: two officials moving the same tip at once cannot both win.
    result = session.execute(
        update(Tip)
        .where(Tip.id == tip.id, Tip.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return _("Someone else changed this tip meanwhile. Check it and try again."), "error"
    store.audit(
        session,
        actor=actor,
        action="tip.status",
        now=utcnow(),
        object_type="tip",
        object_id=tip.id,
        **{"from": current, "to": target, "outcome": values.get("outcome")},
    )
    return _("The status is now “%(status)s”.", status=label(STATUS_LABELS, target)), "info"


def do_note(session: Session, vault: Vault, tip: Tip, body: str, user_id: int, actor: str) -> Flash:
    """Store an encrypted note on the tip."""
    body = body.strip()
    if not body:
        return _("The note is empty."), "error"
    if len(body) > MAX_NOTE:
        return _("A note may have at most %(n)s characters.", n=MAX_NOTE), "error"
    note = TipNote(
        tip_id=tip.id, user_id=user_id, body_enc=vault.encrypt_text(body), created_at=utcnow()
    )
    session.add(note)
    session.flush()
    store.audit(
        session,
        actor=actor,
        action="tip.note",
        object_type="tip",
        object_id=tip.id,
        now=utcnow(),
        note=note.id,
    )
    return _("The note was saved."), "info"


def do_ask(
    session: Session, ictx: IntakeContext, tip: Tip, question: str, user_id: int, actor: str
) -> Flash:
    """Relay a question to the reporter through the bot (only with their consent)."""
    question = question.strip()
    if not question:
        return _("The question is empty."), "error"
    if len(question) > MAX_QUESTION:
        return _("A question may have at most %(n)s characters.", n=MAX_QUESTION), "error"
    result = relay.ask_reporter(session, ictx, tip, question, actor=actor, user_id=user_id)
    if result == "queued":
        return _("The question will be sent to the reporter."), "info"
    if result == "no_consent":
        return _("The reporter did not agree to be contacted again."), "error"
    return _("The reporter cannot be reached any more."), "error"
