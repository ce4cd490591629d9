"""Helpers for the complicity tests: tips that implicate the police, and who got what."""

from __future__ import annotations

from sqlalchemy import select, update

from alerts.acks import acknowledge
from alerts.demo import seed_demo_roster
from bot.follow_ups import follow_up
from bot.intake import caller_from_phone, new_tip
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.roster import Agency, Official
from models.tables import AuditEntry, Tip
from raporto.runtime import Runtime

# Triage routes this "complicity" and names the police (high band).
POLICE_TIP = "Një polic merr para nga pronari që mban vajzat të mbyllura."
# Medium, no complicity: alerted to all six officials.
PLAIN_TIP = "Pronari i kafenesë në Durrës mban tre vajza në punë pa pagë."
# Added later by reference code: the police now implicated, the band raised to high.
POLICE_FOLLOW_UP = "Polici vjen çdo javë dhe merr para nga pronari."


def roster(runtime: Runtime) -> None:
    """Seed the demo roster: police chair and member, two social, two labour, ONAC."""
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow())


def officials_of(runtime: Runtime, kind: str) -> list[int]:
    """Ids of the officials of agencies of this kind."""
    with runtime.db.read() as s:
        return list(
            s.scalars(
                select(Official.id).join(Agency).where(Agency.kind == kind).order_by(Official.id)
            )
        )


def submit(runtime: Runtime, text: str, sender: str = "+355691234567") -> tuple[int, str]:
    """Submit a tip by SMS intake (triage, fan-out); return its id and reference."""
    with runtime.db.transaction() as s:
        caller = caller_from_phone(s, runtime.intake, sender)
        tip, _new = new_tip(
            s, runtime.intake, channel="sms", caller=caller, text=text, language=None
        )
        return tip.id, tip.reference


def add_by_reference(runtime: Runtime, reference: str, text: str) -> None:
    """A reporter's follow-up quoting the reference code (appended, scored again)."""
    with runtime.db.transaction() as s:
        assert follow_up(s, runtime.intake, f"{reference} {text}") is not None


def deliveries(runtime: Runtime, tip_id: int | None = None, **where: object) -> list[Delivery]:
    """Deliveries (of a tip, if given), detached, oldest first."""
    with runtime.db.read() as s:
        query = select(Delivery).filter_by(**where).order_by(Delivery.id)
        if tip_id is not None:
            query = query.where(Delivery.tip_id == tip_id)
        rows = list(s.scalars(query))
        for row in rows:
            s.expunge(row)
        return rows


def acknowledgers(runtime: Runtime, tip_id: int) -> set[int]:
    """Officials whose acknowledgement of the tip is recorded."""
    with runtime.db.read() as s:
        return set(
            s.scalars(select(Acknowledgement.official_id).where(Acknowledgement.tip_id == tip_id))
        )


def audited(runtime: Runtime, action: str) -> list[AuditEntry]:
    """Audit entries of an action, detached."""
    with runtime.db.read() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        for row in rows:
            s.expunge(row)
        return rows


def tip_row(runtime: Runtime, tip_id: int) -> Tip:
    """The tip, detached."""
    with runtime.db.read() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        s.expunge(tip)
        return tip


def widened(runtime: Runtime) -> tuple[int, int]:
    """A tip alerted to six, acknowledged by the police, then implicating them: (tip, officer)."""
    roster(runtime)
    tip_id, reference = submit(runtime, PLAIN_TIP)
    assert len(deliveries(runtime, tip_id)) == 6
    with runtime.db.transaction() as s:
        # The alerts went out (Telegram message ids), so acknowledgements edit them.
        s.execute(
            update(Delivery)
            .where(Delivery.tip_id == tip_id)
            .values(status="sent", provider_message_id="77")
        )
    member = officials_of(runtime, "police")[1]
    with runtime.db.transaction() as s:
        tip, official = s.get(Tip, tip_id), s.get(Official, member)
        assert tip is not None and official is not None
        assert acknowledge(s, runtime.alerts, tip, official, via="console")
        assert tip.covered_at is not None
    add_by_reference(runtime, reference, POLICE_FOLLOW_UP)
    return tip_id, member
