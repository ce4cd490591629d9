"""Channel-agnostic intake: reporters, provider events, tips, added text, submission.

Every function here runs inside the caller's transaction, so a provider event, the tip it creates
and the reply it causes are committed together or not at all. Messages quoting a reference code
are in bot/follow_ups.py, a tip's files in bot/attachments.py.
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
from models import store, synthetic
from models.base import utcnow
from models.operators import NumberFacts, normalise_number, number_facts
from models.tables import InboundMessage, Reporter, Tip

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
