"""The web form's intake: one tip per form token, a passphrase kept as argon2 only, status, answers.

Nothing here sees who the reporter is: the tip has no reporter (no pseudonym to join), the client
address is used only as a keyed hash for the rate limits (models.throttle keeps such rows a day)
and the passphrase is never stored in clear.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from bot.attachments import add_attachment
from bot.context import IntakeContext
from bot.follow_ups import public_status
from bot.intake import add_text, claim_event, earlier_reply, new_tip
from bot.services_directory import qark as find_qark
from models import store, throttle
from models.accounts import ReporterQuestion
from models.reference import find_reference
from models.tables import Tip

CHANNEL = "web"
# Per keyed client address and hour. Every onion visitor (and every user of one Tor exit)
# shares an address, so the limits are generous: see docs/DEPLOY.md for the trade-off.
SUBMISSIONS_PER_HOUR = 10
WRONG_STATUS_PER_HOUR = 10
ANSWERS_PER_HOUR = 20
WINDOW = timedelta(hours=1)
MAX_ANSWER_CHARS = 4000

# Production cost (argon2id defaults); tests swap in a cheaper hasher.
_hasher = PasswordHasher()


@dataclass(frozen=True)
class WebReport:
    """What the form sent, already checked: text, optional answers, optional clean photo."""

    text: str
    language: str
    qark: str | None = None
    minor: bool | None = None
    danger_now: bool | None = None
    photo: bytes | None = None


@dataclass(frozen=True)
class Submission:
    """The answer to a submission: the code, and the passphrase the first time only."""

    reference: str
    passphrase: str | None
    duplicate: bool
    photo_kept: bool = True


@dataclass(frozen=True)
class StatusView:
    """What a reporter may read about their report: a status and the questions put to them."""

    reference: str
    status: str
    questions: list[tuple[datetime, str]] = field(default_factory=list)
    closed: bool = False


def address_key(ctx: IntakeContext, address: str | None) -> str:
    """The keyed hash under which a client address is counted; the address is never kept."""
    return ctx.pseudonym("web-address", address or "unknown")


def over_limit(ctx: IntakeContext, kind: str, key: str, limit: int) -> bool:
    """True when this address used up its attempts of a kind this hour."""
    with ctx.db.transaction() as session:
        return throttle.exceeded(session, kind, key, limit=limit, window=WINDOW, now=ctx.clock())


def submit_report(
    ctx: IntakeContext, nonce: str, report: WebReport, passphrase: str, key: str
) -> Submission:
    """Store the report once per form token; a second post of the token gets the same code."""
    from console.report_words import normalise

    with ctx.db.transaction() as session:
        inbound = claim_event(session, ctx, channel=CHANNEL, event_id=nonce, kind="form")
        if inbound is None:
            reference = earlier_reply(session, ctx, CHANNEL, nonce) or ""
            return Submission(reference, None, duplicate=True)
        place = find_qark(report.qark) if report.qark else None
        answers: dict[str, Any] = {"minor": report.minor, "danger_now": report.danger_now}
        if place is not None:
            answers["qark"] = place.code
        tip, _ = new_tip(
            session,
            ctx,
            channel=CHANNEL,
            caller=None,
            text=report.text,
            language=report.language,
            answers=answers,
        )
        # The reporter's own choice fills in a place triage did not find in the words.
        if place is not None and tip.qark is None:
            tip.qark = place.name("sq")
        tip.passphrase_hash = _hasher.hash(normalise(passphrase))
        kept = True
        if report.photo is not None:
            kept = (
                add_attachment(
                    session, ctx, tip, kind="photo", content_type="image/jpeg", data=report.photo
                )
                is not None
            )
        inbound.tip_id = tip.id
        inbound.reply_reference = tip.reference
        # Counted as an attempt so one address cannot fill the tip line.
        throttle.record_failure(session, "web_submit", key, ctx.clock())
        return Submission(tip.reference, passphrase, duplicate=False, photo_kept=kept)


def _verified(tip: Tip | None, passphrase: str) -> bool:
    from console.report_words import normalise

    if tip is None or not tip.passphrase_hash:
        # Spend the time of a real check: an unknown code must not answer faster.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_dummy_hash(_hasher), normalise(passphrase) + " ")
        return False
    try:
        return _hasher.verify(tip.passphrase_hash, normalise(passphrase))
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("raporto")


def open_status(ctx: IntakeContext, code: str, passphrase: str, key: str) -> StatusView | None:
    """Check code and passphrase; None (one neutral answer) when wrong or rate limited."""
    if over_limit(ctx, "web_status", key, WRONG_STATUS_PER_HOUR):
        return None
    reference = find_reference(code or "")
    with ctx.db.transaction() as session:
        tip = store.tip_by_reference(session, reference) if reference else None
        if tip is not None and tip.channel != CHANNEL:
            tip = None  # only web reports have a passphrase
        if not _verified(tip, passphrase):
            throttle.record_failure(session, "web_status", key, ctx.clock())
            return None
        assert tip is not None
        return _view(session, ctx, tip)


def _view(session: Any, ctx: IntakeContext, tip: Tip) -> StatusView:
    if tip.purged_at is not None:
        return StatusView(tip.reference, "closed", [], closed=True)
    rows = session.execute(
        select(ReporterQuestion.created_at, ReporterQuestion.body_enc)
        .where(ReporterQuestion.tip_id == tip.id, ReporterQuestion.body_enc.is_not(None))
        .order_by(ReporterQuestion.created_at, ReporterQuestion.id)
    ).all()
    questions = [(at, ctx.vault.decrypt_text(body)) for at, body in rows]
    status = public_status(tip)
    return StatusView(tip.reference, status, questions, closed=status == "closed")


def answer_question(
    ctx: IntakeContext, code: str, passphrase: str, text: str, key: str
) -> StatusView | None:
    """Append the reporter's answer to their tip (as a follow-up from its own reporter)."""
    if over_limit(ctx, "web_status", key, WRONG_STATUS_PER_HOUR):
        return None
    if over_limit(ctx, "web_answer", key, ANSWERS_PER_HOUR):
        return None
    reference = find_reference(code or "")
    with ctx.db.transaction() as session:
        tip = store.tip_by_reference(session, reference) if reference else None
        if tip is not None and tip.channel != CHANNEL:
            tip = None
        if not _verified(tip, passphrase):
            throttle.record_failure(session, "web_status", key, ctx.clock())
            return None
        assert tip is not None
        words = text.strip()[:MAX_ANSWER_CHARS]
        if words and tip.purged_at is None:
            tip.follow_ups += 1
            # Whoever holds code and passphrase is the person who wrote the report.
            add_text(session, ctx, tip, words, source="same")
            throttle.record_failure(session, "web_answer", key, ctx.clock())
            store.audit(
                session,
                actor="reporter",
                action="tip.follow_up",
                object_type="tip",
                object_id=tip.id,
                now=ctx.clock(),
                source="same",
                channel=CHANNEL,
            )
        return _view(session, ctx, tip)
