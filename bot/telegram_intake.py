"""One raw Telegram update in, whatever it holds: the webhook and polling both go through here.

A bug or a forged value in one update must not stop Telegram intake: Telegram sends an update
again while the webhook does not answer 2xx, and polling that does not move its offset past an
update receives it again forever. So an update whose handling raises is recorded (ids only: the
update_id in the log, its inbound row and the exception's type and place in the audit log),
answered, and skipped. A database that is unreachable is not the update's fault: that error goes
up, the webhook answers 503 and polling waits, so nothing a reporter sent is dropped for it.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.context import IntakeContext
from bot.intake import claim_event
from bot.telegram_adapter import BadUpdate, parse_update
from bot.telegram_flow import Outcome, handle_event
from models import store

log = logging.getLogger(__name__)

__all__ = ["BadUpdate", "record_failure", "take_update"]


def take_update(ctx: IntakeContext, data: Any) -> tuple[int, Outcome]:
    """Handle one update; return its update_id and what to queue after the commit.

    Raises BadUpdate when the body is not an update at all (no update_id), and OperationalError
    when the database cannot be reached; any other failure is recorded and answered as handled.
    """
    event = parse_update(data)
    try:
        return event.update_id, handle_event(ctx, event)
    except OperationalError:
        raise
    except Exception as exc:
        try:
            record_failure(ctx, event.update_id, exc)
        except OperationalError:
            raise
        except Exception as again:  # recording must not make the update stick after all
            log.error(
                "telegram update %s: not recorded (%s)", event.update_id, type(again).__name__
            )
        return event.update_id, Outcome()


def _where(exc: BaseException) -> str:
    # File and line only: an exception's message can quote the tip or the button's data.
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


def record_failure(ctx: IntakeContext, update_id: int, exc: BaseException) -> None:
    """Log and audit an update that could not be handled, and mark it seen so it is not redone."""
    error, where = type(exc).__name__, _where(exc)
    log.error("telegram update %s failed (%s at %s); recorded and skipped", update_id, error, where)
    with ctx.db.transaction() as session:
        # The failed attempt rolled back, so the event is claimed here, as "failed": a second
        # delivery of it (our answer lost on the way) is then a duplicate, not a second failure.
        inbound = claim_event(
            session, ctx, channel="telegram", event_id=str(update_id), kind="failed"
        )
        if inbound is None:
            return  # another process handled it meanwhile
        store.audit(
            session,
            actor="telegram",
            action="telegram.update_failed",
            object_type="inbound_message",
            object_id=inbound.id,
            now=ctx.clock(),
            error=error,
            at=where,
        )
