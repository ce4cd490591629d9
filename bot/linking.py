"""Related tips at intake: record what a tip names (hashed), and raise a tip many people report.

Triage extracts the entities (triage/entities.py, pure); here they are hashed under the entity
keys and stored (models/links.py), and the tip's cluster is measured. A phone number is never an
entity of its own reporter's tip: the reporter is known only by a keyed pseudonym of their
number, so each number found is pseudonymised the same way and compared.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.context import IntakeContext
from bot.triage_lock import TRIAGE_LOCK
from models import clusters, links, store
from models.tables import Reporter, Tip
from triage import Assessment
from triage.entities import find_entities
from triage.linked_rule import raise_for_links

# The namespaces under which intake pseudonymises a reporter's phone number (bot/intake.py,
# bot/sms_flow.py): SMS and voice as "tel", WhatsApp as "wa".
PHONE_NAMESPACES = ("tel", "wa")

log = logging.getLogger(__name__)


def _own_numbers(ctx: IntakeContext, reporter: Reporter | None, numbers: list[str]) -> set[str]:
    if reporter is None:
        return set()
    mine = reporter.pseudonym
    return {n for n in numbers if any(ctx.pseudonym(ns, n) == mine for ns in PHONE_NAMESPACES)}


def named(ctx: IntakeContext, session: Session, tip: Tip, text: str) -> list[links.Named]:
    """The entities a tip names, without its reporter's own number."""
    try:
        with TRIAGE_LOCK:
            found = find_entities(text)
    except Exception as exc:
        # Never lose or hold up a tip over its links: it is scored and alerted without them.
        # The type only: a message could quote the tip's words.
        log.error("entity extraction failed for tip %s (%s)", tip.id, type(exc).__name__)
        return []
    reporter = session.get(Reporter, tip.reporter_id) if tip.reporter_id is not None else None
    own = _own_numbers(ctx, reporter, [e.value for e in found if e.kind == "phone"])
    return [
        links.Named(e.kind, e.value, e.strong)
        for e in found
        if not (e.kind == "phone" and e.value in own)
    ]


def link(
    session: Session, ctx: IntakeContext, tip: Tip, result: Assessment, text: str
) -> Assessment:
    """Store what the tip's text names and apply the rule of linked reports to its assessment."""
    # A tip never scored has no rows yet: triage_band is set by the first scoring, after this.
    fresh = tip.triage_band is None
    links.record(
        session, ctx.alerts.entity_keys, tip.id, named(ctx, session, tip, text), fresh=fresh
    )
    reporters = clusters.cluster_reporters(session, tip.id)
    return raise_for_links(result, reporters, ctx.alerts.policy)


def rehash_all(session: Session, ctx: IntakeContext) -> int:
    """Rehash every stored tip's entities under the newest entity key; return how many tips.

    `raporto keys rotate` runs it: the values are read again from the encrypted texts, so links
    survive a new key, and rows under retired keys are gone afterwards.
    """
    count = 0
    submitted = select(Tip).where(Tip.text_enc.is_not(None), Tip.submitted).order_by(Tip.id)
    for tip in session.scalars(submitted.execution_options(yield_per=200)):
        text = store.tip_text(ctx.vault, tip)
        links.record(session, ctx.alerts.entity_keys, tip.id, named(ctx, session, tip, text))
        count += 1
    # A tip may still hold digests under several keys; keep only the newest key's.
    links.keep_only_key(session, ctx.alerts.entity_keys.current_id)
    return count
