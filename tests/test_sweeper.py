"""The sweeper: idle drafts are submitted, nothing typed is lost; stuck fetches are re-driven."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from bot.sweeper import sweep_once
from models.tables import Attachment, Conversation, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.helpers import telegram_callback, telegram_headers, telegram_message


def start_draft(client: FlaskClient, runtime: Runtime, user: int) -> None:
    for update in (
        telegram_callback(1, user, "lang:sq"),
        telegram_callback(2, user, "menu:report"),
        telegram_message(3, user, "Një vajzë e vogël lyp çdo natë te Ura e Tabakëve"),
    ):
        assert (
            client.post(
                "/webhooks/telegram", json=update, headers=telegram_headers(runtime)
            ).status_code
            == 200
        )


def test_a_draft_left_idle_is_submitted_by_the_sweeper(runtime: Runtime) -> None:
    client = create_app(runtime=runtime).test_client()
    start_draft(client, runtime, 6060)
    assert sweep_once(runtime.intake)["drafts"] == 0  # not idle yet
    with runtime.db.transaction() as s:
        conversation = s.query(Conversation).one()
        conversation.updated_at -= timedelta(minutes=runtime.settings.conversation_idle_minutes + 1)
    assert sweep_once(runtime.intake)["drafts"] == 1
    with runtime.db.transaction() as s:
        assert s.query(Tip).one().submitted is True
    assert sweep_once(runtime.intake)["drafts"] == 0  # once


def test_the_reporter_coming_back_after_the_sweep_starts_fresh(runtime: Runtime) -> None:
    client = create_app(runtime=runtime).test_client()
    start_draft(client, runtime, 6061)
    with runtime.db.transaction() as s:
        s.query(Conversation).one().updated_at -= timedelta(hours=1)
    sweep_once(runtime.intake)
    client.post(
        "/webhooks/telegram",
        json=telegram_callback(9, 6061, "skip"),
        headers=telegram_headers(runtime),
    )
    with runtime.db.transaction() as s:
        assert s.query(Conversation).one().step == "menu"
        assert s.query(Tip).count() == 1


def test_stuck_attachment_fetches_are_re_driven(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        tip = Tip(
            reference="AAA-3AA",
            channel="voice",
            text_enc=runtime.vault.encrypt_text("x"),
            forms=[],
            answers={},
        )
        s.add(tip)
        s.flush()
        s.add(
            Attachment(
                tip_id=tip.id,
                kind="recording",
                content_type="audio/wav",
                size=0,
                status="pending",
                created_at=runtime.intake.clock() - timedelta(minutes=5),
            )
        )
    assert sweep_once(runtime.intake)["attachments"] == 1
