"""Acknowledgements are authorised: wrong chat, altered data and replayed codes are refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from alerts.demo import DEMO_CHAT_BASE, DEMO_PHONE_BASE, seed_demo_roster
from alerts.roster import new_enrolment_code
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.roster import Official
from models.tables import AuditEntry, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.helpers import (
    sms_form,
    telegram_callback,
    telegram_headers,
    telegram_message,
    twilio_headers,
)

SMS = "/webhooks/twilio/sms"


@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow())
    return create_app(runtime=runtime).test_client()


def send_sms(client: FlaskClient, runtime: Runtime, sender: str, body: str, sid: str) -> bytes:
    form = sms_form(sender, body, sid)
    response = client.post(SMS, data=form, headers=twilio_headers(runtime, SMS, form))
    assert response.status_code == 200
    return response.data


def a_tip(client: FlaskClient, runtime: Runtime) -> Tip:
    send_sms(
        client,
        runtime,
        "+355691110000",
        "Dy djem 12 vjeç lypin çdo ditë në Tiranë, një burrë ua merr paratë",
        "SM-tip",
    )
    with runtime.db.transaction() as s:
        return s.execute(select(Tip)).scalar_one()


def delivery_of(runtime: Runtime, tip: Tip, index: int) -> Delivery:
    with runtime.db.transaction() as s:
        return (
            s.execute(
                select(Delivery).where(Delivery.tip_id == tip.id).order_by(Delivery.official_id)
            )
            .scalars()
            .all()[index]
        )


def press(client: FlaskClient, runtime: Runtime, update_id: int, chat: int, data: str) -> None:
    response = client.post(
        "/webhooks/telegram",
        json=telegram_callback(update_id, chat, data),
        headers=telegram_headers(runtime),
    )
    assert response.status_code == 200


def acks(runtime: Runtime) -> int:
    with runtime.db.transaction() as s:
        return s.query(Acknowledgement).count()


def refusals(runtime: Runtime) -> int:
    with runtime.db.transaction() as s:
        return s.query(AuditEntry).filter_by(action="ack.refused").count()


def test_each_active_official_gets_one_delivery_in_the_tips_commit(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    with runtime.db.transaction() as s:
        rows = s.execute(select(Delivery).where(Delivery.tip_id == tip.id)).scalars().all()
        officials = {o.id: o for o in s.execute(select(Official)).scalars()}
    assert len(rows) == 6 and len({r.official_id for r in rows}) == 6
    assert all(officials[r.official_id].role != "onac" for r in rows)
    assert all(r.channel == "telegram" and r.status == "pending" for r in rows)


def test_a_button_pressed_from_another_officials_chat_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    first = delivery_of(runtime, tip, 0)
    data = f"a:{first.id}:{runtime.alerts.sign('a', first.id, first.official_id)}"
    press(client, runtime, 1, DEMO_CHAT_BASE + 2, data)  # official 2's chat
    press(client, runtime, 2, 424242, data)  # not an official at all
    assert acks(runtime) == 0 and refusals(runtime) == 2
    press(client, runtime, 3, DEMO_CHAT_BASE + 1, data)  # the right chat
    assert acks(runtime) == 1


@pytest.mark.parametrize("tamper", ["tag", "id", "action", "garbage"])
def test_altered_callback_data_is_refused(
    client: FlaskClient, runtime: Runtime, tamper: str
) -> None:
    tip = a_tip(client, runtime)
    first = delivery_of(runtime, tip, 0)
    tag = runtime.alerts.sign("a", first.id, first.official_id)
    data = {
        "tag": f"a:{first.id}:{'0' * len(tag)}",
        "id": f"a:{first.id + 1}:{tag}",
        "action": f"f:{first.id}:{tag}",
        "garbage": f"a:{first.id}:{tag}x",
    }[tamper]
    press(client, runtime, 1, DEMO_CHAT_BASE + 1, data)
    assert acks(runtime) == 0
    assert refusals(runtime) == 1


def test_sms_ok_code_from_the_enrolled_number_acknowledges_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    first = delivery_of(runtime, tip, 0)
    phone = f"{DEMO_PHONE_BASE}01"
    assert b"U konfirmua" in send_sms(client, runtime, phone, f"OK {first.ack_code}", "SM-ok1")
    send_sms(client, runtime, phone, f"OK {first.ack_code}", "SM-ok2")  # replayed
    assert acks(runtime) == 1
    with runtime.db.transaction() as s:
        assert s.query(AuditEntry).filter_by(action="ack.duplicate").count() == 1
        assert s.query(Tip).count() == 1  # an official's reply is never a citizen's tip


def test_sms_code_from_another_officials_number_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    first = delivery_of(runtime, tip, 0)
    with runtime.db.transaction() as s:  # codes are random: make sure official 2's differ
        for d in s.execute(select(Delivery).where(Delivery.official_id != first.official_id)):
            d[0].ack_code = "0000" if first.ack_code != "0000" else "1111"
    send_sms(client, runtime, f"{DEMO_PHONE_BASE}02", f"OK {first.ack_code}", "SM-x")
    assert acks(runtime) == 0 and refusals(runtime) == 1


def test_the_call_keypad_acknowledges_only_with_a_valid_signature(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    first = delivery_of(runtime, tip, 0)
    good = runtime.alerts.sign("call", first.id, first.official_id)
    for tag, expected in (("0" * len(good), 0), (good, 1)):
        path = f"/webhooks/twilio/alert-call/ack?d={first.id}&t={tag}"
        form = {"CallSid": "CA" + "3" * 32, "Digits": "1", "To": f"{DEMO_PHONE_BASE}01"}
        response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
        assert response.status_code == 200
        assert acks(runtime) == expected
    # The first demo official speaks Albanian: "Acknowledged" is played, not said.
    assert played(ET.fromstring(response.data)) == ["alert_acked"]


def played(root: ET.Element) -> list[str]:
    """Return the voice clips a TwiML document plays, by name."""
    return [Path(urlparse(p.text or "").path).stem for p in root.iter("Play")]


def alert_call(client: FlaskClient, runtime: Runtime, tip: Tip, lang: str) -> ET.Element:
    """Answer the alert call of the first official of a language alerted about a tip."""
    with runtime.db.transaction() as s:
        delivery = (
            s.execute(
                select(Delivery)
                .join(Official, Official.id == Delivery.official_id)
                .where(Delivery.tip_id == tip.id, Official.language == lang)
                .order_by(Delivery.official_id)
            )
            .scalars()
            .first()
        )
        assert delivery is not None
        tag = runtime.alerts.sign("call", delivery.id, delivery.official_id)
        path = f"/webhooks/twilio/alert-call?d={delivery.id}&t={tag}"
    form = {"CallSid": "CA" + "5" * 32, "To": f"{DEMO_PHONE_BASE}01"}
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code == 200
    return ET.fromstring(response.data)


def test_an_albanian_alert_call_plays_the_band_and_the_code_one_character_at_a_time(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    root = alert_call(client, runtime, tip, "sq")
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    code = [f"char_{c}" for c in tip.reference if c != "-"]
    assert played(gather) == [f"alert_1_{tip.band}", *code, "alert_2"]
    assert list(root.iter("Say")) == []
    assert played(root)[-1] == "alert_goodbye"  # after the Gather: no key pressed


def test_an_english_alert_call_is_said_with_an_english_voice(
    client: FlaskClient, runtime: Runtime
) -> None:
    tip = a_tip(client, runtime)
    root = alert_call(client, runtime, tip, "en")
    assert played(root) == []
    says = list(root.iter("Say"))
    assert says and all(s.get("language") == "en-GB" for s in says)
    assert ", ".join(c for c in tip.reference if c != "-") in (says[0].text or "")


def test_an_enrolment_code_links_a_chat_once_and_expires(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.db.transaction() as s:
        official = s.execute(select(Official).order_by(Official.id)).scalars().first()
        assert official is not None
        code = new_enrolment_code(s, runtime.pseudonym, official, utcnow())
        expired_official = (
            s.execute(select(Official).order_by(Official.id.desc())).scalars().first()
        )
        assert expired_official is not None
        old = new_enrolment_code(
            s, runtime.pseudonym, expired_official, utcnow() - timedelta(days=10)
        )
        official_id = official.id
    headers = telegram_headers(runtime)
    client.post(
        "/webhooks/telegram", json=telegram_message(1, 5151, f"/start {code}"), headers=headers
    )
    client.post(
        "/webhooks/telegram", json=telegram_message(2, 6161, f"/start {code}"), headers=headers
    )  # the same code again, from someone else
    client.post(
        "/webhooks/telegram", json=telegram_message(3, 7171, f"/start {old}"), headers=headers
    )
    with runtime.db.transaction() as s:
        linked = s.get(Official, official_id)
        assert linked is not None
        assert linked.telegram_chat_key == runtime.pseudonym("official-tg", "5151")
        keys = {o.telegram_chat_key for o in s.execute(select(Official)).scalars()}
        assert runtime.pseudonym("official-tg", "6161") not in keys
        assert runtime.pseudonym("official-tg", "7171") not in keys
        assert s.query(AuditEntry).filter_by(action="official.enrolled").count() == 1
        # ONAC's duty officer is told of the new link (a chat taken over does not stay silent).
        onac = s.execute(select(Official).where(Official.role == "onac")).scalars().all()
        assert onac
        told = (
            s.execute(
                select(Delivery).where(
                    Delivery.purpose == "notice", Delivery.official_id.in_([o.id for o in onac])
                )
            )
            .scalars()
            .all()
        )
        assert len(told) == len(onac)
        assert all(d.detail["params"] == {"name": linked.name} for d in told)
