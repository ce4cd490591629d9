"""The canary's bookkeeping: its recipient, its daily slot, its results, its cleanup, ONAC's SMS.

raporto/canary.py drives the synthetic tips through the real inbound paths over HTTP; this module
holds what it does with the database. Results are `ops_alerts` rows (kind `canary_ok`, one per
successful run), so `/metrics` reads the time of the last success from the database at scrape
time: no process-local gauge to go stale, whichever process ran the canary.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from alerts.content import TIRANA, fold
from alerts.context import AlertContext
from alerts.roster import active_officials, set_phone, set_telegram_chat
from locales.i18n import gettext as _t
from models import store
from models.db import insert_ignore
from models.deliveries import OpsAlert
from models.roster import Agency, Official
from models.synthetic import CANARY_ROLE
from models.tables import InboundMessage, Reporter, Tip

log = logging.getLogger(__name__)

AGENCY_CODE = "canary"
DAY_KIND = "canary_day"  # one row per Tirana date: the daily run is claimed once
OK_KIND = "canary_ok"  # one row per successful run: the metric's source
FAILED_PROBLEM = "canary_failed"  # the dead-man's row (one SMS per half-hour at most)


def ensure_recipient(
    session: Session, actx: AlertContext, *, telegram_chat: str, sms: str, now: datetime
) -> Official:
    """The canary's test recipient (agency and official `canary`), set to the configured ids."""
    agency = session.scalar(select(Agency).where(Agency.code == AGENCY_CODE))
    if agency is None:
        agency = Agency(
            code=AGENCY_CODE,
            name_sq="Testi automatik (kanarina)",
            name_en="Canary (test)",
            kind=CANARY_ROLE,
            active_from=now,
        )
        session.add(agency)
        session.flush()
    official = session.scalar(select(Official).where(Official.role == CANARY_ROLE))
    if official is None:
        official = Official(
            name="canary", agency=agency, role=CANARY_ROLE, active_from=now, problems={}
        )
        session.add(official)
    # SMS first when configured: its acknowledgement ("OK code") runs the officials' SMS path.
    official.channel_order = (["sms"] if sms else []) + (["telegram"] if telegram_chat else [])
    if sms:
        set_phone(official, actx.vault, actx.pseudonym, sms)
    if telegram_chat:
        set_telegram_chat(official, actx.vault, actx.pseudonym, int(telegram_chat))
    # A roster import that left it out may have retired it: the canary keeps its recipient.
    official.active_to = agency.active_to = None
    official.problems = {}
    session.flush()
    return official


def claim_day(actx: AlertContext, now: datetime, at: Any) -> str | None:
    """Claim today's run (Tirana date) once across processes from `at` on; None: not due."""
    if at is None:
        return None
    local = now.astimezone(TIRANA)
    if local.time().replace(tzinfo=None) < at:
        return None
    window = local.date().isoformat()
    with actx.db.read() as session:
        if session.scalar(
            select(OpsAlert.id).where(OpsAlert.kind == DAY_KIND, OpsAlert.window == window)
        ):
            return None
    with actx.db.transaction() as session:
        claimed = session.execute(
            insert_ignore(
                session,
                OpsAlert,
                {"kind": DAY_KIND, "window": window, "at": now, "detail": {}},
                ["kind", "window"],
            ).returning(OpsAlert.id)
        ).scalar_one_or_none()
    return window if claimed is not None else None


def record(actx: AlertContext, results: dict[str, str], now: datetime) -> None:
    """Audit a run (channels and outcomes only) and keep a successful run's time."""
    ok = all(r == "ok" for r in results.values())
    with actx.db.transaction() as session:
        if ok:
            window = now.strftime("%Y%m%dT%H%M%S.%f")
            session.add(OpsAlert(kind=OK_KIND, window=window, at=now, detail={}))
        store.audit(
            session,
            actor="canary",
            action="canary.passed" if ok else "canary.failed",
            object_type="canary",
            object_id=None,
            now=now,
            results=results,
        )


def last_success(session: Session) -> datetime | None:
    """When the canary last passed on every channel (None: never)."""
    return session.scalar(select(func.max(OpsAlert.at)).where(OpsAlert.kind == OK_KIND))


def remove_synthetic(actx: AlertContext, nonces: list[str] | None = None) -> int:
    """Delete synthetic tips (those of these runs, or all) with their deliveries and senders."""
    with actx.db.transaction() as session:
        tips = [
            t
            for t in session.scalars(select(Tip).where(Tip.synthetic.is_(True)))
            if nonces is None or (t.answers or {}).get("canary") in nonces
        ]
        if not tips:
            return 0
        ids = [t.id for t in tips]
        reporters = {t.reporter_id for t in tips if t.reporter_id is not None}
        # Deliveries, acknowledgements, attachments and links go with the tip (ON DELETE
        # CASCADE); the canary's contacts and replies are deleted so no statistic counts them.
        session.execute(delete(InboundMessage).where(InboundMessage.tip_id.in_(ids)))
        session.execute(delete(Tip).where(Tip.id.in_(ids)))
        if reporters:
            session.execute(delete(InboundMessage).where(InboundMessage.reporter_id.in_(reporters)))
            session.execute(delete(Reporter).where(Reporter.id.in_(reporters)))
        return len(ids)


def alert_onac(actx: AlertContext, twilio: Any, failed: list[str], now: datetime) -> int:
    """Text ONAC's duty officers that the canary failed (dead-man path: Twilio, not the queue)."""
    window = now.strftime("%Y%m%d%H") + ("a" if now.minute < 30 else "b")
    with actx.db.transaction() as session:
        claimed = session.execute(
            insert_ignore(
                session,
                OpsAlert,
                {"kind": FAILED_PROBLEM, "window": window, "at": now, "detail": {}},
                ["kind", "window"],
            ).returning(OpsAlert.id)
        ).scalar_one_or_none()
        if claimed is None:
            return 0  # ONAC was told within this half-hour already
        phones = [
            (actx.vault.decrypt_text(o.phone_enc), o.language)
            for o in active_officials(session, now)
            if o.role == "onac" and o.phone_enc
        ]
    sent = 0
    for phone, lang in phones:
        text = _t(
            lang,
            "Raporto: the daily canary failed on %(channels)s. Check the service now.",
            channels=", ".join(failed),
        )
        try:
            twilio.messages.create(to=phone, from_=actx.config.twilio_from, body=fold(text))
            sent += 1
        except Exception as exc:
            log.error("canary alert could not be sent: %s", type(exc).__name__)
    return sent
