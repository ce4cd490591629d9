"""Records from the 116 006 call centre's system: validated, stored once per record id."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bot.context import IntakeContext
from bot.intake import claim_event, earlier_reply, new_tip
from models.operators import NumberFacts, number_facts


class HotlineRecord(BaseModel):
    """One contact handled by a hotline operator, as their system sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    record_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    received_at: AwareDatetime
    contact_type: Literal["call", "sms", "other"] = "call"
    language: Literal["sq", "en"] | None = None
    summary: str = Field(min_length=1, max_length=20_000)
    operator: str | None = Field(default=None, max_length=32)
    # Used only to derive operator and country, then discarded; never stored.
    caller_number: str | None = Field(default=None, max_length=32)
    minor: bool | None = None
    danger_now: bool | None = None
    follow_up_consent: bool = False


def _facts(record: HotlineRecord) -> NumberFacts:
    if record.caller_number:
        facts = number_facts(record.caller_number)
        return NumberFacts(operator=record.operator or facts.operator, country=facts.country)
    return NumberFacts(operator=record.operator, country=None)


def handle_record(ctx: IntakeContext, record: HotlineRecord) -> tuple[str, bool]:
    """Store a hotline record as a tip; return its reference and whether it was new."""
    with ctx.db.transaction() as session:
        facts = _facts(record)
        inbound = claim_event(
            session,
            ctx,
            channel="hotline",
            event_id=record.record_id,
            kind=record.contact_type,
            facts=facts,
        )
        if inbound is None:
            return earlier_reply(session, ctx, "hotline", record.record_id) or "", False
        answers = {
            "minor": record.minor,
            "danger_now": record.danger_now,
            "follow_up_consent": record.follow_up_consent,
            "received_at": _iso(record.received_at),
        }
        tip, _ = new_tip(
            session,
            ctx,
            channel="hotline",
            caller=None,
            text=record.summary,
            language=record.language,
            answers=answers,
        )
        tip.operator, tip.country = facts.operator, facts.country
        inbound.tip_id = tip.id
        inbound.reply_reference = tip.reference
        return tip.reference, True


def _iso(value: datetime) -> str:
    return value.isoformat()
