"""Twilio ids in any other format are refused with 400 and nothing written (issue 12, item 12).

MessageSid, CallSid and RecordingSid are kept and later put in Twilio API paths (recordings
fetched and deleted, messages and calls deleted): two letters and 32 hex digits, of their kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.helpers import row_counts, sms_form, twilio_headers

SMS = "/webhooks/twilio/sms"
VOICE = "/webhooks/twilio/voice"
RECORDED = "/webhooks/twilio/voice/recorded?lang=sq"
CALL = {"CallSid": "CA" + "c" * 32, "From": "+355691111222", "To": "+15005550006"}


def nothing_written(runtime: Runtime) -> bool:
    return all(count == 0 for count in row_counts(runtime).values())


@pytest.fixture
def db_runtime(tmp_path: Path, database_url: str) -> Runtime:
    return make_runtime(tmp_path, database_url)


@pytest.fixture
def db_client(db_runtime: Runtime) -> FlaskClient:
    return create_app(runtime=db_runtime).test_client()


BAD_SIDS = [
    "SM-tip",
    "../Calls/CA" + "a" * 32,
    "SM" + "a" * 31,
    "SM" + "a" * 33,
    "SM" + "g" * 32,
    "SM" + "a" * 32 + "\n",
    "SM" + "a" * 31 + "/",
    "CA" + "a" * 32,  # a call's id where a message's belongs
    "SM" + "١" * 32,
]


@pytest.mark.parametrize("sid", BAD_SIDS)
def test_an_sms_with_a_malformed_message_sid_is_refused_and_nothing_written(
    db_client: FlaskClient, db_runtime: Runtime, sid: str
) -> None:
    form = {**sms_form("+355691234567", "Ndihmë, vajza e fqinjit", "SM" + "e" * 32)}
    form["MessageSid"] = sid
    response = db_client.post(SMS, data=form, headers=twilio_headers(db_runtime, SMS, form))
    assert response.status_code == 400
    assert "MessageSid" in response.get_data(as_text=True)
    assert nothing_written(db_runtime)


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        (VOICE, "CallSid", "CA../Recordings"),
        (VOICE, "AccountSid", "AC" + "z" * 32),
        (RECORDED, "RecordingSid", "RE" + "a" * 30 + "/x"),
        (RECORDED, "RecordingSid", "CA" + "a" * 32),
        (RECORDED, "CallSid", "RE" + "a" * 32),
    ],
)
def test_voice_requests_with_malformed_ids_are_refused_and_nothing_written(
    db_client: FlaskClient, db_runtime: Runtime, path: str, field: str, value: str
) -> None:
    form = {**CALL, "RecordingSid": "RE" + "f" * 32, "RecordingDuration": "12", field: value}
    response = db_client.post(path, data=form, headers=twilio_headers(db_runtime, path, form))
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert nothing_written(db_runtime)


def test_well_formed_ids_are_taken(db_client: FlaskClient, db_runtime: Runtime) -> None:
    form = {**CALL, "RecordingSid": "RE" + "F0" * 16, "RecordingDuration": "١٢"}
    headers = twilio_headers(db_runtime, RECORDED, form)
    assert db_client.post(RECORDED, data=form, headers=headers).status_code == 200
    assert row_counts(db_runtime)["tips"] == 1
    form = sms_form("+355691234567", "Ndihmë", "MM" + "0" * 32)
    assert (
        db_client.post(SMS, data=form, headers=twilio_headers(db_runtime, SMS, form)).status_code
        == 200
    )
