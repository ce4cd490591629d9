"""Intake per channel through the Flask app: one tip per event, codes, bursts, keywords."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from alerts.queue import InProcessQueue
from models import store
from models.base import utcnow
from models.tables import Attachment, InboundMessage, Reporter, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.helpers import (
    hotline_request,
    row_counts,
    sms_form,
    telegram_callback,
    telegram_headers,
    telegram_message,
    twilio_headers,
)
from tests.security_helpers import BEARER, health_client

SMS = "/webhooks/twilio/sms"


def send_sms(client: FlaskClient, runtime: Runtime, sender: str, body: str, sid: str) -> list[str]:
    form = sms_form(sender, body, sid)
    response = client.post(SMS, data=form, headers=twilio_headers(runtime, SMS, form))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


def test_an_sms_becomes_a_tip_and_the_reply_carries_its_code(
    client: FlaskClient, runtime: Runtime
) -> None:
    replies = send_sms(
        client, runtime, "+355691234567", "Vajza e fqinjit punon në Greqi pa pasaportë", "SM1"
    )
    [tip] = tips(runtime)
    assert tip.channel == "sms" and tip.operator == "Vodafone" and tip.country == "AL"
    assert len(replies) == 1 and tip.reference in replies[0]


def test_the_sms_reply_contains_no_endangering_word(client: FlaskClient, runtime: Runtime) -> None:
    bodies = ("Vajza e fqinjit është mbyllur në shtëpi", "My neighbour's daughter is locked in")
    for index, body in enumerate(bodies):
        [reply] = send_sms(client, runtime, f"+35568111111{index}", body, f"SM-e{index}")
        lowered = reply.lower()
        for word in ("traffick", "trafik", "polic", "raport", "report", "denonc", "abuse", "abuz"):
            assert word not in lowered


def test_the_same_message_sid_makes_one_tip_and_the_same_reply(
    client: FlaskClient, runtime: Runtime
) -> None:
    first = send_sms(client, runtime, "+355691234567", "Një djalë lyp çdo ditë te Blloku", "SM-dup")
    for _ in range(5):
        assert (
            send_sms(client, runtime, "+355691234567", "Një djalë lyp çdo ditë te Blloku", "SM-dup")
            == first
        )
    assert len(tips(runtime)) == 1
    assert row_counts(runtime)["inbound_messages"] == 1


def test_a_burst_of_sms_from_one_sender_joins_one_tip(
    client: FlaskClient, runtime: Runtime
) -> None:
    first = send_sms(client, runtime, "+355671234567", "Pjesa e parë e mesazhit", "SM-b1")
    second = send_sms(client, runtime, "+355671234567", "pjesa e dytë", "SM-b2")
    third = send_sms(client, runtime, "+355671234567", "dhe e treta", "SM-b3")
    [tip] = tips(runtime)
    assert tip.parts == 3 and tip.operator == "PLUS"
    assert first and not second and not third  # one acknowledgement per tip
    assert "e treta" in store.tip_text(runtime.vault, tip)


def test_sms_after_the_burst_window_start_a_new_tip(client: FlaskClient, runtime: Runtime) -> None:
    send_sms(client, runtime, "+355661234567", "Mesazhi i parë", "SM-w1")
    with runtime.db.transaction() as s:
        for tip in s.execute(select(Tip)).scalars():
            assert tip.burst_until is not None  # open for the next parts until then
            tip.burst_until = utcnow() - timedelta(seconds=1)
    send_sms(client, runtime, "+355661234567", "Një tjetër ngjarje", "SM-w2")
    assert len(tips(runtime)) == 2


def test_a_reference_code_in_an_sms_adds_to_that_tip(client: FlaskClient, runtime: Runtime) -> None:
    [reply] = send_sms(client, runtime, "+355691000001", "Dy vajza në një lokal në Vlorë", "SM-f1")
    reference = tips(runtime)[0].reference
    [added] = send_sms(
        client, runtime, "+355692000002", f"{reference} lokali quhet Dielli", "SM-f2"
    )
    [tip] = tips(runtime)
    assert reference in added and tip.follow_ups == 1
    assert "Dielli" in store.tip_text(runtime.vault, tip)


def test_stop_ends_all_messages_to_that_number(client: FlaskClient, runtime: Runtime) -> None:
    [stopped] = send_sms(client, runtime, "+355691234000", "STOP", "SM-s1")
    assert stopped
    assert send_sms(client, runtime, "+355691234000", "Një vajzë punon natën në bar", "SM-s2") == []
    assert send_sms(client, runtime, "+355691234000", "INFO", "SM-s3") == []
    assert len(tips(runtime)) == 1  # the report is still stored
    with runtime.db.transaction() as s:
        assert s.execute(select(Reporter.sms_opted_out)).scalar_one() is True


def test_info_keywords_answer_without_making_a_tip(client: FlaskClient, runtime: Runtime) -> None:
    for index, word in enumerate(("INFO", "ndihme", "HELP", "Menu")):
        [reply] = send_sms(client, runtime, "+355691239999", word, f"SM-k{index}")
        assert "116 006" in reply
    assert tips(runtime) == []


def post_update(client: FlaskClient, runtime: Runtime, update: dict) -> None:
    response = client.post("/webhooks/telegram", json=update, headers=telegram_headers(runtime))
    assert response.status_code == 200


def outbox_texts(runtime: Runtime) -> list[str]:
    from models.tables import OutboundMessage

    with runtime.db.transaction() as s:
        rows = s.execute(select(OutboundMessage).order_by(OutboundMessage.id)).scalars()
        return [runtime.vault.decrypt_json(r.payload_enc)["text"] for r in rows if r.payload_enc]


def test_the_guided_telegram_flow_stores_one_tip_with_answers(
    client: FlaskClient, runtime: Runtime
) -> None:
    user = 777001
    steps = [
        telegram_message(1, user, "/start"),
        telegram_callback(2, user, "lang:en"),
        telegram_callback(3, user, "menu:report"),
        telegram_message(4, user, "A girl of 15 works at night in a bar"),
        telegram_message(5, user, "Durrës, near the port"),
        telegram_callback(6, user, "ans:yes"),
        telegram_callback(7, user, "ans:no"),
        telegram_callback(8, user, "media:done"),
        telegram_callback(9, user, "confirm:send"),
    ]
    for update in steps:
        post_update(client, runtime, update)
    [tip] = tips(runtime)
    assert tip.submitted and tip.language == "en"
    assert tip.answers == {"minor": True, "danger_now": False}
    text = store.tip_text(runtime.vault, tip)
    assert "night in a bar" in text and "Durrës" in text
    assert tip.reference in outbox_texts(runtime)[-1]


def test_a_half_finished_draft_is_stored_but_not_submitted(
    client: FlaskClient, runtime: Runtime
) -> None:
    user = 777002
    for update in (
        telegram_message(1, user, "/start"),
        telegram_callback(2, user, "lang:sq"),
        telegram_callback(3, user, "menu:report"),
        telegram_message(4, user, "Një vajzë e mbyllur në Shkodër"),
    ):
        post_update(client, runtime, update)
    [tip] = tips(runtime)
    assert tip.submitted is False


def test_cancel_deletes_the_draft(client: FlaskClient, runtime: Runtime) -> None:
    user = 777003
    for update in (
        telegram_callback(1, user, "lang:sq"),
        telegram_callback(2, user, "menu:report"),
        telegram_message(3, user, "diçka"),
        telegram_callback(4, user, "cancel"),
    ):
        post_update(client, runtime, update)
    assert tips(runtime) == []


def test_free_telegram_text_opens_a_report_that_send_sends(
    client: FlaskClient, runtime: Runtime
) -> None:
    post_update(
        client, runtime, telegram_message(10, 777004, "Fëmijë që lypin te Sheshi Skënderbej")
    )
    [tip] = tips(runtime)
    assert not tip.submitted  # open for more messages, and the person is told so, in Albanian
    [received] = outbox_texts(runtime)
    assert received.startswith("E morëm") and tip.reference not in received
    post_update(client, runtime, telegram_callback(11, 777004, f"burst:send:{tip.id}"))
    [tip] = tips(runtime)
    assert tip.submitted
    assert any(tip.reference in text for text in outbox_texts(runtime))


def test_free_text_where_a_button_was_expected_is_added_to_the_report(
    client: FlaskClient, runtime: Runtime
) -> None:
    user = 777005
    for update in (
        telegram_callback(1, user, "lang:en"),
        telegram_callback(2, user, "menu:report"),
        telegram_message(3, user, "They took her passport"),
        telegram_callback(4, user, "skip"),
        telegram_message(5, user, "she is 16"),
    ):
        post_update(client, runtime, update)
    [tip] = tips(runtime)
    assert "she is 16" in store.tip_text(runtime.vault, tip)


def test_a_repeated_update_id_is_processed_once(client: FlaskClient, runtime: Runtime) -> None:
    for _ in range(5):
        post_update(
            client, runtime, telegram_message(99, 777006, "Punë në Itali, na morën dokumentet")
        )
    assert len(tips(runtime)) == 1
    assert row_counts(runtime)["inbound_messages"] == 1


def test_replies_are_queued_with_ids_only(client: FlaskClient, runtime: Runtime) -> None:
    assert isinstance(runtime.queue, InProcessQueue)
    post_update(client, runtime, telegram_message(5, 777007, "Test"))
    queued = list(runtime.queue._items.queue)
    assert queued and all(all(isinstance(i, int) for i in item[3]) for item in queued)


def voice(client: FlaskClient, runtime: Runtime, path: str, form: dict[str, str]) -> ET.Element:
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code == 200, response.data
    return ET.fromstring(response.data)


def test_the_voice_menu_records_a_report_and_reads_the_code(
    client: FlaskClient, runtime: Runtime
) -> None:
    call = {"CallSid": "CA" + "9" * 32, "From": "+355691111222", "To": "+15005550006"}
    root = voice(client, runtime, "/webhooks/twilio/voice", call)
    assert root.find("Gather") is not None
    root = voice(client, runtime, "/webhooks/twilio/voice/language", {**call, "Digits": "2"})
    assert "lang=en" in (root.findtext("Redirect") or "")
    root = voice(client, runtime, "/webhooks/twilio/voice/choice?lang=en", {**call, "Digits": "1"})
    assert root.find("Record") is not None
    form = {
        **call,
        "RecordingSid": "RE" + "7" * 32,
        "RecordingDuration": "14",
        "RecordingUrl": "https://api.twilio.com/x",
    }
    root = voice(client, runtime, "/webhooks/twilio/voice/recorded?lang=en", form)
    [tip] = tips(runtime)
    spoken = " ".join(s.text or "" for s in root.iter("Say"))
    assert ", ".join(c for c in tip.reference if c != "-") in spoken
    with runtime.db.transaction() as s:
        [attachment] = s.execute(select(Attachment)).scalars()
        assert attachment.status == "pending" and attachment.kind == "recording"
    # Triage reads only the placeholder text: the recording is still at least medium, so it is
    # alerted, until an official has listened (it was "not_a_tip" and never alerted).
    assert tip.triage_band == "not_a_tip" and tip.band == "medium"
    voice(client, runtime, "/webhooks/twilio/voice/recorded?lang=en", form)  # delivered again
    assert len(tips(runtime)) == 1
    with runtime.db.transaction() as s:
        kinds = sorted(s.execute(select(InboundMessage.kind)).scalars())
    assert kinds == ["call", "recording"]


def test_the_operator_choice_rings_all_configured_numbers(tmp_path, sqlite_url) -> None:
    from tests.conftest import make_runtime

    rt = make_runtime(tmp_path, sqlite_url, HOTLINE_OPERATOR_NUMBERS="+355411111,+355422222")
    client = create_app(runtime=rt).test_client()
    call = {"CallSid": "CA" + "8" * 32, "From": "+355691111222", "Digits": "3"}
    root = voice(client, rt, "/webhooks/twilio/voice/choice?lang=sq", call)
    assert [n.text for n in root.iter("Number")] == ["+355411111", "+355422222"]


RECORD = {
    "record_id": "HL-2026-0001",
    "received_at": "2026-11-25T10:00:00+01:00",
    "summary": "Telefonuesja tregon për një vajzë 16 vjeçe në Elbasan",
    "language": "sq",
    "caller_number": "0681234567",
    "minor": True,
}


def test_a_hotline_record_becomes_a_tip_once(client: FlaskClient, runtime: Runtime) -> None:
    body, headers = hotline_request(runtime, RECORD)
    first = client.post("/webhooks/hotline", data=body, headers=headers)
    again = client.post("/webhooks/hotline", data=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["reference"] == again.json["reference"] and again.json["duplicate"]
    [tip] = tips(runtime)
    assert tip.operator == "One" and tip.answers["minor"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"record_id": ""}, "record_id"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-11-25T10:00:00"}, "received_at"),
        ({"summary": ""}, "summary"),
        ({"language": "it"}, "language"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_hotline_record_gets_400_naming_the_field(
    client: FlaskClient, runtime: Runtime, change: dict, field: str
) -> None:
    body, headers = hotline_request(runtime, {**RECORD, **change})
    response = client.post("/webhooks/hotline", data=body, headers=headers)
    assert response.status_code == 400
    assert field in [f["field"] for f in response.json["fields"]]
    assert row_counts(runtime)["tips"] == 0


def test_health_reports_database_and_queue(runtime: Runtime) -> None:
    assert isinstance(runtime.queue, InProcessQueue)
    client = health_client(runtime)
    runtime.queue.start()
    try:
        response = client.get("/health", headers=BEARER)
    finally:
        runtime.queue.stop()
    assert response.status_code == 200
    assert response.json["database"] == "ok" and response.json["queue"] == "ok"
    assert response.json["alerts"]["workers"] == 1 and response.json["alerts"]["problems"] == []


def test_health_is_red_when_no_worker_is_alive(runtime: Runtime) -> None:
    response = health_client(runtime).get("/health", headers=BEARER)
    assert response.status_code == 503
    assert "no_worker" in response.json["alerts"]["problems"]


def test_health_is_503_when_the_database_is_down(tmp_path) -> None:
    from raporto.runtime import build_runtime
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, "postgresql://postgres@127.0.0.1:1/nothing")
    client = create_app(runtime=build_runtime(settings, queue=InProcessQueue())).test_client()
    response = client.get("/health")
    assert response.status_code == 503 and response.json == {"status": "red"}


@pytest.mark.parametrize("ask", ["{ref}", "status {ref}", "{low}?", "Statusi {spaced}"])
def test_a_reference_code_alone_asks_for_the_status_and_adds_nothing(
    client: FlaskClient, runtime: Runtime, ask: str
) -> None:
    send_sms(client, runtime, "+355691000011", "Një djalë lyp natën te Zogu i Zi", "SM-st1")
    [tip] = tips(runtime)
    ref = tip.reference
    body = ask.format(ref=ref, low=ref.lower(), spaced=ref.replace("-", " "))
    [reply] = send_sms(client, runtime, "+355692000022", body, "SM-st2")
    assert ref in reply
    assert "pret" in reply or "waiting" in reply
    with runtime.db.transaction() as s:
        stored = s.get(Tip, tip.id)
        assert stored is not None
        assert store.tip_text(runtime.vault, stored) == "Një djalë lyp natën te Zogu i Zi"
        stored.status = "closed"
    [closed] = send_sms(client, runtime, "+355692000022", body, "SM-st3")
    assert "mbyll" in closed or "closed" in closed
    assert "lyp" not in closed  # never a detail of the tip


def test_telegram_status_questions_tell_only_received_handled_or_closed(
    client: FlaskClient, runtime: Runtime
) -> None:
    post_update(client, runtime, telegram_message(1, 778001, "Punë në Greqi pa pagë, na mbajnë"))
    [tip] = tips(runtime)
    with runtime.db.transaction() as s:
        stored = s.get(Tip, tip.id)
        assert stored is not None
        stored.status = "acknowledged"
    post_update(client, runtime, telegram_message(2, 778002, f"status {tip.reference}"))
    assert outbox_texts(runtime)[-1].startswith(f"{tip.reference}: ")
    assert "trajtohet" in outbox_texts(runtime)[-1] or "handled" in outbox_texts(runtime)[-1]
