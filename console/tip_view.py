"""What the officials' tip pages show: the list query, decrypted text made inert, highlighting.

Tip text is hostile input: it is escaped segment by segment here (markupsafe) and bidi controls
are shown as visible codes, so nothing a reporter writes can become markup, a link, or text that
reads differently from what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from console.i18n import _, current_language
from console.tip_explain import Category, explain
from console.tip_sources import label_sources
from locales.i18n import N_
from models.accounts import ReporterQuestion, TipNote, User
from models.complicity import visible_to
from models.crypto import DecryptionError, Vault
from models.deliveries import Acknowledgement, Delivery, Purpose
from models.roster import Agency, Official
from models.tables import Attachment, Tip
from triage.normalise import fold

PER_PAGE = 50

BAND_LABELS = {
    "critical": N_("Critical"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
    "not_a_tip": N_("Not a tip"),
    "none": N_("Not scored"),
}
BAND_ORDER = ("critical", "high", "medium", "low", "not_a_tip")
STATUS_LABELS = {
    "new": N_("New"),
    "acknowledged": N_("Acknowledged"),
    "referred": N_("Referred"),
    "closed": N_("Closed"),
}
OUTCOME_LABELS = {
    "referred_police": N_("Referred to the police"),
    "referred_social_services": N_("Referred to social services"),
    "referred_child_protection": N_("Referred to child protection"),
    "confirmed_trafficking": N_("Confirmed trafficking"),
    "not_trafficking": N_("Not trafficking"),
    "duplicate": N_("Duplicate"),
    "hoax": N_("Hoax"),
}
CHANNEL_LABELS = {
    "telegram": N_("Telegram"),
    "sms": N_("SMS"),
    "voice": N_("Voice call"),
    "hotline": N_("116 006 call centre"),
    "whatsapp": N_("WhatsApp"),
    "web": N_("Web form"),
    "console": N_("Console"),
}
DELIVERY_LABELS = {
    "pending": N_("Pending"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "alert": N_("Alert"),
    "escalation": N_("Escalation"),
    "reminder": N_("Reminder"),
    "digest": N_("Digest"),
    "queued": N_("Queued"),
    "refused": N_("Refused"),
}

# Served as themselves (shown in <img> or <audio>); anything else is a download of opaque bytes.
INLINE_TYPES = re.compile(r"^(image/(jpeg|png|webp)|audio/[a-z0-9][a-z0-9.+-]*)$")

# Bidi controls (LRE..RLO, LRI..PDI, LRM, RLM, ALM) would let text display in another order
# than it is stored; they are replaced by their visible code points.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def label(table: dict[str, str], key: str | None) -> str:
    """Return the translated label of a stored value (the value itself if unknown)."""
    if key is None:
        return ""
    return _(table[key]) if key in table else key


def media_type(content_type: str | None) -> str:
    """Return the attachment's bare content type, lower case, without parameters."""
    return (content_type or "").split(";")[0].strip().lower()


def display_kind(content_type: str | None) -> str:
    """How the page shows an attachment: "image", "audio" or "file" (a download)."""
    bare = media_type(content_type)
    if not INLINE_TYPES.fullmatch(bare):
        return "file"
    return "image" if bare.startswith("image/") else "audio"


def neutralise(text: str) -> str:
    """Replace bidi control characters by a visible code such as "⟨U+202E⟩"."""
    return BIDI.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def inert(text: str) -> Markup:
    """Return tip content escaped and with bidi controls made visible."""
    return escape(neutralise(text))


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """Escape the text segment by segment, wrapping the given character ranges in <mark>."""
    parts: list[Markup] = []
    position = 0
    for start, end in _merge((s, e) for s, e in spans if 0 <= s < e <= len(text)):
        parts.append(inert(text[position:start]))
        parts.append(Markup("<mark>") + inert(text[start:end]) + Markup("</mark>"))
        position = end
    parts.append(inert(text[position:]))
    return Markup("").join(parts)


def locate(text: str, start: int, end: int, words: str) -> list[tuple[int, int]]:
    """Return where the words are: the stored offsets if they still match, else every match.

    Offsets go stale when text was appended after scoring; the search then compares folded text
    (lower case, ë→e, ç→c: one character for one, so positions carry over).
    """
    folded_words = fold(words)
    if 0 <= start < end <= len(text) and fold(text[start:end]) == folded_words:
        return [(start, end)]
    if not folded_words.strip():
        return []
    folded = fold(text)
    found, at = [], folded.find(folded_words)
    while at >= 0:
        found.append((at, at + len(folded_words)))
        at = folded.find(folded_words, at + 1)
    return found


def band_rank() -> Any:
    """SQL expression ordering bands from critical to unscored."""
    return case({band: rank for rank, band in enumerate(BAND_ORDER)}, value=Tip.band, else_=9)


