"""Take an authenticated inbound event, or keep it in the spool when the database cannot.

Every inbound webhook runs its intake through `take_or_spool`. When the database is unreachable
(or its pool exhausted), the raw event goes to the local spool (models/spool.py) and the webhook
answers as after a commit, with a neutral reply; the web process's drainer and the workers'
sweepers replay it later. When the spool cannot take it either, `SpoolFull` propagates and
app.py answers 503, so the provider's own fallback runs (Twilio's fallback URL, Telegram's retry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from bot.spool_replay import DATABASE_DOWN
from models.base import utcnow
from models.spool import Spool, SpooledEvent

log = logging.getLogger(__name__)

T = TypeVar("T")


class Spooled:
    """The marker an intake returns when its event went to the spool instead of the database."""


SPOOLED = Spooled()


def take_or_spool(
    intake: Callable[[], T], *, channel: str, kind: str, event_id: str, payload: dict[str, Any]
) -> T | Spooled:
    """Run the intake; if the database is down, spool the event and return SPOOLED."""
    arrived = utcnow()
    try:
        return intake()
    except DATABASE_DOWN as exc:
        spool: Spool | None = current_app.extensions.get("raporto.spool")
        if spool is None:
            raise
        entry = spool.write(SpooledEvent(channel, kind, event_id, arrived, payload))
        # Ids and kinds only: the payload is the reporter's words and number.
        log.warning(
            "database unavailable (%s): %s %s event spooled as %s",
            type(exc).__name__,
            channel,
            kind,
            entry.id,
        )
        kick: Callable[[], None] | None = current_app.extensions.get("raporto.spool_kick")
        if kick is not None:
            kick()
        return SPOOLED
