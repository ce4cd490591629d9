"""Render a delivery into what its channel sends, decrypting the official's address at send time."""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.dates import format_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import complicity, content
from alerts.content import TIRANA
from alerts.context import AlertContext
from alerts.fanout import effective_band
from alerts.kinds import Digest, Edit, Escalation, Notice, Reminder, Upgrade, kind_of
from alerts.review_summary import summary_text
from locales.i18n import gettext as _t
from locales.i18n import ngettext
from models import clusters, store
from models.complicity import visible_to
from models.deliveries import Acknowledgement, Delivery
from models.roster import Agency, Official
from models.tables import Tip


@dataclass(frozen=True)
class Message:
    """A rendered delivery."""

    text: str
    buttons: list[list[list[str]]] = field(default_factory=list)
    chat_id: int | None = None
    phone: str | None = None
    call_url: str | None = None
    edit_message_id: int | None = None


def ack_lines(session: Session, tip: Tip, lang: str) -> list[str]:
    """One line per acknowledgement of the tip that counts: who, which agency, when."""
    rows = session.execute(
        select(Acknowledgement, Official, Agency)
        .join(Official, Official.id == Acknowledgement.official_id)
        .join(Agency, Agency.id == Acknowledgement.agency_id)
        # An implicated agency's acknowledgement (recorded before the tip implicated it) never
        # tells the others the tip is taken.
        .where(
            Acknowledgement.tip_id == tip.id,
            Agency.kind.not_in(sorted(complicity.kinds_of(tip))),
        )
        .order_by(Acknowledgement.at)
    ).all()
    return [
        content.acknowledged_line(
            lang,
            official.name,
            agency.name_sq if lang == "sq" else agency.name_en,
            format_time(ack.at, "HH:mm", tzinfo=TIRANA, locale=lang),
        )
        for ack, official, agency in rows
    ]


def earlier_linked(session: Session, tip: Tip, official: Official) -> tuple[str, ...]:
    """References of the earlier tips in this tip's cluster that the official may see."""
    group = clusters.cluster_of(session, tip.id, visible_to(official.agency.kind))
    earlier = zip(group.tip_ids, group.references, strict=True)
    return tuple(ref for tip_id, ref in earlier if tip_id != tip.id and tip_id < tip.id)


def alert_buttons(
    actx: AlertContext, d: Delivery, lang: str, acked: bool, *, text_button: bool
) -> list[list[list[str]]]:
    """Acknowledge and Show-full-text buttons; callback data carries an HMAC, never a bare id."""
    rows = []
    if text_button:
        rows.append([_t(lang, "Show full text"), f"f:{d.id}:{actx.sign('f', d.id, d.official_id)}"])
    if not acked:
        rows.insert(0, [_t(lang, "Acknowledge"), f"a:{d.id}:{actx.sign('a', d.id, d.official_id)}"])
    return [rows]


