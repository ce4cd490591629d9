"""Acknowledgements: by Telegram button, SMS "OK code", keypad in a call, or the console.

An acknowledgement counts once per official and tip. Each is checked against the enrolled chat or
number and the signed callback data; anything else is refused and audited. When a tip becomes
covered (by default one acknowledgement; a route can require an agency), pending escalations are
cancelled and every official's alert is edited to say who acknowledged and when.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts import ack_codes, digests
from alerts.context import AlertContext
from alerts.fanout import new_delivery
from alerts.roster import enrol, official_by_chat, official_by_phone
from locales.i18n import N_
from models import store
from models.db import insert_ignore
from models.deliveries import Acknowledgement, Delivery
from models.roster import Agency, Official
from models.tables import Tip

ACKED = N_("Acknowledged. Thank you.")
ALREADY = N_("You had already acknowledged this tip.")
REFUSED = N_("This button is not valid for you.")
SHOWN = N_("The full text is below.")
UNKNOWN_CODE = N_("This code is not valid for you.")
# Telegram messages edited to show who acknowledged (their Acknowledge button goes away).
EDITABLE = ("alert", "escalation", "upgrade")


def required_kinds(actx: AlertContext, routes: list[str]) -> set[str]:
    """Agency kinds whose acknowledgement a tip's routes require (any one kind per route)."""
    return {kind for route in routes for kind in actx.config.coverage.get(route, ())}


def is_covered(session: Session, actx: AlertContext, tip: Tip, routes: list[str]) -> bool:
    """True when the acknowledgements so far satisfy the coverage policy."""
    kinds = set(
        session.execute(
            select(Agency.kind)
            .join(Acknowledgement, Acknowledgement.agency_id == Agency.id)
            .where(Acknowledgement.tip_id == tip.id)
        ).scalars()
    )
    if not kinds:
        return False
    for route in routes:
        options = actx.config.coverage.get(route, ())
        if options and not kinds & set(options):
            return False
    return True


def acknowledge(
    session: Session, actx: AlertContext, tip: Tip, official: Official, via: str
) -> bool:
    """Record an acknowledgement; return False when this official had already acknowledged."""
    # The tip's row lock first, as a send's finish takes it first too: an alert that reaches
    # Telegram while this runs is either seen as sent here or sees this acknowledgement there.
    session.refresh(tip, with_for_update=True)
    now = actx.clock()
    inserted = session.execute(
        insert_ignore(
            session,
            Acknowledgement,
            {
                "tip_id": tip.id,
                "official_id": official.id,
                "agency_id": official.agency_id,
                "via": via,
                "at": now,
            },
            ["tip_id", "official_id"],
        ).returning(Acknowledgement.id)
    ).scalar_one_or_none()
    if inserted is None:
        store.audit(
            session,
            actor=f"official:{official.id}",
            action="ack.duplicate",
            object_type="tip",
            object_id=tip.id,
            via=via,
        )
        return False
    store.audit(
        session,
        actor=f"official:{official.id}",
        action="ack",
        object_type="tip",
        object_id=tip.id,
        via=via,
    )
    if tip.first_ack_at is None:
        tip.first_ack_at = now
    if tip.status == "new":
        tip.status = "acknowledged"
    tip.reminder_due_at = now + timedelta(hours=actx.config.reminder_hours)
    routes = actx.vault.decrypt_json(tip.triage_enc).get("routes", []) if tip.triage_enc else []
    if tip.covered_at is None and is_covered(session, actx, tip, routes):
        tip.covered_at = now
        session.execute(
            update(Delivery)
            .where(
                Delivery.tip_id == tip.id,
                Delivery.status == "pending",
                Delivery.purpose.in_(("escalation", "reminder")),
            )
            .values(status="cancelled")
        )
    _edit_alerts(session, actx, tip, now)
    return True


