"""Questions from officials relayed to reporters who agreed (issue 5), through the real webhooks.

End to end through the sandbox (Telegram and SMS), and through the Flask app with the outbox
sent to a fake provider for the refusals: no consent, STOP, withdrawal, expired handles.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from alerts.demo import AGENCIES, OFFICIALS
from alerts.reporter_replies import send_outbound
from alerts.twilio_erasure import ERASE_CHANNEL
from bot import consent, relay
from bot.intake import caller_from_phone, new_tip
from locales.i18n import gettext
from models import store
from models.accounts import ReporterQuestion
from models.base import utcnow
from models.reference import find_reference
from models.tables import AuditEntry, Conversation, OutboundMessage, ReplyHandle, Reporter, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.conftest import with_sandbox
from tests.console_helpers import make_account
from tests.e2e import Stack, running_stack
from tests.helpers import (
    row_counts,
    sms_form,
    telegram_callback,
    telegram_headers,
    telegram_message,
    twilio_headers,
)

# ---------------------------------------------------------------------------------- helpers


def official(runtime: Runtime) -> tuple[int, list[str]]:
    """A console account; return its id and names (people, agencies) that must never be relayed."""
    user_id = make_account(runtime, "arben.hoxha", "onac")
    names = [name for name, *_ in OFFICIALS] + [n for a in AGENCIES for n in a[:3]]
    return user_id, ["arben.hoxha", "hoxha", *names]


def ask(runtime: Runtime, reference: str, question: str, user_id: int) -> str:
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None
        return relay.ask_reporter(
            s, runtime.intake, tip, question, actor=f"user:{user_id}", user_id=user_id
        )


def can(runtime: Runtime, reference: str) -> bool:
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None
        return relay.can_ask(s, tip)


def only_tip(runtime: Runtime) -> Tip:
    with runtime.db.transaction() as s:
        [tip] = s.execute(select(Tip)).scalars()
        return tip


def tip_text(runtime: Runtime, reference: str) -> str:
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None
        return store.tip_text(runtime.vault, tip)


def audits(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.transaction() as s:
        return list(
            s.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            ).scalars()
        )


def questions(runtime: Runtime) -> list[ReporterQuestion]:
    with runtime.db.transaction() as s:
        return list(s.execute(select(ReporterQuestion).order_by(ReporterQuestion.id)).scalars())


def counts(runtime: Runtime) -> dict[str, int]:
    found = row_counts(runtime)
    with runtime.db.transaction() as s:
        # Deletions queued for Twilio's log (alerts/twilio_erasure.py) are no message to anyone.
        found["outbound_messages"] -= s.execute(
            select(func.count()).where(OutboundMessage.channel == ERASE_CHANNEL)
        ).scalar_one()
        found["reporter_questions"] = s.execute(
            select(func.count()).select_from(ReporterQuestion)
        ).scalar_one()
    return found


def buttons(markup: dict[str, Any] | None) -> list[str]:
    return [b["callback_data"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


def assert_ids_only(entry: AuditEntry) -> None:
    """Audit details are ids, booleans, channel and result names: never text or numbers."""
    allowed = {"tip_id", "given", "channel", "question_id", "user_id", "result"}
    assert set(entry.detail) <= allowed
    for key, value in entry.detail.items():
        if key in ("channel", "result"):
            assert value in ("telegram", "sms", "queued", "no_consent", "unreachable")
        else:
            assert value is None or isinstance(value, bool | int)


# ------------------------------------------------------------------ end to end (sandbox)


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    with running_stack(tmp_path, database_url) as running:
        yield running


def test_a_telegram_reporter_agrees_gets_the_question_and_the_answer_lands_on_the_tip(
    stack: Stack,
) -> None:
    runtime, user = stack.runtime, 881001
    user_id, names = official(runtime)

    def send(count: int, **step: object) -> list[Any]:
        result = stack.control("/sandbox/telegram/updates", user_id=user, sync=True, **step)
        assert result["webhook"]["status"] == 200
        return stack.wait_sent(count, "telegram", str(user))

    send(1, text="/start")
    send(2, callback_data="lang:en")
    send(3, text="They keep my passport at the farm near Fier")  # "Received… or press Send"
    tip = only_tip(runtime)
    sent = send(5, callback_data=f"burst:send:{tip.id}")
    thanks, question = sent[3], sent[4]
    assert find_reference(thanks.text) == tip.reference
    assert question.text == consent.question("en", tip).text
    assert buttons(question.extra["reply_markup"]) == [
        f"consent:yes:{tip.id}",
        f"consent:no:{tip.id}",
    ]
    assert not can(runtime, tip.reference)  # asked, not yet answered
    assert ask(runtime, tip.reference, "Where is the farm?", user_id) == "no_consent"

    send(6, callback_data=f"consent:yes:{tip.id}")
    assert can(runtime, tip.reference)
    assert only_tip(runtime).answers["follow_up_consent"] is True
    asked = "Is it the farm on the road to Levan, with the blue gate?"
    assert ask(runtime, tip.reference, asked, user_id) == "queued"
    relayed = stack.wait_sent(7, "telegram", str(user))[-1]  # it arrives by itself
    assert relayed.text == relay.message("en", "telegram", tip.reference, asked).text
    assert asked in relayed.text and tip.reference in relayed.text
    assert not [n for n in names if n.lower() in relayed.text.lower()]
    assert buttons(relayed.extra["reply_markup"]) == ["consent:stop"]

    added = send(8, text=f"{tip.reference.lower()} yes, the blue gate, two men guard it")[-1]
    assert added.text == gettext(
        "en", "Thank you. We added this to %(reference)s.", reference=tip.reference
    )
    assert "the blue gate, two men guard it" in tip_text(runtime, tip.reference)
    [refused, queued] = questions(runtime)
    assert (refused.status, refused.outbound_id) == ("refused", None)
    assert queued.status == "queued" and queued.user_id == user_id
    assert runtime.vault.decrypt_text(queued.body_enc or b"") == asked
    for entry in audits(runtime, "reporter.consent") + audits(runtime, "tip.ask"):
        assert_ids_only(entry)
    assert [e.detail["result"] for e in audits(runtime, "tip.ask")] == ["no_consent", "queued"]


def test_an_sms_reporter_agrees_by_replying_po_and_answers_with_the_code(stack: Stack) -> None:
    runtime, number = stack.runtime, "+355692001122"
    user_id, names = official(runtime)

    def sms(body: str) -> list[str]:
        result = stack.control("/sandbox/twilio/sms", **{"from": number, "body": body})
        assert result["status"] == 200
        replies: list[str] = result["replies"]
        return replies

    report = "Një vajzë 15 vjeçe mbahet në një shtëpi në Shkodër"
    [receipt] = sms(report)
    tip = only_tip(runtime)
    assert receipt == consent.sms_receipt("sq", tip.reference, ask=True)
    assert receipt.isascii() and len(receipt) <= 306 and "PO" in receipt
    assert not can(runtime, tip.reference)
    [agreed] = sms("Po")
    assert agreed.isascii() and tip.reference in agreed
    assert tip_text(runtime, tip.reference) == report  # "Po" was an answer, not part of the tip
    assert can(runtime, tip.reference)

    asked = "A është shtëpia pranë urës së Bunës?"
    assert ask(runtime, tip.reference, asked, user_id) == "queued"
    [relayed] = stack.wait_sent(1, "sms", number)
    assert relayed.text == relay.message("sq", "sms", tip.reference, asked).text
    assert relayed.text.isascii() and "A eshte shtepia prane ures se Bunes?" in relayed.text
    assert tip.reference in relayed.text
    assert not [n for n in names if n.lower() in relayed.text.lower()]

    [thanks] = sms(f"{tip.reference} Po, shtëpia e verdhë pas urës")
    assert tip.reference in thanks
    assert "shtëpia e verdhë pas urës" in tip_text(runtime, tip.reference)
    assert len(stack.wait_sent(1, "sms", number)) == 1  # no other SMS was ever sent first


# ------------------------------------------------------- through the app, outbox to a fake


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
def client(rt: Runtime) -> FlaskClient:
    return create_app(runtime=rt).test_client()


class Chat:
    """One Telegram user; each call returns the payloads the bot queued in answer."""

    def __init__(self, client: FlaskClient, runtime: Runtime, user: int) -> None:
        self.client, self.runtime, self.user, self.update = client, runtime, user, user * 100

    def _payloads(self) -> list[dict[str, Any]]:
        with self.runtime.db.transaction() as s:
            rows = s.execute(
                select(OutboundMessage)
                .where(OutboundMessage.channel == "telegram")
                .order_by(OutboundMessage.id)
            ).scalars()
            return [self.runtime.vault.decrypt_json(r.payload_enc) for r in rows if r.payload_enc]

    def _post(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self._payloads())
        response = self.client.post(
            "/webhooks/telegram", json=update, headers=telegram_headers(self.runtime)
        )
        assert response.status_code == 200
        return self._payloads()[before:]

    def say(self, text: str) -> list[dict[str, Any]]:
        self.update += 1
        return self._post(telegram_message(self.update, self.user, text))

    def press(self, data: str) -> list[dict[str, Any]]:
        self.update += 1
        return self._post(telegram_callback(self.update, self.user, data))

    def quiet(self) -> None:
        """Time passes: the report last written is no longer open for more messages."""
        with self.runtime.db.transaction() as s:
            s.execute(update(Tip).values(burst_until=utcnow() - timedelta(seconds=1)))

    def report(self, text: str) -> list[dict[str, Any]]:
        """Write a report and press Send under the one reply; return the replies to Send."""
        [received] = self.say(text)
        [send, _cancel] = [data for row in received["buttons"] for _, data in row]
        assert send.startswith("burst:send:")
        return self.press(send)


def sms(client: FlaskClient, runtime: Runtime, sender: str, body: str, sid: str) -> str:
    path = "/webhooks/twilio/sms"
    form = sms_form(sender, body, sid)
    response = client.post(path, data=form, headers=twilio_headers(runtime, path, form))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return text.split("<Message>")[1].split("</Message>")[0] if "<Message>" in text else ""


def agreed_on_telegram(client: FlaskClient, rt: Runtime, user: int) -> tuple[Chat, Tip]:
    chat = Chat(client, rt, user)
    chat.say("/start")
    chat.press("lang:sq")
    thanks, question = chat.report("Më mbajnë pasaportën në një fermë në Fier")
    tip = only_tip(rt)
    assert find_reference(thanks["text"]) == tip.reference
    assert [b[1] for row in question["buttons"] for b in row][0] == f"consent:yes:{tip.id}"
    chat.press(f"consent:yes:{tip.id}")
    assert can(rt, tip.reference)
    return chat, tip


def test_no_means_no_question_is_sent(
    client: FlaskClient, rt: Runtime, fake: SandboxServer
) -> None:
    user_id, _ = official(rt)
    chat = Chat(client, rt, 662001)
    chat.say("/start")
    chat.press("lang:en")
    chat.report("A boy begs every day at the bus station")
    tip = only_tip(rt)
    [answer] = chat.press(f"consent:no:{tip.id}")
    assert answer["text"] == gettext("en", "Understood. No questions will be sent to you.")
    assert only_tip(rt).answers["follow_up_consent"] is False
    before = counts(rt)
    assert ask(rt, tip.reference, "How old is the boy?", user_id) == "no_consent"
    after = counts(rt)
    assert after["outbound_messages"] == before["outbound_messages"]
    assert after["reporter_questions"] == before["reporter_questions"] + 1
    [row] = questions(rt)
    assert row.status == "refused" and row.outbound_id is None
    [given] = [e.detail["given"] for e in audits(rt, "reporter.consent")]
    assert given is False


def test_an_sms_reporter_who_ignores_the_question_is_never_texted(
    client: FlaskClient, rt: Runtime, fake: SandboxServer
) -> None:
    user_id, _ = official(rt)
    receipt = sms(client, rt, "+355693330001", "Punëtorë pa pagë në një punishte në Fier", "SM-1")
    tip = only_tip(rt)
    assert receipt == consent.sms_receipt("sq", tip.reference, ask=True)
    assert ask(rt, tip.reference, "Sa punëtorë janë?", user_id) == "no_consent"
    assert counts(rt)["outbound_messages"] == 0
    with rt.db.transaction() as s:  # no number was kept for a reporter who did not agree
        assert s.execute(select(ReplyHandle).where(ReplyHandle.channel == "sms")).first() is None


def test_stop_withdraws_consent_and_a_question_queued_before_it_is_not_sent(
    client: FlaskClient, rt: Runtime, fake: SandboxServer
) -> None:
    user_id, _ = official(rt)
    number = "+355693330002"
    sms(client, rt, number, "Një vajzë punon natën në një bar në Durrës", "SM-2")
    tip = only_tip(rt)
    sms(client, rt, number, "YES", "SM-3")
    assert can(rt, tip.reference)
    assert ask(rt, tip.reference, "Sa vjeçe është?", user_id) == "queued"
    [queued] = questions(rt)
    assert sms(client, rt, number, "STOP", "SM-4")
    assert not can(rt, tip.reference)
    assert queued.outbound_id is not None
    assert send_outbound(rt.alerts, queued.outbound_id) == "failed"
    assert fake.state.messages(channel="sms", method="messages.create") == []
    assert ask(rt, tip.reference, "A jeni mirë?", user_id) == "no_consent"
    sms(client, rt, number, "START", "SM-5")  # messages again, but no questions without a new yes
    assert not can(rt, tip.reference)
    with rt.db.transaction() as s:
        assert s.execute(select(ReplyHandle).where(ReplyHandle.channel == "sms")).first() is None
    assert [e.detail["given"] for e in audits(rt, "reporter.consent")] == [True, False]


def test_a_question_reaches_an_sms_reporter_who_agreed_through_the_fake_twilio(
    client: FlaskClient, rt: Runtime, fake: SandboxServer
) -> None:
    user_id, names = official(rt)
    number = "+355693330003"
    sms(client, rt, number, "A boy begs every day at the Tirana bus station", "SM-6")
    tip = only_tip(rt)
    # A second part joins the report silently; the question stays open until PO or YES.
    assert sms(client, rt, number, "near the ticket office", "SM-6b") == ""
    assert "Thank you" in sms(client, rt, number, "po", "SM-7")
    assert ask(rt, tip.reference, "How old is the boy?", user_id) == "queued"
    [queued] = questions(rt)
    assert queued.outbound_id is not None
    assert send_outbound(rt.alerts, queued.outbound_id) == "sent"
    [sent] = fake.state.messages(channel="sms", method="messages.create")
    assert sent.recipient == number
    assert sent.text == relay.message("en", "sms", tip.reference, "How old is the boy?").text
    assert not [n for n in names if n.lower() in sent.text.lower()]


def test_telegram_withdrawal_by_command_or_button_stops_questions(
    client: FlaskClient, rt: Runtime, fake: SandboxServer
) -> None:
    user_id, _ = official(rt)
    chat, tip = agreed_on_telegram(client, rt, 662002)
    assert ask(rt, tip.reference, "Cila fermë?", user_id) == "queued"
    [queued] = questions(rt)
    [stopped] = chat.say("/stopquestions")
    assert stopped["text"] == gettext("sq", "Understood. No questions will be sent to you.")
    assert not can(rt, tip.reference)
    assert queued.outbound_id is not None
    assert send_outbound(rt.alerts, queued.outbound_id) == "failed"  # withdrawn meanwhile
    assert fake.state.messages(channel="telegram", method="sendMessage") == []
    chat.press(f"consent:yes:{tip.id}")
    assert can(rt, tip.reference)
    chat.press("consent:stop")  # the button under every relayed question
    assert not can(rt, tip.reference)
    assert [e.detail["given"] for e in audits(rt, "reporter.consent")] == [True, False, True, False]
    # A later report is asked again, since the reporter said no meanwhile.
    chat.quiet()
    assert len(chat.report("Edhe një tjetër punon atje pa pagë")) == 2


def test_an_agreed_reporter_is_not_asked_again_and_a_foreign_tip_is_refused(
    client: FlaskClient, rt: Runtime
) -> None:
    chat, tip = agreed_on_telegram(client, rt, 662003)
    chat.quiet()
    [thanks] = chat.report("Edhe një tjetër punon atje pa pagë")
    assert find_reference(thanks["text"]) not in (None, tip.reference)
    other = Chat(client, rt, 662004)
    other.say("/start")
    [menu] = other.press(f"consent:no:{tip.id}")  # someone else's report: nothing recorded
    assert menu["buttons"][0][0][1] == "menu:report"
    assert can(rt, tip.reference)
    assert len(audits(rt, "reporter.consent")) == 1


def test_an_expired_reply_handle_makes_the_reporter_unreachable(
    client: FlaskClient, rt: Runtime
) -> None:
    user_id, _ = official(rt)
    _, tip = agreed_on_telegram(client, rt, 662005)
    with rt.db.transaction() as s:
        s.execute(update(ReplyHandle).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert not can(rt, tip.reference)
    assert ask(rt, tip.reference, "Cila fermë?", user_id) == "unreachable"
    # menu, menu, received, thanks, question, consent reply
    assert counts(rt)["outbound_messages"] == 6


def test_voice_and_hotline_reports_cannot_be_asked(client: FlaskClient, rt: Runtime) -> None:
    user_id, _ = official(rt)
    number = "+355693330004"
    sms(client, rt, number, "Vajza mbahet e mbyllur në Lezhë", "SM-8")
    sms(client, rt, number, "PO", "SM-9")
    with rt.db.transaction() as s:
        caller = caller_from_phone(s, rt.intake, number)  # the same person, calling
        assert caller.reporter.follow_up_consent
        voice, _ = new_tip(
            s, rt.intake, channel="voice", caller=caller, text="Thirrje zanore", language="sq"
        )
        hotline, _ = new_tip(
            s, rt.intake, channel="hotline", caller=None, text="Operator: ...", language="sq"
        )
        references = voice.reference, hotline.reference
    assert not can(rt, references[0]) and not can(rt, references[1])
    assert ask(rt, references[0], "Ku?", user_id) == "unreachable"
    assert ask(rt, references[1], "Ku?", user_id) == "no_consent"
    assert counts(rt)["outbound_messages"] == 0


@pytest.mark.parametrize("question", ["", "   \n ", "x" * 1001])
def test_an_empty_or_too_long_question_is_refused_and_nothing_is_written(
    client: FlaskClient, rt: Runtime, question: str
) -> None:
    user_id, _ = official(rt)
    _, tip = agreed_on_telegram(client, rt, 662006)
    before = counts(rt)
    with pytest.raises(ValueError, match="empty|longer than 1000"):
        ask(rt, tip.reference, question, user_id)
    assert counts(rt) == before
    assert ask(rt, tip.reference, "y" * 1000, user_id) == "queued"  # the limit itself is allowed


def test_po_is_consent_only_right_after_the_question(client: FlaskClient, rt: Runtime) -> None:
    number = "+355693330005"
    sms(client, rt, number, "Një burrë merr dokumentet e punëtorëve në Vlorë", "SM-10")
    tip = only_tip(rt)
    with rt.db.transaction() as s:
        idle = timedelta(minutes=rt.intake.limits.conversation_idle_minutes + 1)
        s.execute(update(Conversation).values(updated_at=utcnow() - idle))
        s.execute(update(Tip).values(burst_until=utcnow() - timedelta(seconds=1)))  # burst over
    assert sms(client, rt, number, "PO", "SM-11") != ""  # an ordinary message: a new report
    assert not can(rt, tip.reference)
    with rt.db.transaction() as s:
        assert not s.execute(select(Reporter.follow_up_consent)).scalar_one()
        assert s.execute(select(func.count()).select_from(Tip)).scalar_one() == 2


@pytest.mark.parametrize("lang", ["sq", "en"])
def test_the_sms_texts_fit_two_segments_in_the_plain_alphabet(lang: str) -> None:
    receipt = consent.sms_receipt(lang, "K7P-3XA", ask=True)
    assert receipt.isascii() and len(receipt) <= 306 and "K7P-3XA" in receipt
    assert "PO" in receipt
    relayed = relay.message(lang, "sms", "K7P-3XA", "Ku ndodhet shtëpia?").text
    assert relayed.isascii() and "Ku ndodhet shtepia?" in relayed and "STOP" in relayed


def test_relayed_texts_are_translated() -> None:
    for channel in ("sms", "telegram"):
        sq = relay.message("sq", channel, "K7P-3XA", "?").text
        en = relay.message("en", channel, "K7P-3XA", "?").text
        assert sq != en
    assert consent.sms_receipt("sq", "K7P-3XA", ask=True) != consent.sms_receipt(
        "en", "K7P-3XA", ask=True
    )