def list_tips(
    session: Session, *, band: str | None, status: str | None, page: int, reader: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Return one page of submitted tips (metadata only, never text) and the total count.

    `reader` is the agency kind of the official reading: tips implicating it are left out.
    """
    where: list[Any] = [Tip.submitted.is_(True), Tip.synthetic.is_(False), visible_to(reader)]
    if band == "none":
        where.append(Tip.band.is_(None))
    elif band:
        where.append(Tip.band == band)
    if status:
        where.append(Tip.status == status)
    total = session.scalar(select(func.count()).select_from(Tip).where(*where)) or 0
    rows = session.execute(
        select(
            Tip.reference,
            Tip.received_at,
            Tip.channel,
            Tip.band,
            Tip.status,
            Tip.outcome,
            Tip.first_ack_at,
            Tip.qark,
        )
        .where(*where)
        .order_by(band_rank(), Tip.received_at.desc(), Tip.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return [dict(row._mapping) for row in rows], int(total)


@dataclass
class TipPage:
    """Everything the tip page shows, decrypted and made inert."""

    tip: Tip
    purged: bool
    text: Markup = field(default_factory=Markup)
    unreadable: bool = False
    indicators: list[Category] = field(default_factory=list)
    places: list[dict[str, str]] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    acked_by_me: bool = False


def _explain(page: TipPage, text: str, triage: dict[str, Any], lang: str) -> list[tuple[int, int]]:
    """Fill the page's explanation from the stored assessment; return the spans to mark."""
    found = explain(triage, lang)
    page.indicators, page.places, page.ages = found.categories, found.places, found.ages
    page.rules, page.routes = found.rules, found.routes
    return [mark for start, end, words in found.spans for mark in locate(text, start, end, words)]


def build_page(session: Session, vault: Vault, tip: Tip, official_id: int | None) -> TipPage:
    """Decrypt and assemble a tip's page (the caller has checked the reader may see it)."""
    lang = current_language()
    page = TipPage(tip=tip, purged=tip.purged_at is not None or tip.text_enc is None)
    if not page.purged:
        try:
            text = vault.decrypt_text(tip.text_enc or b"")
            triage = vault.decrypt_json(tip.triage_enc) if tip.triage_enc else {}
        except DecryptionError:
            page.unreadable = True
        else:
            page.text = label_sources(highlight(text, _explain(page, text, triage, lang)))
        page.attachments = [
            {"a": item, "show": display_kind(item.content_type)}
            for item in session.scalars(
                select(Attachment).where(Attachment.tip_id == tip.id).order_by(Attachment.id)
            )
        ]
    agency_name = Agency.name_sq if lang == "sq" else Agency.name_en
    for row in session.execute(
        select(Delivery, Official.name, agency_name)
        .join(Official, Official.id == Delivery.official_id)
        .join(Agency, Agency.id == Official.agency_id)
        .where(
            Delivery.tip_id == tip.id,
            Delivery.purpose.in_((Purpose.ALERT, Purpose.ESCALATION, Purpose.REMINDER)),
        )
        .order_by(Delivery.id)
    ):
        delivery, name, agency = row
        page.deliveries.append({"d": delivery, "official": name, "agency": agency})
    for ack, name, agency in session.execute(
        select(Acknowledgement, Official.name, agency_name)
        .join(Official, Official.id == Acknowledgement.official_id)
        .join(Agency, Agency.id == Acknowledgement.agency_id)
        # One by an agency the tip came to implicate does not count, so it is not shown as taken.
        .where(
            Acknowledgement.tip_id == tip.id,
            Agency.kind.not_in(sorted(tip.excluded_kinds or ())),
        )
        .order_by(Acknowledgement.at)
    ):
        page.acks.append({"a": ack, "official": name, "agency": agency})
        page.acked_by_me = page.acked_by_me or ack.official_id == official_id
    page.notes = _sealed(session, vault, TipNote, tip.id)
    page.questions = _sealed(session, vault, ReporterQuestion, tip.id)
    return page


def _sealed(
    session: Session, vault: Vault, model: type[TipNote] | type[ReporterQuestion], tip_id: int
) -> list[dict[str, Any]]:
    """Decrypt a tip's notes or questions with their authors' names."""
    found: list[dict[str, Any]] = []
    rows: Sequence[Any] = session.execute(
        select(model, User.username)
        .join(User, User.id == model.user_id)
        .where(model.tip_id == tip_id)
        .order_by(model.created_at, model.id)
    ).all()
    for item, username in rows:
        try:
            body = vault.decrypt_text(item.body_enc) if item.body_enc else ""
        except DecryptionError:
            body = ""
        found.append({"item": item, "author": username, "body": neutralise(body)})
    return found
