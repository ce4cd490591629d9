"""Reporters' SMS and call records are deleted at Twilio (issue 12, item 9).

Through the sandbox over HTTP with the twilio library's own code path (`messages(sid).delete()`,
`calls(sid).delete()`): each inbound SMS and call is queued for deletion in its own commit, the
sid encrypted in the outbox; the sweeper drives it; a call still up is tried again later; the
reference is dropped once Twilio confirms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from alerts.reporter_replies import send_outbound
from alerts.twilio_erasure import ERASE_CHANNEL, erase_later, retry_wait
from bot import relay
from bot.intake import caller_from_phone, new_tip
from models import store
from models.base import utcnow
from models.maintenance import purge
from models.tables import OutboundMessage, Reporter
from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.conftest import with_sandbox
from tests.console_helpers import make_account
from tests.e2e import Stack, running_stack
from tests.helpers import wait_until

NUMBER = "+355692224466"


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    # The tests wait for the sweeper after each time_passes: it sweeps every 0.1 s, not 1 s.
    with running_stack(tmp_path, database_url, sweep_every=0.1) as running:
        yield running


def erasures(runtime: Runtime) -> list[OutboundMessage]:
    with runtime.db.transaction() as s:
        return list(
            s.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.channel == ERASE_CHANNEL)
                .order_by(OutboundMessage.id)
            )
        )


def time_passes(runtime: Runtime) -> None:
    """The accelerated clock: every pending erasure is due now."""
    with runtime.db.transaction() as s:
        s.execute(
            update(OutboundMessage)
            .where(OutboundMessage.channel == ERASE_CHANNEL, OutboundMessage.status == "pending")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def row_when(
    runtime: Runtime, outbound_id: int, predicate: Callable[[OutboundMessage], object]
) -> OutboundMessage:
    """Wait until the row (changed by the sweeper's jobs in their thread) satisfies predicate."""

    def check() -> OutboundMessage | None:
        with runtime.db.transaction() as s:
            row = s.get(OutboundMessage, outbound_id)
            return row if row is not None and predicate(row) else None

    found: OutboundMessage = wait_until(check, timeout=30)
    return found


def test_an_inbound_sms_is_deleted_at_twilio_after_the_commit(stack: Stack) -> None:
    sent = stack.control("/sandbox/twilio/sms", **{"from": NUMBER, "body": "Një vajzë lyp"})
    sid = sent["message_sid"]
    [row] = erasures(stack.runtime)
    # Queued in the intake's commit, the sid encrypted, first tried a minute later (Twilio's
    # advice): the message is still in Twilio's log until then.
    assert row.payload_enc is not None and sid.encode() not in row.payload_enc
    assert stack.runtime.vault.decrypt_json(row.payload_enc) == {"erase": "message", "sid": sid}
    assert row.next_attempt_at > utcnow() + timedelta(seconds=30)
    assert sid not in stack.sandbox.state.deleted_messages
    time_passes(stack.runtime)
    assert stack.sandbox.state.wait_for(lambda: sid in stack.sandbox.state.deleted_messages, 30)
    done = row_when(stack.runtime, row.id, lambda r: r.status == "done")
    assert done.payload_enc is None  # the reference goes once Twilio confirmed
    # A repeated webhook for the same message queues nothing more.
    stack.control("/sandbox/twilio/sms", **{"from": NUMBER, "body": "x", "message_sid": sid})
    assert len(erasures(stack.runtime)) == 1


def test_a_call_record_waits_for_the_end_of_the_call_then_goes(stack: Stack) -> None:
    call = stack.control("/sandbox/twilio/calls", **{"from": NUMBER})
    call_sid = call["call_sid"]
    [row] = erasures(stack.runtime)
    time_passes(stack.runtime)
    # Twilio refuses while the caller is still in the menu: tried again later, not given up.
    refused = row_when(stack.runtime, row.id, lambda r: r.attempts >= 1 and r.last_error)
    assert refused.status == "pending" and refused.last_error == "not complete yet"
    assert refused.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert refused.payload_enc is not None
    stack.control(f"/sandbox/twilio/calls/{call_sid}/digits", digits="1")  # Albanian
    stack.control(f"/sandbox/twilio/calls/{call_sid}/digits", digits="1")  # record a message
    recorded = stack.control(f"/sandbox/twilio/calls/{call_sid}/record", seconds=4, hangup=True)
    assert recorded["call_status"] == "completed"
    time_passes(stack.runtime)
    state = stack.sandbox.state
    assert state.wait_for(lambda: call_sid in state.deleted_calls, 30)
    assert state.wait_for(lambda: recorded["recording_sid"] in state.deleted_recordings, 30)
    assert row_when(stack.runtime, row.id, lambda r: r.status == "done").payload_enc is None
    listing = requests.get(stack.sandbox.url + "/sandbox/twilio/deleted", timeout=5).json()
    assert call_sid in listing["calls"]


# ------------------------------------------------------------- the outbox row, driven by hand


@pytest.fixture
def fake(runtime: Runtime) -> Iterator[SandboxServer]:
    s = runtime.settings
    with SandboxServer(
        twilio_account_sid=s.twilio_account_sid, twilio_auth_token=s.twilio_auth_token
    ) as server:
        yield server


@pytest.fixture
def rt(runtime: Runtime, fake: SandboxServer) -> Runtime:
    return with_sandbox(runtime, fake.url)


def queue_erasure(rt: Runtime, kind: str, sid: str) -> int:
    with rt.db.transaction() as s:
        found = erase_later(s, rt.vault, kind, sid, now=utcnow() - timedelta(minutes=2))
    assert found is not None
    return found


def test_an_unknown_record_counts_as_deleted(rt: Runtime) -> None:
    outbound_id = queue_erasure(rt, "message", "SM" + "ab" * 16)
    assert send_outbound(rt.alerts, outbound_id) == "done"  # Twilio's 404: nothing left


def test_twilio_down_is_retried_with_a_growing_wait_until_done(
    rt: Runtime, fake: SandboxServer
) -> None:
    outbound_id = queue_erasure(rt, "call", "CA" + "cd" * 16)
    rule = {"provider": "twilio", "method": "calls.delete", "mode": "5xx", "count": 1}
    assert requests.post(fake.url + "/sandbox/faults", json=rule, timeout=5).status_code == 201
    assert send_outbound(rt.alerts, outbound_id) == "pending"
    with rt.db.transaction() as s:
        row = s.get(OutboundMessage, outbound_id)
        assert row is not None and row.last_error == "Twilio 500"
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    assert send_outbound(rt.alerts, outbound_id) == "done"
    assert [retry_wait(n).total_seconds() for n in (1, 2, 3, 9, 20)] == [30, 60, 120, 3600, 3600]


def test_only_twilio_sids_are_queued() -> None:
    assert erase_later(None, None, "message", "SM-1", now=utcnow()) is None  # type: ignore[arg-type]
    assert erase_later(None, None, "call", "../Accounts", now=utcnow()) is None  # type: ignore[arg-type]


def test_a_purged_reference_ends_the_erasure(rt: Runtime) -> None:
    outbound_id = queue_erasure(rt, "message", "SM" + "ef" * 16)
    with rt.db.transaction() as s:
        row = s.get(OutboundMessage, outbound_id)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=40)
        purge(s, now=utcnow(), content_days=365, handle_days=30)
    assert send_outbound(rt.alerts, outbound_id) == "failed"


