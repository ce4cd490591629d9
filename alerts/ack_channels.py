"""The channels an official acknowledges on: Telegram buttons, "OK code" by SMS, the call keypad.

Each is checked against the enrolled chat or number and the signed callback data; anything else
is refused and audited. "Show full text" sends the text into the chat only where
`RAPORTO_FULL_TEXT_IN_TELEGRAM` allows it, never to ONAC, and never to an official of an agency
the tip implicates; otherwise it points to the console, where retention erases the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import ack_codes, complicity, digests
from alerts.acks import try_acknowledge
from alerts.context import AlertContext
from alerts.fanout import new_delivery
from alerts.kinds import Notice
from alerts.roster import active_officials, enrol, official_by_chat, official_by_phone
from locales.i18n import N_
from locales.i18n import gettext as _t
from models import store
from models.deliveries import Delivery, Purpose
from models.roster import Official
from models.tables import Tip
from models.untrusted import parse_id

ACKED = N_("Acknowledged. Thank you.")
ALREADY = N_("You had already acknowledged this tip.")
REFUSED = N_("This button is not valid for you.")
SHOWN = N_("The full text is below.")
UNKNOWN_CODE = N_("This code is not valid for you.")
IN_CONSOLE = N_("The full text is in the console.")
READ_IN_CONSOLE = N_("Tip %(reference)s: read its full text in the console, %(url)s")
# Deliveries whose "OK code" acknowledges their tip (or a digest's tips).
ACKNOWLEDGEABLE = (Purpose.ALERT, Purpose.ESCALATION, Purpose.UPGRADE, Purpose.DIGEST)


@dataclass(frozen=True)
class Pressed:
    """An official's button handled: what to answer the press with (translated), if anything."""

    answer: str | None = None


def _answered(official: Official, said: str) -> Pressed:
    # Answered in the official's language; the answer is never stored, only returned.
    return Pressed(_t(official.language, said))


def _notice(
    session: Session, actx: AlertContext, official: Official, update_id: int, **fields: Any
) -> None:
    """A message into the official's chat, one per Telegram update that caused it."""
    new_delivery(
        session,
        actx,
        Notice(cause=f"telegram:{update_id}", **fields),
        official=official,
        channel="telegram",
        queue="high",
        now=actx.clock(),
    )


def handle_callback(
    session: Session, actx: AlertContext, *, data: str, chat_id: int, update_id: int
) -> Pressed | None:
    """Handle a button ("a:" ack, "f:" full text, "g:" ack a digest); None if not ours.

    The press is answered by the caller from what this returns (the webhook's response or a
    direct call when polling), never through the deliveries table.
    """
    parts = data.split(":")
    if len(parts) != 3 or parts[0] not in ("a", "f", "g"):
        return None
    action, raw_id, tag = parts
    official = official_by_chat(session, actx.pseudonym, chat_id)
    delivery_id = parse_id(raw_id)  # ASCII digits only: "²" passes isdigit() and int() raises
    delivery = session.get(Delivery, delivery_id) if delivery_id is not None else None
    valid = (
        official is not None
        and delivery is not None
        and (delivery.tip_id is not None or (action == "g" and delivery.purpose == Purpose.DIGEST))
        and delivery.official_id == official.id
        and actx.verify(tag, action, delivery.id, delivery.official_id)
    )
    if not valid or official is None or delivery is None:
        _audit(
            session,
            actx,
            official,
            "ack.refused",
            object_type="delivery",
            object_id=raw_id[:12],
            reason="wrong chat or altered callback data",
        )
        return _answered(official, REFUSED) if official is not None else Pressed()
    if action == "g":
        new = digests.acknowledge_all(session, actx, delivery, via="telegram")
        return _answered(official, ACKED if new else ALREADY)
    tip = session.get(Tip, delivery.tip_id)
    assert tip is not None
    if action == "a":
        said = {"acked": ACKED, "already": ALREADY, "refused": complicity.REFUSED}
        return _answered(official, said[try_acknowledge(session, actx, tip, official, "telegram")])
    return _answered(official, _full_text(session, actx, tip, official, update_id))


