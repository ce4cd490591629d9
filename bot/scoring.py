"""Run the pure triage core on a stored tip; aggregates stay clear, quotes are sealed."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import object_session

import triage
from alerts import complicity
from bot import linking
from bot.context import IntakeContext
from bot.triage_lock import TRIAGE_LOCK
from models import store
from models.review import BAND_RANK, band_after_rescoring
from models.tables import Tip
from triage import Assessment

log = logging.getLogger(__name__)

VOICE_FLOOR = BAND_RANK["medium"]


def _assess(ctx: IntakeContext, tip: Tip, text: str) -> Assessment:
    """Run triage on a tip's text and its guided answers (one thread at a time)."""
    answers = {k: v for k, v in (tip.answers or {}).items() if k in {"minor", "danger_now"}}
    with TRIAGE_LOCK:
        return triage.assess(text, lang=tip.language, channel=tip.channel, answers=answers)


def apply_triage(ctx: IntakeContext, tip: Tip) -> dict[str, Any] | None:
    """Score the tip's text; on a triage error the tip stays stored with triage "failed"."""
    try:
        text = store.tip_text(ctx.vault, tip)  # decrypted once: triage and linking both read it
        result = _assess(ctx, tip, text)
    except Exception as exc:
        # Never lose a tip to a scoring bug: it is stored, marked, and shown to officials.
        # The type only: a traceback or message could quote the tip's words.
        log.error("triage failed for tip %s (%s)", tip.id, type(exc).__name__)
        tip.triage_status = "failed"
        return None
    session = object_session(tip)
    if session is not None:
        # What the tip names is hashed and stored; three reporters naming the same number,
        # plate or account raise the newest tip (bot/linking.py).
        result = linking.link(session, ctx, tip, result, text)
    data = result.to_dict()
    tip.triage_status = "done"
    # An official's reviewed band holds against a re-scoring unless later information makes
    # triage rank the tip above what it said before (models/review.py); the caller's band-raise
    # check then alerts as for any raised band.
    tip.band = band_after_rescoring(
        working=tip.band,
        reviewed=tip.reviewed_at is not None,
        previous_triage=tip.triage_band,
        new_triage=result.band,
    )
    if tip.channel == "voice" and tip.reviewed_at is None and BAND_RANK[tip.band] < VOICE_FLOOR:
        # Triage reads the placeholder and any typed follow-up, never the recording itself:
        # until an official has listened, a recorded report is at least medium (it is alerted).
        tip.band = "medium"
    tip.triage_band = result.band
    tip.score = float(result.score)
    tip.minor = bool(result.minor)
    tip.urgent = bool(result.urgent)
    tip.forms = list(result.forms)
    tip.routes = list(result.routes)
    tip.categories = sorted({str(i["category"]) for i in data.get("indicators", [])})
    tip.qark = next((p.qark for p in result.places if p.qark), None)
    if tip.language is None:
        tip.language = result.language
    tip.triage_enc = ctx.vault.encrypt_json(data)
    # Every scoring may name an implicated agency (never fewer: see alerts/complicity.py).
    complicity.record(tip, result)
    return data


def pressing(ctx: IntakeContext, tip: Tip) -> bool:
    """Whether a report still being written is already critical or urgent (nothing is stored)."""
    try:
        result = _assess(ctx, tip, store.tip_text(ctx.vault, tip))
    except Exception as exc:
        # The report is then sent when the person stops writing, and scored (or marked) then.
        log.error("triage failed for draft %s (%s)", tip.id, type(exc).__name__)
        return False
    return result.band == "critical" or bool(result.urgent)


def asked_for_information(ctx: IntakeContext, tip: Tip) -> bool:
    """Whether the scored tip also asks a question ("what should I do?", "is this normal?")."""
    if tip.triage_enc is None:
        return False
    data = ctx.vault.decrypt_json(tip.triage_enc)
    return any(i.get("id") == "information_request" for i in data.get("indicators", []))
