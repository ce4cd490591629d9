"""One tip reaches the six officials at once; buttons work; the others see who acknowledged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.demo import DEMO_CHAT_BASE, seed_demo_roster
from alerts.escalation import tick
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.tables import AuditEntry, Tip
from tests.e2e import Stack, running_stack
from tests.helpers import wait_until

pytestmark = pytest.mark.e2e
MEMBERS = [str(DEMO_CHAT_BASE + i) for i in range(1, 7)]


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url) as running:
        with running.runtime.db.transaction() as session:
            seed_demo_roster(session, running.runtime.vault, running.runtime.pseudonym, utcnow())
        yield running


@pytest.fixture
def full_text_stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url, RAPORTO_FULL_TEXT_IN_TELEGRAM="1") as running:
        with running.runtime.db.transaction() as session:
            seed_demo_roster(session, running.runtime.vault, running.runtime.pseudonym, utcnow())
        yield running


def alerts_sent(stack: Stack) -> dict[str, object]:
    found = {}
    for chat in MEMBERS:
        sent = stack.sent("telegram", chat, method="sendMessage")
        if sent:
            found[chat] = sent[-1]
    return found


def send_critical_sms(stack: Stack) -> Tip:
    result = stack.control(
        "/sandbox/twilio/sms",
        **{
            "from": "+355692220000",
            "body": "Një vajzë 15 vjeçe mbahet e mbyllur në një shtëpi në Durrës, i kanë marrë "
            "pasaportën, sonte do ta çojnë në Itali",
        },
    )
    assert result["status"] == 200
    with stack.runtime.db.transaction() as s:
        return s.execute(select(Tip)).scalar_one()


def test_one_tip_reaches_six_officials_and_one_acknowledgement_shows_everywhere(
    stack: Stack,
) -> None:
    tip = send_critical_sms(stack)
    assert tip.band == "critical"
    sent = wait_until(lambda: found if len(found := alerts_sent(stack)) == 6 else None)
    assert set(sent) == set(MEMBERS)  # ONAC's duty officer is not alerted at first
    for message in sent.values():
        assert tip.reference in message.text  # type: ignore[attr-defined]
    # The fourth official presses "Acknowledge" (Konfirmo / Acknowledge) on their message.
    presser = MEMBERS[3]
    keyboard = sent[presser].extra["reply_markup"]["inline_keyboard"]  # type: ignore[attr-defined]
    ack_data = keyboard[0][0]["callback_data"]
    assert re.fullmatch(r"a:\d+:[0-9a-f]{18}", ack_data)
    for _ in range(3):  # pressed three times: counted once
        result = stack.control(
            "/sandbox/telegram/updates", user_id=int(presser), callback_data=ack_data, sync=True
        )
        assert result["webhook"]["status"] == 200
    wait_until(lambda: len(stack.sent("telegram", presser, method="answerCallbackQuery")) == 3)
    edits = wait_until(
        lambda: (
            e
            if len(
                e := [
                    m
                    for chat in MEMBERS
                    for m in stack.sent("telegram", chat, method="editMessageText")
                ]
            )
            >= 6
            else None
        )
    )
    assert {m.recipient for m in edits} == set(MEMBERS)
    assert all("Demo Elira Marku" in m.text for m in edits)  # who acknowledged, for everyone
    with stack.runtime.db.transaction() as s:
        assert s.query(Acknowledgement).count() == 1
        stored = s.get(Tip, tip.id)
        assert stored is not None and stored.status == "acknowledged"
        assert [
            a.action
            for a in s.query(AuditEntry)
            .filter(AuditEntry.action.like("ack%"))
            .order_by(AuditEntry.id)
        ] == ["ack", "ack.duplicate", "ack.duplicate"]


def test_escalation_stops_after_the_acknowledgement(stack: Stack) -> None:
    tip = send_critical_sms(stack)
    wait_until(lambda: len(alerts_sent(stack)) == 6)
    actx = stack.runtime.alerts
    from alerts.acks import acknowledge
    from models.roster import Agency, Official

    with stack.runtime.db.transaction() as s:
        # A child is involved: the child route needs social services, so a police
        # acknowledgement alone does not cover the tip.
        police = (
            s.execute(select(Official).join(Agency).where(Agency.kind == "police"))
            .scalars()
            .first()
        )
        social = (
            s.execute(select(Official).join(Agency).where(Agency.kind == "social_services"))
            .scalars()
            .first()
        )
        stored = s.get(Tip, tip.id)
        assert police is not None and social is not None and stored is not None
        assert acknowledge(s, actx, stored, police, via="console")
        assert stored.covered_at is None
        assert acknowledge(s, actx, stored, social, via="console")
        assert stored.covered_at is not None
    later = utcnow() + timedelta(hours=3)
    actx.clock = lambda: later
    try:
        assert tick(actx)["escalated"] == 0
    finally:
        actx.clock = utcnow
    with stack.runtime.db.transaction() as s:
        assert s.query(Delivery).filter_by(tip_id=tip.id, purpose="escalation").count() == 0


def test_show_full_text_sends_the_text_to_that_official_only(full_text_stack: Stack) -> None:
    stack = full_text_stack  # RAPORTO_FULL_TEXT_IN_TELEGRAM=1: the text may go into chats
    tip = send_critical_sms(stack)
    sent = wait_until(lambda: found if len(found := alerts_sent(stack)) == 6 else None)
    chat = MEMBERS[0]
    data = sent[chat].extra["reply_markup"]["inline_keyboard"][0][1]["callback_data"]  # type: ignore[attr-defined]
    assert data.startswith("f:")
    stack.control("/sandbox/telegram/updates", user_id=int(chat), callback_data=data, sync=True)
    shown = wait_until(
        lambda: [
            m
            for m in stack.sent("telegram", chat, method="sendMessage")
            if "sonte do ta çojnë" in m.text
        ]
    )
    assert tip.reference in shown[0].text
    others = [m for c in MEMBERS[1:] for m in stack.sent("telegram", c, method="sendMessage")]
    assert not any("sonte do ta çojnë" in m.text for m in others)
    with stack.runtime.db.transaction() as s:
        assert s.query(AuditEntry).filter_by(action="tip.viewed").count() == 1
