"""The real python-telegram-bot 22 client runs unpatched against the sandbox's Bot API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask, request
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes
from werkzeug.serving import make_server

from sandbox import SandboxServer

TOKEN = "123456:TEST-token_abc"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Konfirmo", callback_data="ack:42:7")]])


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(telegram_token=TOKEN, telegram_webhook_secret="s3cret") as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.state.reset()
    # PTB 22 warns about int retry_after unless opted into timedelta; warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def with_bot(
    server: SandboxServer, body: Callable[[Bot], Awaitable[Any]], token: str = TOKEN
) -> Any:
    async def run() -> Any:
        async with Bot(
            token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot"
        ) as bot:
            return await body(bot)

    return asyncio.run(run())


def inject(server: SandboxServer, **update: Any) -> dict[str, Any]:
    resp = requests.post(f"{server.url}/sandbox/telegram/updates", json=update, timeout=15)
    assert resp.status_code == 200, resp.text
    return resp.json()


def add_fault(server: SandboxServer, **rule: Any) -> None:
    resp = requests.post(f"{server.url}/sandbox/faults", json=rule, timeout=5)
    assert resp.status_code == 201, resp.text


def test_get_me_answers_with_the_bot_whose_id_is_the_token_prefix(server: SandboxServer) -> None:
    me = with_bot(server, lambda bot: bot.get_me())
    assert me.id == 123456
    assert me.is_bot


def test_a_wrong_token_is_unauthorized(server: SandboxServer) -> None:
    with pytest.raises(InvalidToken):
        with_bot(server, lambda bot: bot.get_me(), token="999:wrong")


def test_send_message_with_keyboard_returns_a_message_and_is_recorded(
    server: SandboxServer,
) -> None:
    async def body(bot: Bot) -> Any:
        first = await bot.send_message(chat_id=42, text="Raport i ri #7", reply_markup=KEYBOARD)
        second = await bot.send_message(chat_id=42, text="Second")
        return first, second

    first, second = with_bot(server, body)
    assert first.text == "Raport i ri #7"
    assert first.chat.id == 42
    assert first.chat.type == "private"
    assert first.reply_markup == KEYBOARD
    assert second.message_id == first.message_id + 1
    sent = server.state.messages(channel="telegram", recipient="42", method="sendMessage")
    assert [m.text for m in sent] == ["Raport i ri #7", "Second"]
    assert sent[0].extra["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ack:42:7"


def test_edit_text_and_markup_change_the_stored_message(server: SandboxServer) -> None:
    async def body(bot: Bot) -> Any:
        msg = await bot.send_message(chat_id=42, text="Raport", reply_markup=KEYBOARD)
        edited = await bot.edit_message_text(
            "Raport (konfirmuar)", chat_id=42, message_id=msg.message_id, reply_markup=KEYBOARD
        )
        stripped = await bot.edit_message_reply_markup(chat_id=42, message_id=msg.message_id)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_reply_markup(chat_id=42, message_id=msg.message_id)
        return edited, stripped

    edited, stripped = with_bot(server, body)
    assert edited.text == "Raport (konfirmuar)"
    assert edited.edit_date is not None
    assert stripped.reply_markup is None
    assert server.state.chat_message(42, edited.message_id)["text"] == "Raport (konfirmuar)"


def test_callback_query_is_answered_and_unknown_ids_are_rejected(server: SandboxServer) -> None:
    async def body(bot: Bot) -> Any:
        msg = await bot.send_message(chat_id=77, text="Alert", reply_markup=KEYBOARD)
        inject(server, user_id=77, callback_data="ack:42:7", message_id=msg.message_id)
        (update,) = await bot.get_updates(timeout=1)
        answered = await update.callback_query.answer("Faleminderit")
        with pytest.raises(BadRequest, match="(?i)query id is invalid"):
            await bot.answer_callback_query("nope")
        return update, answered

    update, answered = with_bot(server, body)
    assert answered is True
    assert update.callback_query.data == "ack:42:7"
    assert update.callback_query.message.text == "Alert"
    (toast,) = server.state.messages(method="answerCallbackQuery")
    assert (toast.recipient, toast.text) == ("77", "Faleminderit")


def test_delete_message_removes_it_and_a_second_delete_is_a_bad_request(
    server: SandboxServer,
) -> None:
    async def body(bot: Bot) -> Any:
        msg = await bot.send_message(chat_id=5, text="to delete")
        assert await bot.delete_message(chat_id=5, message_id=msg.message_id)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(chat_id=5, message_id=msg.message_id)

    with_bot(server, body)
    assert server.state.messages(method="deleteMessage")[0].recipient == "5"


def test_the_bot_can_delete_a_message_the_user_sent(server: SandboxServer) -> None:
    sent = inject(server, user_id=8, text="my phone number is ...")
    message_id = sent["update"]["message"]["message_id"]
    assert with_bot(server, lambda bot: bot.delete_message(chat_id=8, message_id=message_id))
    assert server.state.chat_message(8, message_id) is None


def test_photo_and_voice_files_can_be_fetched_and_downloaded(server: SandboxServer) -> None:
    inject(server, user_id=9, photo=True, text="foto")
    inject(server, user_id=9, voice=True)

    async def body(bot: Bot) -> Any:
        photo_update, voice_update = await bot.get_updates(timeout=1)
        photo = await photo_update.message.photo[-1].get_file()
        voice = await voice_update.message.voice.get_file()
        return (
            photo_update,
            bytes(await photo.download_as_bytearray()),
            bytes(await voice.download_as_bytearray()),
        )

    photo_update, jpeg, ogg = with_bot(server, body)
    assert photo_update.message.caption == "foto"
    assert jpeg.startswith(b"\xff\xd8")
    assert jpeg.endswith(b"\xff\xd9")
    assert ogg.startswith(b"OggS")


def test_send_photo_uploads_multipart_and_returns_a_photo(server: SandboxServer) -> None:
    from sandbox.media import TINY_JPEG

    msg = with_bot(server, lambda bot: bot.send_photo(chat_id=3, photo=TINY_JPEG, caption="Harta"))
    assert msg.caption == "Harta"
    assert msg.photo[0].file_size == len(TINY_JPEG)
    (logged,) = server.state.messages(method="sendPhoto")
    assert (logged.recipient, logged.text) == ("3", "Harta")


def test_a_429_fault_raises_retry_after_with_its_seconds(server: SandboxServer) -> None:
    add_fault(server, provider="telegram", method="sendMessage", mode="429", seconds=7, count=1)

    async def body(bot: Bot) -> Any:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat_id=1, text="x")
        # count=1: the next call goes through.
        return caught.value, await bot.send_message(chat_id=1, text="y")

    error, ok = with_bot(server, body)
    assert error.retry_after == dt.timedelta(seconds=7)
    assert ok.text == "y"


def test_a_fault_matching_another_chat_leaves_this_chat_alone(server: SandboxServer) -> None:
    add_fault(server, provider="telegram", mode="5xx", match={"chat_id": "999"})

    async def body(bot: Bot) -> Any:
        ok = await bot.send_message(chat_id=1, text="fine")
        with pytest.raises(NetworkError):
            await bot.send_message(chat_id=999, text="fails")
        return ok

    assert with_bot(server, body).text == "fine"


def test_a_5xx_fault_raises_network_error(server: SandboxServer) -> None:
    add_fault(server, provider="telegram", method="sendMessage", mode="5xx", status=502)
    with pytest.raises(NetworkError):
        with_bot(server, lambda bot: bot.send_message(chat_id=1, text="x"))


def test_a_drop_fault_makes_ptb_raise_network_error(server: SandboxServer) -> None:
    add_fault(server, provider="telegram", method="sendMessage", mode="drop")
    with pytest.raises(NetworkError, match="disconnected|Network|Timed"):
        with_bot(server, lambda bot: bot.send_message(chat_id=1, text="x"))


def test_latency_fault_delays_the_answer(server: SandboxServer) -> None:
    add_fault(server, provider="telegram", method="sendMessage", mode="latency", seconds=0.3)

    async def body(bot: Bot) -> float:
        start = time.monotonic()
        await bot.send_message(chat_id=1, text="slow")
        return time.monotonic() - start

    assert with_bot(server, body) >= 0.3


def test_get_updates_returns_injected_updates_and_respects_offset(server: SandboxServer) -> None:
    first = inject(server, user_id=11, text="/start", language_code="sq")
    second = inject(server, user_id=11, text="Dua të raportoj")

    async def body(bot: Bot) -> Any:
        both = await bot.get_updates(timeout=0)
        after = await bot.get_updates(offset=both[0].update_id + 1, timeout=0)
        again = await bot.get_updates(timeout=0)
        return both, after, again

    both, after, again = with_bot(server, body)
    assert [u.update_id for u in both] == [first["update_id"], second["update_id"]]
    assert both[0].message.text == "/start"
    assert both[0].message.entities[0].type == "bot_command"
    assert both[0].message.from_user.language_code == "sq"
    assert [u.update_id for u in after] == [second["update_id"]]
    # The offset confirmed the first update, so it is gone for good.
    assert [u.update_id for u in again] == [second["update_id"]]


def test_get_updates_long_polls_until_an_update_arrives(server: SandboxServer) -> None:
    timer = threading.Timer(0.3, lambda: inject(server, user_id=12, text="late"))
    timer.start()
    start = time.monotonic()
    updates = with_bot(server, lambda bot: bot.get_updates(timeout=5, read_timeout=10))
    elapsed = time.monotonic() - start
    timer.join()
    assert [u.message.text for u in updates] == ["late"]
    assert 0.2 < elapsed < 4


def test_get_updates_conflicts_while_a_webhook_is_set(server: SandboxServer) -> None:
    async def body(bot: Bot) -> Any:
        await bot.set_webhook("http://127.0.0.1:9/hook")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        info = await bot.get_webhook_info()
        await bot.delete_webhook()
        return info, await bot.get_webhook_info()

    info, after = with_bot(server, body)
    assert info.url == "http://127.0.0.1:9/hook"
    assert after.url == ""


def test_a_polling_ptb_application_answers_a_command(server: SandboxServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Mirë se erdhët")

    async def run() -> list[dict[str, Any]]:
        app = Application.builder().token(TOKEN).base_url(f"{server.url}/bot").build()
        app.add_handler(CommandHandler("start", start))
        async with app:
            await app.updater.start_polling(poll_interval=0, timeout=2)
            await app.start()
            await asyncio.to_thread(inject, server, user_id=14, text="/start")
            found = await asyncio.to_thread(
                requests.get, f"{server.url}/sandbox/messages", params={"wait": 5}, timeout=10
            )
            await app.updater.stop()
            await app.stop()
        return found.json()

    (reply,) = asyncio.run(run())
    assert (reply["recipient"], reply["text"]) == ("14", "Mirë se erdhët")


@pytest.mark.parametrize(
    ("update", "check"),
    [
        ({"text": "Ndihmë! çka"}, lambda u: u.message.text == "Ndihmë! çka"),
        ({"photo": True}, lambda u: u.message.photo[-1].file_id and u.message.photo[0].width),
        ({"voice": True}, lambda u: u.message.voice.mime_type == "audio/ogg"),
        (
            {"location": {"latitude": 41.3275, "longitude": 19.8187}},
            lambda u: u.message.location.latitude == pytest.approx(41.3275),
        ),
    ],
    ids=["text", "photo", "voice", "location"],
)
def test_ptb_parses_each_kind_of_injected_message(
    server: SandboxServer, update: dict[str, Any], check: Callable[[Update], Any]
) -> None:
    sent = inject(server, user_id=21, username="anon", first_name="A", **update)
    parsed = Update.de_json(sent["update"], None)
    assert parsed.update_id == sent["update_id"]
    assert parsed.message.from_user.username == "anon"
    assert check(parsed)


def test_ptb_parses_an_injected_button_press(server: SandboxServer) -> None:
    msg = with_bot(server, lambda bot: bot.send_message(31, "Alert", reply_markup=KEYBOARD))
    sent = inject(server, user_id=31, callback_data="ack:42:7")
    parsed = Update.de_json(sent["update"], None)
    assert parsed.callback_query.data == "ack:42:7"
    assert parsed.callback_query.message.message_id == msg.message_id


def test_a_button_press_without_a_bot_message_is_refused(server: SandboxServer) -> None:
    resp = requests.post(
        f"{server.url}/sandbox/telegram/updates",
        json={"user_id": 55, "callback_data": "ack:1:1"},
        timeout=5,
    )
    assert resp.status_code == 400


class HookApp:
    """A tiny webhook receiver that fails its first `failures` deliveries."""

    def __init__(self, failures: int, answer: str | None = None) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.failures = failures
        app = Flask("hook")

        @app.post("/webhooks/telegram")
        def hook() -> tuple[str | dict[str, Any], int]:
            update = json.loads(request.data)
            self.received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
            if len(self.received) <= self.failures:
                return "", 500
            if answer is not None and "callback_query" in update:
                # A method in the response body, as Raporto answers an official's button.
                query = update["callback_query"]["id"]
                return {
                    "method": "answerCallbackQuery",
                    "callback_query_id": query,
                    "text": answer,
                }, 200
            return "", 200

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/telegram"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_updates_are_pushed_to_the_webhook_with_the_secret_and_retried(
    server: SandboxServer,
) -> None:
    hook = HookApp(failures=1)
    server.configure(webhook_retry_delay=0.05)
    try:
        assert with_bot(server, lambda bot: bot.set_webhook(hook.url, secret_token="abc_123"))
        sent = inject(server, user_id=61, text="via webhook", sync=True)
    finally:
        hook.server.shutdown()
    assert sent["delivery"] == "webhook"
    assert sent["webhook"] == {"status": 200, "attempts": 2, "delivered": True}
    assert [body["update_id"] for body, _ in hook.received] == [sent["update_id"]] * 2
    assert {secret for _, secret in hook.received} == {"abc_123"}
    parsed = Update.de_json(hook.received[-1][0], None)
    assert parsed.message.text == "via webhook"


def test_a_webhook_without_its_own_secret_uses_the_configured_one(server: SandboxServer) -> None:
    hook = HookApp(failures=0)
    try:
        with_bot(server, lambda bot: bot.set_webhook(hook.url))
        inject(server, user_id=62, text="hi", sync=True)
    finally:
        hook.server.shutdown()
    assert hook.received[0][1] == "s3cret"


def test_a_method_in_the_webhook_response_is_run_like_telegram_does(
    server: SandboxServer,
) -> None:
    hook = HookApp(failures=0, answer="Acknowledged")
    try:
        with_bot(server, lambda bot: bot.set_webhook(hook.url))
        msg = with_bot(server, lambda bot: bot.send_message(63, "Alert", reply_markup=KEYBOARD))
        sent = inject(
            server, user_id=63, callback_data="ack:42:7", message_id=msg.message_id, sync=True
        )
    finally:
        hook.server.shutdown()
    assert sent["webhook"]["delivered"] is True
    (toast,) = server.state.messages(method="answerCallbackQuery")
    assert toast.text == "Acknowledged" and toast.recipient == "63"
    assert toast.extra["callback_query_id"] == sent["update"]["callback_query"]["id"]


def test_json_and_query_string_requests_work_like_form_ones(server: SandboxServer) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Po", "callback_data": "yes"}]]}
    sent = requests.post(
        f"{server.url}/bot{TOKEN}/sendMessage",
        json={"chat_id": 42, "text": "json", "reply_markup": keyboard},
        timeout=5,
    ).json()
    assert sent["ok"] is True
    assert sent["result"]["reply_markup"] == keyboard
    me = requests.get(f"{server.url}/bot{TOKEN}/getMe", timeout=5).json()
    assert me["result"]["username"] == "raporto_sandbox_bot"
    unknown = requests.post(f"{server.url}/bot{TOKEN}/launchRocket", timeout=5)
    assert unknown.status_code == 404
