"""The sandbox's own Twilio signature matches twilio-python's RequestValidator."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from sandbox import twilio_signature

CALL = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}


def test_the_published_test_vector_matches() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, CALL) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_repeated_parameters_sort_their_values_like_twilio() -> None:
    params = MultiDict(
        [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    )
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    assert twilio_signature("12345", url, list(params.items(multi=True))) == (
        "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    )


@pytest.mark.parametrize(
    ("token", "url", "params"),
    [
        (
            "12345",
            "https://tips.example.org/twilio/sms",
            {
                "MessageSid": "SM" + "a" * 32,
                "From": "+355690000000",
                "To": "+15005550006",
                "Body": "Ndihmë!",
                "NumMedia": "0",
            },
        ),
        ("tok", "http://127.0.0.1:8000/webhooks/twilio/sms", {"Body": "Ndihmë! çka"}),
        ("tok", "https://x.example/voice?step=2&lang=sq", {"Digits": "1", "Body": "€ ñ 日本"}),
        ("another-token", "https://x.example/empty", {}),
        ("tok", "https://x.example/sorted", {"b": "1", "B": "2", "a": "", "_": "z"}),
    ],
)
def test_signature_equals_request_validator(token: str, url: str, params: dict[str, Any]) -> None:
    expected = RequestValidator(token).compute_signature(url, params)
    assert twilio_signature(token, url, params) == expected
    assert RequestValidator(token).validate(url, params, twilio_signature(token, url, params))


def test_a_different_url_gives_a_different_signature() -> None:
    params = {"Body": "Ndihmë! çka"}
    good = twilio_signature("tok", "https://a.example/sms", params)
    assert good != twilio_signature("tok", "http://a.example/sms", params)