def test_a_question_texted_to_a_reporter_is_deleted_at_twilio_too(
    rt: Runtime, fake: SandboxServer
) -> None:
    user_id = make_account(rt, "drita", "onac")
    with rt.db.transaction() as s:
        caller = caller_from_phone(s, rt.intake, NUMBER)
        tip, _ = new_tip(
            s, rt.intake, channel="sms", caller=caller, text="Një djalë lyp", language=None
        )
        reporter = s.get(Reporter, caller.reporter.id)
        assert reporter is not None
        reporter.follow_up_consent = True
        store.set_reply_handle(
            s,
            rt.vault,
            reporter_id=reporter.id,
            channel="sms",
            handle=NUMBER,
            days=30,
            now=utcnow(),
        )
        reference = tip.reference
    with rt.db.transaction() as s:
        found = store.tip_by_reference(s, reference)
        assert found is not None
        result = relay.ask_reporter(
            s, rt.intake, found, "Sa vjeç është?", actor=f"user:{user_id}", user_id=user_id
        )
    assert result == "queued"
    question = next(r for r in all_outbound(rt) if r.channel == "sms")
    assert send_outbound(rt.alerts, question.id) == "sent"
    [texted] = fake.state.messages(channel="sms", method="messages.create")
    [row] = erasures(rt)
    assert rt.vault.decrypt_json(row.payload_enc) == {"erase": "message", "sid": texted.sid}
    # Twilio refuses while the message is in transit; once delivered, it goes.
    fake.state.wait_for(lambda: fake.state.rest_messages[texted.sid]["status"] == "delivered")
    time_passes(rt)
    assert send_outbound(rt.alerts, row.id) == "done"
    assert texted.sid in fake.state.deleted_messages


def all_outbound(rt: Runtime) -> list[OutboundMessage]:
    with rt.db.transaction() as s:
        return list(s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
