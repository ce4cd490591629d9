"""Telegram update delivery: getUpdates long polling, webhooks and the pusher thread.

Owns the Bot API methods that hand updates to the bot (getUpdates, setWebhook,
deleteWebhook, getWebhookInfo) and `WebhookPusher`, which POSTs pending updates to
the webhook oldest first, retrying non-2xx answers with back-off like Telegram. A 2xx
answer whose JSON body names a `method` has that method run, as Telegram does.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from sandbox.state import SandboxState, Webhook
from sandbox.telegram_objects import BotApiError, Params, flag, json_param, update_type

LONG_POLL_CAP = 10.0

# Every Update kind of Bot API 8.x, in the order of the Update object's fields.
UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram sends these only to bots that list them in allowed_updates.
OPT_IN_KINDS = ("chat_member", "message_reaction", "message_reaction_count")


def allowed_kinds(state: SandboxState) -> list[str]:
    """Return the update kinds the bot receives now (Telegram's default until it chose)."""
    with state.cond:
        if state.allowed_updates is not None:
            return list(state.allowed_updates)
    return [kind for kind in UPDATE_KINDS if kind not in OPT_IN_KINDS]


def is_allowed(state: SandboxState, update: dict[str, Any]) -> bool:
    """Tell whether the bot's allowed_updates let this update through."""
    kind = update_type(update)
    with state.cond:
        if state.allowed_updates is not None:
            return kind in state.allowed_updates
    return kind not in OPT_IN_KINDS


def remember_allowed(state: SandboxState, params: Params) -> None:
    """Keep allowed_updates if given: a list replaces it, an empty one restores the default."""
    if params.get("allowed_updates") in (None, ""):
        return  # not given: Telegram keeps the previous setting
    try:
        allowed = json_param(params, "allowed_updates")
    except ValueError as exc:
        raise BotApiError(400, "Bad Request: can't parse allowed updates") from exc
    if not isinstance(allowed, list) or not all(isinstance(k, str) for k in allowed):
        raise BotApiError(400, "Bad Request: allowed_updates must be an array of strings")
    with state.cond:
        state.allowed_updates = list(allowed) or None
        # Queued updates of kinds no longer wanted would never go out: forget them now.
        wanted = [u for u in state.pending_updates if is_allowed(state, u)]
        state.dropped_updates += [u for u in state.pending_updates if not is_allowed(state, u)]
        state.pending_updates = wanted
        state.cond.notify_all()


class UpdatesMethods:
    """Bot API methods about receiving updates; mixed into BotApi."""

    state: SandboxState

    def m_getupdates(self, params: Params) -> Any:
        """Return pending updates from offset on, long-polling up to `timeout` seconds."""
        state = self.state
        if state.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is "
                "active; use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        remember_allowed(state, params)
        with state.cond:
            # Asking for offset N confirms, and so forgets, every update before N.
            if offset > 0:
                state.pending_updates = [
                    u for u in state.pending_updates if u["update_id"] >= offset
                ]
            elif offset < 0:
                state.pending_updates = state.pending_updates[offset:]
            state.cond.wait_for(
                lambda: state.pending_updates or state.closed or state.webhook is not None, timeout
            )
            return state.pending_updates[:limit]

    def m_setwebhook(self, params: Params) -> Any:
        """Set (or with an empty url, remove) the webhook updates are pushed to."""
        url = str(params.get("url") or "")
        if url and not url.startswith(("http://", "https://")):
            raise BotApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        remember_allowed(self.state, params)
        with self.state.cond:
            if flag(params, "drop_pending_updates"):
                self.state.pending_updates = []
            if not url:
                self.state.webhook = None
            else:
                self.state.webhook = Webhook(
                    url=url,
                    secret_token=params.get("secret_token")
                    or self.state.config.telegram_webhook_secret,
                    allowed_updates=self.state.allowed_updates,
                    max_connections=int(params.get("max_connections") or 40),
                )
            self.state.cond.notify_all()
        return True

    def m_deletewebhook(self, params: Params) -> Any:
        """Remove the webhook so getUpdates works again."""
        with self.state.cond:
            if flag(params, "drop_pending_updates"):
                self.state.pending_updates = []
            self.state.webhook = None
            self.state.cond.notify_all()
        return True

    def m_getwebhookinfo(self, params: Params) -> Any:
        """Describe the webhook and its pending updates."""
        with self.state.cond:
            hook = self.state.webhook
            info: dict[str, Any] = {
                "url": hook.url if hook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.state.pending_updates),
            }
            if hook:
                info["max_connections"] = hook.max_connections
                if self.state.allowed_updates is not None:
                    info["allowed_updates"] = list(self.state.allowed_updates)
                if hook.last_error_date:
                    info["last_error_date"] = hook.last_error_date
                    info["last_error_message"] = hook.last_error_message
            return info


