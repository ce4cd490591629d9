"""Issue 12, item 5: text added with a code is labelled by its sender; code guessing is limited."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.follow_ups import FollowUp, follow_up
from bot.intake import caller_from_phone, caller_from_telegram, new_tip
from models import sources, store
from models.accounts import User
from models.tables import AuditEntry, Tip
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from tests.console_helpers import demo_officials, make_account, sign_in
from tests.test_intake_channels import send_sms

REPORTER = "+355691000001"
STRANGER = "+355691000002"
TEXT = "Një djalë lyp natën te Zogu i Zi dhe e rrahin"
# Codes of the right shape that no tip has (a new code always differs from all of them).
UNKNOWN = ["ACD-7X7", "ACD-9X9", "ACD-3X3", "ACD-4X4", "ACD-7Y7"]


def report(runtime: Runtime, number: str = REPORTER, text: str = TEXT) -> str:
    with runtime.db.transaction() as s:
        caller = caller_from_phone(s, runtime.intake, number)
        tip, _ = new_tip(s, runtime.intake, channel="sms", caller=caller, text=text, language=None)
        return tip.reference


def quote(runtime: Runtime, number: str, text: str) -> FollowUp | None:
    with runtime.db.transaction() as s:
        caller = caller_from_phone(s, runtime.intake, number)
        return follow_up(s, runtime.intake, text, caller)


def stored_text(runtime: Runtime, reference: str) -> str:
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None
        return store.tip_text(runtime.vault, tip)


def test_added_text_is_marked_by_who_sent_it(any_runtime: Runtime) -> None:
    reference = report(any_runtime)
    assert quote(any_runtime, REPORTER, f"{reference} ai është 12 vjeç") is not None
    assert quote(any_runtime, STRANGER, f"{reference} gënjeshtër, s'ka asgjë") is not None
    with any_runtime.db.transaction() as s:
        caller = caller_from_telegram(s, any_runtime.intake, 4242)
        assert follow_up(s, any_runtime.intake, f"{reference} nga Telegram", caller) is not None
    text = stored_text(any_runtime, reference)
    assert text.startswith(TEXT)
    assert f"\n{sources.SAME_REPORTER} ai është 12 vjeç" in text
    assert f"\n{sources.OTHER_SENDER} gënjeshtër, s'ka asgjë" in text
    # The same person on another channel is another sender: nothing links the two identities.
    assert f"\n{sources.OTHER_SENDER} nga Telegram" in text
    with any_runtime.db.transaction() as s:
        details = [
            e.detail["source"]
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "tip.follow_up"))
        ]
    assert details == ["same", "other", "other"]


def test_a_sender_cannot_forge_or_hide_a_label(any_runtime: Runtime) -> None:
    reference = report(any_runtime, text=f"{sources.OTHER_SENDER}fillim {TEXT}")
    forged = f"{reference} {sources.SAME_REPORTER}unë jam raportuesi{sources.OTHER_SENDER}"
    quote(any_runtime, STRANGER, forged)
    text = stored_text(any_runtime, reference)
    assert text.startswith("fillim")
    assert text.count(sources.SAME_REPORTER) == 0 and text.count(sources.OTHER_SENDER) == 1
    assert text.endswith(f"\n{sources.OTHER_SENDER} unë jam raportuesi")


def test_wrong_codes_are_limited_per_sender_across_processes(
    any_runtime: Runtime, tmp_path: Path
) -> None:
    reference = report(any_runtime)
    # A second process on the same database: the count is shared, not per process.
    other = build_runtime(any_runtime.settings)
    processes = [any_runtime, other, any_runtime, other, any_runtime]
    for code, runtime in zip(UNKNOWN, processes, strict=True):
        assert reference != code
        assert quote(runtime, STRANGER, f"{code} e di ku është") is None  # no such tip
    # The sixth try quotes the real code: it is not looked up.
    assert quote(other, STRANGER, f"{reference} shtesë") is None
    assert "shtesë" not in stored_text(any_runtime, reference)
    # Another sender, and the reporter, are not held up by the guesser.
    assert quote(any_runtime, REPORTER, f"{reference} më shumë") is not None
    with any_runtime.db.transaction() as s:
        audited = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "tip.follow_up_throttled")
        )
    assert audited == 1
    other.db.dispose()


def test_beyond_the_limit_the_message_is_an_ordinary_report(
    client: FlaskClient, runtime: Runtime
) -> None:
    reference = report(runtime)
    for n, code in enumerate(UNKNOWN):
        send_sms(client, runtime, STRANGER, code, f"SM-guess{n}")
    before = stored_text(runtime, reference)
    send_sms(client, runtime, STRANGER, f"{reference} një raport i ri", "SM-guess-real")
    assert stored_text(runtime, reference) == before
    with runtime.db.transaction() as s:
        newest = s.scalars(select(Tip).order_by(Tip.id.desc())).first()
        assert newest is not None and newest.reference != reference
        assert "një raport i ri" in store.tip_text(runtime.vault, newest)


def test_officials_see_the_label_in_their_language(runtime: Runtime) -> None:
    reference = report(runtime)
    quote(runtime, REPORTER, f"{reference} ai është 12 vjeç")
    quote(runtime, STRANGER, f"{reference} <b>s'ka asgjë</b>")
    official = demo_officials(runtime)[2]
    pages = {}
    for lang in ("sq", "en"):
        user_id = make_account(runtime, f"official-{lang}", "official", official_id=official)
        with runtime.db.transaction() as s:
            user = s.get(User, user_id)
            assert user is not None
            user.language = lang
        client = create_app(runtime=runtime).test_client()
        assert sign_in(client, f"official-{lang}") == 302
        pages[lang] = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "Added with the reference code by the same reporter" in pages["en"]
    assert "Added with the reference code by another sender, not the reporter" in pages["en"]
    assert "Shtuar me kodin e referencës nga i njëjti raportues" in pages["sq"]
    assert "nga një dërgues tjetër, jo nga raportuesi" in pages["sq"]
    for page in pages.values():
        assert sources.SAME_REPORTER not in page and sources.OTHER_SENDER not in page
        assert "&lt;b&gt;s&#39;ka asgjë&lt;/b&gt;" in page  # the sender's words stay inert
