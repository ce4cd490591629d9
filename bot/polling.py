"""Telegram long polling, for development or where no public HTTPS URL exists.

Updates go through the same path as the webhook (dedupe on update_id, then the conversation), so
switching between polling and the webhook loses and repeats nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from alerts.telegram_sender import TelegramSender
from bot.context import IntakeContext
from bot.telegram_adapter import BadUpdate, parse_update
from bot.telegram_flow import enqueue_outcome, handle_event

log = logging.getLogger(__name__)


def poll(
    ctx: IntakeContext, sender: TelegramSender, stop: threading.Event, timeout: int = 10
) -> None:
    """Fetch updates until `stop` is set, processing each exactly once."""
    offset: int | None = None
    failures = 0
    sender.delete_webhook()
    while not stop.is_set():
        try:
            updates = sender.get_updates(offset, timeout)
            failures = 0
        except Exception as exc:
            failures += 1
            log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
            stop.wait(min(30, 2**failures))
            continue
        for data in updates:
            try:
                event = parse_update(data)
            except BadUpdate:
                continue
            enqueue_outcome(ctx, handle_event(ctx, event))
            offset = event.update_id + 1
        if not updates:
            time.sleep(0.05)
