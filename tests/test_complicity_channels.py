"""An implicated agency's official acts from an alert sent before the tip implicated it: the
Telegram buttons, "OK code" by SMS and the call keypad are refused, said why, and audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from alerts.demo import DEMO_CHAT_BASE, DEMO_PHONE_BASE
from alerts.escalation import tick
from models.base import utcnow
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.complicity_helpers import (
    PLAIN_TIP,
    POLICE_FOLLOW_UP,
    POLICE_TIP,
    acknowledgers,
    add_by_reference,
    audited,
    deliveries,
    officials_of,
    roster,
    submit,
)
from tests.conftest import make_runtime
from tests.helpers import sms_form, telegram_callback, telegram_headers, twilio_headers

REFUSED_SQ = "Ky raportim trajtohet nga institucione të tjera"


@pytest.fixture
def full_text(tmp_path: Path, database_url: str) -> Runtime:
    """A runtime where "Show full text" may put the text in a chat."""
    return make_runtime(tmp_path, database_url, RAPORTO_FULL_TEXT_IN_TELEGRAM="1")


def implicated_later(runtime: Runtime) -> tuple[int, FlaskClient]:
    """A tip alerted to all six, then implicating the police by a follow-up."""
    roster(runtime)
    tip_id, reference = submit(runtime, PLAIN_TIP)
    add_by_reference(runtime, reference, POLICE_FOLLOW_UP)
    return tip_id, create_app(runtime=runtime).test_client()


def chair_alert(runtime: Runtime, tip_id: int) -> tuple[int, int, str]:
    """The police chair's first alert: delivery id, official id, acknowledgement code."""
    chair = officials_of(runtime, "police")[0]
    [alert] = deliveries(runtime, tip_id, official_id=chair, purpose="alert")
    return alert.id, chair, alert.ack_code or ""


def press(
    client: FlaskClient, runtime: Runtime, update_id: int, chat: int, data: str
) -> dict[str, str]:
    """Press a button; return the webhook's response, which answers the press."""
    response = client.post(
        "/webhooks/telegram",
        json=telegram_callback(update_id, chat, data),
        headers=telegram_headers(runtime),
    )
    assert response.status_code == 200
    body: dict[str, str] = response.get_json()
    return body


def notices(runtime: Runtime, official_id: int) -> list[dict[str, object]]:
    return [d.detail for d in deliveries(runtime, official_id=official_id, purpose="notice")]


def test_the_acknowledge_button_of_an_implicated_official_is_refused(full_text: Runtime) -> None:
    tip_id, client = implicated_later(full_text)
    delivery_id, chair, _code = chair_alert(full_text, tip_id)
    data = f"a:{delivery_id}:{full_text.alerts.sign('a', delivery_id, chair)}"
    answer = press(client, full_text, 1, DEMO_CHAT_BASE + 1, data)
    assert acknowledgers(full_text, tip_id) == set()
    # Answered in the chair's language, in the webhook's response; nothing is stored for it.
    assert answer["method"] == "answerCallbackQuery"
    assert answer["text"].startswith(REFUSED_SQ)
    assert notices(full_text, chair) == []
    assert [e.detail["attempted"] for e in audited(full_text, "complicity.refused")] == ["ack"]


def test_show_full_text_is_refused_to_an_implicated_official(full_text: Runtime) -> None:
    tip_id, client = implicated_later(full_text)
    delivery_id, chair, _code = chair_alert(full_text, tip_id)
    data = f"f:{delivery_id}:{full_text.alerts.sign('f', delivery_id, chair)}"
    answer = press(client, full_text, 1, DEMO_CHAT_BASE + 1, data)
    assert notices(full_text, chair) == []  # no text is sent, only the press answered
    assert answer["text"].startswith(REFUSED_SQ)
    assert audited(full_text, "tip.viewed") == []
    assert [e.detail["attempted"] for e in audited(full_text, "complicity.refused")] == [
        "full_text"
    ]


def test_ok_code_by_sms_from_an_implicated_official_is_refused_in_their_language(
    any_runtime: Runtime,
) -> None:
    tip_id, client = implicated_later(any_runtime)
    _delivery_id, chair, code = chair_alert(any_runtime, tip_id)
    form = sms_form(f"{DEMO_PHONE_BASE}01", f"OK {code}", "SM-ok-police")
    path = "/webhooks/twilio/sms"
    response = client.post(path, data=form, headers=twilio_headers(any_runtime, path, form))
    assert response.status_code == 200
    # SMS replies are folded to ASCII where needed; the refusal is in Albanian, the chair's.
    assert "Ky raportim trajtohet nga institucione" in response.get_data(as_text=True)
    assert acknowledgers(any_runtime, tip_id) == set()
    assert [e.actor for e in audited(any_runtime, "complicity.refused")] == [f"official:{chair}"]


def test_the_call_keypad_of_an_implicated_official_is_refused(any_runtime: Runtime) -> None:
    tip_id, client = implicated_later(any_runtime)
    delivery_id, chair, _code = chair_alert(any_runtime, tip_id)
    tag = any_runtime.alerts.sign("call", delivery_id, chair)
    path = f"/webhooks/twilio/alert-call/ack?d={delivery_id}&t={tag}"
    form = {"CallSid": "CA" + "4" * 32, "Digits": "1", "To": f"{DEMO_PHONE_BASE}01"}
    response = client.post(path, data=form, headers=twilio_headers(any_runtime, path, form))
    assert response.status_code == 200
    # The chair speaks Albanian: the refusal is played from its clip (its text is the same).
    assert "/voice-prompts/sq/alert_refused.wav?" in response.get_data(as_text=True)
    assert acknowledgers(any_runtime, tip_id) == set()
    assert [e.detail["via"] for e in audited(any_runtime, "complicity.refused")] == ["voice"]


@pytest.fixture
def flooded(tmp_path: Path, database_url: str) -> Runtime:
    """One alert per reporter and hour; the next tips wait for a digest."""
    return make_runtime(tmp_path, database_url, RAPORTO_FLOOD_PER_REPORTER_PER_HOUR="1")


def test_acknowledging_a_digest_skips_a_tip_implicating_the_official(flooded: Runtime) -> None:
    roster(flooded)
    submit(flooded, POLICE_TIP)  # alerted at once; the next tip is held for the digest
    held, reference = submit(flooded, PLAIN_TIP)
    later = utcnow() + timedelta(minutes=flooded.alerts.config.digest_minutes + 1)
    flooded.alerts.clock = lambda: later
    assert tick(flooded.alerts)["digested"] == 1
    chair = officials_of(flooded, "police")[0]
    [digest] = deliveries(flooded, official_id=chair, purpose="digest")
    assert digest.detail["tips"] == [held]
    add_by_reference(flooded, reference, POLICE_FOLLOW_UP)  # now it implicates the police
    client = create_app(runtime=flooded).test_client()
    form = sms_form(f"{DEMO_PHONE_BASE}01", f"OK {digest.ack_code}", "SM-digest-police")
    path = "/webhooks/twilio/sms"
    assert client.post(path, data=form, headers=twilio_headers(flooded, path, form)).status_code
    assert acknowledgers(flooded, held) == set()
