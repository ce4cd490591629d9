"""Telegram long polling, for development or where no public HTTPS URL exists.

Updates go through the same path as the webhook (bot/telegram_intake.py: dedupe on update_id,
then the conversation), so switching between polling and the webhook loses and repeats nothing.
The offset moves past every update that was handled or recorded as failed; only an unreachable
database holds it back (the update is asked for again after a pause), and an update that keeps
meeting a database error while the database answers is recorded as failed after a few tries, so
no single update can stop the thread.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.exc import OperationalError

from alerts.telegram_sender import TelegramSender
from bot.context import IntakeContext
from bot.telegram_flow import CallbackAnswer, enqueue_outcome
from bot.telegram_intake import BadUpdate, record_failure, take_update

log = logging.getLogger(__name__)

# Database errors on the same update, with the database otherwise answering, before it is
# taken to be the update's own fault.
DATABASE_TRIES = 5


def poll(
    ctx: IntakeContext, sender: TelegramSender, stop: threading.Event, timeout: int = 10
) -> None:
    """Fetch updates until `stop` is set, processing each exactly once."""
    offset: int | None = None
    failures = 0
    tries: dict[int, int] = {}
    sender.delete_webhook()
    while not stop.is_set():
        try:
            updates = sender.get_updates(offset, timeout)
            offset, done = take_batch(ctx, updates, offset, tries, sender)
        except Exception as exc:  # the thread must outlive any one failure
            done = False
            log.warning("telegram polling failed (%s); retrying", type(exc).__name__)
        if not done:
            failures += 1
            stop.wait(min(30, 2**failures))
            continue
        failures = 0
        if not updates:
            time.sleep(0.05)


def take_batch(
    ctx: IntakeContext,
    updates: list[Any],
    offset: int | None,
    tries: dict[int, int],
    sender: TelegramSender | None = None,
) -> tuple[int | None, bool]:
    """Take updates in order; return the next offset and False when the database stopped us."""
    for data in updates:
        try:
            update_id, outcome = take_update(ctx, data)
        except BadUpdate:
            log.warning("getUpdates returned something that is not an update; skipped")
            continue
        except OperationalError as exc:
            update_id = data["update_id"]  # parse_update checked it before any database work
            tries[update_id] = tries.get(update_id, 0) + 1
            if tries[update_id] < DATABASE_TRIES or not _database_answers(ctx):
                log.warning("telegram update %s: database error; will retry", update_id)
                return offset, False
            record_failure(ctx, update_id, exc)
            tries.pop(update_id, None)
            offset = update_id + 1
            continue
        tries.pop(update_id, None)
        enqueue_outcome(ctx, outcome)
        if outcome.answer is not None and sender is not None:
            _answer(sender, outcome.answer)
        offset = update_id + 1
    return offset, True


def _answer(sender: TelegramSender, answer: CallbackAnswer) -> None:
    # No webhook response to carry the answer: call it, after the commit. A press is handled
    # whether or not its answer arrives, so a failure here is logged and nothing more.
    try:
        sender.answer_callback(answer.callback_query_id, answer.text)
    except Exception as exc:
        log.info("telegram: a button press could not be answered (%s)", type(exc).__name__)


def _database_answers(ctx: IntakeContext) -> bool:
    try:
        return ctx.db.ping()
    except Exception:
        return False