class WebhookPusher:
    """Background thread delivering pending updates to the webhook, oldest first."""

    def __init__(
        self,
        state: SandboxState,
        run_method: Callable[[str, dict[str, Any]], Any] | None = None,
    ) -> None:
        self.state = state
        # Runs a Bot API method given in a webhook's response body (the server's BotApi).
        self.run_method = run_method
        self.attempts: dict[int, int] = {}
        self.next_try = 0.0
        self.thread = threading.Thread(target=self.run, name="sandbox-webhook", daemon=True)

    def start(self) -> None:
        """Start the delivery thread."""
        self.thread.start()

    def _next(self) -> tuple[str, str | None, dict[str, Any]] | None:
        # Called with the lock held; waits until an update is due or the state closes.
        state = self.state
        while not state.closed:
            hook = state.webhook
            if hook and state.pending_updates:
                update = state.pending_updates[0]
                if not is_allowed(state, update):
                    state.dropped_updates.append(state.pending_updates.pop(0))
                    continue
                wait = self.next_try - time.monotonic()
                if wait <= 0:
                    return hook.url, hook.secret_token, update
                state.cond.wait(wait)
            else:
                state.cond.wait(1.0)
        return None

    def run(self) -> None:
        """Deliver updates until the state is closed."""
        state = self.state
        while True:
            with state.cond:
                due = self._next()
            if due is None:
                return
            url, secret, update = due
            status, error, body = post_json(url, update, secret)
            if status is not None and 200 <= status < 300:
                self._reply_method(body)
            self._settle(update, status, error)

    def _reply_method(self, body: bytes) -> None:
        """Run the method a webhook answered with, before the push counts as done."""
        try:
            reply = json.loads(body) if body else None
        except ValueError:
            return  # any 2xx body is fine; only a JSON object with "method" does something
        if not isinstance(reply, dict) or not isinstance(reply.get("method"), str):
            return
        if self.run_method is None:
            return
        params = {k: v for k, v in reply.items() if k != "method"}
        # Telegram never tells the bot how such a call went: an error is dropped here too.
        with contextlib.suppress(Exception):
            self.run_method(reply["method"], params)

    def _settle(self, update: dict[str, Any], status: int | None, error: str | None) -> None:
        state = self.state
        update_id = update["update_id"]
        with state.cond:
            attempts = self.attempts.get(update_id, 0) + 1
            self.attempts[update_id] = attempts
            ok = status is not None and 200 <= status < 300
            still_first = bool(state.pending_updates) and state.pending_updates[0] is update
            result: dict[str, Any] = {"status": status, "attempts": attempts}
            if ok:
                self.next_try = 0.0
            else:
                result["error"] = error or f"Wrong response from the webhook: {status}"
                if state.webhook:
                    state.webhook.last_error_date = int(time.time())
                    state.webhook.last_error_message = result["error"]
                # Exponential back-off, like Telegram but in fractions of a second.
                delay = state.config.webhook_retry_delay * 2 ** (attempts - 1)
                self.next_try = time.monotonic() + delay
            if ok or attempts >= state.config.webhook_max_attempts:
                result["delivered"] = ok
                state.delivery[update_id] = result
                if still_first:
                    state.pending_updates.pop(0)
                self.next_try = 0.0
            state.cond.notify_all()


def post_json(
    url: str, payload: dict[str, Any], secret: str | None
) -> tuple[int | None, str | None, bytes]:
    """POST JSON like Telegram does; return (HTTP status or None, error text or None, body)."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    req = urllib.request.Request(url, json.dumps(payload).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, None, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, None, b""
    # A web process killed mid-answer leaves a cut response, which Telegram retries too.
    except (OSError, http.client.HTTPException) as exc:
        return None, f"Connection failed: {type(exc).__name__}", b""
