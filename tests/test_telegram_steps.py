"""The Telegram conversation table: complete, reachable, and its callback data parsed once."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from bot import burst_replies, companion_replies, consent, job_offer, replies
from bot import services_directory as directory
from bot import telegram_table as table
from bot.replies import Reply
from bot.telegram_events import Media, TelegramEvent
from bot.telegram_steps import (
    JOB_QUESTIONS,
    OFFICIAL_BUTTONS,
    REPORT_STEPS,
    Button,
    Callback,
    Event,
    Said,
    Step,
    Turn,
    event_of,
    job_index,
    parse_callback,
    stored_step,
)
from models.enums import Channel, OutboundStatus, TipStatus, TriageStatus
from models.tables import OutboundMessage, Tip

EVENTS = [*Said, *Button]

# What rows of existing databases carry: a rename would strand them, so it must fail here.
STORED = {
    "start", "language", "menu", "burst", "what", "where", "minor", "danger", "media", "confirm",
    "info", "services", "job:done", *(f"job:{i}" for i in range(len(job_offer.QUESTIONS))),
}  # fmt: skip


def test_the_stored_step_values_are_exactly_those_of_existing_rows() -> None:
    assert {step.value for step in Step} == STORED
    assert len(JOB_QUESTIONS) == len(job_offer.QUESTIONS)
    assert [job_index(s) for s in JOB_QUESTIONS] == list(range(len(job_offer.QUESTIONS)))
    assert job_index(Step.JOB_DONE) == len(job_offer.QUESTIONS)


def test_a_stored_step_this_version_does_not_know_starts_over() -> None:
    assert stored_step("confirm") is Step.CONFIRM
    assert stored_step("answered") is Step.START  # an SMS step, or one from a later version
    assert stored_step("job:99") is Step.START


def test_every_step_has_a_row_and_every_event_a_rule() -> None:
    assert set(table.STEPS) == set(Step)
    for step, row in table.STEPS.items():
        assert callable(row.otherwise.handler), step
        for event in EVENTS:
            rule = table.ANYWHERE.get(event) or row.on.get(event) or row.otherwise
            assert callable(rule.handler), (step, event)


def test_no_row_hides_behind_a_rule_that_applies_anywhere() -> None:
    # A step's rule for an event ANYWHERE handles would never run (ANYWHERE is asked first).
    for step, row in table.STEPS.items():
        assert not set(row.on) & set(table.ANYWHERE), step


def test_every_transition_leads_to_a_step_of_the_table() -> None:
    rules = [*table.ANYWHERE.values()]
    for row in table.STEPS.values():
        rules += [*row.on.values(), row.otherwise]
    for rule in rules:
        assert rule.to is None or rule.to in table.STEPS


def test_the_guided_report_reads_in_order() -> None:
    path: list[tuple[Step, Event]] = [
        (Step.MENU, Button.REPORT),
        (Step.WHAT, Said.TEXT),
        (Step.WHERE, Button.SKIP),
        (Step.MINOR, Button.ANSWER),
        (Step.DANGER, Button.ANSWER),
        (Step.MEDIA, Button.MEDIA_DONE),
        (Step.CONFIRM, Button.CONFIRM_SEND),
    ]
    ends = [Step.WHAT, Step.WHERE, Step.MINOR, Step.DANGER, Step.MEDIA, Step.CONFIRM, Step.MENU]
    for (step, event), end in zip(path, ends, strict=True):
        rule = table.ANYWHERE.get(event) or table.STEPS[step].on[event]
        assert rule.to is end, (step, event)


def test_a_message_opens_a_burst_outside_the_guided_report_and_never_inside_it() -> None:
    for step, row in table.STEPS.items():
        handlers = {rule.handler for rule in (*row.on.values(), row.otherwise)}
        if step in REPORT_STEPS:
            assert table.burst_message not in handlers, step
        else:
            assert row.on[Said.FILE].handler is table.burst_message, step
            assert Said.TEXT in row.on and Said.LOCATION in row.on, step


def test_an_officials_button_is_no_event_of_the_conversation() -> None:
    # alerts/ack_channels.py takes them first; one it refuses is a stray button here.
    for button in OFFICIAL_BUTTONS:
        assert button not in table.ANYWHERE
        assert all(button not in row.on for row in table.STEPS.values())


@pytest.mark.parametrize("button", list(Button))
def test_callback_data_round_trips_for_every_button(button: Button) -> None:
    argument = "x7:9" if button.takes_argument else ""
    pressed = Callback(button, argument)
    assert parse_callback(pressed.data) == pressed
    assert pressed.data == button.value + argument


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("job:start", Callback(Button.JOB_START)),  # whole data wins over the "job:" prefix
        ("job:back", Callback(Button.JOB, "back")),
        ("svc:menu", Callback(Button.SERVICES)),
        ("svc:q:TR", Callback(Button.REGION, "TR")),
        ("consent:stop", Callback(Button.CONSENT_STOP)),
        ("consent:yes:12", Callback(Button.CONSENT, "yes:12")),
        ("burst:cancel:5", Callback(Button.BURST, "cancel:5")),
        ("lang:", Callback(Button.LANGUAGE, "")),
        ("a:3:sig", Callback(Button.OFFICIAL_ACK, "3:sig")),
        ("g:3:tag", Callback(Button.OFFICIAL_DIGEST, "3:tag")),
    ],
)
def test_callback_data_is_parsed_into_button_and_argument(data: str, expected: Callback) -> None:
    assert parse_callback(data) == expected


@pytest.mark.parametrize(
    "data", [None, "", "menu", "menu:", "menu:nope", "MENU:HOME", "svc:", "svc:q", "x:1", "clear "]
)
def test_unknown_callback_data_is_rejected(data: str | None) -> None:
    assert parse_callback(data) is None


def _buttons(*sent: Reply) -> set[str]:
    return {data for reply in sent for row in reply.buttons for _, data in row}


def test_every_button_the_bot_sends_parses_back_to_the_same_bytes() -> None:
    tip: Any = SimpleNamespace(id=42, reference="RAP-ABC")
    risky = [q.key for q in job_offer.QUESTIONS]
    sent = _buttons(
        replies.language_picker(),
        replies.main_menu("en"),
        companion_replies.info_topics("en"),
        companion_replies.services_regions("en"),
        companion_replies.services_list("en", directory.qarks()[0].code),
        *(companion_replies.job_question("en", i) for i in range(len(job_offer.QUESTIONS))),
        companion_replies.job_result("en", job_offer.assess({})),
        companion_replies.job_result("en", job_offer.assess(dict.fromkeys(risky, True))),
        replies.ask_what("en"),
        replies.ask_where("en"),
        replies.ask_minor("en"),
        replies.ask_media("en"),
        replies.confirm("en"),
        burst_replies.received("en", 42),
        consent.question("en", tip),
    )
    assert {"menu:report", "ans:unknown", "job:report", "burst:send:42", "consent:no:42"} <= sent
    for data in sent:
        pressed = parse_callback(data)
        assert pressed is not None, data
        assert pressed.data == data


def _event(**fields: Any) -> TelegramEvent:
    return TelegramEvent(update_id=1, kind="message", user_id=5, chat_id=5, **fields)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"text": " /start CODE"}, Said.START),
        ({"text": "/stop@RaportoBot"}, Said.STOP),
        ({"text": "/STOPQUESTIONS"}, Said.STOP),
        ({"text": "they took her passport"}, Said.TEXT),
        ({"text": "caption", "media": Media("photo", "f", "image/jpeg")}, Said.TEXT),
        ({"media": Media("voice", "f", "audio/ogg")}, Said.FILE),
        ({"location": (41.3, 19.8)}, Said.LOCATION),
        ({"text": "   "}, Said.OTHER),
    ],
)
def test_a_message_is_one_event(fields: dict[str, Any], expected: Said) -> None:
    assert event_of(_event(**fields), None) is expected


def test_a_button_press_is_its_button_and_unknown_data_is_other() -> None:
    press = replace(_event(), kind="callback", callback_data="menu:home")
    assert event_of(press, parse_callback("menu:home")) is Button.HOME
    assert event_of(replace(press, callback_data="nope"), parse_callback("nope")) is Said.OTHER


def _turn(step: str, ev: TelegramEvent, draft: Any = None) -> Turn:
    conv: Any = SimpleNamespace(step=step, language="en", tip_id=None)
    nothing: Any = None
    callback = parse_callback(ev.callback_data)
    return Turn(nothing, nothing, conv, nothing, "en", ev, draft, callback)


def test_dispatch_asks_anywhere_then_the_row_then_otherwise_and_moves_only_when_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def handler(name: str, answer: list[Reply] | None) -> table.Handler:
        def handle(t: Turn) -> list[Reply] | None:
            calls.append(name)
            return answer

        return handle

    monkeypatch.setattr(table, "ANYWHERE", {Said.TEXT: table.Rule(handler("any", None))})
    row = table.Row(
        {Said.TEXT: table.Rule(handler("row", None), Step.WHERE)},
        table.Rule(handler("otherwise", [Reply("ok")])),
    )
    monkeypatch.setattr(table, "STEPS", {Step.MENU: row})
    turn = _turn("menu", _event(text="hi"))
    assert table.dispatch(turn) == [Reply("ok")]
    assert calls == ["any", "row", "otherwise"]
    assert turn.conv.step == "menu"  # the row's rule declined: its step is not taken


def test_a_report_step_without_its_draft_goes_home_before_its_row() -> None:
    turn = _turn("minor", replace(_event(), kind="callback", callback_data="ans:yes"))
    [menu] = table.dispatch(turn)
    assert menu == replies.main_menu("en") and turn.conv.step == Step.MENU


def test_a_draft_the_sweeper_sent_meanwhile_ends_the_guided_report() -> None:
    draft: Any = SimpleNamespace(submitted=True)
    turn = _turn("confirm", replace(_event(), kind="callback", callback_data="nope"), draft)
    assert table.dispatch(turn) == [replies.main_menu("en")]
    assert turn.conv.step == Step.MENU and turn.draft is None


def test_the_stored_enums_match_the_column_defaults() -> None:
    # models/enums.py names the values these columns hold; a drift between them must show.
    assert Tip.__table__.c.status.default.arg == TipStatus.NEW
    assert Tip.__table__.c.triage_status.default.arg == TriageStatus.PENDING
    assert OutboundMessage.__table__.c.status.default.arg == OutboundStatus.PENDING
    assert Channel("telegram") is Channel.TELEGRAM
