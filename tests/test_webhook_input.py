"""Malformed input on Twilio and the hotline (issue 12, items 2 and 10): answered, never a 500.

Lone surrogates and deeply nested JSON on Twilio and the hotline (Telegram's are in
test_poison_updates.py), and the signature check over the URL Twilio signs when the voice URL
carries connection overrides.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from models.tables import Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.helpers import hotline_request, row_counts, twilio_headers
from webhooks.security import hotline_signature

SMS = "/webhooks/twilio/sms"
VOICE = "/webhooks/twilio/voice"
RECORDED = "/webhooks/twilio/voice/recorded?lang=sq"
OVERRIDES = "rc=3&rp=ct,5xx"
CALL = {"CallSid": "CA" + "c" * 32, "From": "+355691111222", "To": "+15005550006"}


def nothing_written(runtime: Runtime) -> bool:
    return all(count == 0 for count in row_counts(runtime).values())


def tip_texts(runtime: Runtime) -> list[str]:
    with runtime.db.transaction() as s:
        tips = s.execute(select(Tip).order_by(Tip.id)).scalars()
        return [runtime.vault.decrypt_text(t.text_enc or b"") for t in tips]


@pytest.fixture
def db_runtime(tmp_path: Path, database_url: str) -> Runtime:
    return make_runtime(tmp_path, database_url)


@pytest.fixture
def db_client(db_runtime: Runtime) -> FlaskClient:
    return create_app(runtime=db_runtime).test_client()


def signed_raw_form(runtime: Runtime, path: str, raw: bytes) -> dict[str, str]:
    """Sign a raw urlencoded body as Twilio would, over the values the app will decode."""
    app = create_app(runtime=runtime)
    with app.test_request_context(
        path, method="POST", data=raw, content_type="application/x-www-form-urlencoded"
    ):
        from flask import request

        form = request.form.to_dict()
    headers = twilio_headers(runtime, path, form)
    return {**headers, "Content-Type": "application/x-www-form-urlencoded"}


# --- lone surrogates and nesting on Twilio and the hotline (item 2) -----------------------------


def test_a_surrogate_in_an_sms_is_taken_not_a_500(
    db_client: FlaskClient, db_runtime: Runtime
) -> None:
    # %ED%A0%80 is U+D800 written as UTF-8 would, if it could be: what a forger can send.
    raw = (
        b"MessageSid=SM" + b"d" * 32 + b"&From=%2B355691234567&To=%2B15005550006"
        b"&Body=Vajza+%ED%A0%80+punon+nat%C3%ABn+n%C3%AB+Durr%C3%ABs"
    )
    headers = signed_raw_form(db_runtime, SMS, raw)
    response = db_client.post(SMS, data=raw, headers=headers)
    assert response.status_code == 200
    [text] = tip_texts(db_runtime)
    assert "Vajza" in text and "Durrës" in text


def test_a_json_body_on_the_twilio_webhooks_is_refused_not_a_500(
    db_client: FlaskClient, db_runtime: Runtime
) -> None:
    body = "[" * 5000 + "]" * 5000
    for path in (SMS, VOICE, RECORDED):
        headers = {**twilio_headers(db_runtime, path, {}), "Content-Type": "application/json"}
        response = db_client.post(path, data=body, headers=headers)
        assert response.status_code < 500, path
    assert row_counts(db_runtime)["tips"] == 0


def test_a_surrogate_in_a_hotline_record_is_kept_replaced(
    db_client: FlaskClient, db_runtime: Runtime
) -> None:
    record = {
        "record_id": "HL-surrogate",
        "received_at": "2024-05-01T10:00:00+02:00",
        "summary": "Një vajzë \ud800 punon pa pagë në Fier",
    }
    body, headers = hotline_request(db_runtime, record)
    assert b"\\ud800" in body
    response = db_client.post("/webhooks/hotline", data=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert tip_texts(db_runtime) == ["Një vajzë \ufffd punon pa pagë në Fier"]


@pytest.mark.parametrize("depth", [40, 900, 5000])
def test_deeply_nested_hotline_json_is_a_400_not_a_500(
    db_client: FlaskClient, db_runtime: Runtime, depth: int
) -> None:
    body = (
        '{"record_id": "HL-deep", "received_at": "2024-05-01T10:00:00+02:00", '
        '"summary": "x", "operator": ' + "[" * depth + "]" * depth + "}"
    ).encode()
    timestamp = str(int(time.time()))
    secret = db_runtime.settings.hotline_hmac_secret
    headers = {
        "X-Raporto-Timestamp": timestamp,
        "X-Raporto-Signature": hotline_signature(secret, timestamp, body),
        "Content-Type": "application/json",
    }
    response = db_client.post("/webhooks/hotline", data=body, headers=headers)
    assert response.status_code == 400
    assert nothing_written(db_runtime)


def test_a_hotline_timestamp_in_other_digits_is_refused(
    db_client: FlaskClient, db_runtime: Runtime
) -> None:
    record = {"record_id": "HL-ts", "received_at": "2024-05-01T10:00:00+02:00", "summary": "x"}
    body = json.dumps(record).encode()
    eastern = str(int(time.time())).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    secret = db_runtime.settings.hotline_hmac_secret
    headers = {
        "X-Raporto-Timestamp": eastern,
        "X-Raporto-Signature": hotline_signature(secret, eastern, body),
        "Content-Type": "application/json",
    }
    assert db_client.post("/webhooks/hotline", data=body, headers=headers).status_code == 403
    assert nothing_written(db_runtime)


# --- the URL Twilio signs (item 10) -------------------------------------------------------------


def overrides_client(
    tmp_path: Path, database_url: str, overrides: str
) -> tuple[FlaskClient, Runtime]:
    runtime = make_runtime(tmp_path, database_url, TWILIO_CONNECTION_OVERRIDES=overrides)
    return create_app(runtime=runtime).test_client(), runtime


def signed_for(runtime: Runtime, url: str, form: dict[str, str]) -> dict[str, str]:
    validator = RequestValidator(runtime.settings.twilio_auth_token)
    return {"X-Twilio-Signature": validator.compute_signature(url, form)}


def test_the_voice_url_with_connection_overrides_is_checked_as_twilio_signs_it(
    tmp_path: Path, database_url: str
) -> None:
    client, runtime = overrides_client(tmp_path, database_url, OVERRIDES)
    base = runtime.settings.public_base_url
    # Twilio signs the URL as configured, fragment included; the fragment is never sent.
    headers = signed_for(runtime, f"{base}{VOICE}#{OVERRIDES}", CALL)
    assert client.post(VOICE, data=CALL, headers=headers).status_code == 200
    assert row_counts(runtime)["inbound_messages"] == 1  # the call was counted
    # The next steps come from our TwiML, whose URLs carry no fragment.
    step = {**CALL, "Digits": "1"}
    headers = signed_for(runtime, f"{base}{VOICE}/language", step)
    assert client.post(f"{VOICE}/language", data=step, headers=headers).status_code == 200


def test_a_fragment_other_than_the_configured_one_is_refused(
    tmp_path: Path, database_url: str
) -> None:
    client, runtime = overrides_client(tmp_path, database_url, OVERRIDES)
    base = runtime.settings.public_base_url
    headers = signed_for(runtime, f"{base}{VOICE}#rc=5", CALL)
    assert client.post(VOICE, data=CALL, headers=headers).status_code == 403
    assert nothing_written(runtime)


def test_without_configured_overrides_a_fragment_signature_is_refused(
    db_client: FlaskClient, db_runtime: Runtime
) -> None:
    base = db_runtime.settings.public_base_url
    headers = signed_for(db_runtime, f"{base}{VOICE}#{OVERRIDES}", CALL)
    assert db_client.post(VOICE, data=CALL, headers=headers).status_code == 403
    assert nothing_written(db_runtime)


@pytest.mark.parametrize("digits", ["²", "١", "１", "99999999999999999999"])
def test_keypad_digits_other_than_ascii_are_no_choice_not_a_500(
    db_client: FlaskClient, db_runtime: Runtime, digits: str
) -> None:
    path = "/webhooks/twilio/voice/info/topic?lang=sq"
    form = {**CALL, "Digits": digits}
    response = db_client.post(path, data=form, headers=twilio_headers(db_runtime, path, form))
    assert response.status_code == 200
    assert "/webhooks/twilio/voice/menu" in response.get_data(as_text=True)  # back to the menu
