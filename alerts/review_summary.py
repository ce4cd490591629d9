"""ONAC's daily review-queue summary: how many tips wait for an official's review, how long.

The sweeper calls `send_if_due` on every tick in every worker. From the configured local hour on,
the first process to insert the day's `ops_alerts` row (kind "review_summary", the Tirana date as
window, unique) writes one Telegram notice per active ONAC duty officer through the deliveries
outbox, in the same transaction; every other process, and every later tick that day, finds the
row and does nothing. A worker that was down at that hour sends the summary when it comes back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from alerts.content import TIRANA
from alerts.context import AlertContext
from alerts.fanout import new_delivery
from alerts.kinds import Notice
from alerts.roster import active_officials
from locales.i18n import gettext as _t
from locales.i18n import ngettext
from models import review
from models.db import insert_ignore
from models.deliveries import OpsAlert

KIND = "review_summary"


def due_window(now: datetime, actx: AlertContext) -> str | None:
    """The local date whose summary is due at `now`, or None before the configured hour."""
    local = now.astimezone(TIRANA)
    if local.time().replace(tzinfo=None) < actx.config.review_summary_at:
        return None
    return local.date().isoformat()


def send_if_due(actx: AlertContext, now: datetime) -> int:
    """Queue today's summary once across all processes; return how many notices were written."""
    window = due_window(now, actx)
    if window is None:
        return 0
    # A read first: after the day's summary every tick of every worker stops here without
    # taking the write lock.
    with actx.db.read() as session:
        done = session.scalar(
            select(OpsAlert.id).where(OpsAlert.kind == KIND, OpsAlert.window == window)
        )
    if done is not None:
        return 0
    with actx.db.transaction() as session:
        claimed = session.execute(
            insert_ignore(
                session,
                OpsAlert,
                {"kind": KIND, "window": window, "at": now, "detail": {}},
                ["kind", "window"],
            ).returning(OpsAlert.id)
        ).scalar_one_or_none()
        if claimed is None:
            return 0  # another process sent it
        count, oldest = review.waiting_summary(session)
        counts = {"waiting": count, "oldest_hours": int(review.age_hours(oldest, now))}
        sent = 0
        for official in active_officials(session, now):
            if official.role != "onac" or not official.telegram_chat_enc:
                continue
            new_delivery(
                session,
                actx,
                # One summary per official and day.
                Notice(cause=f"{KIND}:{window}", review_summary=counts),
                official=official,
                channel="telegram",
                queue="default",
                now=now,
            )
            sent += 1
        row = session.get(OpsAlert, claimed)
        if row is not None:
            row.detail = {**counts, "officials": sent}
    return sent


def summary_text(lang: str, waiting: int, oldest_hours: int) -> str:
    """The summary in a language: how many tips wait and the oldest one's age."""
    if waiting == 0:
        return _t(lang, "Raporto: no tip waits for review.")
    first = ngettext(
        lang,
        "Raporto: %(n)d tip waits for an official's review.",
        "Raporto: %(n)d tips wait for an official's review.",
        waiting,
    )
    if oldest_hours < 48:
        age = ngettext(
            lang,
            "The oldest has waited %(n)d hour.",
            "The oldest has waited %(n)d hours.",
            oldest_hours,
        )
    else:
        age = ngettext(
            lang,
            "The oldest has waited %(n)d day.",
            "The oldest has waited %(n)d days.",
            oldest_hours // 24,
        )
    return f"{first} {age}\n" + _t(lang, "Officials review them in the console, under “Review”.")
