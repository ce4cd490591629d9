"""The same event delivered 50 times, 10 of them at once, over real HTTP: exactly one tip."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.helpers import (
    hotline_request,
    row_counts,
    sms_form,
    telegram_headers,
    telegram_message,
    twilio_headers,
)
from tests.live import LiveServer


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, str]]:
    runtime = make_runtime(tmp_path, database_url)
    server = LiveServer(create_app(runtime=runtime)).start()
    yield runtime, server.url
    server.stop()
    runtime.db.dispose()


def deliver_50_times(send: callable) -> list[int]:  # type: ignore[valid-type]
    statuses = [send() for _ in range(20)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses += list(pool.map(lambda _: send(), range(10)))
    statuses += [send() for _ in range(20)]
    return statuses


def test_one_sms_delivered_50_times_makes_one_tip(live: tuple[Runtime, str]) -> None:
    runtime, url = live
    path = "/webhooks/twilio/sms"
    form = sms_form("+355691234567", "Vajza punon pa pagë në Sarandë", "SM" + "d" * 32)
    headers = twilio_headers(runtime, path, form)
    statuses = deliver_50_times(
        lambda: requests.post(url + path, data=form, headers=headers, timeout=30).status_code
    )
    assert statuses == [200] * 50
    counts = row_counts(runtime)
    assert counts["tips"] == 1 and counts["inbound_messages"] == 1


def test_one_telegram_update_delivered_50_times_makes_one_tip(live: tuple[Runtime, str]) -> None:
    runtime, url = live
    update = telegram_message(4242, 555001, "Na morën pasaportat në Itali")
    statuses = deliver_50_times(
        lambda: (
            requests.post(
                url + "/webhooks/telegram",
                json=update,
                headers=telegram_headers(runtime),
                timeout=30,
            ).status_code
        )
    )
    assert statuses == [200] * 50
    counts = row_counts(runtime)
    assert counts["tips"] == 1 and counts["inbound_messages"] == 1
    assert counts["outbound_messages"] >= 1


def test_one_hotline_record_delivered_50_times_makes_one_tip(live: tuple[Runtime, str]) -> None:
    runtime, url = live
    record = {
        "record_id": "HL-race-1",
        "received_at": "2026-11-25T10:00:00+00:00",
        "summary": "Djalë 14 vjeç lyp në Tiranë",
    }
    body, headers = hotline_request(runtime, record)
    statuses = deliver_50_times(
        lambda: (
            requests.post(
                url + "/webhooks/hotline", data=body, headers=headers, timeout=30
            ).status_code
        )
    )
    assert statuses.count(201) == 1 and statuses.count(200) == 49
    assert row_counts(runtime)["tips"] == 1


def test_one_recording_delivered_50_times_makes_one_tip(live: tuple[Runtime, str]) -> None:
    runtime, url = live
    path = "/webhooks/twilio/voice/recorded?lang=sq"
    form = {
        "CallSid": "CA" + "5" * 32,
        "From": "+355691234567",
        "RecordingSid": "RE" + "5" * 32,
        "RecordingDuration": "30",
    }
    headers = twilio_headers(runtime, path, form)
    statuses = deliver_50_times(
        lambda: requests.post(url + path, data=form, headers=headers, timeout=30).status_code
    )
    assert statuses == [200] * 50
    counts = row_counts(runtime)
    assert counts["tips"] == 1 and counts["attachments"] == 1
