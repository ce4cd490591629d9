"""Bursts end to end: Bot-API-shaped updates from the sandbox over HTTP, on both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from alerts.demo import DEMO_CHAT_BASE, seed_demo_roster
from models import store
from models.base import utcnow
from models.reference import find_reference
from models.tables import Attachment, Reporter, Tip
from tests.e2e import Stack, running_stack
from tests.helpers import wait_until

pytestmark = [pytest.mark.e2e]
OFFICIALS = {str(DEMO_CHAT_BASE + i) for i in range(1, 7)}
CODE = re.compile(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b")
QUIET = 2  # seconds of quiet that end a report here (90 in production)
SWEEP = 1.0  # the test stack's sweeper interval (tests/e2e.py)


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    # The production quiet period (90 s): however slow this machine, a burst stays one report.
    with running_stack(tmp_path, database_url) as running:
        with running.runtime.db.transaction() as s:
            seed_demo_roster(s, running.runtime.vault, running.runtime.pseudonym, utcnow())
        yield running


@pytest.fixture
def quick(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url, RAPORTO_BURST_QUIET_SECONDS=str(QUIET)) as running:
        yield running


def write(stack: Stack, user: int, **step: object) -> None:
    result = stack.control("/sandbox/telegram/updates", user_id=user, sync=True, **step)
    assert result["webhook"]["status"] == 200, result


def all_tips(stack: Stack) -> list[Tip]:
    with stack.runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


def to_reporter(stack: Stack, user: int) -> list[str]:
    return [m.text for m in stack.sent("telegram", str(user), method="sendMessage")]


def test_four_messages_and_a_photo_are_one_critical_report_alerted_once(stack: Stack) -> None:
    user = 880101
    write(stack, user, text="hello", language_code="en")
    write(stack, user, text="there is a girl at the bar next door in Vlora")
    write(stack, user, photo=True)
    write(stack, user, text="she is 15")
    write(stack, user, text="they took her passport and she works every night with men")
    [tip] = all_tips(stack)
    text = store.tip_text(stack.runtime.vault, tip)
    assert "hello" in text and "she is 15" in text and "every night with men" in text
    assert tip.submitted and tip.band == "critical" and tip.minor

    def alerts() -> dict[str, int] | None:
        found = {
            chat: sum(tip.reference in m.text for m in stack.sent("telegram", chat, "sendMessage"))
            for chat in OFFICIALS
        }
        return found if all(found.values()) else None

    assert wait_until(alerts, timeout=30) == dict.fromkeys(OFFICIALS, 1)  # six, once each
    replies = wait_until(lambda: r if len(r := to_reporter(stack, user)) >= 3 else None, timeout=30)
    received, thanks, question = replies
    assert received.startswith("Received.")  # English, from language_code and the text
    assert {c for r in replies for c in CODE.findall(r)} == {tip.reference}  # one code
    assert find_reference(thanks) == tip.reference and "consent" not in thanks

    def stored_photo() -> Attachment | None:
        with stack.runtime.db.transaction() as s:
            row = s.execute(select(Attachment).where(Attachment.tip_id == tip.id)).scalar_one()
            return row if row.status == "stored" else None

    photo = wait_until(stored_photo, timeout=30)
    assert (photo.kind, photo.content_type) == ("photo", "image/jpeg")
    assert photo.size > 1000  # the 800×800 size, not the 90×90 thumbnail
    assert len(to_reporter(stack, user)) == 3  # nothing more was said


def test_the_quiet_period_sends_a_report_and_an_edit_joins_it(quick: Stack) -> None:
    stack, user = quick, 880102
    write(stack, user, text="Ka një vajzë në lokalin ngjitur në Sarandë", language_code="sq")
    first = stack.wait_sent(1, "telegram", str(user))[0]
    assert first.text.startswith("E morëm")
    [tip] = all_tips(stack)
    original = stack.control("/sandbox/telegram/updates", user_id=user, text="Punon çdo natë")
    # Whether the edit comes before or after the report is sent, it joins it.
    write(stack, user, edit_of=original["update"]["message"]["message_id"], text="Punon çdo ditë")
    # Sent by the sweeper once nobody has written for QUIET seconds.
    replies = wait_until(
        lambda: r if len(r := to_reporter(stack, user)) >= 3 else None,
        timeout=10 * (QUIET + SWEEP),
    )
    assert replies is not None and tip.reference in replies[1]
    [tip] = all_tips(stack)
    assert tip.submitted and "✎ Punon çdo ditë" in store.tip_text(stack.runtime.vault, tip)


def test_groups_and_bots_store_nothing(stack: Stack) -> None:
    group = -1001234500
    for text in ("there is a girl locked in the bar", "she is 15"):
        write(stack, 880103, chat_id=group, chat_type="supergroup", text=text)
    write(stack, 880104, text="buy followers now", from_bot=True)
    write(stack, 880105, sticker=True)
    assert all_tips(stack) == []
    with stack.runtime.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(Reporter)).scalar_one() == 0
    left = wait_until(lambda: stack.sent("telegram", str(group), method="leaveChat"), timeout=30)
    assert len(left) == 1
    [notice] = stack.sent("telegram", str(group), method="sendMessage")
    assert "private" in notice.text and "private" in notice.text.split("\n\n")[1]
    assert stack.sent("telegram", "880104") == [] and stack.sent("telegram", "880105") == []


def test_the_reply_language_follows_language_code_when_the_text_does_not_tell(
    stack: Stack,
) -> None:
    write(stack, 880106, text="ok", language_code="en")
    write(stack, 880107, text="ok", language_code="sq")
    [english] = stack.wait_sent(1, "telegram", "880106")
    [albanian] = stack.wait_sent(1, "telegram", "880107")
    assert english.text.startswith("Received") and albanian.text.startswith("E morëm")
