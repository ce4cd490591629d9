"""RAPORTO_LOG_FORMAT=json (issue 18): one JSON object a line, ids only, never a tip's words."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.demo import seed_demo_roster
from models.base import utcnow
from raporto import logs
from raporto.app import create_app
from raporto.runtime import Runtime
from raporto.settings import ConfigError, load
from tests.conftest import env_for, with_sandbox
from tests.helpers import sms_form, twilio_headers

CANARY = "Kanarinaxyzzy"
NUMBER = "+355691119999"
SMS = "/webhooks/twilio/sms"


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    """The process's log handler in JSON, writing to a buffer; text again afterwards."""
    logs.configure("INFO", "json")
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "_raporto", False)]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
        logs.configure("INFO", "text")


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    """Every line of the buffer, each parsed as one JSON object (fails on anything else)."""
    text = buffer.getvalue()
    assert text.endswith("\n")
    parsed = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(entry, dict) for entry in parsed)
    return parsed


def test_settings_read_the_format(tmp_path: Path) -> None:
    assert load(env_for(tmp_path, "sqlite://")).log_format == "text"
    assert load(env_for(tmp_path, "sqlite://", RAPORTO_LOG_FORMAT="json")).log_format == "json"
    with pytest.raises(ConfigError, match="RAPORTO_LOG_FORMAT"):
        load(env_for(tmp_path, "sqlite://", RAPORTO_LOG_FORMAT="xml"))


def test_a_record_is_one_object_with_its_ids(json_stream: io.StringIO) -> None:
    logging.getLogger("raporto.test").warning("tip %s delivered", 42, extra={"delivery_id": 7})
    [entry] = lines(json_stream)
    assert entry["level"] == "WARNING" and entry["logger"] == "raporto.test"
    assert entry["message"] == "tip 42 delivered" and entry["delivery_id"] == 7
    assert isinstance(entry["process"], int) and str(entry["time"]).endswith("+00:00")


def test_an_exception_is_its_type_and_places_never_its_message(json_stream: io.StringIO) -> None:
    def fails(secret: str) -> None:
        try:
            raise KeyError(secret)
        except KeyError as exc:
            raise ValueError(f"could not file {secret}") from exc

    try:
        fails(f"{CANARY} {NUMBER}")
    except ValueError:
        logging.getLogger("raporto.test").exception("tip %s failed", 5)
    [entry] = lines(json_stream)
    assert entry["message"] == "tip 5 failed"
    exception = entry["exception"]
    assert isinstance(exception, dict)
    assert exception["type"] == "ValueError" and exception["caused_by"] == ["KeyError"]
    assert any("in fails" in frame for frame in exception["frames"])
    raw = json_stream.getvalue()
    assert CANARY not in raw and NUMBER.removeprefix("+") not in raw


def test_a_text_record_stays_one_readable_line() -> None:
    record = logging.LogRecord("raporto.x", logging.INFO, __file__, 1, "tip %s", (3,), None)
    assert logs.formatter("text").format(record).endswith("INFO raporto.x: tip 3")


def test_an_sms_tip_logs_json_lines_without_its_text(
    runtime: Runtime, json_stream: io.StringIO
) -> None:
    # Providers at a closed port: every alert's send fails at once, and is logged.
    runtime = with_sandbox(runtime, "http://127.0.0.1:9")
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow() - timedelta(days=1))
    client = create_app(runtime=runtime).test_client()
    logs.configure("DEBUG", "json")  # create_app configured text again: the settings say so
    form = sms_form(NUMBER, f"{CANARY}: një vajzë 15 vjeçe punon natën në një bar", "log-1")
    assert (
        client.post(SMS, data=form, headers=twilio_headers(runtime, SMS, form)).status_code == 200
    )
    runtime.queue.drain()  # type: ignore[attr-defined]
    entries = lines(json_stream)
    assert entries  # delivery failures (no provider here) are logged, by id
    raw = json_stream.getvalue()
    assert CANARY not in raw and NUMBER.removeprefix("+") not in raw
    assert "691119999" not in raw