def _edit_alerts(session: Session, actx: AlertContext, tip: Tip, now: object) -> None:
    """Queue an edit of every sent Telegram alert of the tip, showing who acknowledged."""
    sent = (
        session.execute(
            select(Delivery)
            .where(
                Delivery.tip_id == tip.id,
                Delivery.channel == "telegram",
                Delivery.purpose.in_(EDITABLE),
                Delivery.status.in_(("sent", "delivered")),
                Delivery.provider_message_id.is_not(None),
            )
            # The pressed button's delivery is already in this session, loaded before its send
            # finished: refresh it, or its message id would still read as missing.
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    acks = (
        session.execute(select(Acknowledgement.id).where(Acknowledgement.tip_id == tip.id))
        .scalars()
        .all()
    )
    for d in sent:
        if (d.provider_message_id or "").isdigit():
            _queue_edit(session, actx, tip, d, len(acks), int(d.provider_message_id or 0))


def edit_if_acknowledged(
    session: Session, actx: AlertContext, d: Delivery, message_id: str | None
) -> None:
    """An alert that reached Telegram after someone acknowledged: edit it at once as well."""
    if d.channel != "telegram" or d.purpose not in EDITABLE or d.tip_id is None:
        return
    if not (message_id or "").isdigit():
        return
    # Locking the tip orders this with a concurrent acknowledgement (which locks it first):
    # one of the two always sees the other.
    tip = session.get(Tip, d.tip_id, with_for_update=True)
    acks = session.scalar(
        select(func.count()).select_from(Acknowledgement).where(Acknowledgement.tip_id == d.tip_id)
    )
    if acks and tip is not None:
        _queue_edit(session, actx, tip, d, acks, int(message_id or 0))


def _queue_edit(
    session: Session, actx: AlertContext, tip: Tip, d: Delivery, acks: int, message_id: int
) -> None:
    official = session.get(Official, d.official_id)
    assert official is not None
    round_ = d.id * 1000 + acks
    exists = session.scalar(
        select(Delivery.id).where(
            Delivery.tip_id == tip.id,
            Delivery.official_id == official.id,
            Delivery.purpose == "edit",
            Delivery.round == round_,
        )
    )
    if exists is not None:
        return  # the acknowledgement and the send's finish both saw it: one edit is enough
    new_delivery(
        session,
        actx,
        tip=tip,
        official=official,
        channel="telegram",
        purpose="edit",
        round_=round_,
        queue="high",
        now=actx.clock(),
        detail={"of_delivery": d.id, "message_id": message_id},
    )


def _notice(
    session: Session,
    actx: AlertContext,
    official: Official,
    callback_id: str | None,
    callback_text: str,
    **detail: object,
) -> None:
    count = session.execute(
        select(Delivery.id).where(Delivery.official_id == official.id, Delivery.purpose == "notice")
    ).all()
    new_delivery(
        session,
        actx,
        tip=None,
        official=official,
        channel="telegram",
        purpose="notice",
        round_=len(count) + 1,
        queue="high",
        now=actx.clock(),
        detail={"callback_id": callback_id, "callback_text": callback_text, **detail},
    )


def handle_callback(
    session: Session, actx: AlertContext, *, data: str, chat_id: int, callback_id: str | None
) -> bool:
    """Handle a button ("a:" ack, "f:" full text, "g:" ack a digest); False if not ours."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] not in ("a", "f", "g"):
        return False
    action, raw_id, tag = parts
    official = official_by_chat(session, actx.pseudonym, chat_id)
    delivery = session.get(Delivery, int(raw_id)) if raw_id.isdigit() else None
    valid = (
        official is not None
        and delivery is not None
        and (delivery.tip_id is not None or (action == "g" and delivery.purpose == "digest"))
        and delivery.official_id == official.id
        and actx.verify(tag, action, delivery.id, delivery.official_id)
    )
    if not valid or official is None or delivery is None:
        store.audit(
            session,
            actor=f"official:{official.id}" if official else "unknown",
            action="ack.refused",
            object_type="delivery",
            object_id=raw_id[:12],
            reason="wrong chat or altered callback data",
        )
        if official is not None:
            _notice(session, actx, official, callback_id, REFUSED)
        return True
    if action == "g":
        new = digests.acknowledge_all(session, actx, delivery, via="telegram")
        _notice(session, actx, official, callback_id, ACKED if new else ALREADY)
        return True
    tip = session.get(Tip, delivery.tip_id)
    assert tip is not None
    if action == "a":
        new = acknowledge(session, actx, tip, official, via="telegram")
        _notice(session, actx, official, callback_id, ACKED if new else ALREADY)
    else:
        store.audit(
            session,
            actor=f"official:{official.id}",
            action="tip.viewed",
            object_type="tip",
            object_id=tip.id,
            via="telegram",
        )
        _notice(session, actx, official, callback_id, SHOWN, show_tip=tip.id)
    return True


def handle_sms(session: Session, actx: AlertContext, *, sender: str, body: str) -> bool | None:
    """Handle "OK code" from an enrolled number: True acked, False refused, None not an ack."""
    code = ack_codes.parse(body)
    if code is None:
        return None
    official = official_by_phone(session, actx.pseudonym, sender)
    if official is None:
        return None  # not an official: it is a citizen's message and goes to intake
    # A sender's number can be forged: a number gets a few wrong codes an hour, then none is
    # looked up at all.
    key = ack_codes.sender_key(actx, sender)
    if ack_codes.throttled(session, actx, key):
        store.audit(
            session,
            actor=f"official:{official.id}",
            action="ack.refused",
            object_type="sms",
            reason="too many wrong codes",
        )
        return False
    delivery = (
        session.execute(
            select(Delivery)
            .where(
                Delivery.official_id == official.id,
                Delivery.ack_code == code,
                Delivery.created_at >= ack_codes.valid_since(actx),
                Delivery.purpose.in_(("alert", "escalation", "upgrade", "digest")),
            )
            .order_by(Delivery.id.desc())
        )
        .scalars()
        .first()
    )
    if delivery is None:
        ack_codes.wrong(session, actx, key)
        store.audit(
            session,
            actor=f"official:{official.id}",
            action="ack.refused",
            object_type="sms",
            reason="unknown code",
        )
        return False
    if delivery.purpose == "digest":
        digests.acknowledge_all(session, actx, delivery, via="sms")
        return True
    tip = session.get(Tip, delivery.tip_id)
    assert tip is not None
    acknowledge(session, actx, tip, official, via="sms")
    return True


def handle_call_ack(
    session: Session, actx: AlertContext, *, delivery_id: int, tag: str
) -> Official | None:
    """Acknowledge from the keypad of an alert call; return the official, None if refused."""
    delivery = session.get(Delivery, delivery_id)
    if (
        delivery is None
        or delivery.tip_id is None
        or not actx.verify(tag, "call", delivery.id, delivery.official_id)
    ):
        store.audit(
            session,
            actor="unknown",
            action="ack.refused",
            object_type="call",
            reason="bad signature",
        )
        return None
    official = session.get(Official, delivery.official_id)
    tip = session.get(Tip, delivery.tip_id)
    assert official is not None
    assert tip is not None
    acknowledge(session, actx, tip, official, via="voice")
    return official


LINKED = N_("This chat now receives Raporto alerts for %(name)s.")


def handle_enrolment(session: Session, actx: AlertContext, *, code: str, chat_id: int) -> bool:
    """Link an official's chat from "/start CODE"; False when the code is not a valid one."""
    official = enrol(session, actx.vault, actx.pseudonym, code, chat_id, actx.clock())
    if official is None:
        return False
    store.audit(
        session,
        actor=f"official:{official.id}",
        action="official.enrolled",
        object_type="official",
        object_id=official.id,
    )
    _notice(session, actx, official, None, "", say=LINKED, params={"name": official.name})
    return True
