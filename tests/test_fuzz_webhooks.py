"""Hypothesis-fuzzed, correctly signed bodies for every webhook: no 5xx, nothing half-written."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.tables import InboundMessage, Tip
from raporto.runtime import Runtime
from tests.helpers import hotline_request, row_counts, telegram_headers, twilio_headers

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)


def assert_consistent(runtime: Runtime) -> None:
    """Every stored tip is whole, and every event points at a tip that exists."""
    with runtime.db.transaction() as s:
        tips = {t.id: t for t in s.execute(select(Tip)).scalars()}
        for tip in tips.values():
            assert tip.reference and tip.channel and tip.text_enc is not None
        for event in s.execute(select(InboundMessage)).scalars():
            assert event.tip_id is None or event.tip_id in tips


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["MessageSid", "From", "To", "Body", "NumMedia", "SmsSid", "Extra"]) | text,
        text,
        max_size=7,
    )
)
def test_fuzzed_sms_forms(client: FlaskClient, runtime: Runtime, form: dict[str, str]) -> None:
    path = "/webhooks/twilio/sms"
    before = row_counts(runtime)
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code < 500
    if response.status_code >= 400:
        assert row_counts(runtime) == before
    assert_consistent(runtime)


@FUZZ
@given(body=json_values, update_id=st.integers(min_value=-5, max_value=2**40) | st.none() | text)
def test_fuzzed_telegram_updates(
    client: FlaskClient, runtime: Runtime, body: Any, update_id: Any
) -> None:
    if isinstance(body, dict) and update_id is not None:
        body = {**body, "update_id": update_id}
    before = row_counts(runtime)
    response = client.post(
        "/webhooks/telegram", data=json.dumps(body), headers=telegram_headers(runtime)
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        assert row_counts(runtime) == before
    assert_consistent(runtime)


@FUZZ
@given(
    message=st.fixed_dictionaries(
        {},
        optional={
            "text": text,
            "chat": json_values,
            "from": json_values,
            "photo": json_values,
            "voice": json_values,
            "location": json_values,
            "caption": text,
        },
    )
)
def test_fuzzed_telegram_messages_with_valid_envelopes(
    client: FlaskClient, runtime: Runtime, message: dict[str, Any]
) -> None:
    body = {
        "update_id": 1 + row_counts(runtime)["inbound_messages"],
        "message": {"message_id": 1, "date": 1, **message},
    }
    response = client.post(
        "/webhooks/telegram", data=json.dumps(body), headers=telegram_headers(runtime)
    )
    assert response.status_code < 500
    assert_consistent(runtime)


@FUZZ
@given(
    record=st.dictionaries(
        st.sampled_from(
            [
                "record_id",
                "received_at",
                "summary",
                "language",
                "minor",
                "danger_now",
                "operator",
                "caller_number",
                "contact_type",
                "follow_up_consent",
            ]
        )
        | text,
        json_values,
        max_size=10,
    )
)
def test_fuzzed_hotline_records(client: FlaskClient, runtime: Runtime, record: dict) -> None:
    body, headers = hotline_request(runtime, record)
    before = row_counts(runtime)
    response = client.post("/webhooks/hotline", data=body, headers=headers)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert row_counts(runtime) == before
    assert_consistent(runtime)


@FUZZ
@given(
    step=st.sampled_from(
        ["", "/language", "/menu?lang=sq", "/choice?lang=en", "/recorded?lang=xx"]
    ),
    form=st.dictionaries(
        st.sampled_from(["CallSid", "From", "Digits", "RecordingSid", "RecordingDuration"]),
        text,
        max_size=5,
    ),
)
def test_fuzzed_voice_steps(client: FlaskClient, runtime: Runtime, step: str, form: dict) -> None:
    path = "/webhooks/twilio/voice" + step
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code < 500
    assert_consistent(runtime)
