"""Thread-safe in-memory state shared by the Telegram and Twilio fakes.

Owns the configuration, the log of outbound messages, Telegram chats and pending
updates, Twilio recordings and simulated calls, and the fault rules. Every mutation
goes through one Condition so that tests can `wait_for` a state change instead of
sleeping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sandbox.faults import FaultBook

T = TypeVar("T")

CHANNELS = ("telegram", "sms", "voice")


def utc_now() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def iso_now() -> str:
    """Return the current UTC time as ISO-8601 with a trailing Z."""
    return utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclasses.dataclass
class SandboxConfig:
    """Settings that control endpoints and `PUT /sandbox/config` may change at run time."""

    telegram_token: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    public_base_url: str | None = None
    telegram_webhook_secret: str | None = None
    twilio_phone_number: str = "+15005550006"
    latency: float = 0.0
    # Telegram retries a failing webhook for hours; a sandbox gives up sooner.
    webhook_max_attempts: int = 5
    webhook_retry_delay: float = 0.2
    # Real Twilio reports sent/delivered to a message's StatusCallback.
    twilio_status_callbacks: bool = True
    # The phone number's SmsFallbackUrl and VoiceFallbackUrl: where a failed TwiML request
    # goes once, with ErrorCode and ErrorUrl (None: no fallback, as on a new number).
    twilio_sms_fallback_url: str | None = None
    twilio_voice_fallback_url: str | None = None
    sandbox_url: str | None = None

    def public(self) -> dict[str, Any]:
        """Return the settings as JSON, with secrets masked."""
        data = dataclasses.asdict(self)
        for key in ("twilio_auth_token", "telegram_token", "telegram_webhook_secret"):
            if data[key]:
                data[key] = "***"
        return data


@dataclasses.dataclass
class OutboundMessage:
    """One thing a fake was asked to show to a person (message, edit, spoken prompt)."""

    index: int
    channel: str
    recipient: str
    text: str
    time: str
    method: str
    message_id: int | None = None
    sid: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the message as a JSON-ready dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Webhook:
    """The Telegram webhook set by setWebhook."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclasses.dataclass
class Recording:
    """A Twilio Recording resource made by a simulated <Record>."""

    sid: str
    call_sid: str
    account_sid: str
    duration: int
    audio: bytes
    created: dt.datetime


@dataclasses.dataclass
class Call:
    """A simulated inbound (or REST-created outbound) Twilio call."""

    sid: str
    params: dict[str, str]
    doc_url: str
    status: str = "ringing"
    gather: dict[str, str] | None = None
    record: dict[str, str] | None = None
    created: dt.datetime = dataclasses.field(default_factory=utc_now)
    # The control request's `fallback_url` when the call started, for every step.
    fallback_url: str | None = None


