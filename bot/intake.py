"""Channel-agnostic intake: reporters, tips, bursts, follow-ups, attachments, submission.

Every function here runs inside the caller's transaction, so a provider event, the tip it creates
and the reply it causes are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from alerts import complicity, metrics
from alerts.fanout import band_raised, effective_band, fan_out
from bot.context import IntakeContext
from bot.scoring import apply_triage
from models import store, synthetic, throttle
from models.base import utcnow
from models.operators import NumberFacts, normalise_number, number_facts
from models.reference import find_reference_span
from models.tables import Attachment, InboundMessage, Reporter, Tip

# A tip is short text, not a document: longer bodies are cut here, and the cut is recorded.
MAX_TIP_CHARS = 20_000


@dataclass(frozen=True)
class Caller:
    """A reporter resolved from a channel identity; the identity itself is not kept."""

    reporter: Reporter
    facts: NumberFacts


def caller_from_phone(session: Session, ctx: IntakeContext, raw_number: str) -> Caller:
    """Resolve a phone number to a pseudonymous reporter plus operator and country."""
    e164 = normalise_number(raw_number) or raw_number.strip()
    reporter = store.reporter_for(session, ctx.pseudonym("tel", e164), now=ctx.clock())
    return Caller(reporter=reporter, facts=number_facts(e164))


def caller_from_telegram(session: Session, ctx: IntakeContext, user_id: int) -> Caller:
    """Resolve a Telegram user id to a pseudonymous reporter."""
    reporter = store.reporter_for(session, ctx.pseudonym("tg", str(user_id)), now=ctx.clock())
    return Caller(reporter=reporter, facts=NumberFacts(operator=None, country=None))


def claim_event(
    session: Session,
    ctx: IntakeContext,
    *,
    channel: str,
    event_id: str,
    kind: str,
    facts: NumberFacts | None = None,
) -> InboundMessage | None:
    """Record a provider event once; return None when it was already processed."""
    return store.claim_inbound(
        session,
        channel=channel,
        provider_key=ctx.provider_key(channel, event_id),
        kind=kind,
        now=ctx.clock(),
        operator=facts.operator if facts else None,
        country=facts.country if facts else None,
    )


def earlier_reply(session: Session, ctx: IntakeContext, channel: str, event_id: str) -> str | None:
    """Return the reference code given for an event that is being delivered again."""
    row = store.previous_inbound(session, channel, ctx.provider_key(channel, event_id))
    return row.reply_reference if row else None


def new_tip(
    session: Session,
    ctx: IntakeContext,
    *,
    channel: str,
    caller: Caller | None,
    text: str,
    language: str | None,
    answers: dict[str, Any] | None = None,
    submitted: bool = True,
    dedupe: bool = True,
) -> tuple[Tip, bool]:
    """Store a tip; the same text from the same reporter within a day joins the earlier tip.

    Returns the tip and whether it is new.
    """
    text = text.strip()[:MAX_TIP_CHARS]
    if ctx.replaying:
        # Kept in the spool while the database was down: officials are told it comes late.
        late = max(0, int((utcnow() - ctx.clock()).total_seconds()))
        answers = {**(answers or {}), "spooled": True, "stored_late_seconds": late}
    reporter_id = caller.reporter.id if caller else None
    dedupe_key = None
    if caller is not None and dedupe:
        dedupe_key = ctx.pseudonym(
            "text:" + caller.reporter.pseudonym, " ".join(text.lower().split())
        )
        since = ctx.clock() - timedelta(hours=ctx.limits.duplicate_window_hours)
        earlier = store.tip_by_dedupe_key(session, dedupe_key, since)
        if earlier is not None and earlier.purged_at is None:
            earlier.parts += 1
            return earlier, False
    tip = store.create_tip(
        session,
        ctx.vault,
        channel=channel,
        text=text,
        language=language,
        reporter_id=reporter_id,
        # A replayed event's tip carries its real arrival time (the replay's clock), not the
        # time of the replay.
        now=ctx.clock(),
        operator=caller.facts.operator if caller else None,
        country=caller.facts.country if caller else None,
        dedupe_key=dedupe_key,
        answers=answers,
        submitted=submitted,
    )
    if submitted:
        submit(session, ctx, tip)
    return tip, True


def add_text(
    session: Session, ctx: IntakeContext, tip: Tip, text: str, source: str | None = None
) -> None:
    """Append text to a tip and score it again (`source`: see models.sources)."""
    old_band = effective_band(tip)  # before the append marks the tip for re-scoring
    kept_from = complicity.kinds_of(tip)
    store.append_to_tip(
        session, ctx.vault, tip, text.strip()[:MAX_TIP_CHARS], source, now=ctx.clock()
    )
    if tip.submitted:
        apply_triage(ctx, tip)
        # Newly implicated agencies lose their pending alerts and their coverage first.
        complicity.withdraw(session, ctx.alerts, tip, set(complicity.kinds_of(tip) - kept_from))
        band_raised(session, ctx.alerts, tip, old_band)


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


def add_attachment(
    session: Session,
    ctx: IntakeContext,
    tip: Tip,
    *,
    kind: str,
    content_type: str,
    data: bytes,
) -> Attachment | None:
    """Encrypt and attach bytes to a tip; refuse (return None) above the size cap."""
    # One cap for every download and upload, held with the provider clients that fetch them.
    if len(data) > ctx.alerts.senders.max_attachment_bytes:
        return None
    attachment = Attachment(
        tip_id=tip.id,
        kind=kind,
        content_type=content_type,
        size=len(data),
        data_enc=ctx.vault.encrypt(data),
        created_at=ctx.clock(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def pending_attachment(
    session: Session,
    ctx: IntakeContext,
    tip: Tip,
    *,
    kind: str,
    content_type: str,
    source: dict[str, Any],
) -> Attachment:
    """Attach a file still at the provider; a job fetches it (the reference is encrypted)."""
    attachment = Attachment(
        tip_id=tip.id,
        kind=kind,
        content_type=content_type,
        size=0,
        status="pending",
        source_enc=ctx.vault.encrypt_json(source),
        created_at=ctx.clock(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def submit(session: Session, ctx: IntakeContext, tip: Tip) -> None:
    """Mark a tip as sent by the reporter and score it; alerts pick it up from here."""
    tip.submitted = True
    _mark_synthetic(ctx, tip)
    apply_triage(ctx, tip)  # also records the agencies a complicity tip implicates
    store.audit(
        session,
        actor="intake",
        action="tip.submitted",
        object_type="tip",
        object_id=tip.id,
        now=ctx.clock(),
        channel=tip.channel,
    )
    # The deliveries are written in this same transaction (the outbox): committed with the
    # tip or not at all, and enqueued only after the commit.
    fan_out(session, ctx.alerts, tip)
    if not tip.synthetic:
        metrics.tip_submitted(tip.channel, effective_band(tip))  # labels: channel and band only


def _mark_synthetic(ctx: IntakeContext, tip: Tip) -> None:
    """Mark the canary's tip: its text (or CallSid) carries a marker only we can make."""
    if tip.text_enc is None or tip.synthetic:
        return
    key = synthetic.canary_key(ctx.alerts.signing_key)
    said = ctx.vault.decrypt_text(tip.text_enc)
    nonce = synthetic.verified_nonce(key, f"{said} {(tip.answers or {}).get('canary_marker', '')}")
    if nonce is not None:
        tip.synthetic = True
        tip.answers = {**(tip.answers or {}), "canary": nonce}


def remember_reply_handle(
    session: Session, ctx: IntakeContext, caller: Caller, channel: str, handle: str
) -> None:
    """Keep the encrypted, expiring handle needed to answer this reporter."""
    store.set_reply_handle(
        session,
        ctx.vault,
        reporter_id=caller.reporter.id,
        channel=channel,
        handle=handle,
        days=ctx.limits.reply_handle_days,
        now=ctx.clock(),
    )
