"""Forged, missing or misdirected signatures: 403 and nothing written; oversized bodies: 413."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from raporto.runtime import Runtime
from tests.helpers import (
    hotline_request,
    row_counts,
    sms_form,
    telegram_headers,
    telegram_message,
    twilio_headers,
)

SMS = "/webhooks/twilio/sms"


def _assert_nothing_written(runtime: Runtime) -> None:
    assert all(count == 0 for count in row_counts(runtime).values()), row_counts(runtime)


def test_a_correctly_signed_sms_is_accepted(client: FlaskClient, runtime: Runtime) -> None:
    form = sms_form("+355691234567", "Ndihmë, vajza e fqinjit", "SM" + "a" * 32)
    response = client.post(SMS, data=form, headers=twilio_headers(runtime, SMS, form))
    assert response.status_code == 200
    assert row_counts(runtime)["tips"] == 1


FORGERIES: dict[str, Callable[[Runtime, dict[str, str]], tuple[dict[str, str], dict[str, str]]]] = {
    "missing signature": lambda rt, f: (f, {}),
    "empty signature": lambda rt, f: (f, {"X-Twilio-Signature": ""}),
    "garbage signature": lambda rt, f: (f, {"X-Twilio-Signature": "AAAA"}),
    "altered parameter": lambda rt, f: (
        {**f, "Body": "something else"},
        twilio_headers(rt, SMS, f),
    ),
    "added parameter": lambda rt, f: ({**f, "Extra": "1"}, twilio_headers(rt, SMS, f)),
    "removed parameter": lambda rt, f: (
        {k: v for k, v in f.items() if k != "NumMedia"},
        twilio_headers(rt, SMS, f),
    ),
    "signed for another path": lambda rt, f: (f, twilio_headers(rt, "/webhooks/twilio/voice", f)),
    "signed for http": lambda rt, f: (
        f,
        {
            "X-Twilio-Signature": __import__("twilio.request_validator")
            .request_validator.RequestValidator(rt.settings.twilio_auth_token)
            .compute_signature("http://tips.example.org" + SMS, f)
        },
    ),
    "signed for another host": lambda rt, f: (
        f,
        {
            "X-Twilio-Signature": __import__("twilio.request_validator")
            .request_validator.RequestValidator(rt.settings.twilio_auth_token)
            .compute_signature("https://evil.example.org" + SMS, f)
        },
    ),
    "signed with another token": lambda rt, f: (
        f,
        {
            "X-Twilio-Signature": __import__("twilio.request_validator")
            .request_validator.RequestValidator("wrong-token")
            .compute_signature(rt.settings.public_base_url + SMS, f)
        },
    ),
}


@pytest.mark.parametrize("case", sorted(FORGERIES))
def test_a_forged_sms_is_refused_and_nothing_is_written(
    client: FlaskClient, runtime: Runtime, case: str
) -> None:
    form = sms_form("+355691234567", "Ndihmë", "SM" + "b" * 32)
    sent, headers = FORGERIES[case](runtime, form)
    response = client.post(SMS, data=sent, headers=headers)
    assert response.status_code == 403
    _assert_nothing_written(runtime)


def test_spoofed_forwarded_headers_do_not_make_a_signature_valid(
    client: FlaskClient, runtime: Runtime
) -> None:
    form = sms_form("+355691234567", "x", "SM" + "c" * 32)
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(runtime.settings.twilio_auth_token).compute_signature(
        "https://evil.example.org" + SMS, form
    )
    response = client.post(
        SMS,
        data=form,
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Host": "evil.example.org",
            "X-Forwarded-Proto": "https",
        },
    )
    assert response.status_code == 403
    _assert_nothing_written(runtime)


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/twilio/voice",
        "/webhooks/twilio/voice/language",
        "/webhooks/twilio/voice/menu",
        "/webhooks/twilio/voice/choice",
        "/webhooks/twilio/voice/recorded",
    ],
)
def test_unsigned_voice_steps_are_refused(client: FlaskClient, runtime: Runtime, path: str) -> None:
    form = {
        "CallSid": "CA" + "1" * 32,
        "From": "+355691234567",
        "Digits": "1",
        "RecordingSid": "RE" + "1" * 32,
    }
    assert client.post(path, data=form, headers={"X-Twilio-Signature": "x"}).status_code == 403
    _assert_nothing_written(runtime)


@pytest.mark.parametrize(
    "secret", [None, "", "wrong", "tg-webhook-secret", "tg-webhook-secret_0123456789x"]
)
def test_a_telegram_update_without_the_secret_is_refused(
    client: FlaskClient, runtime: Runtime, secret: str | None
) -> None:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    response = client.post(
        "/webhooks/telegram", json=telegram_message(1, 42, "hello"), headers=headers
    )
    assert response.status_code == 403
    _assert_nothing_written(runtime)


def test_a_telegram_update_with_the_secret_is_accepted(
    client: FlaskClient, runtime: Runtime
) -> None:
    response = client.post(
        "/webhooks/telegram",
        json=telegram_message(1, 42, "Ndihmë, vajza"),
        headers=telegram_headers(runtime),
    )
    assert response.status_code == 200
    assert row_counts(runtime)["tips"] == 1


RECORD = {
    "record_id": "R-1",
    "received_at": "2026-11-25T10:00:00+01:00",
    "summary": "Telefonatë për një vajzë në Durrës",
    "language": "sq",
}


def test_a_hotline_record_with_a_bad_signature_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    body, headers = hotline_request(runtime, RECORD)
    headers["X-Raporto-Signature"] = "0" * 64
    assert client.post("/webhooks/hotline", data=body, headers=headers).status_code == 403
    _assert_nothing_written(runtime)


def test_a_hotline_record_with_an_altered_body_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    body, headers = hotline_request(runtime, RECORD)
    altered = body.replace(b"R-1", b"R-2")
    assert client.post("/webhooks/hotline", data=altered, headers=headers).status_code == 403
    _assert_nothing_written(runtime)


@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_a_replayed_hotline_record_outside_the_window_is_refused(
    client: FlaskClient, runtime: Runtime, skew: int
) -> None:
    body, headers = hotline_request(runtime, RECORD, skew=skew)
    assert client.post("/webhooks/hotline", data=body, headers=headers).status_code == 403
    _assert_nothing_written(runtime)


def test_a_hotline_record_without_a_timestamp_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    body, headers = hotline_request(runtime, RECORD)
    del headers["X-Raporto-Timestamp"]
    assert client.post("/webhooks/hotline", data=body, headers=headers).status_code == 403
    _assert_nothing_written(runtime)


@pytest.mark.parametrize("path", [SMS, "/webhooks/telegram", "/webhooks/hotline"])
def test_bodies_above_the_limit_get_413_and_nothing_is_written(
    client: FlaskClient, runtime: Runtime, path: str
) -> None:
    big = b"x" * (runtime.settings.max_body_bytes + 1)
    response = client.post(
        path,
        data=big,
        headers={"Content-Type": "application/octet-stream", **telegram_headers(runtime)},
    )
    assert response.status_code == 413
    _assert_nothing_written(runtime)