def _full_text(
    session: Session, actx: AlertContext, tip: Tip, official: Official, update_id: int
) -> str:
    """Answer "Show full text": the text, a console link, or a refusal; return the answer."""
    if complicity.is_excluded(tip, official):
        complicity.refuse(
            session, tip, f"official:{official.id}", "full_text", "telegram", now=actx.clock()
        )
        return complicity.REFUSED
    if official.role == "onac":
        # ONAC coordinates and never receives a tip's words (nor the button: this one is forged
        # or predates the rule).
        _audit(
            session,
            actx,
            official,
            "full_text.refused",
            object_type="tip",
            object_id=tip.id,
            reason="onac",
        )
        return REFUSED
    if not actx.config.full_text_in_telegram:
        # The words stay in the console, where retention erases them; a chat keeps them forever.
        url = f"{actx.config.public_base_url}/console/tips/{tip.reference}"
        params = {"reference": tip.reference, "url": url}
        _notice(session, actx, official, update_id, say=READ_IN_CONSOLE, params=params)
        return IN_CONSOLE
    _audit(
        session, actx, official, "tip.viewed", object_type="tip", object_id=tip.id, via="telegram"
    )
    _notice(session, actx, official, update_id, show_tip=tip.id)
    return SHOWN


def _audit(
    session: Session, actx: AlertContext, official: Official | None, action: str, **detail: Any
) -> None:
    """Audit an official's action through a chat, a text or a call: who, what, when, ids only."""
    actor = f"official:{official.id}" if official is not None else "unknown"
    store.audit(session, actor=actor, action=action, now=actx.clock(), **detail)


def handle_sms(session: Session, actx: AlertContext, *, sender: str, body: str) -> str | None:
    """Handle "OK code" from an enrolled number: the reply's message id, None if not an ack."""
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
        _audit(
            session,
            actx,
            official,
            "ack.refused",
            object_type="sms",
            reason="too many wrong codes",
        )
        return UNKNOWN_CODE
    delivery = (
        session.execute(
            select(Delivery)
            .where(
                Delivery.official_id == official.id,
                Delivery.ack_code == code,
                Delivery.created_at >= ack_codes.valid_since(actx),
                Delivery.purpose.in_(ACKNOWLEDGEABLE),
            )
            .order_by(Delivery.id.desc())
        )
        .scalars()
        .first()
    )
    if delivery is None:
        ack_codes.wrong(session, actx, key)
        _audit(
            session,
            actx,
            official,
            "ack.refused",
            object_type="sms",
            reason="unknown code",
        )
        return UNKNOWN_CODE
    if delivery.purpose == Purpose.DIGEST:
        digests.acknowledge_all(session, actx, delivery, via="sms")
        return ACKED
    tip = session.get(Tip, delivery.tip_id)
    assert tip is not None
    if try_acknowledge(session, actx, tip, official, via="sms") == "refused":
        return complicity.REFUSED
    return ACKED


def handle_call_ack(
    session: Session, actx: AlertContext, *, delivery_id: int, tag: str
) -> tuple[str, str] | None:
    """Acknowledge from the keypad of an alert call; return (language, what to say) or None."""
    delivery = session.get(Delivery, delivery_id)
    if (
        delivery is None
        or delivery.tip_id is None
        or not actx.verify(tag, "call", delivery.id, delivery.official_id)
    ):
        _audit(
            session,
            actx,
            None,
            "ack.refused",
            object_type="call",
            reason="bad signature",
        )
        return None
    official = session.get(Official, delivery.official_id)
    tip = session.get(Tip, delivery.tip_id)
    assert official is not None
    assert tip is not None
    refused = try_acknowledge(session, actx, tip, official, via="voice") == "refused"
    return official.language, complicity.REFUSED if refused else ACKED


LINKED = N_("This chat now receives Raporto alerts for %(name)s.")
CHAT_CHANGED = N_(
    "The Telegram chat that receives Raporto alerts for %(name)s was changed just now. "
    "Check with %(name)s that they did it themselves."
)


def handle_enrolment(
    session: Session, actx: AlertContext, *, code: str, chat_id: int, update_id: int
) -> bool:
    """Link an official's chat from "/start CODE"; False when the code is not a valid one."""
    official = enrol(session, actx.vault, actx.pseudonym, code, chat_id, actx.clock())
    if official is None:
        return False
    _audit(
        session, actx, official, "official.enrolled", object_type="official", object_id=official.id
    )
    name = {"name": official.name}
    _notice(session, actx, official, update_id, say=LINKED, params=name)
    # Whoever holds a code (an admin issued it) can link any chat: ONAC's duty officers are told
    # of every link, so a chat taken over by someone else does not stay silent.
    for duty in active_officials(session, actx.clock()):
        if duty.role == "onac" and duty.id != official.id and duty.telegram_chat_key:
            _notice(session, actx, duty, update_id, say=CHAT_CHANGED, params=name)
    return True
