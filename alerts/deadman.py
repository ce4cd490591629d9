"""The dead-man check: is anything stuck, is any worker alive? If not, tell ONAC out of band.

The check runs on every `GET /health` (load balancers and monitors poll it) and in
`raporto watchdog`. The alert to ONAC is an SMS sent directly through Twilio, not through the
queue that may be the thing that is broken; a row per problem and half-hour makes sure ONAC is
told once, however many processes notice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from alerts.content import fold
from alerts.context import AlertContext
from alerts.roster import active_officials
from locales.i18n import gettext as _t
from models.db import insert_ignore
from models.deliveries import Delivery, OpsAlert, Purpose

log = logging.getLogger(__name__)


def check(actx: AlertContext, workers: int, now: datetime) -> dict[str, Any]:
    """Return the alert pipeline's state and the list of problems (empty when healthy)."""
    with actx.db.transaction() as session:
        pending, oldest = session.execute(
            select(func.count(), func.min(Delivery.created_at)).where(
                Delivery.status == "pending", Delivery.purpose != Purpose.EDIT
            )
        ).one()
        sent_recently = session.execute(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.sent_at >= now - timedelta(minutes=5))
        ).scalar_one()
    problems = []
    age = (now - oldest).total_seconds() if oldest else 0.0
    if pending and age > actx.config.pending_bound_seconds:
        problems.append("deliveries_stuck")
    if workers == 0:
        problems.append("no_worker")
    if pending and not sent_recently and age > 60:
        problems.append("no_delivery_succeeding")
    return {
        "pending": pending,
        "oldest_pending_seconds": round(age, 1),
        "workers": workers,
        "problems": problems,
    }


def alert_onac(actx: AlertContext, twilio: Any, problems: list[str], now: datetime) -> int:
    """Text ONAC's duty officers about the problems, once per problem and half-hour."""
    window = now.strftime("%Y%m%d%H") + ("a" if now.minute < 30 else "b")
    sent = 0
    for problem in problems:
        with actx.db.transaction() as session:
            claimed = session.execute(
                insert_ignore(
                    session,
                    OpsAlert,
                    {"kind": problem, "window": window, "at": now, "detail": {}},
                    ["kind", "window"],
                ).returning(OpsAlert.id)
            ).scalar_one_or_none()
            if claimed is None:
                continue  # another process already told ONAC
            phones = [
                (actx.vault.decrypt_text(o.phone_enc), o.language)
                for o in active_officials(session, now)
                if o.role == "onac" and o.phone_enc
            ]
        for phone, lang in phones:
            text = _t(
                lang,
                "Raporto: the alert pipeline has a problem (%(problem)s). Check the service now.",
                problem=problem,
            )
            try:
                twilio.messages.create(to=phone, from_=actx.config.twilio_from, body=fold(text))
                sent += 1
            except Exception as exc:
                log.error("ops alert %s could not be sent: %s", problem, type(exc).__name__)
    return sent