def render(
    session: Session, actx: AlertContext, d: Delivery, official: Official, tip: Tip | None
) -> Message:
    """Turn a delivery into its message."""
    lang = official.language
    chat_id = (
        int(actx.vault.decrypt_text(official.telegram_chat_enc))
        if d.channel == "telegram" and official.telegram_chat_enc
        else None
    )
    phone = (
        actx.vault.decrypt_text(official.phone_enc)
        if d.channel in ("sms", "voice") and official.phone_enc
        else None
    )
    kind = kind_of(d)
    match kind:
        case Notice():
            return _notice(session, actx, kind, official, chat_id)
        case Digest():
            return _digest(session, actx, d, kind, official, chat_id, phone)
    assert tip is not None
    assessment = actx.vault.decrypt_json(tip.triage_enc) if tip.triage_enc else None
    # ONAC's duty officer coordinates and never receives a tip's words, whatever the setting.
    mode = "summary" if official.role == "onac" and actx.config.content == "full" else None
    mode = mode or actx.config.content
    text = store.tip_text(actx.vault, tip) if mode == "full" else None
    facts = content.facts(
        tip, assessment, lang, text, effective_band(tip), earlier_linked(session, tip, official)
    )
    # Without the full text in Telegram the alert's console link is the way to read it.
    text_button = actx.config.full_text_in_telegram and official.role != "onac"
    if d.channel == "sms":
        return Message(content.sms_alert(facts, lang, mode, d.ack_code or ""), phone=phone)
    if d.channel == "voice":
        url = (
            f"{actx.config.public_base_url}/webhooks/twilio/alert-call"
            f"?d={d.id}&t={actx.sign('call', d.id, d.official_id)}"
        )
        return Message(content.voice_alert(facts, lang), phone=phone, call_url=url)
    body = content.telegram_alert(facts, lang, mode, actx.config.public_base_url)
    acks = ack_lines(session, tip, lang)
    match kind:
        case Escalation():
            body = _t(lang, "⏰ Not acknowledged yet.") + "\n" + body
        case Reminder():
            body = (
                _t(lang, "⏰ You acknowledged this tip; it has no follow-up status yet.")
                + "\n"
                + body
            )
        case Upgrade():
            body = _t(lang, "⬆️ New information raised this tip's urgency.") + "\n" + body
        case Edit(of_delivery=of_delivery, message_id=message_id):
            original = session.get(Delivery, of_delivery)
            assert original is not None
            return Message(
                "\n".join([body, *acks]),
                chat_id=chat_id,
                edit_message_id=message_id,
                buttons=alert_buttons(actx, original, lang, acked=True, text_button=text_button),
            )
    return Message(
        "\n".join([body, *acks]),
        chat_id=chat_id,
        buttons=alert_buttons(actx, d, lang, acked=bool(acks), text_button=text_button),
    )


def _notice(
    session: Session, actx: AlertContext, notice: Notice, official: Official, chat_id: int | None
) -> Message:
    text = ""
    if notice.show_tip:
        tip = session.get(Tip, notice.show_tip)
        # Checked again at send time: the tip may have come to implicate this official's agency.
        may_read = (
            tip is not None
            and actx.config.full_text_in_telegram
            and official.role != "onac"
            and not complicity.is_excluded(tip, official)
        )
        if tip is not None and may_read:
            text = content.readable(store.tip_text(actx.vault, tip), official.language) or _t(
                official.language, "The text of this tip is no longer kept."
            )
            text = f"{tip.reference}\n{text}"[:4000]
    if notice.say:
        text = _t(official.language, notice.say, **notice.params)
    if notice.review_summary:
        # Rendered here, in the official's language, so each count gets its plural form.
        text = summary_text(official.language, **notice.review_summary)
    return Message(text, chat_id=chat_id)


def _digest(
    session: Session,
    actx: AlertContext,
    d: Delivery,
    digest: Digest,
    official: Official,
    chat_id: int | None,
    phone: str | None,
) -> Message:
    lang = official.language
    tips = session.execute(select(Tip).where(Tip.id.in_(digest.tip_ids))).scalars()
    lines = [
        f"{t.reference} {content.band_name(lang, effective_band(t))}"
        for t in complicity.allowed_tips(tips, official)
    ]
    if digest.overdue:
        heading = ngettext(
            lang,
            "⏰ Raporto: %(n)d tip from a flood is not acknowledged yet:",
            "⏰ Raporto: %(n)d tips from a flood are not acknowledged yet:",
            len(lines),
        )
    else:
        heading = ngettext(
            lang,
            "Raporto: %(n)d tip held during a flood:",
            "Raporto: %(n)d tips held during a flood:",
            len(lines),
        )
    text = heading + "\n" + "\n".join(lines)
    if phone is not None:
        # The code goes first: a long list is cut to two segments, never the code.
        code = f"OK {d.ack_code}: " if d.ack_code else ""
        return Message(content.fold(code + text)[: content.SMS_LIMIT], phone=phone)
    tag = actx.sign("g", d.id, d.official_id)
    label = ngettext(lang, "Acknowledge %(n)d tip", "Acknowledge all %(n)d tips", len(lines))
    return Message(text, chat_id=chat_id, buttons=[[[label, f"g:{d.id}:{tag}"]]])
