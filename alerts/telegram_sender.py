"""Send through python-telegram-bot from synchronous code (web requests, RQ jobs, the sweeper).

PTB is asyncio and its HTTP client belongs to the loop it was created on, so each process keeps
one private loop in a daemon thread and one Bot on it (created lazily, after any fork).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.request import HTTPXRequest

T = TypeVar("T")


# Edits join a report; my_chat_member tells of a block; channel posts are answered by leaving.
# Reactions are not asked for: they never carry a report.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member", "channel_post")


def keyboard(rows: list[list[list[str]]]) -> InlineKeyboardMarkup | None:
    """Build an inline keyboard from [[label, callback_data], ...] rows."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class TelegramSender:
    """A Bot on a private event loop, usable from any thread."""

    def __init__(
        self,
        token: str,
        base_url: str | None = None,
        timeout: float = 10.0,
        *,
        paid_broadcast: bool = False,
    ) -> None:
        # Opt in to RetryAfter.retry_after as a timedelta (PTB 22.2+): without it PTB warns on
        # every 429, and a warnings-as-errors run would turn the 429 into the warning itself.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        self._token = token
        self._base_url = base_url
        self._timeout = timeout
        # Sent with every message: Telegram charges only for messages above its free 30 per second.
        self._paid = paid_broadcast
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bot: Bot | None = None
        self._lock = threading.Lock()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="telegram-loop", daemon=True).start()
                self._loop = loop
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(self._timeout + 5)

    async def _get_bot(self) -> Bot:
        if self._bot is None:
            kwargs: dict[str, Any] = {
                "request": HTTPXRequest(
                    connection_pool_size=8,
                    read_timeout=self._timeout,
                    connect_timeout=self._timeout,
                ),
            }
            if self._base_url:
                kwargs["base_url"] = f"{self._base_url}/bot"
                kwargs["base_file_url"] = f"{self._base_url}/file/bot"
            bot = Bot(self._token, **kwargs)
            await bot.initialize()
            self._bot = bot
        return self._bot

    def send(self, chat_id: int, text: str, buttons: list[list[list[str]]] | None = None) -> int:
        """Send a message; return its message id. Raises telegram.error exceptions."""

        async def go() -> int:
            bot = await self._get_bot()
            extra: dict[str, Any] = {"allow_paid_broadcast": True} if self._paid else {}
            msg = await bot.send_message(
                chat_id=chat_id, text=text, reply_markup=keyboard(buttons or []), **extra
            )
            return msg.message_id

        return self._run(go())

    def edit(
        self, chat_id: int, message_id: int, text: str, buttons: list[list[list[str]]] | None = None
    ) -> None:
        """Replace a sent message's text and buttons."""

        async def go() -> None:
            bot = await self._get_bot()
            await bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard(buttons or [])
            )

        self._run(go())

    def delete(self, chat_id: int, message_id: int) -> bool:
        """Delete a message; False when Telegram no longer allows it (older than 48 hours)."""

        async def go() -> bool:
            bot = await self._get_bot()
            try:
                return bool(await bot.delete_message(chat_id=chat_id, message_id=message_id))
            except BadRequest:
                return False

        return self._run(go())

    def leave(self, chat_id: int) -> None:
        """Leave a group or channel the bot was added to."""

        async def go() -> None:
            bot = await self._get_bot()
            await bot.leave_chat(chat_id)

        self._run(go())

    def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        """Stop the spinner on the button the person pressed."""

        async def go() -> None:
            bot = await self._get_bot()
            await bot.answer_callback_query(callback_id, text=text)

        self._run(go())

    def download(self, file_id: str, max_bytes: int) -> bytes | None:
        """Fetch a file's bytes; return None when it is larger than max_bytes."""

        async def go() -> bytes | None:
            bot = await self._get_bot()
            file = await bot.get_file(file_id)
            if file.file_size is not None and file.file_size > max_bytes:
                return None
            data = bytes(await file.download_as_bytearray())
            return None if len(data) > max_bytes else data

        return self._run(go())

    def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """Long-poll for updates (development without a public URL); returns raw JSON dicts."""

        async def go() -> list[dict[str, Any]]:
            bot = await self._get_bot()
            updates = await bot.get_updates(
                offset=offset,
                timeout=timeout,
                read_timeout=timeout + 5,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            return [u.to_dict() for u in updates]

        return self._run(go())

    def set_webhook(self, url: str, secret: str) -> None:
        """Point Telegram at our webhook with the secret header it must send back."""

        async def go() -> None:
            bot = await self._get_bot()
            await bot.set_webhook(
                url,
                secret_token=secret,
                max_connections=40,
                allowed_updates=list(ALLOWED_UPDATES),
            )

        self._run(go())

    def delete_webhook(self) -> None:
        """Remove the webhook so polling may run."""

        async def go() -> None:
            bot = await self._get_bot()
            await bot.delete_webhook()

        self._run(go())
