"""Webhooks spool what a down database cannot take, and replay stores it once, with its arrival.

The "down" database is a real PostgreSQL URL nobody listens on (the driver's own connection
error); the replay runs against a real PostgreSQL database with the same keys and spool folder.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from alerts import content
from bot.spool_replay import replay
from models.base import utcnow
from models.tables import InboundMessage, OutboundMessage, Tip
from raporto.app import create_app, spool_problems
from raporto.cli import main
from raporto.runtime import Runtime, build_runtime
from tests.conftest import env_for, make_runtime, make_settings
from tests.helpers import (
    hotline_request,
    sms_form,
    telegram_headers,
    telegram_message,
    twilio_headers,
    twilio_sid,
)

pytestmark = pytest.mark.postgres
DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
NUMBER = "+355691112233"
REPORT = "Vajzën e mbajnë të mbyllur në një lokal në Vlorë, i kanë marrë pasaportën"


@pytest.fixture
def up(tmp_path: Path, pg_url: str) -> Iterator[Runtime]:
    runtime = make_runtime(tmp_path, pg_url)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def down(tmp_path: Path, up: Runtime) -> Flask:
    """The same service (keys, spool folder) whose database cannot be reached."""
    runtime = build_runtime(make_settings(tmp_path, DOWN), queue=up.queue)
    app = create_app(runtime=runtime)
    # These tests replay by hand; the drainer has its own test (test_spool_chaos.py).
    app.extensions["raporto.spool_drainer"].stop()
    return app


def post_sms(app: Flask, runtime: Runtime, body: str, sid: str, path: str = "/webhooks/twilio/sms"):
    form = sms_form(NUMBER, body, sid)
    return app.test_client().post(path, data=form, headers=twilio_headers(runtime, path, form))


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.transaction() as s:
        found = list(s.execute(select(Tip).order_by(Tip.id)).scalars())
        s.expunge_all()
        return found


def test_an_sms_is_spooled_answered_and_stored_later_with_its_arrival(
    down: Flask, up: Runtime
) -> None:
    before = utcnow()
    answer = post_sms(down, up, REPORT, "late-1")
    assert answer.status_code == 200
    assert "reference code will follow" in answer.get_data(as_text=True).lower() or (
        "kodi" in answer.get_data(as_text=True).lower()
    )
    spool = up.intake.spool
    assert spool is not None and len(spool.entries()) == 1
    assert tips(up) == []
    counts = replay(up.intake, spool)
    assert counts["replayed"] == 1 and spool.entries() == []
    [tip] = tips(up)
    assert tip.channel == "sms"
    assert before <= tip.received_at <= before + timedelta(seconds=5)
    assert tip.answers["spooled"] is True
    # The reference code the TwiML could not give goes out as an SMS from the outbox.
    with up.db.transaction() as s:
        [row] = (
            s.execute(select(OutboundMessage).where(OutboundMessage.channel == "sms"))
            .scalars()
            .all()
        )
        payload = up.vault.decrypt_json(row.payload_enc)
    assert row.channel == "sms" and payload["receipt"] is True and payload["to"] == NUMBER
    assert tip.reference in payload["text"]


def test_a_replay_killed_before_deleting_the_file_stores_nothing_twice(
    down: Flask, up: Runtime, tmp_path: Path
) -> None:
    post_sms(down, up, REPORT, "late-2")
    spool = up.intake.spool
    assert spool is not None
    [entry] = spool.entries()
    kept = tmp_path / "kept.evt"
    shutil.copy(entry.path, kept)
    replay(up.intake, spool)
    shutil.copy(kept, entry.path)  # as if killed after the commit, before the delete
    counts = replay(up.intake, spool)
    assert counts["replayed"] == 1 and spool.entries() == []
    assert len(tips(up)) == 1
    with up.db.transaction() as s:
        receipts = select(OutboundMessage).where(OutboundMessage.channel == "sms")
        assert len(s.execute(receipts).all()) == 1  # one late receipt
        assert len(s.execute(select(InboundMessage)).all()) == 1


def test_stop_while_spooled_gets_no_reply(down: Flask, up: Runtime) -> None:
    answer = post_sms(down, up, "STOP", "late-stop")
    assert answer.status_code == 200
    assert "<Message>" not in answer.get_data(as_text=True)


def test_the_sms_fallback_url_spools_too(down: Flask, up: Runtime) -> None:
    answer = post_sms(down, up, REPORT, "late-fb", path="/webhooks/twilio/fallback/sms")
    assert answer.status_code == 200
    assert up.intake.spool is not None and len(up.intake.spool.entries()) == 1


def test_telegram_and_hotline_are_spooled_and_replayed(down: Flask, up: Runtime) -> None:
    client = down.test_client()
    update = telegram_message(7001, 4242, REPORT)
    answer = client.post("/webhooks/telegram", json=update, headers=telegram_headers(up))
    assert answer.status_code == 200
    record = {
        "record_id": "HL-2026-0042",
        "received_at": utcnow().isoformat(),
        "contact_type": "call",
        "summary": REPORT,
        "language": "sq",
    }
    body, headers = hotline_request(up, record)
    answer = client.post("/webhooks/hotline", data=body, headers=headers)
    assert answer.status_code == 202 and answer.get_json() == {"reference": None, "queued": True}
    spool = up.intake.spool
    assert spool is not None and len(spool.entries()) == 2
    assert replay(up.intake, spool)["replayed"] == 2
    assert sorted(t.channel for t in tips(up)) == ["hotline", "telegram"] or (
        # a Telegram report is a draft until its writer is quiet: it exists as a tip either way
        len(tips(up)) == 2
    )
    # The call centre sending the record again now gets its reference as a duplicate.
    body, headers = hotline_request(up, record)
    again = (
        create_app(runtime=up).test_client().post("/webhooks/hotline", data=body, headers=headers)
    )
    assert again.status_code == 200 and again.get_json()["duplicate"] is True


def test_a_voice_report_is_recorded_without_the_database(down: Flask, up: Runtime) -> None:
    client = down.test_client()
    call = {"CallSid": twilio_sid("CA", "call-1"), "From": NUMBER, "To": "+15005550006"}
    path = "/webhooks/twilio/voice"
    answer = client.post(path, data=call, headers=twilio_headers(up, path, call))
    assert answer.status_code == 200 and "<Gather" in answer.get_data(as_text=True)
    done = {**call, "RecordingSid": twilio_sid("RE", "rec-1"), "RecordingDuration": "31"}
    path = "/webhooks/twilio/voice/recorded?lang=sq"
    answer = client.post(path, data=done, headers=twilio_headers(up, path, done))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<Hangup" in text
    assert "kodi" not in text.lower()  # no code yet: it is made when the recording is stored
    spool = up.intake.spool
    assert spool is not None and len(spool.entries()) == 2
    assert replay(up.intake, spool)["replayed"] == 2
    [tip] = tips(up)
    assert tip.channel == "voice" and tip.answers["spooled"] is True


def test_the_voice_fallback_records_without_the_database(down: Flask, up: Runtime) -> None:
    client = down.test_client()
    call = {
        "CallSid": twilio_sid("CA", "call-2"),
        "From": NUMBER,
        "ErrorCode": "11200",
        "ErrorUrl": "https://tips.example.org/webhooks/twilio/voice",
    }
    path = "/webhooks/twilio/fallback/voice"
    answer = client.post(path, data=call, headers=twilio_headers(up, path, call))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<Record" in text
    assert 'action="https://tips.example.org/webhooks/twilio/fallback/voice' in text
    done = {**call, "RecordingSid": twilio_sid("RE", "rec-2"), "RecordingDuration": "12"}
    path = "/webhooks/twilio/fallback/voice?lang=sq"
    answer = client.post(path, data=done, headers=twilio_headers(up, path, done))
    assert answer.status_code == 200 and "<Hangup" in answer.get_data(as_text=True)
    assert up.intake.spool is not None and len(up.intake.spool.entries()) == 2


def test_a_full_spool_answers_503_and_says_why(
    tmp_path: Path, up: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(make_settings(tmp_path, DOWN), spool_max_bytes=0)
    app = create_app(runtime=build_runtime(settings, queue=up.queue))
    caplog.set_level(logging.WARNING)
    answer = post_sms(app, up, REPORT, "late-full")
    assert answer.status_code == 503
    assert "spool" in answer.get_json()["error"]
    assert "spool size cap reached" in caplog.text
    assert NUMBER not in caplog.text and "Vlor" not in caplog.text
    assert up.intake.spool is not None and up.intake.spool.entries() == []


def test_health_shows_the_spool_and_alarms_when_it_does_not_drain(
    tmp_path: Path, down: Flask, up: Runtime
) -> None:
    post_sms(down, up, REPORT, "late-health")
    token = "health-token-0123456789abcdef-0123456789"
    settings = make_settings(tmp_path, DOWN, RAPORTO_HEALTH_TOKEN=token)
    # Still down, so its drainer cannot empty the spool under the check.
    app = create_app(runtime=build_runtime(replace(settings, spool_alarm_seconds=0)))
    app.extensions["raporto.spool_drainer"].stop()
    answer = app.test_client().get("/health", headers={"Authorization": f"Bearer {token}"})
    state = answer.get_json()
    assert state["spool"]["waiting"] == 1 and state["spool"]["oldest_seconds"] >= 0
    assert "spool_not_draining" in state["spool"]["problems"]
    assert answer.status_code == 503 and state["status"] == "red"
    assert spool_problems({**state["spool"], "waiting": 0, "failed": 0}, 600) == []
    nearly = {**state["spool"], "waiting": 0, "failed": 0, "bytes": 81, "max_bytes": 100}
    assert spool_problems(nearly, 600) == ["spool_nearly_full"]
    # Without the token, only the status: an outsider learns nothing of the backlog.
    assert app.test_client().get("/health").get_json() == {"status": "red"}


def test_the_spool_command_lists_ids_and_ages_and_replays(
    tmp_path: Path, down: Flask, up: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_sms(down, up, REPORT, "late-cli")
    for name, value in env_for(tmp_path, up.settings.database_url).items():
        monkeypatch.setenv(name, value)
    listed = CliRunner().invoke(main, ["spool", "list"])
    assert listed.exit_code == 0, listed.output
    assert "sms" in listed.output and "waiting" in listed.output
    assert NUMBER not in listed.output and "Vlor" not in listed.output
    replayed = CliRunner().invoke(main, ["spool", "replay"])
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.output.strip().splitlines()[-1])["left"] == 0
    assert len(tips(up)) == 1


def test_a_late_tips_alert_says_how_late(down: Flask, up: Runtime) -> None:
    post_sms(down, up, REPORT, "late-alert")
    assert up.intake.spool is not None
    replay(up.intake, up.intake.spool)
    [tip] = tips(up)
    tip.answers = {**tip.answers, "stored_late_seconds": 14 * 60}
    for lang, words in (("en", "14 min late"), ("sq", "14 min")):
        facts = content.facts(tip, None, lang, None, "high")
        assert words in content.telegram_alert(facts, lang, "summary", "https://x")
        assert "14" in content.sms_alert(facts, lang, "summary", "123456")
