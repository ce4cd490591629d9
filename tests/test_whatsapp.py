"""WhatsApp through Twilio (issue 16): intake like SMS, media, the 24-hour window, end to end."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
import requests
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from alerts.content import fold
from alerts.demo import seed_demo_roster
from alerts.reporter_replies import fetch_telegram_attachment, send_outbound
from alerts.whatsapp_window import MARGIN, WAITING, WINDOW, window_open
from bot import consent, relay, sms_replies
from bot.spool_replay import replay
from bot.whatsapp_flow import Media, media_of
from models import store
from models.accounts import ReporterQuestion
from models.base import utcnow
from models.tables import Attachment, InboundMessage, OutboundMessage, Reporter, Tip
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from sandbox import SandboxServer, twilio_media
from tests.conftest import make_runtime, make_settings, with_sandbox
from tests.console_helpers import make_account
from tests.e2e import Stack, running_stack
from tests.helpers import row_counts, sms_form, twilio_headers, twilio_sid, wait_until
from tests.live import LiveServer

PATH = "/webhooks/twilio/whatsapp"
NUMBER = "+355691234567"
CRITICAL = (
    "Një vajzë 15 vjeçe mbahet e mbyllur në një shtëpi në Durrës, i kanë marrë pasaportën, "
    "sonte do ta çojnë në Itali"
)
PHOTO = b"\xff\xd8\xff\xe0 a small jpeg \xff\xd9"


def wa_form(number: str, body: str, sid: str, account: str = "AC" + "1" * 32) -> dict[str, str]:
    """The form Twilio posts for an inbound WhatsApp message."""
    form = sms_form("whatsapp:" + number, body, sid)
    return {
        **form,
        "AccountSid": account,
        "To": "whatsapp:+15005550006",
        "WaId": number.lstrip("+"),
        "ProfileName": "Ana",
    }


def post(client: FlaskClient, runtime: Runtime, form: dict[str, str]) -> list[str]:
    response = client.post(PATH, data=form, headers=twilio_headers(runtime, PATH, form))
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.transaction() as s:
        return list(s.execute(select(Tip).order_by(Tip.id)).scalars())


# ------------------------------------------------------------------ the 24-hour rule (pure)


def test_the_window_is_open_for_24_hours_less_a_margin_after_the_last_message() -> None:
    last = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert window_open(last, last)
    assert window_open(last, last + timedelta(hours=23, minutes=54))
    assert not window_open(last, last + WINDOW - MARGIN)
    assert not window_open(last, last + timedelta(hours=25))
    assert not window_open(None, last)
    assert not window_open(last, last - timedelta(seconds=1))  # a clock behind: not trusted
    # SQLite gives back naive UTC datetimes.
    assert window_open(last.replace(tzinfo=None), last + timedelta(hours=1))


def test_only_this_accounts_photos_and_voice_notes_are_taken_by_their_sids() -> None:
    account, message = "AC" + "a" * 32, "MM" + "b" * 32
    base = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/{message}/Media/"
    form = {
        "NumMedia": "4",
        "MediaUrl0": base + "ME" + "1" * 32,
        "MediaContentType0": "audio/ogg",
        "MediaUrl1": base + "ME" + "2" * 32,
        "MediaContentType1": "video/mp4",  # not kept
        "MediaUrl2": "https://evil.example/x",  # no Twilio media path
        "MediaContentType2": "image/png",
        "MediaUrl3": base.replace(account, "AC" + "c" * 32) + "ME" + "3" * 32,
        "MediaContentType3": "image/png",  # another account
    }
    assert media_of(form, account) == [Media(message, "ME" + "1" * 32, "audio/ogg", "voice")]
    assert media_of({**form, "NumMedia": "x"}, account) == []
    assert media_of({**form, "NumMedia": "-3"}, account) == []


# --------------------------------------------------------------- through the app, fake Twilio


@pytest.fixture
def fake(runtime: Runtime) -> Iterator[SandboxServer]:
    with SandboxServer(
        telegram_token=runtime.settings.telegram_bot_token,
        twilio_account_sid=runtime.settings.twilio_account_sid,
        twilio_auth_token=runtime.settings.twilio_auth_token,
    ) as server:
        yield server


@pytest.fixture
def rt(runtime: Runtime, fake: SandboxServer) -> Runtime:
    return with_sandbox(runtime, fake.url)


@pytest.fixture
def wa(rt: Runtime) -> FlaskClient:
    return create_app(runtime=rt).test_client()


def test_a_whatsapp_message_becomes_a_tip_with_its_code(wa: FlaskClient, rt: Runtime) -> None:
    [reply] = post(wa, rt, wa_form(NUMBER, "Vajza e fqinjit punon në Greqi pa pasaportë", "W1"))
    [tip] = tips(rt)
    assert tip.channel == "whatsapp" and tip.operator == "Vodafone" and tip.country == "AL"
    assert reply == consent.sms_receipt("sq", tip.reference, ask=True, channel="whatsapp")
    # The SMS words, with their letters: WhatsApp has no GSM-7 alphabet to fold them to.
    assert reply != consent.sms_receipt("sq", tip.reference, ask=True)
    assert fold(reply) == consent.sms_receipt("sq", tip.reference, ask=True)
    with rt.db.transaction() as s:
        [event] = s.execute(select(InboundMessage)).scalars()
        assert event.channel == "whatsapp" and event.tip_id == tip.id


def test_whatsapp_and_sms_from_one_number_are_two_pseudonyms(wa: FlaskClient, rt: Runtime) -> None:
    post(wa, rt, wa_form(NUMBER, "Një djalë lyp çdo ditë te Blloku", "W2"))
    form = sms_form(NUMBER, "Një djalë lyp çdo ditë te Blloku", "S2")
    path = "/webhooks/twilio/sms"
    assert wa.post(path, data=form, headers=twilio_headers(rt, path, form)).status_code == 200
    with rt.db.transaction() as s:
        reporters = list(s.execute(select(Reporter)).scalars())
        assert len(reporters) == 2 and reporters[0].pseudonym != reporters[1].pseudonym
    assert sorted(t.channel for t in tips(rt)) == ["sms", "whatsapp"]


def test_the_menu_a_choice_and_stop_work_as_by_sms(wa: FlaskClient, rt: Runtime) -> None:
    [menu] = post(wa, rt, wa_form(NUMBER, "MENU", "W3"))
    [lang] = [lang for lang in ("sq", "en") if menu == sms_replies.sms_menu(lang, "whatsapp")]
    [choice] = post(wa, rt, wa_form(NUMBER, "1", "W4"))
    assert choice == sms_replies.sms_choice(lang, "1", channel="whatsapp")
    assert tips(rt) == []  # neither the menu nor a choice is a report
    [stopped] = post(wa, rt, wa_form(NUMBER, "STOP", "W5"))
    assert stopped in (sms_replies.sms_stopped("sq"), sms_replies.sms_stopped("en"))
    assert post(wa, rt, wa_form(NUMBER, "Ka një punëtor pa pagë në Fier", "W6")) == []
    assert len(tips(rt)) == 1  # stored, but nothing more is said to that number


def test_a_forged_signature_gets_403_and_writes_nothing(wa: FlaskClient, rt: Runtime) -> None:
    form = wa_form(NUMBER, CRITICAL, "W7")
    before = row_counts(rt)
    headers = twilio_headers(rt, PATH, {**form, "Body": "something else"})
    assert wa.post(PATH, data=form, headers=headers).status_code == 403
    assert wa.post(PATH, data=form).status_code == 403
    assert row_counts(rt) == before


def test_a_sender_that_is_not_whatsapp_is_refused(wa: FlaskClient, rt: Runtime) -> None:
    form = {**wa_form(NUMBER, "test", "W8"), "From": NUMBER}
    response = wa.post(PATH, data=form, headers=twilio_headers(rt, PATH, form))
    assert response.status_code == 400
    assert tips(rt) == []


def test_a_photo_is_fetched_encrypted_then_deleted_at_twilio(wa: FlaskClient, rt: Runtime) -> None:
    message_sid = twilio_sid("MM", "W9")
    [(media_sid, _)] = twilio_media.keep(
        message_sid, [{"content_type": "image/jpeg", "data": base64.b64encode(PHOTO).decode()}]
    )
    account = rt.settings.twilio_account_sid
    form = {
        **wa_form(NUMBER, "", message_sid, account),
        "NumMedia": "2",
        "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/"
        f"{message_sid}/Media/{media_sid}",
        "MediaContentType0": "image/jpeg",
        # Another account's media is no file of this report.
        "MediaUrl1": f"https://api.twilio.com/2010-04-01/Accounts/AC{'2' * 32}/Messages/"
        f"{message_sid}/Media/ME{'3' * 32}",
        "MediaContentType1": "image/png",
    }
    [reply] = post(wa, rt, form)
    [tip] = tips(rt)
    assert tip.reference in reply
    with rt.db.transaction() as s:
        [attachment] = s.execute(select(Attachment)).scalars()
        assert attachment.status == "pending" and attachment.kind == "photo"
        attachment_id = attachment.id
        assert store.tip_text(rt.vault, tip) == "📷"  # a sign, read in either language
    assert fetch_telegram_attachment(rt.alerts, attachment_id) == "stored"
    with rt.db.transaction() as s:
        stored = s.get(Attachment, attachment_id)
        assert stored is not None and stored.status == "stored" and stored.source_enc is None
        assert stored.data_enc is not None and PHOTO not in stored.data_enc
        assert rt.vault.decrypt(stored.data_enc) == PHOTO
    assert media_sid in twilio_media.deleted
    assert twilio_media.get(message_sid, media_sid) is None


def agree(wa: FlaskClient, rt: Runtime, sid: str) -> Tip:
    post(wa, rt, wa_form(NUMBER, "A boy begs every day at the Tirana bus station", sid))
    [agreed] = post(wa, rt, wa_form(NUMBER, "yes", sid + "-yes"))
    assert "Thank you" in agreed
    [tip] = tips(rt)
    return tip


def ask(rt: Runtime, tip: Tip, text: str, user_id: int) -> int:
    with rt.db.transaction() as s:
        row = s.get(Tip, tip.id)
        assert row is not None
        assert relay.ask_reporter(s, rt.intake, row, text, actor="u", user_id=user_id) == "queued"
    with rt.db.transaction() as s:
        last = s.execute(select(ReporterQuestion).order_by(ReporterQuestion.id.desc())).scalar()
        assert last is not None and last.outbound_id is not None
        return last.outbound_id


def test_a_question_goes_by_whatsapp_within_24_hours_and_waits_after(
    wa: FlaskClient, rt: Runtime, fake: SandboxServer
) -> None:
    user_id = make_account(rt, "arben.hoxha", "onac")
    tip = agree(wa, rt, "W10")
    first = ask(rt, tip, "How old is the boy?", user_id)
    assert send_outbound(rt.alerts, first) == "sent"
    [sent] = fake.state.messages(channel="whatsapp", method="messages.create")
    assert sent.recipient == NUMBER and sent.extra["from"].startswith("whatsapp:")
    assert sent.text == relay.message("en", "whatsapp", tip.reference, "How old is the boy?").text

    # A day and more without a word from the reporter: the next question is held.
    with rt.db.transaction() as s:
        s.execute(update(Reporter).values(last_seen=utcnow() - timedelta(hours=25)))
    second = ask(rt, tip, "Is he there at night too?", user_id)
    assert send_outbound(rt.alerts, second) == "pending"
    assert send_outbound(rt.alerts, second) == "skipped"  # not due again before it is released
    with rt.db.transaction() as s:
        held = s.get(OutboundMessage, second)
        assert held is not None and held.last_error == WAITING and held.attempts == 0
        assert held.next_attempt_at.replace(tzinfo=UTC) > utcnow() + timedelta(days=300)
    assert len(fake.state.messages(channel="whatsapp", method="messages.create")) == 1
    assert fake.state.messages(channel="sms", method="messages.create") == []  # never an SMS

    # The reporter writes again: the held question is due at once, and goes out.
    post(wa, rt, wa_form(NUMBER, f"{tip.reference} he is about ten", "W10-again"))
    with rt.db.transaction() as s:
        held = s.get(OutboundMessage, second)
        assert held is not None and held.next_attempt_at.replace(tzinfo=UTC) <= utcnow()
    assert send_outbound(rt.alerts, second) == "sent"
    assert len(fake.state.messages(channel="whatsapp", method="messages.create")) == 2


def test_stop_on_whatsapp_ends_questions_there(wa: FlaskClient, rt: Runtime) -> None:
    user_id = make_account(rt, "arben.hoxha", "onac")
    tip = agree(wa, rt, "W11")
    outbound_id = ask(rt, tip, "How old is the boy?", user_id)
    post(wa, rt, wa_form(NUMBER, "STOP", "W11-stop"))
    assert send_outbound(rt.alerts, outbound_id) == "failed"
    with rt.db.transaction() as s:
        row = s.get(Tip, tip.id)
        assert row is not None and not relay.can_ask(s, row)


# ----------------------------------------------------------- duplicates over real HTTP


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, str]]:
    runtime = make_runtime(tmp_path, database_url)
    server = LiveServer(create_app(runtime=runtime)).start()
    yield runtime, server.url
    server.stop()
    runtime.db.dispose()


def test_one_whatsapp_message_delivered_50_times_makes_one_tip(
    live: tuple[Runtime, str],
) -> None:
    runtime, url = live
    form = wa_form(NUMBER, "Vajza punon pa pagë në Sarandë", "SM" + "e" * 32)
    headers = twilio_headers(runtime, PATH, form)

    def send() -> int:
        return requests.post(url + PATH, data=form, headers=headers, timeout=30).status_code

    statuses = [send() for _ in range(20)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses += list(pool.map(lambda _: send(), range(10)))
    statuses += [send() for _ in range(20)]
    assert statuses == [200] * 50
    counts = row_counts(runtime)
    assert counts["tips"] == 1 and counts["inbound_messages"] == 1


# ------------------------------------------------------------------------------ fuzzing

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # no UTF-8 form can carry them
text = st.text(st.characters(codec="utf-8", exclude_categories=SURROGATES), max_size=200)
fields = st.sampled_from(
    [
        "MessageSid",
        "From",
        "Body",
        "NumMedia",
        "MediaUrl0",
        "MediaContentType0",
        "MediaUrl1",
        "WaId",
        "ProfileName",
    ]
)


@FUZZ
@given(form=st.dictionaries(fields | text, text, max_size=8), whatsapp=st.booleans())
def test_fuzzed_whatsapp_forms_never_5xx(
    client: FlaskClient, runtime: Runtime, form: dict[str, str], whatsapp: bool
) -> None:
    if whatsapp and "From" in form:
        form = {**form, "From": "whatsapp:" + form["From"]}
    before = row_counts(runtime)
    response = client.post(PATH, data=form, headers=twilio_headers(runtime, PATH, form))
    assert response.status_code < 500
    if response.status_code >= 400:
        assert row_counts(runtime) == before
    with runtime.db.transaction() as s:
        tip_ids = {t.id for t in s.execute(select(Tip)).scalars()}
        for event in s.execute(select(InboundMessage)).scalars():
            assert event.tip_id is None or event.tip_id in tip_ids
        for attachment in s.execute(select(Attachment)).scalars():
            assert attachment.tip_id in tip_ids


# ---------------------------------------------------------------- end to end, sandbox


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url) as running:
        with running.runtime.db.transaction() as session:
            seed_demo_roster(session, running.runtime.vault, running.runtime.pseudonym, utcnow())
        yield running


def test_a_critical_whatsapp_tip_with_a_photo_reaches_the_six_officials(stack: Stack) -> None:
    result = stack.control(
        "/sandbox/twilio/whatsapp",
        **{
            "from": "+355692220000",
            "body": CRITICAL,
            "media": [{"content_type": "image/jpeg", "data": base64.b64encode(PHOTO).decode()}],
        },
    )
    assert result["status"] == 200
    runtime = stack.runtime
    with runtime.db.transaction() as s:
        tip = s.execute(select(Tip)).scalar_one()
    assert tip.channel == "whatsapp" and tip.band == "critical"
    [reply] = result["replies"]
    assert tip.reference in reply
    [echo] = stack.sent("whatsapp", "+355692220000")
    assert echo.text == reply
    chats = [str(900000 + i) for i in range(1, 7)]

    def alerted() -> list[str]:
        return [c for c in chats if stack.sent("telegram", c, method="sendMessage")]

    wait_until(lambda: len(alerted()) == 6)
    for chat in chats:
        assert tip.reference in stack.sent("telegram", chat, method="sendMessage")[-1].text

    def stored() -> Attachment | None:
        with runtime.db.transaction() as s:
            row = s.execute(select(Attachment)).scalar_one()
            return row if row.status == "stored" else None

    attachment = wait_until(stored)
    assert runtime.vault.decrypt(attachment.data_enc) == PHOTO
    # Fetched, then deleted at Twilio; the message itself is erased a minute on (the outbox).
    wait_until(lambda: twilio_media.kept_for(result["message_sid"]) == [])
    assert not [m for m in stack.sent("sms") if m.recipient == "+355692220000"]


@pytest.mark.postgres
def test_with_the_database_down_a_whatsapp_message_is_spooled_and_its_code_follows_on_whatsapp(
    tmp_path: Path, pg_url: str
) -> None:
    """As an SMS: a neutral receipt now, the tip (with its photo) and the code once replayed."""
    up = make_runtime(tmp_path, pg_url)
    down = build_runtime(
        make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/x"), queue=up.queue
    )
    app = create_app(runtime=down)
    app.extensions["raporto.spool_drainer"].stop()
    account = up.settings.twilio_account_sid
    base = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/"
    form = {
        **wa_form(NUMBER, CRITICAL, "W-down", account),
        "NumMedia": "1",
        "MediaUrl0": base + "MM" + "2" * 32 + "/Media/ME" + "3" * 32,
        "MediaContentType0": "image/jpeg",
    }
    response = app.test_client().post(PATH, data=form, headers=twilio_headers(up, PATH, form))
    assert response.status_code == 200
    [receipt] = [m.text or "" for m in ET.fromstring(response.data).iter("Message")]
    assert "ë" in receipt or "follow" in receipt  # neutral, not folded to ASCII
    spool = up.intake.spool
    assert spool is not None and len(spool.entries()) == 1 and tips(up) == []
    assert replay(up.intake, spool)["replayed"] == 1
    [tip] = tips(up)
    assert tip.channel == "whatsapp" and tip.answers["spooled"] is True
    with up.db.transaction() as s:
        [row] = (
            s.execute(select(OutboundMessage).where(OutboundMessage.channel != "erase"))
            .scalars()
            .all()
        )
        payload = up.vault.decrypt_json(row.payload_enc)
        [photo] = s.execute(select(Attachment)).scalars().all()
    # The code goes out on WhatsApp (never as an SMS) to the number without its prefix.
    assert row.channel == "whatsapp" and payload["receipt"] is True and payload["to"] == NUMBER
    assert tip.reference in payload["text"]
    assert photo.tip_id == tip.id and photo.status == "pending"
    up.db.dispose()


def test_a_malformed_message_sid_is_refused_with_400_and_nothing_written(
    wa: FlaskClient, rt: Runtime
) -> None:
    form = {**wa_form(NUMBER, CRITICAL, "W12"), "MessageSid": "SM../../Accounts"}
    before = row_counts(rt)
    response = wa.post(PATH, data=form, headers=twilio_headers(rt, PATH, form))
    assert response.status_code == 400 and "MessageSid" in response.get_data(as_text=True)
    assert row_counts(rt) == before


def test_a_json_body_is_refused_not_a_500(wa: FlaskClient, rt: Runtime) -> None:
    headers = {**twilio_headers(rt, PATH, {}), "Content-Type": "application/json"}
    response = wa.post(PATH, data="[" * 5000 + "]" * 5000, headers=headers)
    assert 400 <= response.status_code < 500
    assert row_counts(rt)["tips"] == 0