class SandboxState:
    """All mutable sandbox data behind one re-entrant lock and condition."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        # RLock so a wait_for predicate may call the locking accessors below.
        self.cond = threading.Condition(threading.RLock())
        self.faults = FaultBook(self.cond)
        self.closed = False
        self.reset()

    def reset(self) -> None:
        """Forget messages, chats, updates, webhook, calls, recordings and faults."""
        with self.cond:
            self._messages: list[OutboundMessage] = []
            # chat_id -> message_id -> Telegram Message dict
            self.chats: dict[int | str, dict[int, dict[str, Any]]] = {}
            self.next_message_id: dict[int | str, int] = {}
            self.users: dict[int, dict[str, Any]] = {}
            self.pending_updates: list[dict[str, Any]] = []
            self.next_update_id = 1
            self.delivery: dict[int, dict[str, Any]] = {}
            self.webhook: Webhook | None = None
            self.callback_queries: dict[str, dict[str, Any]] = {}
            # chat_id -> {"type", "title"} for chats a control update declared.
            self.chat_info: dict[int | str, dict[str, str]] = {}
            # (chat_id, message_id, user_id) -> that user's current reaction list.
            self.reactions: dict[tuple[int | str, int, int], list[dict[str, Any]]] = {}
            # Chats the bot left with leaveChat, in order.
            self.left_chats: list[int | str] = []
            # The last allowed_updates given to setWebhook/getUpdates; None = Telegram's default.
            self.allowed_updates: list[str] | None = None
            # Updates never queued because their kind was not allowed.
            self.dropped_updates: list[dict[str, Any]] = []
            # The token of the latest Bot API call, so control updates know the bot's getMe.
            self.bot_token: str | None = None
            # file_id -> (file_path, bytes, file_unique_id)
            self.files: dict[str, tuple[str, bytes, str]] = {}
            self.recordings: dict[str, Recording] = {}
            self.deleted_recordings: set[str] = set()
            # Message and Call records the app deleted (DELETE …/Messages|Calls/<sid>.json).
            self.deleted_messages: set[str] = set()
            self.deleted_calls: set[str] = set()
            self.calls: dict[str, Call] = {}
            # Message resources (created, inbound and TwiML replies) and REST-created calls,
            # as JSON, for fetches and deletes.
            self.rest_messages: dict[str, dict[str, Any]] = {}
            self.rest_calls: dict[str, dict[str, Any]] = {}
            self.faults.clear()
            self.cond.notify_all()

    def close(self) -> None:
        """Wake every waiter (long polls, webhook worker) so the server can stop."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    # -- outbound message log -------------------------------------------------

    def record(
        self,
        channel: str,
        recipient: str | int,
        text: str,
        method: str,
        *,
        message_id: int | None = None,
        sid: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> OutboundMessage:
        """Append an outbound message to the log and wake waiters."""
        with self.cond:
            msg = OutboundMessage(
                index=len(self._messages),
                channel=channel,
                recipient=str(recipient),
                text=text,
                time=iso_now(),
                method=method,
                message_id=message_id,
                sid=sid,
                extra=extra or {},
            )
            self._messages.append(msg)
            self.cond.notify_all()
            return msg

    def messages(
        self,
        channel: str | None = None,
        recipient: str | int | None = None,
        *,
        method: str | None = None,
        since: int = 0,
    ) -> list[OutboundMessage]:
        """Return logged outbound messages, optionally filtered."""
        with self.cond:
            return [
                m
                for m in self._messages[since:]
                if (channel is None or m.channel == channel)
                and (recipient is None or m.recipient == str(recipient))
                and (method is None or m.method == method)
            ]

    def clear_messages(self) -> None:
        """Forget the outbound message log only."""
        with self.cond:
            self._messages = []
            self.cond.notify_all()

    # -- waiting ----------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter after a change made outside the helpers above."""
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until predicate() is truthy or timeout passes; return its last value."""
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def wait_for_messages(
        self,
        count: int,
        channel: str | None = None,
        recipient: str | int | None = None,
        *,
        method: str | None = None,
        timeout: float = 5.0,
    ) -> list[OutboundMessage]:
        """Wait until at least `count` matching messages exist; raise TimeoutError if not."""

        def enough() -> list[OutboundMessage] | None:
            """Return the matches once there are enough of them."""
            found = self.messages(channel, recipient, method=method)
            return found if len(found) >= count else None

        found = self.wait_for(enough, timeout)
        if found is None:
            have = len(self.messages(channel, recipient, method=method))
            raise TimeoutError(f"waited {timeout}s for {count} messages, have {have}")
        return found

    # -- Telegram chats -------------------------------------------------------

    def store_chat_message(self, chat_id: int | str, message: dict[str, Any]) -> dict[str, Any]:
        """Give a message the chat's next message_id and keep it for edits/deletes."""
        with self.cond:
            message_id = self.next_message_id.get(chat_id, 1)
            self.next_message_id[chat_id] = message_id + 1
            message["message_id"] = message_id
            self.chats.setdefault(chat_id, {})[message_id] = message
            return message

    def chat_message(self, chat_id: int | str, message_id: int) -> dict[str, Any] | None:
        """Return a stored chat message, or None when it never existed or was deleted."""
        with self.cond:
            return self.chats.get(chat_id, {}).get(message_id)

    def last_bot_message(self, chat_id: int | str) -> dict[str, Any] | None:
        """Return the newest message the bot sent to a chat, preferring one with buttons."""
        with self.cond:
            # Channel posts have no "from".
            chat = self.chats.get(chat_id, {}).values()
            sent = [m for m in chat if m.get("from", {}).get("is_bot")]
            with_buttons = [m for m in sent if "reply_markup" in m]
            pool = with_buttons or sent
            return max(pool, key=lambda m: m["message_id"]) if pool else None
