"""`raporto canary`: one synthetic tip through each channel's real inbound path, end to end.

Each tip is posted over HTTP to PUBLIC_BASE_URL signed as its provider signs it (Twilio's
signature for SMS, WhatsApp and the voice webhooks, Telegram's secret header, the hotline's HMAC,
the web form's token), carrying a marker only this service can make (models/synthetic.py). The
canary then waits until the tip is stored, triaged and delivered to the canary recipient,
acknowledges that delivery through the officials' own path (an "OK code" SMS, or the signed
Telegram button), waits for the acknowledgement, and deletes its tips.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from alerts import canary as book
from alerts import metrics
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.roster import Official
from models.synthetic import CANARY_ROLE, canary_key, new_marker
from models.tables import Tip
from raporto.canary_driver import CHANNELS as CHANNELS
from raporto.canary_driver import DONE, Driver, Failed

if TYPE_CHECKING:
    from raporto.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Result:
    """How one channel's canary went."""

    channel: str
    ok: bool
    seconds: float
    step: str = ""  # where it failed

    def line(self) -> str:
        """The line `raporto canary` prints for this channel."""
        if self.ok:
            return f"{self.channel} ok {self.seconds:.1f} s"
        return f"{self.channel} FAILED at {self.step} after {self.seconds:.1f} s"


def _wait(driver: Driver, deadline: float, step: str, found: Callable[[], Any]) -> Any:
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed(step)
        time.sleep(driver.poll)


def _tip(driver: Driver, nonce: str) -> Tip | None:
    with driver.runtime.db.read() as session:
        for tip in session.scalars(select(Tip).where(Tip.synthetic.is_(True))):
            if (tip.answers or {}).get("canary") == nonce:
                session.expunge(tip)
                return tip
    return None


def _delivery(driver: Driver, tip_id: int) -> tuple[Delivery, Official] | None:
    with driver.runtime.db.read() as session:
        row = session.execute(
            select(Delivery, Official)
            .join(Official, Official.id == Delivery.official_id)
            .where(Delivery.tip_id == tip_id, Delivery.status.in_(DONE))
        ).first()
        if row is None:
            return None
        session.expunge_all()
        return row[0], row[1]


def _acknowledged(driver: Driver, tip_id: int, official_id: int) -> bool:
    with driver.runtime.db.read() as session:
        return (
            session.scalar(
                select(Acknowledgement.id).where(
                    Acknowledgement.tip_id == tip_id, Acknowledgement.official_id == official_id
                )
            )
            is not None
        )


def check_channel(driver: Driver, channel: str, nonces: list[str]) -> Result:
    """Send one synthetic tip on a channel and follow it to its acknowledgement."""
    started = time.monotonic()
    deadline = started + driver.timeout
    step = "send"
    try:
        nonce, marker = new_marker(canary_key(driver.runtime.alerts.signing_key))
        nonces.append(nonce)
        driver.send(channel, marker)
        step = "stored"
        tip = _wait(driver, deadline, step, lambda: _tip(driver, nonce))
        step = "triaged"
        tip = _wait(driver, deadline, step, lambda: _triaged(driver, nonce))
        step = "delivered"
        delivery, official = _wait(driver, deadline, step, lambda: _delivery(driver, tip.id))
        if official.role != CANARY_ROLE:
            raise Failed("delivered to someone other than the canary recipient")
        step = "acknowledged"
        driver.acknowledge(delivery, official)
        _wait(driver, deadline, step, lambda: _acknowledged(driver, tip.id, official.id))
    except Failed as exc:
        return Result(channel, False, time.monotonic() - started, str(exc) or step)
    except Exception as exc:  # a network error, a refused post: this channel failed
        return Result(channel, False, time.monotonic() - started, f"{step} ({type(exc).__name__})")
    return Result(channel, True, time.monotonic() - started)


def _triaged(driver: Driver, nonce: str) -> Tip | None:
    tip = _tip(driver, nonce)
    return tip if tip is not None and tip.triage_status == "done" else None


def run(driver: Driver, channels: Iterable[str] = CHANNELS) -> list[Result]:
    """Run the canary on every channel at once; record, alert ONAC on failure, clean up."""
    runtime = driver.runtime
    settings = runtime.settings
    if not (settings.canary_sms or settings.canary_telegram_chat):
        raise ValueError("set RAPORTO_CANARY_SMS or RAPORTO_CANARY_TELEGRAM_CHAT first")
    # Tips of an earlier run that came in late (say, replayed from the spool) go first.
    book.remove_synthetic(runtime.alerts)
    with runtime.db.transaction() as session:
        book.ensure_recipient(
            session,
            runtime.alerts,
            telegram_chat=settings.canary_telegram_chat,
            sms=settings.canary_sms,
            now=utcnow(),
        )
    nonces: list[str] = []
    lock = threading.Lock()

    def one(channel: str) -> Result:
        mine: list[str] = []
        result = check_channel(driver, channel, mine)
        with lock:
            nonces.extend(mine)
        return result

    channels = list(channels)
    try:
        with ThreadPoolExecutor(max_workers=len(channels)) as pool:
            results = list(pool.map(one, channels))
    finally:
        book.remove_synthetic(runtime.alerts, nonces)
    now = utcnow()
    book.record(runtime.alerts, {r.channel: "ok" if r.ok else r.step for r in results}, now)
    failed = [r.channel for r in results if not r.ok]
    if failed:
        metrics.canary_failed(failed)
        book.alert_onac(runtime.alerts, runtime.twilio(), failed, now)
        log.error("canary failed on %s", ", ".join(failed))
    return results


def run_if_due(runtime: Runtime, now: datetime, driver: Driver | None = None) -> list[Result]:
    """Run today's canary once, from RAPORTO_CANARY_AT on (the worker calls this on a timer)."""
    if book.claim_day(runtime.alerts, now, runtime.settings.canary_at) is None:
        return []
    return run(driver or production_driver(runtime))


def production_driver(runtime: Runtime) -> Driver:
    """Reach the service where the providers do: PUBLIC_BASE_URL."""
    settings = runtime.settings
    return Driver(runtime, settings.public_base_url.rstrip("/"), settings.twilio_auth_token)


def canary_loop(runtime: Runtime, stop: threading.Event, interval: float = 30.0) -> None:
    """Check every `interval` seconds whether today's canary is due (a worker's side thread)."""
    while not stop.wait(interval):
        try:
            run_if_due(runtime, utcnow())
        except Exception as exc:
            # The type only: an exception's text can carry query parameters or a number.
            log.error("canary failed to run: %s", type(exc).__name__)
